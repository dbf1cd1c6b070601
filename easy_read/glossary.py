"""The glossary (easy_read/glossary.yml): hard words, found in Steer's words and in people's questions.

Pure Python and YAML only: the action server uses it on every turn, so no spaCy here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Pattern, Tuple

import yaml

GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.yml"
LEVELS = ("plain", "easy_read")
MOST_SENTENCES = 2
_FIELDS = {"id", "term", "also", "acronyms", "asked_as", "search", "easy_read", "plain"}


class GlossaryError(ValueError):
    """A problem in the glossary file, naming the file and the term."""


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    easy_read: str
    plain: str
    forms: Tuple[str, ...] = ()      # searched in Steer's words, without case
    acronyms: Tuple[str, ...] = ()   # searched with case
    asked_as: Tuple[str, ...] = ()   # only in a person's question

    def explanation(self, level: str) -> str:
        return self.easy_read if level == "easy_read" else self.plain

    def payload(self) -> str:
        return "/explain" + json.dumps({"term": self.id}, separators=(",", ":"))


@dataclass(frozen=True)
class Found:
    """One use of a term in a text: where it is, and the words as written."""

    term: Term
    start: int
    end: int
    text: str


def _pattern(forms: Iterable[str], flags: int) -> Optional[Pattern[str]]:
    forms = sorted(set(forms), key=len, reverse=True)  # "self-assessment" before "assessment"
    if not forms:
        return None
    alternatives = "|".join(r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", f)) for f in forms)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)


# A person's question about a word: "what does direct payment mean", "what's a support plan",
# "explain indicative", "I don't understand broker". The cue must come right before the word
# (only little words between), so "what is important to me is my PA" is an answer, not a question.
_LEAD = r"(?:(?:sorry|ok|okay|so|and|but|um|erm|er|hmm|hi|hello|please|excuse me|can you|could you|will you)[\s,]+)*"
_CUE = (
    r"(?:what|whats|what's|what is|what are|what does|what do|what did|who is|who's|whos|who are|explain|define|"
    r"meaning of|tell me about|tell me what|what do you mean by|what is meant by|what's meant by|"
    r"(?:i )?(?:don't|dont|do not) (?:know|understand|get)(?: what)?|(?:i'm |i am )?not sure (?:what|about)|"
    r"(?:i'm |i am )?confused (?:by|about)|help me understand|more about)"
)
_FILLER = r"(?:a|an|the|word|words|term|is|are|does|do|by|this|that|my|your|a bit|me|you|it|about|of|exactly|actually)"
_ASKED_BEFORE = re.compile(rf"^{_LEAD}{_CUE}(?:[\s,]+{_FILLER})*[\s\"'“‘]*$")
_ASKED_AFTER = re.compile(
    r"^[\s\"'”’]*(?:(?:mean|means|meaning|is|are|stand for|stands for|exactly|actually|please|again|then)\b[\s]*)*"
    r"(?:$|[?!.,;:-]|and\b|or\b|then\b|what'?s that|what is that|means what)"
)
_THAT_ALONE = re.compile(r"^[\s,.-]*(?:what'?s that|what is that|what does that mean|meaning|means what)[\s?.!]*$")


def _light(text: str) -> str:
    text = re.sub(r"[’‘`]", "'", text.lower())
    return " ".join(text.replace("“", '"').replace("”", '"').split())


class Glossary:
    def __init__(self, terms: List[Term]) -> None:
        self.terms = terms
        self.by_id: Dict[str, Term] = {t.id: t for t in terms}
        owner: Dict[str, Term] = {}
        for t in terms:
            for form in (t.term, *t.forms, *t.acronyms, *t.asked_as):  # a person may use any of them
                owner[form.lower()] = t
        self._owner = owner
        self._words = _pattern([f for t in terms for f in t.forms], re.IGNORECASE)
        self._acronyms = _pattern([a for t in terms for a in t.acronyms], 0)
        self._asked = _pattern(owner, re.IGNORECASE)

    def term(self, term_id: str) -> Optional[Term]:
        return self.by_id.get(term_id)

    def find(self, text: str) -> List[Found]:
        """Every use of a term in Steer's own words, in order, longest form first, none overlapping."""
        hits: List[Found] = []
        for rx in (self._words, self._acronyms):
            if rx is None:
                continue
            hits += [Found(self._lookup(m.group(0)), m.start(), m.end(), m.group(0)) for m in rx.finditer(text)]
        hits.sort(key=lambda f: (f.start, -(f.end - f.start)))
        out: List[Found] = []
        for hit in hits:
            if not out or hit.start >= out[-1].end:
                out.append(hit)
        return out

    def _lookup(self, words: str) -> Term:
        key = words.lower()
        if key in self._owner:
            return self._owner[key]
        spaced = re.sub(r"[\s-]+", " ", key)
        for form, term in self._owner.items():
            if re.sub(r"[\s-]+", " ", form) == spaced:
                return term
        raise KeyError(words)

    def terms_in(self, *texts: str) -> List[Term]:
        """The terms used in these texts, each once, in order of first use."""
        seen: Dict[str, Term] = {}
        for text in texts:
            for found in self.find(text or ""):
                seen.setdefault(found.term.id, found.term)
        return list(seen.values())

    def named_in(self, text: str) -> Optional[Term]:
        """The first term a person's message names (any form, any case), or None."""
        if self._asked is None:
            return None
        found = self._asked.search(_light(text))
        return self._lookup(found.group(0)) if found else None

    def asked_about(self, text: str, bare: bool = False) -> Optional[Term]:
        """The term a person asks about ("what is a direct payment?"), or None if they do not ask.

        bare: also take a term on its own ("indicative?"); only where no answer is expected.
        """
        said = _light(text)
        if self._asked is None or len(said) > 200:
            return None
        for found in self._asked.finditer(said):
            before, after = said[: found.start()].strip(), said[found.end():]
            asked = _ASKED_BEFORE.match(before) and _ASKED_AFTER.match(after)
            alone = not before and (_THAT_ALONE.match(after) or (bare and not after.strip(" ?.!")))
            if asked or alone:
                return self._lookup(found.group(0))
        return None


