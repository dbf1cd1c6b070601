"""Save for later, resume, delete: answers sealed at rest, a PIN as an argon2 hash, a code to find them.

One table (made if absent, and given any columns it lacks) through SQLAlchemy Core, so SQLite
and PostgreSQL both work. A row holds the code, the PIN's hash, the sealed answers, timestamps,
the wrong-PIN counters and a keyed hash of the conversation it was saved from: nothing readable
about the person. SQLite files are written with `secure_delete`, so a deleted record is
overwritten in the file, not only unlinked from it.

Wrong PINs, so that no PIN can be worked out before its code expires:
- each try is counted *before* the PIN is checked, so many tries at once cannot pass a limit;
- after `max_wrong_pins` (5) wrong tries in a row the code rests, for longer each time:
  15 minutes, then an hour, then a day (and a day after every later 5). A right PIN resets this;
- a code takes at most `max_life_tries` (20) wrong tries over its whole life, however often it is
  saved again; a right PIN does not give any back. The wrong try that reaches the limit deletes
  the record: nobody can open it any more, so it is not kept (data minimisation).
  Worst case, a 4-digit PIN: 20 tries of the 9,986 PINs allowed, a 0.2% chance. Without the life
  limit the growing rests alone would allow 160 tries in 30 days; the old fixed 15 minutes, 14,400.
- an unknown code, a locked code and a wrong PIN all get NotFoundOrWrongPin with the same words,
  and each costs one argon2 check (against a decoy hash when there is no PIN to check), so neither
  the reply nor its time tells whether a code exists;
- at most 2 argon2 checks run at once in the process (store/work.py); the rest wait a moment,
  then get Busy, before their code is looked at or their try counted.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Union

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import NullType

from store.codes import new_code, normalise_code
from store.errors import Locked, NotFoundOrWrongPin, StoreError, Unreadable
from store.pin import check_new_pin, pin_as_given
from store.sealing import ConversationTags, Sealer, load_key
from store.work import PROCESS, WorkLimit

SECONDS_A_DAY = 24 * 60 * 60
_NEW_CODE_TRIES = 20
MAX_WRONG_PINS = 5  # wrong tries in a row before the code rests
LOCK_MINUTES = (15.0, 60.0, 24 * 60.0)  # the first rest, the second, and every one after
MAX_LIFE_TRIES = 20  # wrong tries over a code's whole life; the one that reaches it deletes the record

metadata = MetaData()
saved_answers = Table(
    "steer_saved_answers",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("pin_hash", String(255), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("wrong_pins", Integer, nullable=False, default=0),  # wrong tries in a row (since a right PIN or a rest)
    Column("locked_until", Float, nullable=True),
    Column("locks", Integer, nullable=False, default=0),  # rests since the last right PIN: the next is longer
    Column("wrong_pins_ever", Integer, nullable=False, default=0),  # over the record's whole life, never reset
    Column("conversation", String(64), nullable=True, index=True),  # ConversationTags: an HMAC, never the id
)

# Columns added since the first version of the table, for a database made before them.
_ADDED = {
    "locks": "INTEGER NOT NULL DEFAULT 0",
    "wrong_pins_ever": "INTEGER NOT NULL DEFAULT 0",
    "conversation": "VARCHAR(64)",
}


# The sealed bytes are read as the driver gives them (bytes, or memoryview on PostgreSQL), so a
# record tampered into another type reaches the Sealer and becomes Unreadable, not a TypeError.
_READ = [type_coerce(c, NullType()).label(c.name) if c.name == "sealed" else c for c in saved_answers.c]


def _engine(db_url_or_path: Union[str, Path]) -> Engine:
    """An engine for an SQLAlchemy URL, or for an SQLite file path (made owner-only if new)."""
    url = str(db_url_or_path)
    if "://" not in url:
        path = Path(url).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            path.touch(mode=0o600)
        url = f"sqlite:///{path}"
    if not url.startswith("sqlite"):
        return create_engine(url, future=True, pool_pre_ping=True)
    engine = create_engine(url, future=True, connect_args={"timeout": 30})
    _begin_immediately(engine)
    _secure_delete(engine)
    return engine


def _secure_delete(engine: Engine) -> None:
    """SQLite: overwrite deleted records with zeros in the file (and its journal), on every connection,
    so deleted answers, codes and PIN hashes do not linger in free pages of var/saved.db. (Some
    builds of SQLite, such as Debian's, have this on already; most others do not.)"""
    event.listen(engine, "connect", overwrite_deleted)


def overwrite_deleted(dbapi_connection: Any, _record: Any = None) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def _bring_up_to_date(engine: Engine) -> None:
    """Make the table if absent, and add any column a database made by an older Steer lacks."""
    metadata.create_all(engine)
    for name, ddl in _ADDED.items():
        if name in _columns(engine):
            continue
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"ALTER TABLE {saved_answers.name} ADD COLUMN {name} {ddl}")
                if name == "wrong_pins_ever":  # the best that is known: the wrong tries since the last right PIN
                    conn.execute(update(saved_answers).values(wrong_pins_ever=saved_answers.c.wrong_pins))
        except DBAPIError:
            if name not in _columns(engine):  # not another process adding it first
                raise
    for index in saved_answers.indexes:
        with contextlib.suppress(DBAPIError):  # made by another process meanwhile
            index.create(engine, checkfirst=True)


