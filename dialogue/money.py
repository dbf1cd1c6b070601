"""What a cost in a person's words means: "About how much would it cost?" in the support plan.

Pure: words in, a Reading out (no Rasa). Several numbers are never reduced to the first one:
"2 sessions at £40 a week" is worked out (2 times £40 = £80 a week) and read back for a yes;
"£30 to £40" or "£40 or £50" asks for one amount, because picking one would be a guess.

Periods. A week and a year are kept as said. A month becomes a year (x 12) and a fortnight a
week (/ 2): both exact, and the read-back shows the working. An hour, a day, a night or a
session is a price, not a cost: Steer asks how many a week (nights: a year), because that
varies from person to person and assuming "every day" would be wrong more often than right.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from text_to_num import alpha2digit

from ras.money import WEEKS_IN_A_YEAR
from ras.money import pounds as pounds  # read back as understood: "£40.50"

MAX_TEXT = 600
MAX_YEARLY = 1_000_000  # the most one planned thing can cost in a year: a bigger amount is misread or a typo
MAX_COUNT = 1000  # "2 sessions" is a count; "2000 sessions" a week is not
STORED = ("week", "year")  # what a planned item keeps (summary/ and export/ read these)
CONVERT = {"fortnight": ("week", 0.5), "month": ("year", 12.0)}
SPANS = ("week", "fortnight", "month", "year")
RATES = ("hour", "day", "night", "time")
ASK_OVER = {"hour": "week", "day": "week", "night": "year", "time": "week"}  # "how many hours a week?"
_IN_A_YEAR = {"week": float(WEEKS_IN_A_YEAR), "fortnight": WEEKS_IN_A_YEAR / 2, "month": 12.0, "year": 1.0}


@dataclass(frozen=True)
class Reading:
    """status: ok (one cost), rate (a price per hour/day/night/time: ask how many), several,
    none (no amount), zero, negative, too_much (over MAX_YEARLY a year)."""

    status: str
    amount: float = 0.0  # ok: the cost per `per`; rate: the price of one `rate`; too_much: as said
    per: Optional[str] = None  # ok: "week", "year" or None (not said); rate: the span to ask over
    count: Optional[float] = None  # ok: "2 sessions at £40": 2
    price: Optional[float] = None  # ok: £40 there, or £100 in "£100 a month" (before the working)
    said_per: Optional[str] = None  # ok: the period as said, when there is working ("month")
    rate: Optional[str] = None
    heard: Tuple[str, ...] = ()  # several: each number as heard ("£30", "40")
    marked: bool = False  # a £, "pounds" or "p" was said: an amount, never an option's number

    @property
    def worked(self) -> bool:
        return self.count is not None or self.price is not None

    def value(self) -> Dict[str, Any]:
        """What the pending slot keeps while this is read back, or completed (period, how many)."""
        if self.status == "rate":
            return {"amount": self.amount, "rate": self.rate, "over": self.per}
        value: Dict[str, Any] = {"amount": self.amount}
        if self.per:
            value["per"] = self.per
        if self.worked:
            value.update(price=self.price, said_per=self.said_per)
            if self.count is not None:
                value["count"] = self.count
        return value


class _Token(NamedTuple):
    value: float
    marked: bool
    negative: bool
    unit: Optional[str]  # a count: "hour", "day", "night", "time", "each", or "x" (2 x £40)
    shown: str


# -- preparing the words ------------------------------------------------------------------------

_MULTIPLIERS = {"k": 1e3, "grand": 1e3, "thousand": 1e3, "hundred": 1e2,
                "m": 1e6, "mil": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULTIPLIED = re.compile(rf"(£\s*)?({_NUM})\s*({'|'.join(_MULTIPLIERS)})\b")
_WORD_MULTIPLIED = re.compile(r"(\d+(?:\.\d+)?) (1000000|1000)\b")  # text2num: "one point two million" -> "1.2 1000000"
_ABBREVIATIONS = [(r"\bp\s*/\s*w\b|\bp\.w\b\.?", " pw "), (r"\bp\s*/\s*a\b|\bp\.a\b\.?", " pa "),
                  (r"\bp\.?c\.?m\b\.?", " pcm "), (r"\bp\s*/\s*m\b", " pm "), (r"\bp\s*/\s*h\b", " ph "),
                  (r"\bhalf an? (?=million\b|mil\b|grand\b|thousand\b|k\b)", " 0.5 "),  # not "a million"
                  # "the second one" names an option, not £1: the ordinal alone (which holds no amount)
                  (r"\b(first|second|third|fourth|fifth|last|other) one\b", r" \1 "),
                  (r"\btwice\b", " 2 times "), (r"\bonce\b", " 1 times "), (r"\bthrice\b", " 3 times "),
                  (r"\bquid\b|\bpounds? sterling\b|\bsterling\b", " pounds "),
                  (r"\b24\s*/\s*7\b|\b24\s*-?\s*hours?(?: a day)?(?=\s+(?:care|support|help|cover)\b)", " ")]


def _prepare(text: str) -> str:
    """Lower case, digits for number words, '3k' as 3000, ranges as 'to': one shape to read."""
    text = unicodedata.normalize("NFKC", str(text)[:MAX_TEXT]).encode("utf-8", "replace").decode("utf-8").lower()
    text = re.sub(r"[’‘`]", "'", text)
    text = re.sub(r"[‐‑‒–—―−]", "-", text).replace("×", " x ").replace("*", " x ")
    for pattern, replacement in _ABBREVIATIONS:
        text = re.sub(pattern, replacement, text)
    text = _MULTIPLIED.sub(_multiply, text)
    with contextlib.suppress(Exception):  # text2num refuses some odd input; the digits already there still count
        text = alpha2digit(text, "en", threshold=0)  # "two hundred and fifty" -> "250"
    text = _WORD_MULTIPLIED.sub(lambda m: _number_text(float(m.group(1)) * float(m.group(2))), text)
    text = re.sub(r"\b\d+(?:st|nd|rd|th)\b", " ", text)  # "the 1st of the month" is no amount
    text = re.sub(r"(\d)\s*-\s*(?=£?\s*\d)", r"\1 to ", text)  # "£30-£40" is two amounts
    text = re.sub(r"(?<=\d)(?=[a-z£])|(?<=[a-z])(?=\d)", " ", text)  # "40pw" -> "40 pw"
    # "40 pounds 50 (pence)" is one amount, £40.50
    text = re.sub(r"(£\s*)?(\d+) pounds? (?:and )?(\d{1,2}) (?:p|pence)\b", r"£\2.\3 ", text)
    return re.sub(r"(£\s*)?(\d+) pounds? (\d{2})(?=\s*(?:$|[,.;!?]|a |an |per |each |every |weekly|yearly|monthly))",
                  r"£\2.\3 ", text)


def _multiply(found: re.Match) -> str:
    value = _number(found.group(2)) * _MULTIPLIERS[found.group(3)]
    money = found.group(1) or ("£" if found.group(3) not in ("hundred", "thousand") else "")  # "3k" is money
    return money + _number_text(value)


def _number(digits: str) -> float:
    value = float(digits.replace(",", ""))
    return value if math.isfinite(value) else 1e15


def _number_text(value: float) -> str:
    return f"{min(value, 1e15):.2f}".rstrip("0").rstrip(".")


# -- periods: "a week", "monthly", "an hour" ----------------------------------------------------

_PER = r"(?:\b(?:an?|per|each|every|the)\s+|/\s*)"
_PERIODS = [
    ("fortnight", rf"{_PER}fortnight\b|\bfortnightly\b|\bevery (?:other|2) weeks?\b|\bbi-?weekly\b"),
    ("week", rf"{_PER}(?:week|wk)s?\b|\bweekly\b|\bpw\b"),
    ("month", rf"{_PER}(?:calendar )?(?:month|mth|mnth)s?\b|\bmonthly\b|\bpcm\b|\bpm\b"),
    ("year", rf"{_PER}(?:year|yr|annum)s?\b|\byearly\b|\bannual(?:ly)?\b|\bpa\b"),
    ("hour", rf"{_PER}(?:hour|hr)s?\b|\bhourly\b|\bph\b"),
    ("day", rf"{_PER}days?\b|\bdaily\b"),
    ("night", rf"{_PER}nights?\b|\bnightly\b"),
    ("time", rf"{_PER}(?:time|session|visit|class|lesson|trip|shift|go)\b"),
]
_PERIOD_RE = [(kind, re.compile(rx)) for kind, rx in _PERIODS]
_BARE_PERIOD = re.compile(r"\b(week|fortnight|month|year|hour|day|night)s?\b")


def _periods(text: str) -> Tuple[List[str], str]:
    """The periods named, in order, and the words with them blanked out ("every 2 weeks" holds no amount)."""
    found: List[Tuple[int, str]] = []
    for kind, rx in _PERIOD_RE:
        for match in rx.finditer(text):
            found.append((match.start(), kind))
            text = text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return [kind for _, kind in sorted(found)], text


# -- numbers, and which of them are counts ------------------------------------------------------

_TOKEN = re.compile(rf"(?P<neg>(?<![\w.])-\s*|\bminus\s+|\bnegative\s+)?(?P<cur>£\s*|\bgbp\s+)?(?P<neg2>-\s*)?"
                    rf"(?P<num>{_NUM})(?:\s*(?P<unit>pounds?\b|gbp\b|pence\b|p\b(?!\s*/)|£))?")
_COUNT_UNITS = {"hour": "hour", "hr": "hour", "day": "day", "night": "night", "time": "time", "session": "time",
                "visit": "time", "class": "time", "lesson": "time", "trip": "time", "shift": "time", "go": "time",
                "people": "each", "person": "each", "meal": "each", "call": "each", "ticket": "each"}
_COUNT_AFTER = re.compile(r"\s*(?:(x)\b|(hours?|hrs?|days?|nights?|times?|sessions?|visits?|class(?:es)?|lessons?|"
                          r"trips?|shifts?|goes|people|persons?|meals?|calls?|tickets?)\b)")
_COUNT_BEFORE = re.compile(r"(?:\bx|\btimes)\s*$")
_NOTHING = re.compile(r"\b(?:nothing|free|no cost|cost anything|no charge|zero|nil)\b")
# "£30 to £40", "30 or 40", "between 30 and 40": two amounts, whatever else is said
_ALTERNATIVES = re.compile(r"\d(?:\s*(?:pounds?|pence|p)\b)?\s+(?:to|or|and|till|until)\s+(?:£\s*)?\d")


def _unit(word: str) -> str:
    word = word.rstrip("s") if word not in ("class", "classes") else "class"
    return _COUNT_UNITS.get(word, _COUNT_UNITS.get(word + "s", "each"))


def _tokens(text: str) -> List[_Token]:
    out: List[_Token] = []
    for m in _TOKEN.finditer(text):
        value = _number(m.group("num"))
        unit_word = m.group("unit") or ""
        marked = bool(m.group("cur") or unit_word)
        if unit_word.startswith("p") and not unit_word.startswith("pound"):
            value /= 100
        after = _COUNT_AFTER.match(text, m.end())
        unit = None
        if not marked and value <= MAX_COUNT:
            if after:
                unit = "x" if after.group(1) else _unit(after.group(2))
            elif _COUNT_BEFORE.search(text[:m.start()]):
                unit = "x"
        shown = pounds(value) if marked else _number_text(value)
        out.append(_Token(value, marked, bool(m.group("neg") or m.group("neg2")), unit, shown))
    return _pair_times(out)


def _pair_times(tokens: List[_Token]) -> List[_Token]:
    """'2 x 40' and '40 x 2': both sides touch the x, so the smaller is the count."""
    if len(tokens) == 2 and all(t.unit == "x" for t in tokens):
        count = min(tokens, key=lambda t: t.value)
        return [t if t is count else t._replace(unit=None) for t in tokens]
    return tokens


# -- reading ------------------------------------------------------------------------------------

def read(text: str) -> Reading:
    """What the words say the thing costs (see Reading.status); never raises."""
    prepared = _prepare(text)
    periods, rest = _periods(prepared)
    tokens = _tokens(rest)
    marked = any(t.marked for t in tokens)
    if not tokens:
        return Reading("zero" if _NOTHING.search(prepared) else "none")
    if any(t.negative for t in tokens):
        return Reading("negative", marked=marked)
    counts = [t for t in tokens if t.unit]
    prices = [t for t in tokens if not t.unit]
    several = Reading("several", heard=tuple(t.shown for t in tokens), marked=marked)
    if not prices and len(counts) == 1:
        return Reading("none")  # "3 hours" says how long, not how much
    if len(prices) != 1 or len(counts) > 1 or _ALTERNATIVES.search(rest):
        return several
    price, count = prices[0].value, (counts[0] if counts else None)
    rates = list(dict.fromkeys(p for p in periods if p in RATES))
    spans = list(dict.fromkeys(p for p in periods if p in SPANS))
    if count is not None and count.unit in rates:
        rates.remove(count.unit)  # "3 hours at £18 an hour": the hours are counted
    elif count is not None and count.unit in RATES and rates:
        return several  # "3 hours at £40 a day": which is it?
    if len(rates) > 1:
        return several
    amount = round(price * (count.value if count else 1), 2)
    if amount <= 0:
        return Reading("zero", marked=marked)
    span = spans[0] if len(spans) == 1 else None  # "£40 a week or a year": ask which
    if rates:
        if count is not None and count.unit not in ("each", "x"):
            return several  # "2 sessions at £18 an hour": how long is a session?
        if amount > MAX_YEARLY:
            return Reading("too_much", amount=amount, per=rates[0], marked=marked)
        return Reading("rate", amount=amount, rate=rates[0], per=span or ASK_OVER[rates[0]], marked=marked)
    per, factor = CONVERT.get(span, (span, 1.0)) if span else (None, 1.0)
    total = round(amount * factor, 2)
    if total * _IN_A_YEAR.get(per or "year", 1.0) > MAX_YEARLY:
        return Reading("too_much", amount=amount, per=span, marked=marked)
    worked = count is not None or factor != 1.0
    return Reading("ok", amount=total, per=per, count=count.value if count else None,
                   price=price if worked else None, said_per=span if worked else None, marked=marked)


def money_of(text: str) -> Optional[Tuple[float, Optional[str]]]:
    """'£40 a week' -> (40.0, 'week'); '£100 a month' -> (1200.0, 'year'); '40' -> (40.0, None);
    None unless the words say exactly one cost."""
    reading = read(text)
    return (reading.amount, reading.per) if reading.status == "ok" else None


_OPTION_WORDS = {"1": 1, "one": 1, "first": 1, "1st": 1, "2": 2, "two": 2, "second": 2, "2nd": 2}
_FILLER = {"the", "number", "option", "please", "it", "is", "its", "i", "think", "choose", "pick", "that", "one"}


def period_of(parse: Any) -> Optional[str]:
    """At "Is that £40 a week or a year?": the period chosen, from a button, the words, or 1 or 2."""
    value = parse.entities.get("value")
    if value in SPANS or value in RATES:
        return value
    prepared = _prepare(parse.text)
    words = re.sub(r"[^\w ]+", " ", unicodedata.normalize("NFKC", str(parse.text)).lower()).split()
    kinds = set(_periods(prepared)[0])
    if not kinds and len(words) <= 3:  # "weeks", "the year": a bare word only in a short reply, not in a sentence
        kinds = set(_BARE_PERIOD.findall(prepared))
    if len(kinds) == 1:
        return kinds.pop()
    left = [w for w in words if w not in _FILLER] or words[-1:]
    if len(left) == 1 and left[0] in _OPTION_WORDS:
        return {1: "week", 2: "year"}[_OPTION_WORDS[left[0]]]
    return None


def count_of(text: str, rate: str) -> Optional[Tuple[float, Optional[str]]]:
    """At "about how many hours a week?": the number, and the span if one is said ("3 a month")."""
    prepared = _prepare(text)
    periods, rest = _periods(prepared)
    if any(p in RATES and p != rate for p in periods):
        return None  # "3 hours a day" to "how many days?": ask again rather than guess
    spans = list(dict.fromkeys(p for p in periods if p in SPANS))
    span = spans[0] if len(spans) == 1 else None
    tokens = _tokens(rest)
    if not tokens and rate in ("day", "night") and re.search(rf"\b(?:every|each) {rate}\b|\b{rate}ly\b|\bdaily\b",
                                                             prepared):
        return 7.0, "week"  # "every day"
    if len(tokens) != 1 or tokens[0].marked or tokens[0].negative or not 0 < tokens[0].value <= MAX_COUNT:
        return None
    if tokens[0].unit in RATES and tokens[0].unit != rate:
        return None  # "3 hours" to "how many days?"
    return tokens[0].value, span


def completed(value: Dict[str, Any], per: str) -> Dict[str, Any]:
    """A bare amount (pending, asked "a week or a year?") with the period now chosen."""
    amount = float(value["amount"])
    if per in RATES:
        return {"amount": amount, "rate": per, "over": ASK_OVER[per]}
    stored, factor = CONVERT.get(per, (per, 1.0))
    out: Dict[str, Any] = {"amount": round(amount * factor, 2), "per": stored}
    if factor != 1.0 or value.get("count") is not None:
        out.update(price=value.get("price", amount), said_per=per)
        if value.get("count") is not None:
            out["count"] = value["count"]
    return out


def counted(value: Dict[str, Any], count: float, span: Optional[str]) -> Dict[str, Any]:
    """A price (pending, asked "how many hours a week?") times the number said."""
    said = span or value.get("over") or "week"
    stored, factor = CONVERT.get(said, (said, 1.0))
    price = float(value["amount"])
    return {"amount": round(price * count * factor, 2), "per": stored, "count": count, "price": price,
            "said_per": value["rate"]}


def too_much(value: Dict[str, Any]) -> bool:
    per = value.get("per") or "year"
    return float(value["amount"]) * _IN_A_YEAR.get(per, 1.0) > MAX_YEARLY


def recorded(value: Dict[str, Any]) -> Dict[str, Any]:
    """The slot's value: just the amount and "week" or "year" (what summary/ and export/ read)."""
    return {"amount": float(value["amount"]), "per": value["per"]}
