"""Every user-facing string Steer has, from one registry, each with where it lives and its level.

To check a new set of strings (voice prompts, a new page), add one function here:

    @source("kiosk")
    def _kiosk() -> Iterable[Text]:
        for name, words in KIOSK_WORDS.items():
            yield Text(f"bot/web/kiosk.py: {name}", fill(words), EASY_READ)

A string shown at both reading levels is checked as easy read (the stricter rules). A string
with {fields} is checked with sample values in them (SAMPLES). `linked=True` marks words that
are only ever shown in a question message, which carries glossary links for its hard words
(render.py's "terms"), so a term there needs no explanation in the words themselves.
"""

from __future__ import annotations

import ast
import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

import yaml

from easy_read.rules import EASY_READ, PLAIN

ROOT = Path(__file__).resolve().parent.parent
LEVELS = (PLAIN, EASY_READ)

# Sample values for {fields}, as the actions fill them in.
SAMPLES = {
    "name": "Sam", "total": "26", "n": "7", "count": "4", "number": "7",
    "annual": "£5,400", "weekly": "£104", "amount": "£40", "planned": "£2,080", "budget": "£5,400",
    "per": "a week", "area": "Staying safe", "intro": "These questions are about staying safe.",
    "label": "Help most days", "answer": "No help needed", "title": "Washing and dressing",
    "outcomes": "Looking after yourself, Staying safe", "text": "I like swimming", "item": "Help at home",
    "section": "About me", "said": "some help", "relationship": "her son", "date": "3 March 2025",
    "method": "POST", "allowed": "GET", "term": "direct payment", "left": "£1,200", "over": "£300",
    "yearly": "£2,080", "reason": "I like swimming", "points": "12 points", "reduction": "3 points",
    "done": "20", "version": "1", "heading": "Your plan",
}


@dataclass(frozen=True)
class Text:
    where: str            # "data/content/messages.yml: welcome[2]"
    text: str
    level: str            # EASY_READ or PLAIN
    linked: bool = False  # shown with glossary links (see above)
    own_term: Optional[str] = None  # the glossary term this text explains


Source = Callable[[], Iterable[Text]]
SOURCES: Dict[str, Source] = {}


def source(name: str) -> Callable[[Source], Source]:
    """Register a function that yields every string of one kind (see the module's docstring)."""

    def register(fn: Source) -> Source:
        SOURCES[name] = fn
        return fn

    return register


class _Samples(dict):
    def __missing__(self, key: str) -> str:
        return "it"  # an unknown field still reads as a word


def fill(text: str) -> str:
    """The text with sample values in its {fields}; braces that are not fields stay as they are."""
    return re.sub(r"\{(\w+)\}", lambda m: _Samples(SAMPLES)[m.group(1)], text)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def leveled(where: str, node: Any, level: Optional[str] = None, linked: bool = False) -> Iterator[Text]:
    """Words in Steer's content format: a string, a list of lines, or split by plain/easy_read and
    self/other. Words not split by level are shown at both, so they are checked as easy read.
    A list of lines is shown together (one turn of messages, or one block of a page), so it is
    checked as one message of several lines."""
    if isinstance(node, str):
        yield Text(where, fill(node), level or EASY_READ, linked)
    elif isinstance(node, list):
        yield Text(where, "\n".join(fill(str(line)) for line in node), level or EASY_READ, linked)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from leveled(f"{where}.{key}", value, key if key in LEVELS else level, linked)


@source("question-bank")
def _question_bank() -> Iterator[Text]:
    for path in sorted((ROOT / "data" / "questions").glob("*.yml")):
        data, file = _yaml(path), _rel(path)
        area = data.get("area") or {}
        for key in ("title", "intro"):
            yield from leveled(f"{file}: area.{key}", area.get(key))
        for q in data.get("questions") or []:
            at = f"{file}: {q.get('id')}"
            yield from leveled(f"{at}.title", q.get("title"))
            yield from leveled(f"{at}.text", q.get("text"), linked=True)
            yield from leveled(f"{at}.explain", q.get("explain"))
            for option in q.get("options") or []:
                yield from leveled(f"{at}.options.{option.get('value')}.label", option.get("label"), linked=True)


@source("support-plan")
def _support_plan() -> Iterator[Text]:
    path = ROOT / "data" / "plan" / "plan.yml"
    if not path.exists():
        return
    data, file = _yaml(path), _rel(path)
    yield from leveled(f"{file}: intro", data.get("intro"))
    for step in data.get("steps") or []:
        at = f"{file}: {step.get('id')}"
        yield from leveled(f"{at}.text", step.get("text"), linked=True)
        yield from leveled(f"{at}.explain", step.get("explain"))
        for option in step.get("options") or []:
            yield from leveled(f"{at}.options.{option.get('value')}.label", option.get("label"), linked=True)
            yield from leveled(f"{at}.options.{option.get('value')}.explain", option.get("explain"))


@source("messages")
def _messages() -> Iterator[Text]:
    """Everything the actions say (data/content/*.yml); there are no responses in the Rasa domain."""
    for path in sorted((ROOT / "data" / "content").glob("*.yml")):
        file = _rel(path)
        for key, node in (_yaml(path) or {}).items():
            yield from leveled(f"{file}: {key}", node)