def _columns(engine: Engine) -> set:
    return {c["name"] for c in inspect(engine).get_columns(saved_answers.name)}


def _begin_immediately(engine: Engine) -> None:
    """SQLite: take the write lock when a transaction starts, so two processes reading then writing
    the same row wait their turn instead of failing with "database is locked" (SQLAlchemy's recipe)."""

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass(frozen=True)
class _Row:
    code: str
    pin_hash: str
    sealed: bytes
    wrong_pins_ever: int  # counting this try
    conversation: Optional[str]


@dataclass(frozen=True)
class _Resting:
    minutes_left: int


class SavedStore:
    """Saved answers by code and PIN. Safe to share between threads; several processes may share the database."""

    def __init__(
        self,
        db_url_or_path: Union[str, Path],
        key_path: Union[str, Path],
        expiry_days: float = 30,
        lock_minutes: Union[float, Sequence[float]] = LOCK_MINUTES,
        max_wrong_pins: int = MAX_WRONG_PINS,
        max_life_tries: int = MAX_LIFE_TRIES,
        clock: Callable[[], float] = time.time,
        hasher: Optional[PasswordHasher] = None,
        work: Optional[WorkLimit] = None,
    ) -> None:
        """`lock_minutes`: the first rest, the second, ...; the last repeats (one number: always that).
        `work`: the bound on argon2 work at once; by default the one the whole process shares."""
        rests = (lock_minutes,) if isinstance(lock_minutes, (int, float)) else tuple(lock_minutes)
        if expiry_days <= 0 or not rests or min(rests) <= 0 or max_wrong_pins < 1 or max_life_tries < 1:
            raise ValueError("expiry_days and every lock_minutes must be more than 0, "
                             "and max_wrong_pins and max_life_tries at least 1")
        key = load_key(key_path)
        self._sealer = Sealer(key)
        self._tags = ConversationTags(key)
        self._engine = _engine(db_url_or_path)
        _bring_up_to_date(self._engine)
        self.expiry_days = expiry_days
        self.expiry_seconds = expiry_days * SECONDS_A_DAY
        self.lock_seconds = tuple(m * 60 for m in rests)
        self.max_wrong_pins = max_wrong_pins
        self.max_life_tries = max_life_tries
        self._clock = clock
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        self._work = work or PROCESS
        # Checked against when the code is unknown or resting, so every refusal takes as long as a wrong PIN.
        self._decoy_hash = self._hasher.hash("decoy-not-a-pin")
        self._lock = threading.Lock()  # one writer at a time within this process

    # ---- the public calls -------------------------------------------------------------------

    def save(self, state: Dict[str, Any], pin: str, sender_id: Optional[str] = None) -> str:
        """Save `state` under a new code; returns the code, like "KX7M-4PQR". BadPin if the PIN is not allowed.

        `sender_id`: the conversation the answers come from. Only its keyed hash is kept, so that
        deleting any one code deletes every copy saved from the same conversation."""
        state = _json_ready(state)
        tag = self._tag(sender_id)
        chosen = check_new_pin(pin)
        with self._work.slot():
            pin_hash = self._hasher.hash(chosen)
        self.purge_expired()
        now = self._clock()
        for _ in range(_NEW_CODE_TRIES):
            code = new_code()
            sealed = self._sealer.seal(code, state)
            with self._lock, self._engine.begin() as conn:
                if conn.execute(select(saved_answers.c.code).where(saved_answers.c.code == code)).first():
                    continue
                conn.execute(insert(saved_answers).values(
                    code=code, pin_hash=pin_hash, sealed=sealed, created_at=now, updated_at=now,
                    expires_at=now + self.expiry_seconds, wrong_pins=0, locked_until=None,
                    locks=0, wrong_pins_ever=0, conversation=tag,
                ))
            return code
        raise StoreError("Sorry, the answers could not be saved just now. Please try again.")

    def update(self, code: str, pin: str, state: Dict[str, Any], sender_id: Optional[str] = None) -> None:
        """Save `state` again under an existing code (the PIN must be right); the 30 days start again.

        With `sender_id`, the record now counts as saved from that conversation (it holds its answers).
        The code's count of wrong tries over its life is kept: saving again does not give tries back."""
        state = _json_ready(state)
        tag = self._tag(sender_id)
        row = self._check(code, pin)
        sealed = self._sealer.seal(row.code, state)
        now = self._clock()
        values: Dict[str, Any] = {"sealed": sealed, "updated_at": now, "expires_at": now + self.expiry_seconds}
        if tag is not None:
            values["conversation"] = tag
        with self._lock, self._engine.begin() as conn:
            done = conn.execute(update(saved_answers).where(saved_answers.c.code == row.code).values(**values))
        if done.rowcount == 0:  # deleted while we were checking the PIN
            raise NotFoundOrWrongPin()

    def resume(self, code: str, pin: str) -> Dict[str, Any]:
        """Everything saved under this code. NotFoundOrWrongPin, Locked or Unreadable otherwise."""
        row = self._check(code, pin)
        return self._sealer.open(row.code, row.sealed)

    def delete(self, code: str, pin: str) -> int:
        """Delete everything saved under this code, and every other copy saved from the same
        conversation, at once (works even if a record is unreadable). Returns how many records went."""
        row = self._check(code, pin)
        t = saved_answers.c
        same = t.code == row.code
        if row.conversation is not None:
            same = or_(same, t.conversation == row.conversation)
        with self._lock, self._engine.begin() as conn:
            return conn.execute(delete(saved_answers).where(same)).rowcount

    def purge_expired(self) -> int:
        """Delete every record past its expiry; returns how many went."""
        with self._lock, self._engine.begin() as conn:
            gone = conn.execute(delete(saved_answers).where(saved_answers.c.expires_at <= self._clock()))
        return gone.rowcount

    def close(self) -> None:
        self._engine.dispose()

    # ---- checking a code and PIN ------------------------------------------------------------

    def _tag(self, sender_id: Optional[str]) -> Optional[str]:
        if sender_id is None:
            return None
        if not isinstance(sender_id, str) or not sender_id:
            raise TypeError("sender_id must be the conversation's id, as text")
        return self._tags.of(sender_id)

    def _check(self, code: str, pin: str) -> _Row:
        """The row if `pin` is right for `code`; counts the try first (see the module's note).

        Busy before anything is looked at. Otherwise exactly one argon2 check, whatever the code."""
        canonical = normalise_code(code)
        with self._work.slot():
            found = self._count_try(canonical) if canonical else None
            row = found if isinstance(found, _Row) else None
            right = self._verify(row.pin_hash if row else self._decoy_hash, pin)
            new_hash = None
            if row is not None and right and self._hasher.check_needs_rehash(row.pin_hash):
                new_hash = self._hasher.hash(pin_as_given(pin))  # hashed with older settings: bring it up to date
        if isinstance(found, _Resting):
            raise Locked(found.minutes_left)
        if row is None:
            raise NotFoundOrWrongPin()
        if not right:
            if row.wrong_pins_ever >= self.max_life_tries:  # the last try this code will ever take
                with self._lock, self._engine.begin() as conn:
                    conn.execute(delete(saved_answers).where(saved_answers.c.code == row.code))
            raise NotFoundOrWrongPin()
        self._reset_tries(row, new_hash)
        return row

    def _count_try(self, code: str) -> Union[_Row, _Resting, None]:
        """The row with this try counted; _Resting if the code is resting; None if there is no record to try."""
        t = saved_answers.c
        now = self._clock()
        with self._lock, self._engine.begin() as conn:
            found = conn.execute(select(*_READ).where(t.code == code).with_for_update()).first()
            if found is None:
                return None
            if found.expires_at <= now:
                conn.execute(delete(saved_answers).where(t.code == code))
                return None
            if found.wrong_pins_ever >= self.max_life_tries:  # the last try is being checked (or never finished)
                return None
            if found.locked_until is not None and found.locked_until > now:
                return _Resting(max(1, math.ceil((found.locked_until - now) / 60)))
            wrong = 0 if found.locked_until is not None else found.wrong_pins  # a rest that ran out starts afresh
            wrong += 1
            locks, locked_until = found.locks, None
            if wrong >= self.max_wrong_pins:
                locked_until = now + self.lock_seconds[min(locks, len(self.lock_seconds) - 1)]
                locks += 1
            ever = found.wrong_pins_ever + 1
            conn.execute(update(saved_answers).where(t.code == code).values(
                wrong_pins=wrong, locked_until=locked_until, locks=locks, wrong_pins_ever=ever,
            ))
        return _Row(found.code, found.pin_hash, found.sealed, ever, found.conversation)

    def _verify(self, pin_hash: str, pin: str) -> bool:
        try:
            verified = self._hasher.verify(pin_hash, pin_as_given(pin))
        except VerifyMismatchError:
            return False
        except (InvalidHashError, VerificationError):
            raise Unreadable() from None
        return bool(verified)

    def _reset_tries(self, row: _Row, new_hash: Optional[str]) -> None:
        """A right PIN: the rests start again from 15 minutes; this try is not a wrong one after all."""
        t = saved_answers.c
        values: Dict[str, Any] = {"wrong_pins": 0, "locked_until": None, "locks": 0,
                                  "wrong_pins_ever": t.wrong_pins_ever - 1}
        if new_hash is not None:
            values["pin_hash"] = new_hash
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(saved_answers).where(t.code == row.code).values(**values))


def _json_ready(state: Any) -> Dict[str, Any]:
    """A programming error, not a person's: the state must be a JSON-able dict."""
    if not isinstance(state, dict):
        raise TypeError("the state to save must be a dict")
    return state
