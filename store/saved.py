"""Save for later, resume, delete: answers sealed at rest, a PIN as an argon2 hash, a code to find them.

One table (made if absent) through SQLAlchemy Core, so SQLite and PostgreSQL both work. A row
holds the code, the PIN's hash, the sealed answers, timestamps and the wrong-PIN counter:
nothing readable about the person.

Wrong PINs: each try is counted *before* the PIN is checked, so many tries at once cannot get
past the limit; a right PIN resets the count. After `max_wrong_pins` wrong tries in a row the
code is locked for `lock_minutes`.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Union

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
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import NullType

from store.codes import new_code, normalise_code
from store.errors import Locked, NotFoundOrWrongPin, StoreError, Unreadable
from store.pin import check_new_pin, pin_as_given
from store.sealing import Sealer, load_key

SECONDS_A_DAY = 24 * 60 * 60
_NEW_CODE_TRIES = 20

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
    Column("wrong_pins", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=True),
)


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
    return engine


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


class SavedStore:
    """Saved answers by code and PIN. Safe to share between threads; several processes may share the database."""

    def __init__(
        self,
        db_url_or_path: Union[str, Path],
        key_path: Union[str, Path],
        expiry_days: float = 30,
        lock_minutes: float = 15,
        max_wrong_pins: int = 5,
        clock: Callable[[], float] = time.time,
        hasher: Optional[PasswordHasher] = None,
    ) -> None:
        if expiry_days <= 0 or lock_minutes <= 0 or max_wrong_pins < 1:
            raise ValueError("expiry_days and lock_minutes must be more than 0, and max_wrong_pins at least 1")
        self._sealer = Sealer(load_key(key_path))
        self._engine = _engine(db_url_or_path)
        metadata.create_all(self._engine)
        self.expiry_days = expiry_days
        self.expiry_seconds = expiry_days * SECONDS_A_DAY
        self.lock_seconds = lock_minutes * 60
        self.max_wrong_pins = max_wrong_pins
        self._clock = clock
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        # Checked against when the code is unknown, so a wrong code takes as long as a wrong PIN.
        self._decoy_hash = self._hasher.hash("decoy-not-a-pin")
        self._lock = threading.Lock()  # one writer at a time within this process

    # ---- the public calls -------------------------------------------------------------------

    def save(self, state: Dict[str, Any], pin: str) -> str:
        """Save `state` under a new code; returns the code, like "KX7M-4PQR". BadPin if the PIN is not allowed."""
        state = _json_ready(state)
        pin_hash = self._hasher.hash(check_new_pin(pin))
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
                ))
            return code
        raise StoreError("Sorry, the answers could not be saved just now. Please try again.")

    def update(self, code: str, pin: str, state: Dict[str, Any]) -> None:
        """Save `state` again under an existing code (the PIN must be right); the 30 days start again."""
        row = self._check(code, pin)
        sealed = self._sealer.seal(row.code, _json_ready(state))
        now = self._clock()
        with self._lock, self._engine.begin() as conn:
            done = conn.execute(update(saved_answers).where(saved_answers.c.code == row.code).values(
                sealed=sealed, updated_at=now, expires_at=now + self.expiry_seconds,
            ))
        if done.rowcount == 0:  # deleted while we were checking the PIN
            raise NotFoundOrWrongPin()

    def resume(self, code: str, pin: str) -> Dict[str, Any]:
        """Everything saved under this code. NotFoundOrWrongPin, Locked or Unreadable otherwise."""
        row = self._check(code, pin)
        return self._sealer.open(row.code, row.sealed)

    def delete(self, code: str, pin: str) -> None:
        """Delete everything saved under this code, at once (works even if the record is unreadable)."""
        row = self._check(code, pin)
        with self._lock, self._engine.begin() as conn:
            conn.execute(delete(saved_answers).where(saved_answers.c.code == row.code))

    def purge_expired(self) -> int:
        """Delete every record past its expiry; returns how many went."""
        with self._lock, self._engine.begin() as conn:
            gone = conn.execute(delete(saved_answers).where(saved_answers.c.expires_at <= self._clock()))
        return gone.rowcount

    def close(self) -> None:
        self._engine.dispose()

    # ---- checking a code and PIN ------------------------------------------------------------

    def _check(self, code: str, pin: str) -> _Row:
        """The row if `pin` is right for `code`; counts the try first (see the module's note)."""
        canonical = normalise_code(code)
        row = self._count_try(canonical) if canonical else None
        if row is None:
            self._verify(self._decoy_hash, pin)
            raise NotFoundOrWrongPin()
        if not self._verify(row.pin_hash, pin):
            raise NotFoundOrWrongPin()
        self._reset_tries(row, pin)
        return row

    def _count_try(self, code: str) -> Optional[_Row]:
        t = saved_answers.c
        now = self._clock()
        with self._lock, self._engine.begin() as conn:
            found = conn.execute(select(*_READ).where(t.code == code).with_for_update()).first()
            if found is None:
                return None
            if found.expires_at <= now:
                conn.execute(delete(saved_answers).where(t.code == code))
                return None
            if found.locked_until is not None and found.locked_until > now:
                raise Locked(max(1, math.ceil((found.locked_until - now) / 60)))
            wrong = 0 if found.locked_until is not None else found.wrong_pins  # a lock that ran out starts afresh
            wrong += 1
            locked_until = now + self.lock_seconds if wrong >= self.max_wrong_pins else None
            conn.execute(update(saved_answers).where(t.code == code).values(
                wrong_pins=wrong, locked_until=locked_until,
            ))
        return _Row(found.code, found.pin_hash, found.sealed)

    def _verify(self, pin_hash: str, pin: str) -> bool:
        try:
            verified = self._hasher.verify(pin_hash, pin_as_given(pin))
        except VerifyMismatchError:
            return False
        except (InvalidHashError, VerificationError):
            raise Unreadable() from None
        return bool(verified)

    def _reset_tries(self, row: _Row, pin: str) -> None:
        values: Dict[str, Any] = {"wrong_pins": 0, "locked_until": None}
        if self._hasher.check_needs_rehash(row.pin_hash):  # hashed with older settings: bring it up to date
            values["pin_hash"] = self._hasher.hash(pin_as_given(pin))
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(saved_answers).where(saved_answers.c.code == row.code).values(**values))


def _json_ready(state: Any) -> Dict[str, Any]:
    """A programming error, not a person's: the state must be a JSON-able dict."""
    if not isinstance(state, dict):
        raise TypeError("the state to save must be a dict")
    return state
