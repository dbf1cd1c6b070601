"""Fuzzing Steer's HTTP API: hypothesis strategies for requests, and the code that sends and checks them.

One source for tests/web/test_http_fuzz.py (a few hundred requests in `make test`) and
benchmarks/http_fuzz.py (10,000). A generated `FuzzRequest` names what only the running front door
can give as a `Ref`: a real conversation's id and token, a live document ticket, a saved code, a
page's CSRF token. `Fuzzer` starts those conversations through the front door (tests/conftest.py's
`Chat`), fills the Refs in when it sends, so deep paths (Rasa, the actions, the scorer, the PDF)
are reached as well as validation, and says what is wrong with each reply (`Outcome.problems`).

Everything typed here is made up; nothing a person said is in these requests.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote, urlsplit

import requests
from hypothesis import strategies as st

# What the running stack gives, filled in by Fuzzer at send time.


@dataclass(frozen=True)
class Ref:
    """A value only the running front door can give: "sid", "token", "ticket", "code", "csrf" ..."""

    name: str

    def __repr__(self) -> str:
        return f"Ref({self.name})"


@dataclass(frozen=True)
class Big:
    """A long string, `char * count`, made only when sent (a repr of a megabyte helps nobody)."""

    char: str
    count: int

    def text(self) -> str:
        return self.char * self.count

    def __repr__(self) -> str:
        return f"Big({self.char!r}*{self.count})"


@dataclass(frozen=True)
class Raw:
    """A path part sent as it is: not percent-encoded (so "..", "%2e%2e", "%zz" arrive as written)."""

    text: str


@dataclass(frozen=True)
class Json:
    """A JSON body: `value` (may hold Refs and Bigs) as text, encoded, optionally cut short."""

    value: Any
    ascii: bool = True
    encoding: str = "utf-8"
    cut: Optional[int] = None  # keep this many thousandths of the bytes
    nan: bool = True  # allow NaN / Infinity (Python's json reads them)


@dataclass(frozen=True)
class Deep:
    """`opener * depth` + `closer * depth`: JSON nested deeper than any parser's recursion."""

    depth: int
    opener: str = "["
    closer: str = "]"

    def bytes(self) -> bytes:
        return (self.opener * self.depth + "1" + self.closer * self.depth).encode("utf-8")


@dataclass(frozen=True)
class Template:
    """A JSON-ish text with "{}" where a Big goes (huge numbers, repeated keys, BOMs ...)."""

    text: str
    fill: Any = None

    def bytes(self) -> bytes:
        filling = self.fill.text() if isinstance(self.fill, Big) else str(self.fill or "")
        return self.text.replace("{}", filling).encode("utf-8", "surrogatepass")


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"


@dataclass(frozen=True)
class FuzzRequest:
    method: str
    group: str  # the endpoint group, for the figures
    path: Tuple[Any, ...]  # parts: str (percent-encoded when sent), Raw, Ref
    query: Any = None  # None, a tuple of (key, value) pairs, or a Raw query string
    headers: Tuple[Tuple[str, Any], ...] = ()
    body: Any = None  # None, bytes, Big, Json, Deep, Template
    conversation: int = 0  # which real conversation the Refs name
    raw: bool = False  # sent byte for byte over a socket, not through requests
    version: str = "HTTP/1.1"  # raw only
    framing: str = "length"  # raw only: length, short, chunked, none

    def __repr__(self) -> str:
        parts = [f"{self.method} {self.group}", f"path={_short(self.path)}"]
        if self.query is not None:
            parts.append(f"query={_short(self.query)}")
        if self.headers:
            parts.append(f"headers={_short(self.headers, 300)}")
        if self.body is not None:
            parts.append(f"body={_short(self.body, 300)}")
        if self.raw:
            parts.append(f"raw {self.version!r} {self.framing}")
        return f"FuzzRequest({', '.join(parts)}, conversation={self.conversation})"


# ---------------------------------------------------------------------------------------------
# Strategies