def _strings(path: Path, where: str, value: Any, required: bool = False) -> Tuple[str, ...]:
    if value is None and not required:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise GlossaryError(f"{path}: {where} must be a list of words")
    return tuple(v.strip() for v in value)


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s])


def _term(path: Path, raw: Any, index: int) -> Term:
    if not isinstance(raw, dict):
        raise GlossaryError(f"{path}: terms[{index}] must be a mapping")
    term_id = raw.get("id")
    where = f"term '{term_id}'" if term_id else f"terms[{index}]"
    if not isinstance(term_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", term_id):
        raise GlossaryError(f"{path}: {where}: 'id' must be snake_case")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise GlossaryError(f"{path}: {where}: unknown fields {sorted(unknown)}")
    for key in ("term", *LEVELS):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise GlossaryError(f"{path}: {where}: '{key}' is missing")
    for level in LEVELS:
        if _sentences(raw[level]) > MOST_SENTENCES:
            raise GlossaryError(f"{path}: {where}: '{level}' must be 1 or 2 sentences")
    acronyms = _strings(path, f"{where}: 'acronyms'", raw.get("acronyms"))
    if "search" in raw:
        forms = _strings(path, f"{where}: 'search'", raw["search"], required=True)
    else:
        own = () if raw["term"] in acronyms else (raw["term"],)
        forms = own + _strings(path, f"{where}: 'also'", raw.get("also"))
    return Term(id=term_id, term=raw["term"].strip(), easy_read=raw["easy_read"].strip(), plain=raw["plain"].strip(),
                forms=forms, acronyms=acronyms, asked_as=_strings(path, f"{where}: 'asked_as'", raw.get("asked_as")))


def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise GlossaryError(f"{path}: cannot be read as YAML: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list) or not data["terms"]:
        raise GlossaryError(f"{path}: expected 'terms:' with a list of terms")
    terms = [_term(path, raw, i) for i, raw in enumerate(data["terms"])]
    seen: Dict[str, str] = {}
    for t in terms:
        for name in (t.id, *(f.lower() for f in (t.term, *t.forms, *t.acronyms, *t.asked_as))):
            key = f"id:{name}" if name == t.id else re.sub(r"[\s-]+", " ", name)
            if key in seen and seen[key] != t.id:
                raise GlossaryError(f"{path}: term '{t.id}': '{name}' is also used by term '{seen[key]}'")
            seen[key] = t.id
    return Glossary(terms)


@cache
def default_glossary() -> Glossary:
    return load_glossary(GLOSSARY_FILE)

