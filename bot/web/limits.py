"""Limits on every door: how often one client address and one conversation may call what.

Runs before every view (registered after the CSRF and token checks), keyed on `request.endpoint`,
so no view needs to know. For each limited endpoint a request counts once in every window of its
rules: per client address, and per conversation when it names one. Over any window: a kind 429
with `Retry-After`, and the request reaches no view (so nothing reaches Rasa or argon2). Chat and
voice turns also count towards a conversation's length; past `MAX_TURNS` a conversation takes no
more turns, and says kindly how to carry on.

The limits are far above what a person does (README, "Limits"): per address they allow a busy
library or council office behind one address, per conversation a very fast typist many times over.

Counts are fixed windows in a table of any SQLAlchemy database (`LIMITS_URL`, or the SQLite file
`LIMITS_DB` that `steer run` passes as var/limits.db), so every front-door process that points at
the same database shares them. Without either, this process counts alone in memory. `Counters` is
all a store needs to offer (one atomic increment per key); a Redis store for the scale-out is an
INCR and EXPIREAT per key behind the same method.

Nothing here stores or logs an address or a conversation's id: each is an HMAC under a key derived
from WEB_SECRET (or LIMITS_KEY), which every process that shares the counts shares anyway for CSRF.
If the database cannot be reached, requests are let through (logged, without any key): a broken
counter must not stop people answering.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Protocol, Sequence, Tuple

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request
from sqlalchemy.pool import QueuePool, StaticPool
from werkzeug.exceptions import HTTPException

from bot.web import services, wording
from bot.web.errors import error_body, json_error
from bot.web.inputs import SENDER_ID

log = logging.getLogger(__name__)

# Which endpoints each family of rules covers.
FAMILIES: Dict[str, Tuple[str, ...]] = {
    "chat": ("api.chat",),
    "voice": ("voice.voice_turn",),
    "speech": ("voice.speak", "voice.reply"),  # anything that runs the one speech synthesiser
    "speak": ("voice.speak",),  # speech for any words: the page never calls it
    "resume": ("saved.resume",),
    "delete": ("saved.delete",),
    "save": ("saved.save",),
}
# name: windows, as "hits/seconds" joined by "+". Why each is where it is: README, "Limits".
DEFAULT_LIMITS: Dict[str, str] = {
    "chat.address": "3000/60",
    "chat.conversation": "300/60+1200/3600",
    "voice.address": "600/60",
    "voice.conversation": "120/60+1200/3600",
    "speech.address": "3000/60",
    "speech.conversation": "300/60",
    "speak.address": "60/60",
    "resume.address": "60/60+600/3600",
    "resume.conversation": "10/60+60/3600",
    "delete.address": "60/60+600/3600",
    "save.address": "60/60+600/3600",
    "save.conversation": "10/60+60/3600",
}
DEFAULT_MAX_TURNS = 3000  # chat and voice turns in one conversation; the whole SAQ and plan is about 120
TURNS = frozenset({"api.chat", "voice.voice_turn"})
SAVED = frozenset({"saved.resume", "saved.delete"})
SPEECH = frozenset({"voice.speak", "voice.reply"})
# One /api/voice/reply speaks the replies to one turn: the longest (the draft plan read back) is one
# part of at most voice.speak.MAX_PART characters, with the question after it.
MAX_REPLY_PARTS = 20
MAX_REPLY_CHARS = 8000
PURGE_EVERY = 60.0  # seconds between sweeps of windows that have ended
SPEECH_RETRY_AFTER = 5  # seconds, when the synthesiser failed for another reason than being busy
_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*([smh]?)\s*")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Window:
    hits: int  # allowed in one window
    seconds: int


@dataclass(frozen=True)
class Rule:
    name: str  # "chat.address"
    endpoints: FrozenSet[str]
    per: str  # "address" or "conversation"
    windows: Tuple[Window, ...]


@dataclass(frozen=True)
class Hit:
    """One count: `bucket` names who and what, `start` the window; the row may go at `expires`."""

    bucket: str
    start: int
    expires: int


class Counters(Protocol):
    """Where counts live. Each hit is one atomic increment; every process that shares a store shares counts."""

    def hit(self, hits: Sequence[Hit], now: float) -> List[int]:
        """Count one in each; return each count after this one, in order."""

    def close(self) -> None:
        """Let go of connections."""


# -- the SQL store ------------------------------------------------------------------------------

_metadata = sa.MetaData()
COUNTS = sa.Table(
    "steer_request_counts", _metadata,
    sa.Column("bucket", sa.String(120), primary_key=True),  # rule, window and an HMAC: never an address or id
    sa.Column("start", sa.BigInteger, primary_key=True, autoincrement=False),  # the window's start (epoch s)
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Column("expires", sa.BigInteger, nullable=False, index=True),
)
# INSERT ... ON CONFLICT DO UPDATE ... RETURNING: one atomic statement in SQLite (3.35+) and PostgreSQL.
_UPSERT = sa.text(
    "INSERT INTO steer_request_counts (bucket, start, hits, expires) VALUES (:bucket, :start, 1, :expires) "
    "ON CONFLICT (bucket, start) DO UPDATE SET hits = steer_request_counts.hits + 1, expires = excluded.expires "
    "RETURNING hits"
)
_PURGE = sa.text("DELETE FROM steer_request_counts WHERE expires < :now")


def database_url(url: Optional[str], path: Optional[str]) -> str:
    """LIMITS_URL if given, else the SQLite file LIMITS_DB, else memory (this process only)."""
    if url:
        return url
    if path:
        return f"sqlite:///{os.path.abspath(path)}"
    return "sqlite://"


class SqlCounters:
    """Fixed-window counts in one table of any SQLAlchemy database (SQLite file, PostgreSQL, ...)."""

    def __init__(self, url: str) -> None:
        self.url = sa.engine.make_url(url)
        self._lock: Optional[threading.Lock] = None
        self._next_purge = 0.0
        kwargs: Dict[str, Any] = {"future": True}
        if self.url.get_backend_name() == "sqlite":
            database = self.url.database or ""
            if database in ("", ":memory:"):
                # One connection every thread shares; the lock keeps their transactions apart.
                kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
                self._lock = threading.Lock()
            else:
                _private_file(database)
                # Connections kept (SQLAlchemy 1.4 would open one per request); other processes may be writing.
                kwargs.update(poolclass=QueuePool, pool_size=8, max_overflow=8,
                              connect_args={"timeout": 10.0, "check_same_thread": False})
        self.engine = sa.create_engine(self.url, **kwargs)
        if self.url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            _metadata.create_all(self.engine)
        except sa.exc.OperationalError:
            _metadata.create_all(self.engine)  # another process made it at the same moment

    def hit(self, hits: Sequence[Hit], now: float) -> List[int]:
        if self._lock is None:
            return self._hit(hits, now)
        with self._lock:
            return self._hit(hits, now)

    def _hit(self, hits: Sequence[Hit], now: float) -> List[int]:
        with self.engine.begin() as conn:
            counts = [int(conn.execute(_UPSERT, {"bucket": h.bucket, "start": h.start,
                                                 "expires": h.expires}).scalar_one()) for h in hits]
            if now >= self._next_purge:
                self._next_purge = now + PURGE_EVERY
                conn.execute(_PURGE, {"now": int(now)})
        return counts

    def count(self, bucket: str, start: int) -> int:
        """What a window holds now (for tests and the benchmark)."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(COUNTS.c.hits).where(COUNTS.c.bucket == bucket,
                                                               COUNTS.c.start == start)).scalar()
        return int(found or 0)

    def close(self) -> None:
        self.engine.dispose()


