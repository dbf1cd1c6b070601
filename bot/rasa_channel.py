"""Rasa input channel `steer` (bot/credentials.yml): the only way a message reaches Rasa, and deletion.

POST /webhooks/steer/webhook  {"sender", "message", "metadata"}  ->  [replies]   (Rasa's REST shape)
DELETE /webhooks/steer/conversations/<sender_id>  ->  {"deleted": true, ...}

Both need the secret `steer run` shares at start-up (STEER_RASA_TOKEN, also Rasa's auth token): as
`Authorization: Bearer <token>` (what the front door sends: it never appears in a URL or an access
log), or as Rasa's HTTP API takes it, `?token=` or a JWT, checked by Rasa's own `requires_auth`.
Without it, 401. Rasa's own `rest` channel is not configured, so nobody on the machine can post a
message past the front door's cleaning and checks.

The message webhook is Rasa's REST channel (rasa/core/channels/rest.py) without streaming and
without its logging of the message text when a turn fails or times out: it logs only what kind of
failure it was. The replies are collected as that channel collects them (CollectingOutputChannel).

Deleting:

1. The tracker store (bot/tracker_store.py) deletes the rows and writes the tombstone, at once.
   From here it sticks: every later save of this id writes nothing. This comes first because
   Sanic cancels a handler whose client hangs up, so nothing that must happen may wait.
2. It waits (at most `lock_wait_seconds`) for Rasa's lock for the conversation, the one
   Agent.handle_message and the tracker-event endpoints take, so a turn already running ends
   first, and deletes again under it. For Steer's own store that finds nothing; it is for a Rasa
   server sharing the database and lock store whose store ignores tombstones (an older one still
   running during an upgrade).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Iterator, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.server import requires_auth
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

DEFAULT_LOCK_WAIT_SECONDS = 10.0  # under the front door's 30 s timeout for a call to Rasa


def _wrapped(store: Any) -> Iterator[Any]:
    """The store and the stores it wraps (Rasa wraps ours in FailSafeTrackerStore, maybe AwaitableTrackerStore)."""
    while store is not None:
        yield store
        store = getattr(store, "_tracker_store", None)


def _forgetting_store(store: Any) -> Optional[Any]:
    return next((s for s in _wrapped(store) if callable(getattr(s, "forget", None))), None)


def _drop_fallback_copy(store: Any, sender_id: str) -> None:
    """FailSafeTrackerStore keeps a tracker in memory when a save failed: forget that copy too."""
    for each in _wrapped(store):
        fallback = getattr(each, "_fallback_tracker_store", None)
        kept = getattr(fallback, "store", None)
        if isinstance(kept, dict):
            kept.pop(sender_id, None)


class SteerChannel(InputChannel):
    def __init__(self, token: str = "", lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS) -> None:
        # An empty token refuses every request (Rasa's requires_auth matches no token against "").
        self.token = token
        self.lock_wait_seconds = lock_wait_seconds

    @classmethod
    def name(cls) -> str:
        return "steer"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SteerChannel:
        credentials = credentials or {}
        return cls(
            token=str(credentials.get("token") or ""),
            lock_wait_seconds=float(credentials.get("lock_wait_seconds", DEFAULT_LOCK_WAIT_SECONDS)),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("steer_conversations")

        # ignore_body=False: else Sanic logs "<Request: DELETE /...<sender_id>> body not consumed" at
        # ERROR for a client that sends Content-Length: 0 (requests does), and the id is personal.
        @bp.delete("/conversations/<conversation_id:path>", ignore_body=False)
        async def delete(request: Request, conversation_id: str) -> HTTPResponse:
            return await self._checked(request, self._delete, conversation_id=conversation_id)

        @bp.post("/webhook")
        async def receive(request: Request) -> HTTPResponse:
            async def handle(request: Request) -> HTTPResponse:
                return await self._receive(request, on_new_message)

            return await self._checked(request, handle)

        return bp

    def _bearer_ok(self, request: Request) -> bool:
        given = request.headers.get("Authorization", "")
        return bool(self.token) and hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    async def _checked(self, request: Request, handler: Callable[..., Awaitable[HTTPResponse]],
                       **kwargs: Any) -> HTTPResponse:
        """The secret as a bearer header, or else Rasa's own check (`?token=`, JWT), which answers 401."""
        if self._bearer_ok(request):
            return await handler(request, **kwargs)
        return await requires_auth(request.app, self.token)(handler)(request, **kwargs)

    async def _receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        try:
            body = request.json
        except Exception:  # noqa: BLE001 (Sanic's error text is not needed: the shape is the problem)
            body = None
        sender = body.get("sender") if isinstance(body, dict) else None
        text = body.get("message") if isinstance(body, dict) else None
        metadata = body.get("metadata") if isinstance(body, dict) else None
        if not (isinstance(sender, str) and sender and isinstance(text, str)
                and (metadata is None or isinstance(metadata, dict))):
            logger.warning("A message was refused: not {sender, message, metadata} of the right types.")
            return response.json({"error": 'Send {"sender": "...", "message": "...", "metadata": {...}}.'},
                                 status=400)
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata))
        except asyncio.CancelledError:  # the client stopped waiting; as Rasa's REST channel, but without the text
            logger.error("A message was cut short: the client stopped waiting for its reply.")
        except Exception as err:  # noqa: BLE001 (as Rasa's REST channel: answer what was collected)
            logger.error("A message failed inside Rasa: %s", type(err).__name__)
        return response.json(collector.messages)

    async def _delete(self, request: Request, conversation_id: str) -> HTTPResponse:
        agent = getattr(request.app.ctx, "agent", None)
        tracker_store = getattr(agent, "tracker_store", None)
        store = _forgetting_store(tracker_store)
        if store is None:
            logger.error("Cannot delete a conversation: the tracker store is not bot.tracker_store.SteerTrackerStore")
            return response.json({"deleted": False, "error": "The tracker store cannot delete."}, status=501)
        events = store.forget(conversation_id)
        _drop_fallback_copy(tracker_store, conversation_id)
        turn_still_running = False
        try:
            events += await asyncio.wait_for(self._under_lock(agent, store, conversation_id), self.lock_wait_seconds)
        except asyncio.TimeoutError:
            turn_still_running = True  # it holds the lock yet; its save will write nothing
        except LockError:
            events += store.forget(conversation_id)
        logger.info("A conversation was deleted (%d events).", events)
        return response.json({"deleted": True, "events": events, "turn_still_running": turn_still_running})

    @staticmethod
    async def _under_lock(agent: Any, store: Any, conversation_id: str) -> int:
        async with agent.lock_store.lock(conversation_id, wait_time_in_seconds=0.1):
            return store.forget(conversation_id)
