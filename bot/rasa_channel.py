"""Rasa input channel `steer` (bot/credentials.yml): deleting a conversation inside Rasa's own process.

DELETE /webhooks/steer/conversations/<sender_id>?token=<Rasa's auth token>  ->  {"deleted": true, ...}

It takes no messages. It checks the token with Rasa's own `requires_auth`, as Rasa's HTTP API does
(the token, or a JWT when Rasa has one). Then:

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
import logging
from typing import Any, Awaitable, Callable, Dict, Iterator, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
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
            checked = requires_auth(request.app, self.token)(self._delete)
            return await checked(request, conversation_id=conversation_id)

        return bp

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