def _private_file(path: str) -> None:
    """Create the database 0600 (its -wal and -shm files take the same mode)."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    if not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        cursor.execute("PRAGMA synchronous=NORMAL")  # a count lost in a power cut costs nothing
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


# -- rules and settings -------------------------------------------------------------------------

def parse_windows(name: str, spec: str) -> Tuple[Window, ...]:
    """ "300/60+1200/1h" -> windows; "off" or "0" -> none."""
    text = str(spec).strip().lower()
    if text in ("off", "0", "none", ""):
        return ()
    windows = []
    for part in text.split("+"):
        found = _SPEC.fullmatch(part)
        if not found or int(found.group(1)) < 1 or int(found.group(2)) < 1:
            raise ValueError(f"The limit {name} must look like 300/60 (300 requests a minute), "
                             f"300/60+1200/1h or off, not {spec!r}")
        windows.append(Window(int(found.group(1)), int(found.group(2)) * _UNITS[found.group(3)]))
    return tuple(windows)


def parse_overrides(value: Any) -> Dict[str, str]:
    """LIMITS: a dict, or "name=spec,name=spec" (STEER_LIMITS); "off" turns every rule off."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    text = str(value).strip()
    if text.lower() in ("off", "0", "none", "false"):
        return {name: "off" for name in DEFAULT_LIMITS}
    found: Dict[str, str] = {}
    for item in filter(None, (i.strip() for i in text.split(","))):
        name, sep, spec = item.partition("=")
        if not sep:
            raise ValueError(f"STEER_LIMITS takes name=limit pairs, like chat.address=6000/60, not {item!r}")
        found[name.strip()] = spec
    return found


