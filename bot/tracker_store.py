"""Rasa's SQL tracker store, which refuses to write a deleted conversation back (bot/endpoints.yml).

Rasa 3.6's SQLTrackerStore.save appends the tracker's events beyond the count already stored for
the session. After a conversation's rows are deleted, a turn that was already running (or one
queued behind the delete, or a GET of the tracker, which saves a new empty one and takes no lock)
would write it all back. Here every save first takes the id's guard and checks for a tombstone
(bot/deletions.py), in one transaction with the write; `forget` writes the tombstone and deletes
the rows in one transaction. Rasa's lock is not needed for this, so it holds for any lock store,
and for a turn that outlives its lock (tickets last 60 s; action calls may take 300 s).

Kept no longer than needed: conversations with no event in the last STEER_KEEP_DAYS days (default
30) are purged by a daemon thread in Rasa's process, at start and then once a day (bot/deletions.py:
purge). Here because Rasa's process owns the database and runs whenever conversations can be
written; a thread, not Rasa's event loop, because SQLAlchemy calls block and turns must go on
meanwhile. A purged conversation is treated like a deleted one (a tombstone), so a turn in flight at
that moment cannot write it back, and a device still holding the id is told it was cleared. Several
Rasa processes sharing one database each purge; that is safe (each step re-checks under the guard).

SQLite: every connection has PRAGMA secure_delete=ON, so deleted conversations are overwritten on disk.

Rasa makes it with `host=..., domain=..., event_broker=..., **kwargs` from endpoints.yml (see
rasa.core.tracker_store._load_from_module_name_in_endpoint_config): SQLTrackerStore's own arguments.
Beware: Rasa silently falls back to its in-memory store if this module raises ImportError or
AttributeError while loading (so a bad STEER_KEEP_DAYS raises ValueError, which stops Rasa with its
message); tests/stack/test_delete_sticks.py checks the running Rasa uses this class.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Optional, Tuple, Union

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import deletions

logger = logging.getLogger(__name__)


class SteerTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with `forget(sender_id)`, after which no save of that id writes anything."""

    def __init__(self, *args: Any, keep_days: Optional[Union[int, str]] = None, purge_every: float = deletions.DAY,
                 clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        """keep_days: else STEER_KEEP_DAYS, else 30. purge_every (seconds) and clock: for tests."""
        days = deletions.keep_days() if keep_days is None else deletions.check_keep_days(keep_days, "keep_days")
        self.keep_seconds = days * deletions.DAY
        self.clock = clock
        super().__init__(*args, **kwargs)
        deletions.secure_delete(self.engine)
        deletions.ensure_tables(self.engine)
        self.purger = deletions.Purger(self.purge, every=purge_every).start()

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

    def purge(self) -> Tuple[int, int]:
        """Forget every conversation with no activity for the kept days, and older tombstones, now;
        (conversations purged, tombstones dropped). The purger thread calls it; so may anyone."""
        return deletions.purge(self.engine, self.SQLEvent.__table__, self.keep_seconds, now=self.clock())

    def stop_purging(self) -> None:
        self.purger.stop()
