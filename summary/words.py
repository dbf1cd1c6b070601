"""The summary's own words (summary/words.yml), picked by reading level and voice."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Dict, List

from dialogue.content import load_words, pick

WORDS_FILE = Path(__file__).resolve().parent / "words.yml"


@cache
def all_words() -> Dict[str, Any]:
    return load_words(WORDS_FILE)


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
