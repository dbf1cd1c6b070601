"""Steer's own words (data/content/*.yml), picked by reading level and voice."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Union

import yaml

from bank.commands import COMMANDS_FILE, default_registry

CONTENT = Path(__file__).resolve().parent.parent / "data" / "content"
MESSAGES = CONTENT / "messages.yml"
LEVELS = ("plain", "easy_read")
VOICES = ("self", "other")

Words = Union[str, List[str]]


class ContentError(ValueError):
    """A problem in a words file, naming the file and the key."""


def check(key: str, node: Any, path: Path) -> None:
    """Words, a list of lines, or a split by reading level or voice; else a ContentError naming the key."""
    if isinstance(node, str) or (isinstance(node, list) and node and all(isinstance(x, str) for x in node)):
        return
    if isinstance(node, dict) and set(node) in (set(LEVELS), set(VOICES)):
        for part, value in node.items():
            check(f"{key}.{part}", value, path)
        return
    raise ContentError(f"{path}: '{key}' must be words, a list of lines, or split by plain/easy_read or self/other")


def load_words(path: Path) -> Dict[str, Any]:
    """One words file (here, or the summary's), checked key by key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ContentError(f"{path}: cannot be read as YAML: {err}") from None
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping of message keys")
    for key, node in data.items():
        check(key, node, path)
    return data


@cache
def messages() -> Dict[str, Any]:
    """Every file in data/content/ (messages.yml, plan.yml, ...) and the commands' own words
    (data/commands/commands.yml) as one set of keys."""
    merged: Dict[str, Any] = {}
    files = [(path, load_words(path)) for path in sorted(CONTENT.glob("*.yml"))]
    files += [(COMMANDS_FILE, c.words) for c in default_registry().commands]
    for path, words in files:
        for key, node in words.items():
            check(key, node, path)
            if key in merged:
                raise ContentError(f"{path}: '{key}' is also used in another words file")
            merged[key] = node
    return merged


def pick(node: Any, level: str, voice: str) -> Words:
    if isinstance(node, dict) and "plain" in node:
        node = node["easy_read" if level == "easy_read" else "plain"]
    if isinstance(node, dict) and "self" in node:
        node = node["other" if voice == "other" else "self"]
    return node


def say(key: str, level: str = "plain", voice: str = "self", **fields: Any) -> Words:
    """The words for `key`, with {fields} filled in. Lists stay lists (one line each)."""
    node = pick(messages()[key], level, voice)
    if isinstance(node, list):
        return [line.format(**fields) for line in node]
    return node.format(**fields)


def say_text(key: str, level: str = "plain", voice: str = "self", **fields: Any) -> str:
    words = say(key, level, voice, **fields)
    return " ".join(words) if isinstance(words, list) else words
