"""A thin client for the Rasa server and the action server; failures become two kinds of error.

Never logs message text or replies: they are special-category personal data.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import requests

from bot.web import wording

log = logging.getLogger(__name__)


class UpstreamError(Exception):
    """Rasa answered badly (HTTP 502): `message` is kind words for the person."""

    status = 502

    def __init__(self, message: str = wording.RASA_BROKEN) -> None:
        super().__init__(message)
        self.message = message


class UpstreamUnavailable(UpstreamError):
    """Rasa could not be reached or was too slow (HTTP 503)."""

    status = 503

    def __init__(self, message: str = wording.RASA_DOWN) -> None:
        super().__init__(message)


class RasaClient:
    def __init__(
        self,
        rasa_url: str,
        token: Optional[str],
        actions_url: str,
        timeout: float,
        health_timeout: float,
    ) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token or None
        self.actions_url = actions_url.rstrip("/")
        self.timeout = timeout
        self.health_timeout = health_timeout
        # One pooled session: a new TCP connection per turn would cost more than the turn.
        self.http = requests.Session()
        self.http.trust_env = False  # Rasa is on loopback; a proxy from the environment must not see turns.

    def _auth(self) -> Dict[str, str]:
        return {"token": self.token} if self.token else {}

    def _bearer(self) -> Dict[str, str]:
        """Steer's Rasa channel (bot/rasa_channel.py) takes the secret as a header: never in a URL or a log."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        try:
            reply = self.http.request(method, self.rasa_url + path, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            log.warning("Rasa %s: no answer within %s s", what, self.timeout)
            raise UpstreamUnavailable(wording.RASA_SLOW) from None
        except requests.RequestException as err:
            log.warning("Rasa %s: cannot connect (%s)", what, type(err).__name__)
            raise UpstreamUnavailable() from None
        if reply.status_code in (401, 403):
            log.error("Rasa %s: refused with HTTP %s; check STEER_RASA_TOKEN", what, reply.status_code)
            raise UpstreamError()
        if reply.status_code == 409:  # Rasa is up but has no model loaded yet.
            log.warning("Rasa %s: no model loaded yet", what)
            raise UpstreamUnavailable()
        if reply.status_code != 200:
            log.error("Rasa %s: HTTP %s", what, reply.status_code)
            raise UpstreamUnavailable() if reply.status_code == 503 else UpstreamError()
        try:
            return reply.json()
        except ValueError:
            log.error("Rasa %s: the reply is not JSON", what)
            raise UpstreamError() from None

    def send(self, sender_id: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        """The bot's replies to one message, in Rasa's REST shape without `recipient_id`, through Steer's channel.

        `metadata` (e.g. which question the person saw) reaches the actions as the message's."""
        body: Dict[str, Any] = {"sender": sender_id, "message": text}
        if metadata:
            body["metadata"] = metadata
        replies = self._call("POST", "/webhooks/steer/webhook", "message", json=body, headers=self._bearer())
        if not isinstance(replies, list) or not all(isinstance(r, dict) for r in replies):
            log.error("Rasa message: the reply is not a list of messages")
            raise UpstreamError()
        if not replies:
            # Steer always answers, so no reply means a part failed: Rasa answers [] when the action
            # server is down, and keeps the message half-done (the raw text in the asked slot).
            self.put_back_slots(sender_id)
            raise UpstreamUnavailable(wording.PART_RESTARTING)
        return [{k: v for k, v in r.items() if k != "recipient_id"} for r in replies]

    def put_back_slots(self, sender_id: str) -> None:
        """Set every slot the last message changed back to what it was, for a turn that got no reply.

        Not Rasa's "rewind" event: inside a form, Rasa's replay folds the form's turns together,
        and a rewind then empties every slot since the form began (seen on Rasa 3.6.21).
        """
        try:
            events = [e for e in self.tracker(sender_id).get("events") or [] if isinstance(e, dict)]
            last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
            if last_user is None:
                return
            before: Dict[str, Any] = {}
            for event in events[:last_user]:
                if event.get("event") in ("session_started", "reset_slots"):
                    before = {}  # a new session sets its slots again, as events after this one
                elif event.get("event") == "slot":
                    before[event.get("name")] = event.get("value")
            changed = sorted({e.get("name") for e in events[last_user:] if e.get("event") == "slot"})
            if changed:
                put_back = [{"event": "slot", "name": name, "value": before.get(name)} for name in changed]
                self.append_events(sender_id, put_back, "put back slots")
        except UpstreamError:  # why was logged; in a form, the next message overwrites the asked slot anyway
            log.warning("Rasa put back slots: the turn with no reply may have left a slot changed")

    def append_events(self, sender_id: str, events: List[Dict[str, Any]], what: str = "append events") -> None:
        """Add events to the end of the conversation's tracker (`what` names the call in the log)."""
        path = f"/conversations/{quote(sender_id, safe='')}/tracker/events"
        self._call("POST", path, what, params=self._auth(), json=events)

    def replace_slots(self, sender_id: str, slots: Dict[str, Any]) -> None:
        """End any form, then make `slots` the conversation's slots: every other slot it holds is emptied.

        Rasa's SQL tracker store only ever appends (a PUT that replaces events writes nothing), so this
        appends. In two calls: in a new conversation Rasa starts the session after reading the events,
        and events stamped before the session start are not part of it.
        """
        self.append_events(sender_id, [{"event": "active_loop", "name": None}], "restore")
        current = self.tracker(sender_id).get("slots") or {}
        events = [{"event": "slot", "name": k, "value": None} for k, v in current.items()
                  if v is not None and k not in slots and k != "session_started_metadata"]
        events += [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
        self.append_events(sender_id, events, "restore")

    def tracker(self, sender_id: str) -> Dict[str, Any]:
        """The conversation's tracker: `slots` and the `events` since its last restart."""
        tracker = self._call(
            "GET",
            f"/conversations/{quote(sender_id, safe='')}/tracker",
            "tracker",
            params={**self._auth(), "include_events": "AFTER_RESTART"},
        )
        if not isinstance(tracker, dict):
            log.error("Rasa tracker: the reply is not an object")
            raise UpstreamError()
        return tracker

    def forget(self, sender_id: str) -> Dict[str, Any]:
        """Delete a conversation inside Rasa, so that no turn in flight writes it back (bot/rasa_channel.py)."""
        reply = self._call(
            "DELETE", f"/webhooks/steer/conversations/{quote(sender_id, safe='')}", "delete", headers=self._bearer()
        )
        if not isinstance(reply, dict) or reply.get("deleted") is not True:
            log.error("Rasa delete: the reply does not say it deleted")
            raise UpstreamError()
        return reply

    def rasa_ready(self) -> bool:
        """Rasa answers and has a model loaded."""
        try:
            reply = self.http.get(self.rasa_url + "/status", params=self._auth(), timeout=self.health_timeout)
            return reply.status_code == 200 and bool(reply.json().get("model_id"))
        except (requests.RequestException, ValueError, AttributeError):
            return False

    def actions_ready(self) -> bool:
        try:
            reply = self.http.get(self.actions_url + "/health", timeout=self.health_timeout)
            return reply.status_code == 200
        except requests.RequestException:
            return False
