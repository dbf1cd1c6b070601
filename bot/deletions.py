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

Kept no longer than needed: `purge` deletes every conversation whose newest event is older than
STEER_KEEP_DAYS (default 30) days, each under its id's guard and with a tombstone, exactly as a
delete: a turn in flight at that moment (it read the old conversation before the purge and saves
after it) would otherwise write the whole conversation back, since Rasa's save appends whatever is
beyond the count stored. Tombstones themselves are kept as long as conversations (STEER_KEEP_DAYS):
far longer than any turn in flight (minutes), and a client still holding the id after that would
find its conversation purged for inactivity anyway; after that the id may start afresh, with nothing
of the old one. Each purge step re-checks under the guard, so several purges (threads or processes
on one database) at once are safe, and running one again changes nothing.

SQLite files: `secure_delete` makes SQLite overwrite what a delete removes, so a deleted or purged
conversation does not linger in the file's free space.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from typing import Any, Callable, List, Mapping, Optional, Tuple, Union

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


DAY = 24 * 60 * 60.0
KEEP_DAYS_VARIABLE = "STEER_KEEP_DAYS"
DEFAULT_KEEP_DAYS = 30
MAX_KEEP_DAYS = 3650


def check_keep_days(value: Union[int, str], name: str = KEEP_DAYS_VARIABLE) -> int:
    """A number of days to keep conversations: a whole number from 1 to 3650, else a clear ValueError."""
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= MAX_KEEP_DAYS:
        raise ValueError(f"{name} must be a whole number of days from 1 to {MAX_KEEP_DAYS} (how long a conversation "
                         f"with no activity is kept), not {str(value)[:40]!r}")
    return int(text)


def keep_days(environ: Mapping[str, str] = os.environ) -> int:
    """STEER_KEEP_DAYS, checked; 30 when it is unset or empty."""
    raw = environ.get(KEEP_DAYS_VARIABLE, "")
    return check_keep_days(raw) if raw.strip() else DEFAULT_KEEP_DAYS


def secure_delete(engine: sa.engine.Engine) -> None:
    """Every connection to this SQLite database overwrites what it deletes (PRAGMA secure_delete=ON).

    Some SQLite builds (Debian's) have it on already, most (python.org's, Homebrew's) do not. Call it
    before the engine's first connection, or connections already pooled are dropped to be made anew.
    Other databases: nothing (PostgreSQL reclaims deleted rows with VACUUM).
    """
    if engine.dialect.name != "sqlite":
        return

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()

    sa.event.listen(engine, "connect", on_connect)
    engine.dispose()  # a connection made before the listener would not have it


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


def forget(connection: Any, sender_id: str, events: Optional[sa.Table], now: Optional[float] = None) -> int:
    """Tombstone the id and delete its events (if Rasa made its table yet), in the caller's transaction;
    the number of events deleted."""
    key = id_hash(sender_id)
    guard(connection, key)
    if not is_deleted(connection, key):
        connection.execute(sa.insert(DELETED).values(id_hash=key, deleted_at=time.time() if now is None else now))
    if events is None:
        return 0
    return connection.execute(sa.delete(events).where(events.c.sender_id == sender_id)).rowcount or 0


def _newest(events: sa.Table) -> Any:
    """A conversation's last activity: its newest event's timestamp (an event without one counts as old)."""
    return sa.func.coalesce(sa.func.max(events.c.timestamp), 0.0)


def purge_one(connection: Any, sender_id: str, events: sa.Table, cutoff: float, now: float) -> int:
    """In the caller's transaction: if this conversation still has no event newer than `cutoff`, forget
    it (tombstone and rows) and give the number of events deleted; else 0 and nothing changed.

    The guard comes first, so a save that committed since the purge looked is seen (and the
    conversation kept), and a save after this commits sees the tombstone (and writes nothing).
    """
    guard(connection, id_hash(sender_id))
    count, newest = connection.execute(
        sa.select(sa.func.count(), _newest(events)).where(events.c.sender_id == sender_id)).one()
    if not count or newest >= cutoff:
        return 0  # purged meanwhile by another purge or a delete, or active again
    return forget(connection, sender_id, events, now=now)


def purge(engine: sa.engine.Engine, events: sa.Table, keep_seconds: float, now: Optional[float] = None,
          batch: int = 200) -> Tuple[int, int]:
    """Forget every conversation with no event in the last `keep_seconds`, one transaction each (turns go
    on meanwhile), and drop tombstones older than that; (conversations purged, tombstones dropped).

    Idempotent and safe to run in several threads or processes at once (see purge_one).
    """
    now = time.time() if now is None else now
    cutoff = now - keep_seconds
    purged = 0
    looked: set = set()
    while True:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(events.name):
                break
            query = (sa.select(events.c.sender_id).group_by(events.c.sender_id).having(_newest(events) < cutoff)
                     .order_by(events.c.sender_id).limit(batch))
            found: List[str] = [each for each in connection.execute(query).scalars() if each not in looked]
        if not found:
            break  # none left (or only ones another purge is taking right now)
        for sender_id in found:
            looked.add(sender_id)
            with engine.begin() as connection:
                if purge_one(connection, sender_id, events, cutoff, now):
                    purged += 1
    with engine.begin() as connection:
        dropped = connection.execute(sa.delete(DELETED).where(DELETED.c.deleted_at < cutoff)).rowcount or 0
    return purged, dropped


class Purger:
    """Runs `purge_now` at once and then every `every` seconds, on a daemon thread, until `stop`.

    A failed purge is logged (its kind only: a database error's text can hold an id) and tried
    again within the hour.
    """

    def __init__(self, purge_now: Callable[[], Tuple[int, int]], every: float = DAY, name: str = "steer-purge",
                 retry_after: float = 3600.0) -> None:
        if not every > 0:
            raise ValueError("The purge interval must be more than 0 seconds")
        self.purge_now = purge_now
        self.every = float(every)
        self.retry_after = min(self.every, retry_after)
        self.runs = 0  # purges finished, ok or not
        self.failures = 0
        self.ran = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Purger:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.every
            try:
                conversations, tombstones = self.purge_now()
                if conversations or tombstones:
                    log.info("Purge: %d conversations with no recent activity deleted, %d old tombstones dropped",
                             conversations, tombstones)
            except Exception as err:  # noqa: BLE001 - the thread must live on; the next try may work
                self.failures += 1
                wait = self.retry_after
                log.error("Purge of old conversations failed (%s); trying again in %.0f s", type(err).__name__, wait)
            with self.ran:
                self.runs += 1
                self.ran.notify_all()
            self._stop.wait(wait)

    def wait_for_runs(self, runs: int, timeout: float) -> bool:
        """For tests and shutdown: wait until `runs` purges have finished."""
        with self.ran:
            return self.ran.wait_for(lambda: self.runs >= runs, timeout)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