def weighted(*choices: Tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each `weight` times as likely as a weight of 1."""
    index = [i for i, (weight, _) in enumerate(choices) for _ in range(weight)]
    # A wide integer, not sampled_from: hypothesis's generation favours some of a list's places a lot
    # (seen: 0 of 500 requests for three of twenty endpoint groups); 32 bits modulo the list are even.
    return st.integers(0, 2**32 - 1).flatmap(lambda n: choices[index[n % len(index)]][1])


ODD_PIECES = (
    "⓶", "٢", "፪", "²", "Ⅻ", "😀", "👩‍👩‍👧", "\u202e", "\u200b", "\u200d", "\ufeff", "\ufffd", "\uffff", "\U0010ffff",
    "e\u0301\u0301\u0301", "ǅ", "ß", "İ", "ﬁ", "\x00", "\x07", "\t", "\r\n", "\x85", "\u2028", "\ud800", "\udfff",
    "<script>alert(1)</script>", "{{7*7}}", "${jndi:x}", "%s%n%x", "' OR 1=1 --", "../../etc/passwd", "%2e%2e%2f",
    "/restart", "/greet", "/answer{", "/answer{\"value\": 1e999}", "/explain{\"term\": null}", "/session_start",
    "/answer{\"value\": \"no_help\", \"q\": \"washing_dressing\"}", "/for_other", "/choose_easy_read", "repeat",
    "go back", "skip", "stop", "carry on", "save for later", "delete my answers", "start again", "yes", "no", "2",
    "the second one", "what does that mean", "I'm answering for someone else", "slower", "NaN", "null", "[]",
)


def odd_text(max_size: int = 6, min_size: int = 0) -> st.SearchStrategy[str]:
    """Words and odd unicode: digits of other scripts, joiners, bidi marks, lone surrogates, markup."""
    pieces = st.one_of(st.text(max_size=20), st.sampled_from(ODD_PIECES))
    return st.lists(pieces, min_size=min_size, max_size=max_size).map("".join)


def big_text(up_to: int = 1_100_000) -> st.SearchStrategy[Big]:
    sizes = sorted({size for size in (1001, 4001, 5000, 65_537, 300_000) if size < up_to} | {up_to})
    return st.builds(Big, st.sampled_from(["a", "é", "⓶", "😀", " ", "<", "\x00", "9", "\n"]), st.sampled_from(sizes))


def texts() -> st.SearchStrategy[Any]:
    return weighted((6, odd_text()), (1, big_text()))


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([2**63, -(2**63) - 1, 10**400, -(10**4000)]),
    st.floats(allow_nan=True, allow_infinity=True), odd_text(4),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text(2), inner, max_size=4),
    max_leaves=12,
)


def json_body(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[Json]:
    return st.builds(
        Json, shape, ascii=st.booleans(),
        encoding=st.sampled_from(["utf-8"] * 6 + ["utf-16", "utf-32", "utf-8-sig", "latin-1"]),
        cut=weighted((8, st.none()), (1, st.integers(0, 999))), nan=st.booleans(),
    )


TEMPLATES = (
    '{"message": {}}', '{"message": "hi", "sender_id": {}}', '{"answers": {"washing_dressing": {}}}',
    '{"message": "a", "message": {}}', '\ufeff{"message": "{}"}', '{"message": "\\ud800{}"}', '{"text": {}}',
    '{"pin": {}, "code": "KX7M-4PQR"}', '[{}]', '{"message": "x"} {}', '{"message": "x",}', "{'message': 'x'}",
    '{"message": "\\u0000{}"}', '{"rate": {}, "text": "hello"}',
)


def other_bodies() -> st.SearchStrategy[Any]:
    """Bodies that are not the JSON an endpoint expects: other JSON, broken JSON, bytes, nothing."""
    return weighted(
        (4, json_body(JSON_VALUES)),
        (2, st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"message": [', "]")]).flatmap(
            lambda p: st.builds(Deep, st.sampled_from([50, 900, 1200, 5000, 100_000, 400_000]), st.just(p[0]),
                                st.just(p[1])))),
        (2, st.builds(Template, st.sampled_from(TEMPLATES),
                      st.one_of(st.builds(Big, st.sampled_from(["9", "1", "[", "é"]),
                                          st.sampled_from([10, 4300, 4301, 50_000])),
                                st.sampled_from(["1e999", "-0", "NaN", "Infinity", "true", "null", '""', "0x10"])))),
        (2, st.binary(max_size=600)),
        (1, st.just(b"")),
        (1, big_text()),
    )


def with_other_bodies(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return weighted((5, json_body(shape)), (2, other_bodies()))


# Path parts and ids.
URL_TEXT = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="?#/"), max_size=30)
RAW_PARTS = st.sampled_from(["..", ".", "%2e%2e", "%2E%2e%2F", "%2F", "%00", "%zz", "%", "%u2215", "%C0%AE%C0%AE",
                             "%F0%9F%98%80", "%ED%A0%80", ";x=1", "a%2Fb", "", "~", "%20", "+", "..%5C..", "%25"])
SID_PART = weighted(
    (10, st.just(Ref("sid"))), (1, st.just(Ref("other_sid"))), (1, st.just("0" * 32)), (1, st.just("1")),
    (1, st.sampled_from(["test", "-", "_" * 64, "a" * 65, "A1b2C3", "deleted"])), (1, odd_text(3)),
    (1, st.builds(Raw, RAW_PARTS)), (1, st.builds(Raw, URL_TEXT)), (1, big_text(9000)),
)
SID_VALUE = weighted((12, st.just(Ref("sid"))), (1, st.just(Ref("other_sid"))), (1, st.just("0" * 32)),
                     (1, JSON_SCALARS), (1, JSON_VALUES), (1, st.just("a" * 65)))
GENERIC_PART = weighted((3, odd_text(3)), (2, st.builds(Raw, RAW_PARTS)), (2, st.builds(Raw, URL_TEXT)),
                        (1, big_text(70_000)))


# Headers.
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
                      max_size=60).map(lambda s: s.lstrip())
BEARER_WRONG = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=43,
                       max_size=43).map(lambda s: f"Bearer v1.{s}")
AUTHORIZATION = weighted(
    (24, st.just(Ref("bearer"))), (2, st.none()), (1, st.just(Ref("bearer_other"))), (1, BEARER_WRONG),
    (1, st.just(Ref("bearer_lower"))), (1, st.just(Ref("token"))), (1, HEADER_TEXT),
    (1, st.sampled_from(["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer v1.", "Bearer null", ""])),
    (1, big_text(70_000).map(lambda b: Big(b.char if b.char.isascii() and b.char.isprintable() else "a", b.count))),
)
ORIGINS = ("http://evil.example", "null", "http://127.0.0.1", "http://localhost:1", "https://127.0.0.1",
           "file://", "http://127.0.0.1.evil.example")
ODD_BROWSER = st.tuples(
    weighted((4, st.none()), (3, st.just(Ref("origin"))), (1, st.sampled_from(ORIGINS)), (1, HEADER_TEXT)),
    weighted((4, st.none()), (2, st.sampled_from(["same-origin", "none"])),
             (1, st.sampled_from(["same-site", "cross-site", "SAME-ORIGIN", ""])), (1, HEADER_TEXT)),
    weighted((3, st.none()), (4, st.just(Ref("csrf"))), (1, HEADER_TEXT),
             (1, st.sampled_from(["0.AAAA.AAAA", "ffffffff.x.y", "1.2.3.4", "Zz.Zz.Zz"]))),
)
# A script (no browser headers), the page itself (its Origin and token), or odd mixtures of the three.
BROWSER = weighted(
    (4, st.just((None, None, None))),
    (4, st.tuples(st.just(Ref("origin")), st.sampled_from([None, "same-origin"]), st.just(Ref("csrf")))),
    (3, ODD_BROWSER),
)
HOSTS = weighted(
    (30, st.none()), (1, st.just(Ref("host"))),
    (1, st.sampled_from(["localhost", "127.0.0.1", "LOCALHOST", "evil.example", "[::1]", "", "localhost:99999",
                         "127.0.0.1.", "127.0.0.1:0", "xn--80ak6aa92e.com", "user@localhost", "localhost, evil"])),
    (1, HEADER_TEXT),
)
CONTENT_TYPES = (
    "application/json", "application/json; charset=utf-8", "application/json; charset=latin-1", "application/JSON",
    "application/ld+json", "application/problem+json", "text/plain", "text/html", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz", "multipart/form-data", "audio/wav", "audio/x-wav", "audio/wave",
    "application/octet-stream", "", ";", "application/json;;;charset", "*/*", "json", "application/json; q=\"x",
)
EXTRA_NAMES = ("X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "Accept", "Accept-Language",
               "Accept-Encoding", "Range", "If-None-Match", "If-Modified-Since", "Cookie", "User-Agent",
               "X-HTTP-Method-Override", "Content-Encoding", "X-Requested-With", "Referer", "Upgrade")
EXTRA_HEADERS = st.lists(
    st.tuples(st.one_of(st.sampled_from(EXTRA_NAMES), st.from_regex(r"X-[A-Za-z0-9-]{1,20}", fullmatch=True)),
              st.one_of(HEADER_TEXT, st.sampled_from(["bytes=0-1", "bytes=99999999-", "gzip", "*/*", "websocket",
                                                      "127.0.0.1, 10.0.0.1", "Wed, 21 Oct 2015 07:28:00 GMT"]))),
    max_size=3,
)


_CONTENT_TYPE: Dict[Tuple[str, ...], st.SearchStrategy] = {}


def content_type_for(content_types: Sequence[str]) -> st.SearchStrategy:
    """Mostly what the endpoint takes; made once per list (a strategy made per draw costs hypothesis a lot)."""
    key = tuple(content_types)
    if key not in _CONTENT_TYPE:
        _CONTENT_TYPE[key] = weighted((12, st.sampled_from(key)), (1, st.none()), (2, st.sampled_from(CONTENT_TYPES)),
                                      (1, HEADER_TEXT))
    return _CONTENT_TYPE[key]


@st.composite
def header_sets(draw, content_types: Sequence[str] = ("application/json",)) -> Tuple[Tuple[str, Any], ...]:
    headers: List[Tuple[str, Any]] = []
    content_type = draw(content_type_for(content_types))
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    authorization = draw(AUTHORIZATION)
    if authorization is not None:
        headers.append(("Authorization", authorization))
    origin, site, csrf = draw(BROWSER)
    for name, value in (("Origin", origin), ("Sec-Fetch-Site", site), ("X-CSRF-Token", csrf)):
        if value is not None:
            headers.append((name, value))
    host = draw(HOSTS)
    if host is not None:
        headers.append(("Host", host))
    headers += draw(EXTRA_HEADERS)
    return tuple(headers)


# Bodies each endpoint expects, with wrong types and odd values.
try:
    from bank import default_bank

    _BANK = default_bank()
    QUESTION_IDS = tuple(q.id for q in _BANK.questions)
    OPTIONS = {q.id: tuple(o.value for o in q.options) for q in _BANK.questions}
except Exception:  # the fuzz still runs without the bank, only less deep
    QUESTION_IDS, OPTIONS = ("washing_dressing",), {"washing_dressing": ("no_help",)}
TERMS = ("personal_budget", "indicative", "estimate", "direct_payment", "no_such_term")


def _answer(q_and_value: Tuple[str, str]) -> str:
    q, value = q_and_value
    return "/answer" + json.dumps({"value": value, "q": q}, separators=(",", ":"))


QUESTION_ANSWER = st.sampled_from(QUESTION_IDS).flatmap(lambda q: st.tuples(st.just(q), st.sampled_from(OPTIONS[q])))
MESSAGES = weighted(
    (4, QUESTION_ANSWER.map(_answer)),
    (3, st.sampled_from(["/greet", "/for_self", "/for_other", "/choose_plain", "/choose_easy_read", "Sam", "son",
                         "1", "2", "3", "4", "⓶", "٢", "no help", "a lot of help", "repeat", "go back", "skip",
                         "what does that mean", "easier words", "yes", "no", "carry on", "start again"])),
    (1, st.sampled_from(TERMS).map(lambda t: "/explain" + json.dumps({"term": t}))),
    (4, odd_text()), (1, big_text()), (1, JSON_VALUES),
)
ASK_KEYS = weighted((3, st.sampled_from(QUESTION_IDS)), (1, st.sampled_from(["plan_spend_more.2", "answering_for",
                                                                            "x" * 81, "A", "plan.99999"])),
                    (1, JSON_VALUES))
PINS = weighted((3, st.sampled_from(["4821", "9317", "058274", "1111", "1234", "12", "1234567890123"])),
                (1, st.just(Ref("pin"))), (1, JSON_SCALARS), (1, odd_text(2)), (1, st.from_regex(r"[0-9]{1,12}",
                                                                                               fullmatch=True)))
CODES = weighted((3, st.just(Ref("code"))), (2, st.sampled_from(["KX7M-4PQR", "kx7m4pqr", "", "-", "0" * 20,
                                                                 "0" * 21, "KX7M-4PQR-EXTRA"])),
                 (1, JSON_SCALARS), (1, odd_text(2)))


def opt(**fields: st.SearchStrategy) -> Dict[str, st.SearchStrategy]:
    return fields


CHAT = st.fixed_dictionaries({"message": MESSAGES},
                             optional=opt(sender_id=SID_VALUE, question=ASK_KEYS, metadata=JSON_VALUES))
# Most chat turns name the real conversation, as the page does after its first message.
CHAT_BODY = weighted((6, CHAT.map(lambda b: {"sender_id": Ref("sid"), **b})), (2, CHAT))
SAVE_BODY = st.fixed_dictionaries({}, optional=opt(pin=PINS, code=CODES, extra=JSON_VALUES))
RESUME_BODY = st.fixed_dictionaries({}, optional=opt(code=CODES, pin=PINS, sender_id=SID_VALUE,
                                                     replace=st.one_of(st.booleans(), JSON_SCALARS)))
ANSWERS = weighted(
    (4, st.lists(QUESTION_ANSWER, max_size=len(QUESTION_IDS)).map(dict)),
    (1, st.dictionaries(st.one_of(st.sampled_from(QUESTION_IDS), odd_text(2)), st.one_of(odd_text(2), JSON_VALUES),
                        max_size=6)),
    (1, JSON_VALUES),
)
SCORE_BODY = st.fixed_dictionaries({"answers": ANSWERS}, optional=opt(council=odd_text(2), extra=JSON_VALUES))
SPEAK_TEXT = weighted((8, odd_text(4, min_size=1)),
                      (1, st.sampled_from(["Hello", "Question 7 of 26", "£4,200 a year"])),
                      (1, big_text(4001)), (1, JSON_VALUES))
RATES = st.one_of(st.integers(-(10**6), 10**6), st.floats(allow_nan=True, allow_infinity=True), JSON_VALUES)
SPEAK_BODY = st.fixed_dictionaries({"text": SPEAK_TEXT}, optional=opt(rate=RATES))
MESSAGE_OBJECT = st.fixed_dictionaries({}, optional=opt(text=SPEAK_TEXT, buttons=JSON_VALUES, custom=JSON_VALUES))
REPLY_BODY = st.fixed_dictionaries(
    {"sender_id": SID_VALUE, "messages": weighted((6, st.lists(MESSAGE_OBJECT, max_size=4)), (1, JSON_VALUES))},
    optional=opt(extra=JSON_VALUES),
)


# WAV bodies with true and false fields.


WAV_CUT = weighted((6, st.none()), (1, st.integers(0, 60)), (1, st.integers(0, 999)))


WAV_TRUE = weighted((2, st.just(True)), (1, st.just(False)))


@st.composite
def wav_bodies(draw) -> bytes:
    """A WAV file: two in three what Steer takes (16-bit mono PCM at a common rate), the rest with odd fields."""
    usable = draw(WAV_TRUE)
    odd_rates = [] if usable else [0, 1, 7999, 96000, 2**32 - 1]
    rate = draw(st.sampled_from([16000, 8000, 44100, 48000, 22050, *odd_rates]))
    channels = 1 if usable else draw(st.sampled_from([1, 2, 0, 6, 65535]))
    bits = 16 if usable else draw(st.sampled_from([16, 8, 24, 32, 0, 1, 65535]))
    fmt = 1 if usable else draw(st.sampled_from([1, 3, 0xFFFE, 0, 2, 85]))
    seconds = draw(st.sampled_from([0.3, 0.8, 1.5] + ([] if usable else [0.0, 0.01, 31.0])))
    kind = draw(st.sampled_from(["silence", "tone", "noise", "clipped"]))
    block = max(1, channels * bits // 8) if channels and bits else 1
    count = int(min(rate, 48000) * seconds)  # 16-bit samples, whatever the header says
    if kind == "silence":
        frames = bytes(count * 2)
    else:
        seed = draw(st.integers(0, 2**16))
        import numpy as np

        rng = np.random.default_rng(seed)
        if kind == "tone":
            t = np.arange(count) / 16000.0
            samples = (8000 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
        elif kind == "noise":
            samples = rng.integers(-6000, 6000, size=count, dtype=np.int16)
        else:
            samples = np.where(rng.random(count) > 0.5, 32767, -32768).astype("<i2")
        frames = samples.astype("<i2").tobytes()
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate & 0xFFFFFFFF,
                            (rate * block if usable else draw(st.sampled_from([rate * block, 0, 2**32 - 1])))
                            & 0xFFFFFFFF, (block if usable else draw(st.sampled_from([block, 0, 65535]))) & 0xFFFF,
                            bits)
    fmt_size = 16 if usable else draw(st.sampled_from([16, 18, 40, 14, 0, 2**32 - 1]))
    data_size = None if usable else draw(st.sampled_from([None, 0, 1, 2**31, 2**32 - 1]))
    chunks = b"fmt " + struct.pack("<I", fmt_size) + fmt_chunk
    if not usable and draw(st.booleans()):
        extra = draw(st.binary(max_size=40))
        chunks += draw(st.sampled_from([b"LIST", b"fact", b"data", b"\x00\x00\x00\x00"])) + struct.pack(
            "<I", draw(st.sampled_from([len(extra), len(extra) + 1, 2**32 - 1]))) + extra
    chunks += b"data" + struct.pack("<I", (len(frames) if data_size is None else data_size) & 0xFFFFFFFF) + frames
    riff = b"RIFF" if usable else draw(st.sampled_from([b"RIFF", b"RIFX", b"RF64", b"riff"]))
    wave = b"WAVE" if usable else draw(st.sampled_from([b"WAVE", b"AVI "]))
    riff_size = None if usable else draw(st.sampled_from([None, 0, 4, 2**32 - 1]))
    body = riff + struct.pack("<I", (len(chunks) + 4 if riff_size is None else riff_size)) + wave + chunks
    cut = None if usable else draw(WAV_CUT)
    if cut is not None:
        body = body[:cut] if cut <= 60 else body[: len(body) * cut // 1000]
    return body


AUDIO_BODY = weighted((6, wav_bodies()), (1, st.binary(max_size=400)), (1, st.just(b"")), (1, other_bodies()))
AUDIO_TYPES = ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream")


# The endpoints.

DOCUMENTS = ("summary", "summary.pdf", "export.json", "fhir")
STATIC_FILES = ("chat.js", "kiosk.js", "saved.js", "voice.js", "steer.css", "voice.css", "symbols/yes.svg",
                "symbols/no.svg", "nope.js", "../__init__.py", "symbols/../chat.js")
TICKET_PART = weighted((6, st.just(Ref("ticket"))), (1, st.just(Ref("ticket_cut"))), (1, st.just(Ref("ticket_flip"))),
                       (1, st.just(Ref("sid"))), (1, st.builds(Raw, st.from_regex(r"[A-Za-z0-9_-]{40,210}",
                                                                                   fullmatch=True))),
                       (1, GENERIC_PART))
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get", "FOO")
QUERY_VALUE = weighted((3, odd_text(2)), (1, st.builds(Raw, URL_TEXT)), (1, st.just(Ref("sid"))),
                       (1, big_text(20_000)))
QUERY = weighted(
    (6, st.none()),
    (3, st.lists(st.tuples(st.sampled_from(["print", "sender_id", "token", "q", "format", "_method", ""]),
                           QUERY_VALUE), max_size=3).map(tuple)),
    (1, st.builds(Raw, st.sampled_from(["%", "&&=&", "a=%zz", "=", "print=1&print=0", "sender_id", "%00=%00",
                                        "a[]=1&a[x]=2", "x=" + "%FF" * 10]))),
)


@st.composite
def endpoint(draw, group: str, method: str, path: st.SearchStrategy, body: Optional[st.SearchStrategy] = None,
             content_types: Sequence[str] = ("application/json",), query: st.SearchStrategy = QUERY) -> FuzzRequest:
    chosen = draw(st.sampled_from(METHODS)) if draw(OTHER_METHOD) else method
    raw = draw(RAW)
    return FuzzRequest(
        method=chosen, group=group, path=draw(path), query=draw(query), headers=draw(header_sets(content_types)),
        body=draw(body if body is not None else NO_BODY), conversation=draw(CONVERSATION), raw=raw,
        version=draw(VERSION) if raw else "HTTP/1.1", framing=draw(FRAMING) if raw else "length",
    )


OTHER_METHOD = weighted((9, st.just(False)), (1, st.just(True)))
RAW = weighted((11, st.just(False)), (1, st.just(True)))
NO_BODY = weighted((6, st.none()), (1, other_bodies()))
CONVERSATION = st.sampled_from([0, 0, 0, 1, 2])
VERSION = weighted((8, st.just("HTTP/1.1")), (1, st.sampled_from(["HTTP/1.0", "HTTP/2.0", "HTTP/1.1 x", "http/1.1",
                                                                 "HTTP/9", ""])))
FRAMING = st.sampled_from(["length", "length", "length", "short", "chunked", "none"])


def _parts(*parts: Any) -> st.SearchStrategy[Tuple[Any, ...]]:
    return st.tuples(*(p if isinstance(p, st.SearchStrategy) else st.just(p) for p in parts))


DOC_PART = weighted((8, st.sampled_from(DOCUMENTS)), (1, GENERIC_PART))
VOICE_QUERY = weighted(
    (8, st.just((("sender_id", Ref("sid")),))),
    (2, st.lists(st.tuples(st.sampled_from(["sender_id", "sender_id", "print", ""]), weighted(
        (4, st.just(Ref("sid"))), (1, st.just(Ref("other_sid"))), (2, QUERY_VALUE))), max_size=3).map(tuple)),
    (1, QUERY),
)
AUDIO_KEY = weighted((4, st.just(Ref("audio_key"))), (1, st.from_regex(r"[0-9a-f]{40}", fullmatch=True)),
                     (1, GENERIC_PART))
SAVED_CODE_PART = weighted((3, st.just(Ref("code"))), (1, GENERIC_PART))
DELETE_SAVED_BODY = with_other_bodies(st.fixed_dictionaries({}, optional=opt(pin=PINS)))
AUDIO_PART = AUDIO_KEY.map(lambda k: Ref("audio_file") if k == Ref("audio_key") else (
    k + ".wav" if isinstance(k, str) else k))
PAGES = st.sampled_from([(), ("kiosk",), ("",), ("kiosk", ""), ("index.html",)])
STATIC_PATHS = st.one_of(
    st.sampled_from(STATIC_FILES).map(lambda f: ("static", Raw(f))),
    st.sampled_from(["summary.css", "print.js", "../render.py"]).map(lambda f: ("summary", "static", Raw(f))),
    _parts("static", GENERIC_PART),
)
UNKNOWN_PATHS = st.one_of(
    st.lists(GENERIC_PART, min_size=1, max_size=4).map(lambda p: ("api", *p)),
    st.lists(GENERIC_PART, min_size=1, max_size=4).map(tuple),
    st.sampled_from([("api",), ("api", ""), ("API", "chat"), ("api", "chat", ""), ("api", "chat", "x"),
                     ("api", "assessments"), ("api", "assessments", ""), ("api", "documents")]),
)


def ep(weight: int, group: str, method: str, path: st.SearchStrategy, *args: Any) -> Tuple[int, str, Any]:
    return weight, group, endpoint(group, method, path, *args)


# (weight, endpoint group, strategy): the chat and the documents, which reach Rasa, the actions and the PDF, most.
ENDPOINTS: Tuple[Tuple[int, str, st.SearchStrategy[FuzzRequest]], ...] = (
    ep(20, "chat", "POST", _parts("api", "chat"), with_other_bodies(CHAT_BODY)),
    ep(6, "assessment", "GET", _parts("api", "assessments", SID_PART)),
    ep(1, "delete", "DELETE", _parts("api", "assessments", SID_PART)),
    ep(8, "documents", "GET", _parts("api", "assessments", SID_PART, DOC_PART)),
    ep(3, "links", "POST", _parts("api", "assessments", SID_PART, "links")),
    ep(5, "linked", "GET", _parts("api", "documents", TICKET_PART, DOC_PART)),
    ep(2, "save", "POST", _parts("api", "assessments", SID_PART, "save"), with_other_bodies(SAVE_BODY)),
    ep(2, "resume", "POST", _parts("api", "resume"), with_other_bodies(RESUME_BODY)),
    ep(1, "saved", "DELETE", _parts("api", "saved", SAVED_CODE_PART), DELETE_SAVED_BODY),
    ep(6, "score", "POST", _parts("api", "ras", "score"), with_other_bodies(SCORE_BODY)),
    ep(1, "fhir", "GET", _parts("api", "fhir", "Questionnaire")),
    ep(1, "csrf", "GET", _parts("api", "csrf-token")),
    ep(5, "voice turn", "POST", _parts("api", "voice", "turn"), AUDIO_BODY, AUDIO_TYPES, VOICE_QUERY),
    ep(4, "voice speak", "POST", _parts("api", "voice", "speak"), with_other_bodies(SPEAK_BODY)),
    ep(3, "voice reply", "POST", _parts("api", "voice", "reply"), with_other_bodies(REPLY_BODY)),
    ep(2, "voice audio", "GET", _parts("api", "voice", "audio", AUDIO_PART)),
    ep(1, "health", "GET", _parts("healthz")),
    ep(2, "pages", "GET", PAGES),
    ep(2, "static", "GET", STATIC_PATHS),
    ep(4, "unknown", "GET", UNKNOWN_PATHS),
)


def fuzz_requests() -> st.SearchStrategy[FuzzRequest]:
    """Requests across the whole HTTP API, weighted towards the endpoints that reach Rasa and the actions."""
    return weighted(*((weight, strategy) for weight, _, strategy in ENDPOINTS))


def shares(total: int) -> List[Tuple[str, st.SearchStrategy[FuzzRequest], int]]:
    """Each endpoint's strategy and how many of `total` requests are its (by weight, largest remainder first).

    Run one after another, each by its own @given. Not one @given over fuzz_requests(): hypothesis's
    generator copies parts of earlier examples, so its choice among strategies clusters; in 500
    requests, endpoints of weight 1 to 2 (of 79) came up never.
    """
    weights = sum(weight for weight, _, _ in ENDPOINTS)
    exact = [(total * weight / weights, i) for i, (weight, _, _) in enumerate(ENDPOINTS)]
    counts = {i: int(share) for share, i in exact}
    for _, i in sorted(exact, key=lambda e: int(e[0]) - e[0])[: total - sum(counts.values())]:
        counts[i] += 1
    return [(name, strategy, counts[i]) for i, (_, name, strategy) in enumerate(ENDPOINTS)]


def run_examples(strategy: st.SearchStrategy[FuzzRequest], count: int, each: Callable[[FuzzRequest], None],
                 seed_value: Optional[int] = None, explore: bool = False) -> None:
    """Call `each` on `count` generated requests: the same ones every run (derandomized, or by seed),
    or new ones each run (`explore`). `each` records what it finds: a failure raised here would make
    hypothesis replay and shrink against a server whose state has moved on."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    if count <= 0:
        return

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              derandomize=seed_value is None and not explore, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def send(request: FuzzRequest) -> None:
        each(request)

    (seed(seed_value)(send) if seed_value is not None else send)()


# ---------------------------------------------------------------------------------------------
# Sending and checking


@dataclass
class Conversation:
    sender_id: str
    token: str
    ticket: str = ""
    ticket_at: float = 0.0
    gone: bool = False  # deleted by a fuzzed request: started again before its next use
    uses: int = 0  # requests that named it


@dataclass
class Outcome:
    request: FuzzRequest
    status: Optional[int]  # None: no HTTP reply at all
    seconds: float
    body: bytes = b""
    content_type: str = ""
    path: str = ""
    by_server: bool = False  # refused by waitress itself, before the app (its own text reply)
    problems: List[str] = field(default_factory=list)


# The 503 replies the front door documents for a part that is down or restarting.
def _outage_words() -> Tuple[str, ...]:
    from bot.web import wording

    return (wording.RASA_DOWN, wording.RASA_SLOW, wording.PART_RESTARTING)


WAITRESS_TAG = b"(generated by "
LOG_PATTERNS = re.compile(r"Traceback|Unexpected|ERROR")


class LogWatch:
    """What was added to the stack's logs since `mark()`: lines that say something failed."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.sizes: Dict[Path, int] = {}

    def mark(self) -> None:
        self.sizes = {p: p.stat().st_size for p in self.folder.glob("*.log")}

    def new_lines(self) -> List[str]:
        found = []
        for path in sorted(self.folder.glob("*.log")):
            start = self.sizes.get(path, 0)
            with path.open("rb") as f:
                f.seek(start if start <= path.stat().st_size else 0)
                added = f.read().decode("utf-8", "replace")
            found += [f"{path.name}: {line[:300]}" for line in added.splitlines() if LOG_PATTERNS.search(line)]
        return found


# A conversation gets a new start after this many requests: a whole SAQ and plan is about 120 turns,
# and a turn costs more the longer its conversation (issue 14), so thousands of turns in one
# conversation would measure that, not the front door.
MAX_USES = 200


class Fuzzer:
    """Sends FuzzRequests to a running front door, with real conversations behind the Refs."""

    def __init__(self, base_url: str, conversations: int = 3, timeout: float = 60.0,
                 outage: Callable[[], bool] = lambda: False) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.count = conversations
        self.timeout = timeout
        self.outage = outage
        self.http = requests.Session()
        self.http.trust_env = False
        self.conversations: List[Conversation] = []
        self.csrf = ""
        self.audio_key = ""
        self.code, self.pin = "", "4821"
        self.started = 0  # real conversations started (also again after a fuzzed delete)

    # -- the real state behind the Refs

    def setup(self) -> None:
        self.csrf = self.http.get(f"{self.base_url}/api/csrf-token", timeout=30).json()["token"]
        self.conversations = [self._start(i) for i in range(self.count)]
        first = self.conversations[0]
        saved = self.http.post(f"{self.base_url}/api/assessments/{first.sender_id}/save", json={"pin": self.pin},
                               headers=self._bearer(first), timeout=60)
        self.code = saved.json().get("code", "") if saved.status_code == 200 else ""
        spoken = self.http.post(f"{self.base_url}/api/voice/speak", json={"text": "Question 1 of 26"}, timeout=60)
        self.audio_key = spoken.headers.get("X-Steer-Audio", "").rsplit("/", 1)[-1].removesuffix(".wav")

    def _start(self, index: int) -> Conversation:
        from tests.conftest import Chat

        chat = Chat(self.base_url)
        self.started += 1
        if index % 3 == 0:  # some answers, so the summary, PDF and exports have something in them
            chat.start()
            for _ in range(3):
                question = chat.question
                if not question or not question.get("options"):
                    break
                chat.answer(question["options"][1]["value"])
        elif index % 3 == 1:
            chat.start(for_whom="other", level="easy", name="Alex", relationship="friend")
        else:
            chat.send("/greet")
        return Conversation(chat.sender_id, chat.token)

    def _bearer(self, conversation: Conversation) -> Dict[str, str]:
        return {"Authorization": f"Bearer {conversation.token}"}

    def _conversation(self, index: int) -> Conversation:
        index %= len(self.conversations)
        if self.conversations[index].gone or self.conversations[index].uses >= MAX_USES:
            self.conversations[index] = self._start(index)
        self.conversations[index].uses += 1
        return self.conversations[index]

    def _ticket(self, conversation: Conversation) -> str:
        if not conversation.ticket or time.monotonic() - conversation.ticket_at > 240:
            reply = self.http.post(f"{self.base_url}/api/assessments/{conversation.sender_id}/links",
                                   headers=self._bearer(conversation), timeout=30)
            if reply.status_code == 200:
                conversation.ticket = reply.json()["html"].split("/")[3]
                conversation.ticket_at = time.monotonic()
        return conversation.ticket

    def _ref(self, ref: Ref, conversation: Conversation, other: Conversation) -> str:
        name = ref.name
        if name == "sid":
            return conversation.sender_id
        if name == "other_sid":
            return other.sender_id
        if name == "token":
            return conversation.token
        if name == "bearer":
            return f"Bearer {conversation.token}"
        if name == "bearer_lower":
            return f"bearer   {conversation.token}"
        if name == "bearer_other":
            return f"Bearer {other.token}"
        if name == "csrf":
            return self.csrf
        if name == "origin":
            return self.base_url
        if name == "host":
            return f"{self.host}:{self.port}"
        if name == "code":
            return self.code or "KX7M-4PQR"
        if name == "pin":
            return self.pin
        if name == "audio_key":
            return self.audio_key
        if name == "audio_file":
            return f"{self.audio_key}.wav"
        ticket = self._ticket(conversation)
        if name == "ticket_cut":
            return ticket[: len(ticket) // 2]
        if name == "ticket_flip":
            return ticket[:-1] + ("A" if ticket[-1:] != "A" else "B")
        return ticket

    def _fill(self, value: Any, conversation: Conversation, other: Conversation) -> Any:
        if isinstance(value, Ref):
            return self._ref(value, conversation, other)
        if isinstance(value, Big):
            return value.text()
        if isinstance(value, dict):
            return {str(self._fill(k, conversation, other)): self._fill(v, conversation, other)
                    for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._fill(v, conversation, other) for v in value]
        return value

    def _body(self, body: Any, conversation: Conversation, other: Conversation) -> Optional[bytes]:
        if body is None:
            return None
        if isinstance(body, bytes):
            return body
        if isinstance(body, Big):
            return body.text().encode("utf-8", "surrogatepass")
        if isinstance(body, (Deep, Template)):
            return body.bytes()
        value = self._fill(body.value, conversation, other)
        text = json.dumps(value, ensure_ascii=body.ascii, allow_nan=True) if body.nan else _json_no_nan(value, body)
        errors = "surrogatepass" if body.encoding.startswith("utf") else "replace"
        data = text.encode(body.encoding, errors)
        return data if body.cut is None else data[: len(data) * body.cut // 1000]

    def _path(self, parts: Tuple[Any, ...], conversation: Conversation, other: Conversation, raw: bool) -> str:
        out = []
        for part in parts:
            if isinstance(part, Raw):
                out.append(part.text)
            elif isinstance(part, (Ref, Big)):
                out.append(quote(self._fill(part, conversation, other), safe=""))
            else:
                out.append(quote(part, safe="", errors="surrogatepass") if not raw or part.isascii() else part)
        return "/" + "/".join(out)

    def _query(self, query: Any, conversation: Conversation, other: Conversation) -> str:
        if query is None:
            return ""
        if isinstance(query, Raw):
            return "?" + query.text
        pairs = []
        for key, value in query:
            value = self._fill(value, conversation, other) if not isinstance(value, Raw) else value.text
            pairs.append(f"{quote(key, safe='')}={quote(value, safe='', errors='surrogatepass')}"
                         if not isinstance(value, Raw) else f"{key}={value}")
        return "?" + "&".join(pairs)

    def resolve(self, request: FuzzRequest) -> Tuple[str, str, List[Tuple[str, str]], Optional[bytes]]:
        conversation = self._conversation(request.conversation)
        other = self._conversation(request.conversation + 1)
        target = self._path(request.path, conversation, other, request.raw) + self._query(
            request.query, conversation, other)
        headers = [(name, self._fill(value, conversation, other)) for name, value in request.headers]
        return request.method, target, headers, self._body(request.body, conversation, other)

    # -- sending

    def send(self, request: FuzzRequest) -> Outcome:
        method, target, headers, body = self.resolve(request)
        started = time.monotonic()
        outcome = Outcome(request, None, 0.0, path=target.split("?", 1)[0])
        try:
            if request.raw:
                outcome.status, outcome.content_type, outcome.body = self._send_raw(request, method, target,
                                                                                      headers, body)
            else:
                reply = self._send_requests(method, target, headers, body)
                outcome.status, outcome.body = reply.status_code, reply.content
                outcome.content_type = reply.headers.get("Content-Type", "")
        except (TimeoutError, requests.Timeout):
            outcome.problems.append(f"no reply within {self.timeout:g} s (a hang)")
        except (requests.ConnectionError, ConnectionError) as err:
            outcome.problems.append(f"the connection failed with no reply ({type(err).__name__})")
        outcome.seconds = time.monotonic() - started
        outcome.by_server = outcome.body.rstrip().endswith(b")") and WAITRESS_TAG in outcome.body[-200:]
        self._note_deleted(request, method, outcome)
        outcome.problems += self.check(outcome)
        return outcome

    def _send_requests(self, method: str, target: str, headers: List[Tuple[str, str]],
                       body: Optional[bytes]) -> requests.Response:
        sent = requests.Request("GET", self.base_url + "/", data=body).prepare()
        sent.method = method
        sent.url = self.base_url + target
        for name, value in headers:
            sent.headers[name] = value.encode("latin-1", "replace") if isinstance(value, str) else value
        if body is None:
            sent.headers.pop("Content-Length", None)
        return self.http.send(sent, timeout=self.timeout, allow_redirects=False)

    def _send_raw(self, request: FuzzRequest, method: str, target: str, headers: List[Tuple[str, str]],
                  body: Optional[bytes]) -> Tuple[Optional[int], str, bytes]:
        body = body or b""
        line = f"{method} {target}" + (f" {request.version}" if request.version else "")
        lines = [line.encode("utf-8", "surrogatepass")]
        if not any(name.lower() == "host" for name, _ in headers):
            lines.append(f"Host: {self.host}:{self.port}".encode())
        for name, value in headers:
            data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else bytes(value)
            lines.append(name.encode() + b": " + data.replace(b"\r", b" ").replace(b"\n", b" "))
        if request.framing == "chunked":
            lines.append(b"Transfer-Encoding: chunked")
            payload = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 997]), body[i:i + 997])
                               for i in range(0, len(body), 997)) + b"0\r\n\r\n"
        elif request.framing == "none":
            payload = body
        else:
            size = len(body) if request.framing == "length" else len(body) // 2
            lines.append(b"Content-Length: %d" % size)
            payload = body
        lines.append(b"Connection: close")
        data = b"\r\n".join(lines) + b"\r\n\r\n" + payload
        with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
            # Refused before the body was read (a 413, a bad request line): its reply still counts.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(data)
            reply = b""
            while True:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                reply += chunk
                if _complete(reply):
                    break
        head, _, rest = reply.partition(b"\r\n\r\n")
        found = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        if not found:
            return None, "", reply
        content_type = ""
        chunked = False
        for header in head.split(b"\r\n")[1:]:
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"content-type":
                content_type = value.strip().decode("latin-1")
            if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        return int(found.group(1)), content_type, _unchunk(rest) if chunked else rest

    def _note_deleted(self, request: FuzzRequest, method: str, outcome: Outcome) -> None:
        """A fuzzed DELETE that really deleted a real conversation: start another before it is used again."""
        if method.upper() != "DELETE" or outcome.status != 200:
            return
        for conversation in self.conversations:
            if outcome.path == f"/api/assessments/{conversation.sender_id}":
                conversation.gone = True
        if outcome.path.startswith("/api/saved/"):
            self.code = ""  # the saved code is gone; later requests use a code that never was

    # -- checking

    def check(self, outcome: Outcome) -> List[str]:
        problems = []
        status, body = outcome.status, outcome.body
        if status is None:
            if not outcome.problems:
                problems.append("no HTTP reply")
            return problems
        if status >= 500:
            if status == 503 and self._documented_outage(body) and self.outage():
                problems.append("503 while a part of the stack was really down (it must stay up during the fuzz)")
            else:
                problems.append(f"HTTP {status}: {body[:300]!r}")
        if b"Traceback" in body:
            problems.append("a Traceback in the reply")
        api = outcome.path.startswith("/api/") or outcome.path == "/api"
        if api and status >= 400 and outcome.request.method.upper() != "HEAD" and not outcome.by_server:
            try:
                said = json.loads(body)
            except ValueError:
                said = None
            if not isinstance(said, dict) or not isinstance(said.get("error"), str):
                problems.append(f"an /api/ error without a JSON 'error': {status} {body[:200]!r}")
        return problems

    def _documented_outage(self, body: bytes) -> bool:
        try:
            said = json.loads(body)
        except ValueError:
            return False
        return isinstance(said, dict) and said.get("error") in _outage_words()


def _json_no_nan(value: Any, body: Json) -> str:
    try:
        return json.dumps(value, ensure_ascii=body.ascii, allow_nan=False)
    except ValueError:
        return json.dumps(value, ensure_ascii=body.ascii, allow_nan=True)


def _complete(reply: bytes) -> bool:
    head, sep, rest = reply.partition(b"\r\n\r\n")
    if not sep:
        return False
    found = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
    return bool(found) and len(rest) >= int(found.group(1))


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2:]
    return out


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass
class Tally:
    """Counts for the fuzz script's figures."""

    methods: Counter = field(default_factory=Counter)
    groups: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    group_statuses: Counter = field(default_factory=Counter)  # (group, status)
    by_server: int = 0
    server_errors: int = 0
    seconds: float = 0.0
    problems: List[Tuple[FuzzRequest, List[str]]] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.methods[outcome.request.method] += 1
        self.groups[outcome.request.group] += 1
        status = "no reply" if outcome.status is None else str(outcome.status)
        self.statuses[status] += 1
        self.group_statuses[outcome.request.group, status] += 1
        self.by_server += outcome.by_server
        self.server_errors += outcome.status is not None and outcome.status >= 500
        self.seconds += outcome.seconds
        if outcome.problems:
            self.problems.append((outcome.request, outcome.problems))

    @property
    def total(self) -> int:
        return sum(self.methods.values())


def crc(data: bytes) -> str:
    """A short fingerprint of a body, for a report that must not quote it."""
    return f"{zlib.crc32(data):08x}"
