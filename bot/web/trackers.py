"""The front door's direct look at Rasa's SQL tracker store: is a conversation there, or deleted?

Rasa keeps every event of a conversation as a row of the table `events`, keyed by `sender_id`
(rasa.core.tracker_store.SQLTrackerStore.SQLEvent), and reads them again on every turn: it
keeps no copy in memory between turns (the in-memory lock store only holds a lock while a turn
runs). Deleting is done inside Rasa (bot/rasa_channel.py); `delete` here is the fallback for
when Rasa cannot be reached, and writes the same tombstone (bot/deletions.py), so Rasa's store
refuses to write that conversation back either way.

The database is STEER_TRACKER_URL (any SQLAlchemy URL, e.g. PostgreSQL when endpoints.yml
points Rasa there), else STEER_TRACKER_DB (the SQLite file `steer run` gives Rasa, or a URL).
Every connection to a SQLite file has PRAGMA secure_delete=ON (bot/deletions.py), so a conversation
deleted here is overwritten on disk. Old conversations are purged inside Rasa (bot/tracker_store.py).
Nothing here logs a sender_id or any event.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot import deletions

log = logging.getLogger(__name__)

EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
)


class TrackerStoreError(Exception):
    """The tracker store could not be read or changed."""


def database_url(url: Optional[str], sqlite_path: Optional[str]) -> Optional[str]:
    """The SQLAlchemy URL of Rasa's tracker store, or None when none is configured."""
    if url:
        return url
    if not sqlite_path:
        return None
    if "://" in sqlite_path:
        return sqlite_path
    return "sqlite:///" + str(Path(sqlite_path).resolve())


class TrackerStore:
    """The few things the front door does to Rasa's `events` table directly."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Optional[sa.engine.Engine] = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> sa.engine.Engine:
        with self._lock:
            if self._engine is None:
                # SQLite: wait for Rasa's own write to finish rather than fail at once.
                connect_args = {"timeout": 15} if self.url.startswith("sqlite") else {}
                engine = sa.create_engine(self.url, connect_args=connect_args, pool_pre_ping=True, future=True)
                deletions.secure_delete(engine)  # SQLite overwrites what a delete removes
                self._engine = engine
            return self._engine

    def _has_table(self, connection) -> bool:
        return sa.inspect(connection).has_table("events")

    def exists(self, sender_id: str) -> bool:
        """Whether Rasa holds any event for this conversation, and it was not deleted."""
        try:
            with self.engine.connect() as connection:
                if not self._has_table(connection):
                    return False
                query = sa.select(EVENTS.c.id).where(EVENTS.c.sender_id == sender_id).limit(1)
                if connection.execute(query).first() is None:
                    return False
                return not self._deleted(connection, sender_id)
        except SQLAlchemyError as err:
            log.error("Tracker store: cannot read (%s)", type(err).__name__)
            raise TrackerStoreError() from None

    def _deleted(self, connection, sender_id: str) -> bool:
        if not sa.inspect(connection).has_table(deletions.DELETED.name):
            return False
        return deletions.is_deleted(connection, deletions.id_hash(sender_id))

    def is_deleted(self, sender_id: str) -> bool:
        """Whether this conversation was deleted (only a hash of each deleted id is kept)."""
        try:
            with self.engine.connect() as connection:
                return self._deleted(connection, sender_id)
        except SQLAlchemyError as err:
            log.error("Tracker store: cannot read (%s)", type(err).__name__)
            raise TrackerStoreError() from None

    def delete(self, sender_id: str) -> int:
        """Delete every event of this conversation and tombstone it, at once; the number of rows deleted.

        Only for when Rasa cannot be reached (api.delete_assessment). Still sticks against a turn
        in flight: Rasa's store checks the tombstone under the same guard (bot/deletions.py).
        """
        try:
            deletions.ensure_tables(self.engine)
            with self.engine.begin() as connection:
                # A schema read takes no lock that lasts, so the guard is still the first lock taken.
                events = EVENTS if self._has_table(connection) else None
                return deletions.forget(connection, sender_id, events)
        except SQLAlchemyError as err:
            log.error("Tracker store: cannot delete (%s)", type(err).__name__)
            raise TrackerStoreError() from None
