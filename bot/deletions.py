"""A deleted conversation stays deleted: a tombstone for each deleted sender_id, and a guard every save takes.

Used inside Rasa by its tracker store (bot/tracker_store.py) and by the front door's fallback
(bot/web/trackers.py). Plain SQLAlchemy Core on the tracker store's own database, so any SQL dialect
works (SQLite now, PostgreSQL later) and any lock store: this does not lean on Rasa's lock at all.

Why a guard: "is there a tombstone? then write" races with a delete unless the two take turns. Each
save and each delete first UPDATEs one of 256 guard rows (picked by the id's hash) in the same
transaction. Every SQL database holds the lock an UPDATE takes until commit (SQLite: the database;
PostgreSQL, MySQL: the row). So a save either commits before the delete starts, and the delete
removes what it wrote, or it starts after the delete committed, and sees the tombstone.
SELECT ... FOR UPDATE would not do: SQLite ignores it, and it locks nothing for an id with no row yet.
On PostgreSQL this needs READ COMMITTED (its default); stricter levels fail the save instead, which
is also safe.

Only a hash of the sender_id is kept, never the id itself.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

log = logging.getLogger(__name__)

BUCKETS = 256
METADATA = sa.MetaData()
DELETED = sa.Table(
    "steer_deleted_conversations",
    METADATA,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("deleted_at", sa.Float, nullable=False),
)
GUARD = sa.Table(
    "steer_conversation_guard",
    METADATA,
    sa.Column("bucket", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("touched", sa.Float, nullable=False),
)


def id_hash(sender_id: str) -> str:
    """SHA-256 of the id, with Steer's own prefix so a list of hashes made elsewhere does not fit."""
    return hashlib.sha256(b"steer-deleted-conversation-v1:" + sender_id.encode("utf-8")).hexdigest()


def ensure_tables(engine: sa.engine.Engine) -> None:
    """Make the two tables and the guard rows if absent; several processes may do this at once."""
    try:
        METADATA.create_all(engine)
    except (OperationalError, ProgrammingError) as err:  # another process made them first
        log.warning("Deleted-conversations tables: %s while creating them", type(err).__name__)
    try:
        with engine.begin() as connection:
            have = set(connection.execute(sa.select(GUARD.c.bucket)).scalars())
            missing = [{"bucket": b, "touched": 0.0} for b in range(BUCKETS) if b not in have]
            if missing:
                connection.execute(sa.insert(GUARD), missing)
    except IntegrityError:
        pass  # another process added them first


def guard(connection: Any, key: str) -> None:
    """Take this id's guard lock until the transaction ends. Must be the transaction's first statement:
    SQLite would otherwise start it with a read lock and could deadlock on the upgrade."""
    bucket = int(key[:2], 16)
    done = connection.execute(sa.update(GUARD).where(GUARD.c.bucket == bucket).values(touched=time.time()))
    if not done.rowcount:  # the row was removed by hand: make it (the insert locks just as well)
        connection.execute(sa.insert(GUARD).values(bucket=bucket, touched=time.time()))


def is_deleted(connection: Any, key: str) -> bool:
    return connection.execute(sa.select(DELETED.c.id_hash).where(DELETED.c.id_hash == key)).first() is not None


def forget(connection: Any, sender_id: str, events: Optional[sa.Table]) -> int:
    """Tombstone the id and delete its events (if Rasa made its table yet), in the caller's transaction;
    the number of events deleted."""
    key = id_hash(sender_id)
    guard(connection, key)
    if not is_deleted(connection, key):
        connection.execute(sa.insert(DELETED).values(id_hash=key, deleted_at=time.time()))
    if events is None:
        return 0
    return connection.execute(sa.delete(events).where(events.c.sender_id == sender_id)).rowcount or 0
