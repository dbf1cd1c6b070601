"""Rasa's SQL tracker store, which refuses to write a deleted conversation back (bot/endpoints.yml).

Rasa 3.6's SQLTrackerStore.save appends the tracker's events beyond the count already stored for
the session. After a conversation's rows are deleted, a turn that was already running (or one
queued behind the delete, or a GET of the tracker, which saves a new empty one and takes no lock)
would write it all back. Here every save first takes the id's guard and checks for a tombstone
(bot/deletions.py), in one transaction with the write; `forget` writes the tombstone and deletes
the rows in one transaction. Rasa's lock is not needed for this, so it holds for any lock store,
and for a turn that outlives its lock (tickets last 60 s; action calls may take 300 s).

Rasa makes it with `host=..., domain=..., event_broker=..., **kwargs` from endpoints.yml (see
rasa.core.tracker_store._load_from_module_name_in_endpoint_config): SQLTrackerStore's own arguments.
Beware: Rasa silently falls back to its in-memory store if this module raises ImportError or
AttributeError while loading; tests/test_delete_sticks.py checks the running Rasa uses this class.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import deletions

logger = logging.getLogger(__name__)


class SteerTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with `forget(sender_id)`, after which no save of that id writes anything."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deletions.ensure_tables(self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa 3.6.21's save (same rows), under the id's guard, and nothing at all for a deleted id.

        It does not raise for a deleted id: Rasa wraps the store in a FailSafeTrackerStore, which
        would keep the tracker in memory instead and log the error.
        """
        key = deletions.id_hash(tracker.sender_id)
        with self.session_scope() as session:
            deletions.guard(session, key)
            if deletions.is_deleted(session, key):
                logger.info("A turn of a deleted conversation was not saved.")  # no id: it is personal
                return  # closing the session rolls back and lets the guard go
            await self.stream_events(tracker)  # only events that are kept go to an event broker
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    def forget(self, sender_id: str) -> int:
        """Delete the conversation and tombstone its id, at once; the number of events deleted."""
        with self.session_scope() as session:
            deleted = deletions.forget(session, sender_id, self.SQLEvent.__table__)
            session.commit()
        return deleted
