"""Deleting a conversation from Rasa's SQL tracker store, which Rasa 3.6 itself cannot do.

Rasa keeps every event of a conversation as a row of the table `events`, keyed by `sender_id`
(rasa.core.tracker_store.SQLTrackerStore.SQLEvent), and reads them again on every turn: it
keeps no copy in memory between turns (the in-memory lock store only holds a lock while a turn
runs). So once the rows are gone, the conversation is gone, and the next message to that
sender_id starts afresh.

The database is STEER_TRACKER_URL (any SQLAlchemy URL, e.g. PostgreSQL when endpoints.yml
points Rasa there), else STEER_TRACKER_DB (the SQLite file `steer run` gives Rasa, or a URL).
Nothing here logs a sender_id or any event.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

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
                self._engine = sa.create_engine(self.url, connect_args=connect_args, pool_pre_ping=True, future=True)
            return self._engine

    def _has_table(self, connection) -> bool:
        return sa.inspect(connection).has_table("events")

    def exists(self, sender_id: str) -> bool:
        """Whether Rasa holds any event for this conversation."""
        try:
            with self.engine.connect() as connection:
                if not self._has_table(connection):
                    return False
                query = sa.select(EVENTS.c.id).where(EVENTS.c.sender_id == sender_id).limit(1)
                return connection.execute(query).first() is not None
        except SQLAlchemyError as err:
            log.error("Tracker store: cannot read (%s)", type(err).__name__)
            raise TrackerStoreError() from None

    def delete(self, sender_id: str) -> int:
        """Delete every event of this conversation; the number of rows deleted."""
        try:
            with self.engine.begin() as connection:
                if not self._has_table(connection):
                    return 0
                return connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id)).rowcount or 0
        except SQLAlchemyError as err:
            log.error("Tracker store: cannot delete (%s)", type(err).__name__)
            raise TrackerStoreError() from None