def build_rules(overrides: Mapping[str, str]) -> List[Rule]:
    unknown = sorted(set(overrides) - set(DEFAULT_LIMITS))
    if unknown:
        raise ValueError(f"Unknown limits {unknown}: the limits are {sorted(DEFAULT_LIMITS)}")
    rules = []
    for name, spec in DEFAULT_LIMITS.items():
        windows = parse_windows(name, overrides.get(name, spec))
        family, per = name.split(".")
        if windows:
            rules.append(Rule(name, frozenset(FAMILIES[family]), per, windows))
    return rules


def trusted_networks(value: Any) -> Tuple[Any, ...]:
    """TRUSTED_PROXIES: comma-separated addresses or networks whose X-Forwarded-For is believed."""
    networks = []
    for item in filter(None, (i.strip() for i in str(value or "").split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"STEER_TRUSTED_PROXIES takes addresses or networks, like 127.0.0.1 or "
                             f"10.0.0.0/8, not {item!r}") from None
    return tuple(networks)


def _setting(app: Flask, key: str, env: str, default: Any = None) -> Any:
    if key in app.config:
        return app.config[key]
    return os.environ.get(env) or default


class Limiter:
    """The rules, where counts live, and the clock (injectable for tests)."""

    def __init__(self, counters: Counters, rules: Sequence[Rule], secret: bytes, max_turns: int,
                 keep_seconds: int, proxies: Sequence[Any] = (), clock: Callable[[], float] = time.time) -> None:
        self.counters = counters
        self.rules = list(rules)
        self.max_turns = max_turns
        self.keep_seconds = keep_seconds
        self.proxies = tuple(proxies)
        self.clock = clock
        self._secret = secret
        self._by_endpoint: Dict[str, List[Rule]] = {}
        for rule in self.rules:
            for endpoint in rule.endpoints:
                self._by_endpoint.setdefault(endpoint, []).append(rule)
        self._quiet_until = 0.0

    @classmethod
    def for_app(cls, app: Flask) -> Limiter:
        from bot.deletions import keep_days

        url = database_url(_setting(app, "LIMITS_URL", "STEER_LIMITS_URL"),
                           _setting(app, "LIMITS_DB", "STEER_LIMITS_DB"))
        overrides = parse_overrides(_setting(app, "LIMITS", "STEER_LIMITS"))
        raw_turns = _setting(app, "MAX_TURNS", "STEER_MAX_TURNS", DEFAULT_MAX_TURNS)
        try:
            max_turns = int(raw_turns)
        except (TypeError, ValueError):
            raise ValueError(f"STEER_MAX_TURNS must be a whole number of turns (0: no cap), "
                             f"not {raw_turns!r}") from None
        key = _setting(app, "LIMITS_KEY", "STEER_LIMITS_KEY") or app.config["WEB_SECRET"]
        key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        secret = hmac.new(key, b"steer-request-limits:v1", hashlib.sha256).digest()
        counters = app.config.get("LIMITS_COUNTERS") or SqlCounters(url)
        if url == "sqlite://" and not app.config.get("LIMITS_COUNTERS"):
            log.info("Request limits are counted in this process only (set STEER_LIMITS_DB to share them)")
        return cls(counters, build_rules(overrides), secret, max_turns,
                   keep_seconds=int(keep_days() * 86400),
                   proxies=trusted_networks(_setting(app, "TRUSTED_PROXIES", "STEER_TRUSTED_PROXIES")),
                   clock=app.config.get("LIMITS_CLOCK") or time.time)

    def rules_for(self, endpoint: str) -> List[Rule]:
        return self._by_endpoint.get(endpoint, [])

    def digest(self, per: str, value: str) -> str:
        return hmac.new(self._secret, f"{per}\0{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def count(self, endpoint: str, address: Optional[str], conversation: Optional[str]
              ) -> Tuple[Optional[int], bool]:
        """Count this request. (seconds to wait, or None; whether the conversation is over its length)."""
        now = self.clock()
        planned: List[Tuple[Hit, Optional[Window]]] = []
        who = {"address": address, "conversation": conversation}
        for rule in self.rules_for(endpoint):
            value = who.get(rule.per)
            if not value:
                continue
            digest = self.digest(rule.per, value)
            for window in rule.windows:
                start = int(now // window.seconds) * window.seconds
                planned.append((Hit(f"{rule.name}/{window.seconds}/{digest}", start, start + window.seconds), window))
        if conversation and self.max_turns > 0 and endpoint in TURNS:
            # One window for the conversation's whole life; the row goes when it has been idle as long
            # as a conversation is kept (STEER_KEEP_DAYS).
            planned.append((Hit(f"turns/{self.digest('conversation', conversation)}", 0,
                                int(now) + self.keep_seconds), None))
        if not planned:
            return None, False
        try:
            counts = self.counters.hit([hit for hit, _ in planned], now)
        except (sa.exc.SQLAlchemyError, OSError) as err:
            if now >= self._quiet_until:  # once a minute at most; the reason only
                self._quiet_until = now + 60
                log.error("Request limits could not be counted, so requests are let through: %s",
                          type(err).__name__)
            return None, False
        wait: Optional[int] = None
        too_long = False
        for (hit, window), seen in zip(planned, counts, strict=True):
            if window is None:
                too_long = seen > self.max_turns
            elif seen > window.hits:
                wait = max(wait or 1, math.ceil(hit.start + window.seconds - now))
        return wait, too_long


# -- who is asking ------------------------------------------------------------------------------

def _address(text: str) -> Optional[Any]:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(proxies: Sequence[Any] = ()) -> str:
    """The address to count: waitress's peer; behind a trusted proxy, the first untrusted hop of
    X-Forwarded-For from the right. IPv6 counts per /64 (one household or phone has a whole /64)."""
    peer = _address(request.remote_addr or "")
    chosen = peer
    if peer is not None and proxies and any(peer in net for net in proxies):
        hops = [h for line in request.headers.getlist("X-Forwarded-For") for h in line.split(",")]
        for hop in reversed(hops):
            found = _address(hop)
            if found is None:
                break  # not an address: believe nothing further left
            chosen = found
            if not any(found in net for net in proxies):
                break
    if chosen is None:
        return request.remote_addr or "unknown"
    if chosen.version == 6 and chosen.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{chosen}/64", strict=False))
    return str(chosen.ipv4_mapped or chosen) if chosen.version == 6 else str(chosen)


def conversation_of() -> Optional[str]:
    """The conversation this request is about, if it names one: checked by bot/web/access.py when it
    ran (g.sender_id), else wherever the request carries it. None: the request counts per address only."""
    found = g.get("sender_id")
    if found is None:
        found = (request.view_args or {}).get("sender_id")
    if found is None and request.is_json:
        try:
            body = request.get_json(silent=True)
        except HTTPException:  # too large for the app's limit: the view says so
            body = None
        found = body.get("sender_id") if isinstance(body, dict) else None
    if found is None:
        found = request.args.get("sender_id")
    return found if isinstance(found, str) and SENDER_ID.fullmatch(found) else None


# -- the replies ----------------------------------------------------------------------------------

def wait_words(seconds: int) -> str:
    if seconds <= 1:
        return wording.WAIT_SECOND
    if seconds < 90:
        return wording.WAIT_SECONDS.format(n=seconds)
    minutes = math.ceil(seconds / 60)
    return wording.WAIT_MINUTE if minutes == 1 else wording.WAIT_MINUTES.format(n=minutes)


def too_many(endpoint: str, seconds: int) -> Response:
    if endpoint in SAVED:
        words = wording.RATE_LIMITED_SAVED
    elif endpoint in SPEECH:
        words = wording.RATE_LIMITED_SPEECH
    else:
        words = wording.RATE_LIMITED
    response = json_error(words.format(wait=wait_words(seconds)), 429, retry_after=seconds)
    response.headers["Retry-After"] = str(seconds)
    return response


def _reply_too_long() -> Optional[Response]:
    """POST /api/voice/reply speaks one turn's replies; more than any turn says is refused before synthesis."""
    from voice.speak import MAX_PART

    body = request.get_json(silent=True) if request.is_json else None
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        return None  # the view says what is wrong
    texts = [m.get("text") for m in messages if isinstance(m, dict) and isinstance(m.get("text"), str)]
    if len(texts) <= MAX_REPLY_PARTS and sum(min(len(t), MAX_PART) for t in texts) <= MAX_REPLY_CHARS:
        return None
    return json_error(wording.TOO_MUCH_TO_SAY, 413)


def check_request() -> Optional[Response]:
    endpoint = request.endpoint or ""
    limiter = services.limiter()
    if not limiter.rules_for(endpoint) and endpoint not in TURNS:
        return None
    if endpoint == "voice.reply":
        try:
            refused = _reply_too_long()
        except HTTPException:
            refused = None
        if refused is not None:
            return refused
    wait, too_long = limiter.count(endpoint, client_address(limiter.proxies), conversation_of())
    if wait is not None:
        return too_many(endpoint, wait)
    if too_long:
        return json_error(wording.CONVERSATION_FULL, 409, conversation="full")
    return None


def speech_retry_after(response: Response) -> Response:
    """A 503 from /api/voice/speak says when to try again; when the synthesiser was busy, it says so."""
    if request.endpoint != "voice.speak" or response.status_code != 503:
        return response
    voice = services.services().voice  # made by the request that failed
    busy = voice.synthesiser.busy_retry_after() if voice is not None else None
    seconds = busy or SPEECH_RETRY_AFTER
    if busy:
        response.set_data(current_app.json.dumps(error_body(wording.SPEECH_BUSY.format(wait=wait_words(seconds)),
                                                            retry_after=seconds)))
    response.headers["Retry-After"] = str(seconds)
    return response


def register(app: Flask) -> None:
    services.of(app).limiter = Limiter.for_app(app)
    app.before_request(check_request)
    app.after_request(speech_retry_after)