@source("commands")
def _commands() -> Iterator[Text]:
    """The command registry's words: its help sentences, button labels and its own messages."""
    path = ROOT / "data" / "commands" / "commands.yml"
    file = _rel(path)
    for command in (_yaml(path) or {}).get("commands") or []:
        at = f"{file}: {command.get('name')}"
        yield from leveled(f"{at}.help", command.get("help"))
        button = command.get("button") or {}
        yield from leveled(f"{at}.button", {level: button[level] for level in LEVELS if level in button} or None)
        for key, node in (command.get("words") or {}).items():
            yield from leveled(f"{at}.words.{key}", node)


@source("summary")
def _summary() -> Iterator[Text]:
    path = ROOT / "summary" / "words.yml"
    if path.exists():
        for key, node in (_yaml(path) or {}).items():
            yield from leveled(f"{_rel(path)}: {key}", node)


def _constants(path: Path) -> Iterator[tuple]:
    """Module-level NAME = "words" in a Python file, read without importing it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            value = node.value.value if isinstance(node.value, ast.Constant) else None
            # Words, not settings: "gmw/en" and "vosk-model-small-en-us-0.15" are names of things.
            if name.isupper() and isinstance(value, str) and re.search(r"[^\W\d_]", value) and (
                    " " in value.strip() or re.fullmatch(r"[^\W\d_]+", value)):
                yield name, value


# API replies to people who write code show code ({"pin": "4821"}, Content-Type, sender_id):
# they are checked as plain English with the code taken out, and everything else as easy read.
_CODE = re.compile(r"\{[^{}]*\}|\"[^\"]*\"|\b\w+_\w+\b|\bContent-Type: \S+|\bJSON\b")


def _for_developers(text: str) -> bool:
    return bool(re.search(r"[{\"]|\b(?:JSON|WAV|PCM|Hz|API|HTTP)\b|\b\w+_\w+\b|\brequests?\b", text))


def _words_of_module(path: Path) -> Iterator[Text]:
    """A module's NAME = "words": for people as easy read; for developers as plain, code taken out."""
    for name, words in _constants(path):
        where = f"{_rel(path)}: {name}"
        if _for_developers(words):
            yield Text(where, fill(_CODE.sub("it", words)), PLAIN)
        else:
            yield Text(where, fill(words), EASY_READ)


@source("front-door")
def _front_door() -> Iterator[Text]:
    yield from _words_of_module(ROOT / "bot" / "web" / "wording.py")


# Where the voice layer keeps its own words: speech in and out, `steer voice`, the front door's voice API.
VOICE_MODULES = ("voice/conversation.py", "voice/audio.py", "voice/local.py", "bot/web/voice.py")


@source("voice")
def _voice() -> Iterator[Text]:
    for module in VOICE_MODULES:
        yield from _words_of_module(ROOT / module)


@source("scorer")
def _scorer() -> Iterator[Text]:
    """ras/explain.py's sentences (shown in plain English only), over a spread of made-up results."""
    seen: Dict[str, str] = {}
    for words, label in _made_up_explanations():
        seen.setdefault(words, label)
    for words, label in seen.items():
        yield Text(f"ras/explain.py: explain() for {label}", words, PLAIN)


def _made_up_explanations() -> Iterator[tuple]:
    import ras
    from bank import default_bank
    from ras.explain import Facts, explain
    from ras.table import Band

    table, bank, rng = ras.default_table(), default_bank(), random.Random(7)
    bands = [None, Band(from_points=0, price_per_point=90), Band(from_points=0, annual=12000)]
    for status, reduction, too_low, band in itertools.product(
            ("indicative", "below_floor", "above_ceiling"), (0, 1, 6.5), (False, True), bands):
        before = rng.choice([1, 3, 12, 27.5, 60, 140])
        annual = None if status == "below_floor" else rng.choice([1200, 5400, 18250, 96000])
        weekly = None if annual is None else round(annual / 52.14)
        facts = Facts(status, before, max(before - reduction, 0), reduction, annual, weekly, band, too_low)
        label = f"status={status}, taken off={reduction:g}, may be too low={too_low}, band={_band(band)}"
        yield " ".join(explain(facts, table)), label
    for i in range(40):  # and the real scorer, over made-up answers
        answers = {q.id: rng.choice(q.options).value for q in bank.questions if rng.random() > 0.1}
        result = ras.score(answers, table, bank)
        yield " ".join(result.explanation), f"made-up answers #{i + 1} ({result.status})"


def _band(band) -> str:
    if band is None:
        return "none"
    return "fixed amount" if band.annual is not None else "price per point"


@source("glossary")
def _glossary() -> Iterator[Text]:
    from easy_read.glossary import GLOSSARY_FILE, default_glossary

    for term in default_glossary().terms:
        for level in LEVELS:
            yield Text(f"{_rel(GLOSSARY_FILE)}: {term.id}.{level}", term.explanation(level), level,
                       own_term=term.id)


def all_texts(names: Optional[Iterable[str]] = None) -> Dict[str, List[Text]]:
    """Every registered source's strings, by source name."""
    chosen = list(names) if names else list(SOURCES)
    unknown = [n for n in chosen if n not in SOURCES]
    if unknown:
        raise KeyError(f"unknown sources {unknown}; known: {list(SOURCES)}")
    return {name: list(SOURCES[name]()) for name in chosen}
