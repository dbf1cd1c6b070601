"""Run the rules over every registered source, minus the exceptions (easy_read/exceptions.yml).

An exception names a rule, optionally what it is about (a word, a term id) and where it
applies (a pattern over locations, like "summary/words.yml: *"), and always a reason. One that
no longer matches anything is reported too, so the list stays short and true.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

from easy_read.rules import RULES, Problem, check
from easy_read.sources import Text, all_texts

EXCEPTIONS_FILE = Path(__file__).resolve().parent / "exceptions.yml"


class ExceptionsError(ValueError):
    """A problem in the exceptions file, naming the file and the entry."""


@dataclass(frozen=True)
class Exception_:
    rule: str
    reason: str
    about: Tuple[str, ...] = ()
    where: Tuple[str, ...] = ("*",)
    index: int = 0

    def covers(self, text: Text, problem: Problem) -> bool:
        return (problem.rule == self.rule and any(fnmatch.fnmatchcase(text.where, w) for w in self.where)
                and (not self.about or problem.about.lower() in self.about))

    def __str__(self) -> str:
        about = f" about {', '.join(self.about)}" if self.about else ""
        return f"exceptions[{self.index}] ({self.rule}{about}, where {', '.join(self.where)})"


def _words(value: Any, where: str) -> List[str]:
    value = [] if value is None else [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ExceptionsError(f"{where} must be words or a list of them")
    return value


def load_exceptions(path: Path = EXCEPTIONS_FILE) -> List[Exception_]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ExceptionsError(f"{path}: cannot be read as YAML: {err}") from None
    out = []
    for i, raw in enumerate(data.get("exceptions") or []):
        where = f"{path}: exceptions[{i}]"
        if not isinstance(raw, dict) or set(raw) - {"rule", "about", "where", "reason"}:
            raise ExceptionsError(f"{where}: expected rule, about, where and reason")
        if raw.get("rule") not in RULES:
            raise ExceptionsError(f"{where}: 'rule' must be one of {sorted(RULES)}")
        reason = raw.get("reason")
        if not isinstance(reason, str) or len(reason.split()) < 4:
            raise ExceptionsError(f"{where}: every exception needs a 'reason' in words")
        about, places = _words(raw.get("about"), f"{where}: 'about'"), _words(raw.get("where"), f"{where}: 'where'")
        out.append(Exception_(raw["rule"], " ".join(reason.split()), tuple(a.lower() for a in about),
                              tuple(places) or ("*",), i))
    return out


@dataclass
class Failure:
    text: Text
    problem: Problem


@dataclass
class Report:
    checked: Dict[str, int] = field(default_factory=dict)       # strings per source
    failures: List[Failure] = field(default_factory=list)
    excused: Dict[int, int] = field(default_factory=dict)       # exception index -> problems it covers
    exceptions: List[Exception_] = field(default_factory=list)

    @property
    def unused(self) -> List[Exception_]:
        return [e for e in self.exceptions if not self.excused.get(e.index)]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.unused


def _together(name: str, texts: List[Text]) -> Iterable[Tuple[str, Text]]:
    """All of a source's strings at one level as one passage: Flesch is a measure of running
    text, so this also holds the strings too short to measure alone (labels, titles) to it."""
    for level in ("plain", "easy_read"):
        lines = [t.text.strip() for t in texts if t.level == level and t.text.strip()]
        if lines:
            passage = "\n".join(line if line[-1] in ".?!:" else line + "." for line in lines)
            yield level, Text(f"{name}: all {len(lines)} {level.replace('_', ' ')} strings together", passage, level)


def run(sources: Optional[Iterable[str]] = None, exceptions: Optional[List[Exception_]] = None) -> Report:
    exceptions = load_exceptions() if exceptions is None else exceptions
    report = Report(exceptions=exceptions)
    for name, texts in all_texts(sources).items():
        report.checked[name] = len(texts)
        for text in texts:
            for problem in check(text.text, text.level, linked=text.linked, own_term=text.own_term):
                cover = next((e for e in exceptions if e.covers(text, problem)), None)
                if cover is None:
                    report.failures.append(Failure(text, problem))
                else:
                    report.excused[cover.index] = report.excused.get(cover.index, 0) + 1
        for level, together in _together(name, texts):
            for problem in check(together.text, level, linked=True):
                if problem.rule == "reading_ease":
                    report.failures.append(Failure(together, problem))
    if sources:  # a partial run cannot tell whether an exception is still needed
        report.exceptions = [e for e in exceptions if report.excused.get(e.index)]
    return report
