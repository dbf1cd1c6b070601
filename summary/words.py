"""The summary's own words (summary/words.yml), picked by reading level and voice."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Union

import yaml

WORDS_FILE = Path(__file__).resolve().parent / "words.yml"
LEVELS = ("plain", "easy_read")
VOICES = ("self", "other")

Said = Union[str, List[str]]


class WordsError(ValueError):
    """A problem in summary/words.yml, naming the key."""


def _check(key: str, node: Any) -> None:
    if isinstance(node, str) or (isinstance(node, list) and node and all(isinstance(x, str) for x in node)):
        return
    if isinstance(node, dict) and set(node) in (set(LEVELS), set(VOICES)):
        for part, value in node.items():
            _check(f"{key}.{part}", value)
        return
    raise WordsError(f"{WORDS_FILE}: '{key}' must be words, a list of lines, or split by plain/easy_read or self/other")


@cache
def all_words() -> Dict[str, Any]:
    try:
        data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise WordsError(f"{WORDS_FILE}: cannot be read as YAML: {err}") from None
    if not isinstance(data, dict):
        raise WordsError(f"{WORDS_FILE}: expected a mapping of keys")
    for key, node in data.items():
        _check(key, node)
    return data


def pick(node: Any, level: str, voice: str) -> Said:
    if isinstance(node, dict) and "plain" in node:
        node = node["easy_read" if level == "easy_read" else "plain"]
    if isinstance(node, dict) and "self" in node:
        node = node["other" if voice == "other" else "self"]
    return node


class Words:
    """The words for one summary: its reading level, its voice and the person's name."""

    def __init__(self, level: str, voice: str, name: str) -> None:
        self.level = level
        self.voice = voice
        self.name = name

    def lines(self, key: str, **fields: Any) -> List[str]:
        """One string per sentence group (easy read keeps one idea to a line)."""
        said = pick(all_words()[key], self.level, self.voice)
        said = said if isinstance(said, list) else [said]
        return [line.format(name=self.name, **fields) for line in said]

    def __call__(self, key: str, **fields: Any) -> str:
        return " ".join(self.lines(key, **fields))
