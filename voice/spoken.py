"""The bot's replies as words to hear: options read as a numbered list, nothing that needs a screen."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Sequence

from voice.grammar import Expectation, expectation

# Screen words in Steer's messages, and what a listener hears instead.
_SCREEN_WORDS = [
    (re.compile(r"\bone of the buttons\b", re.I), "one of the answers"),
    (re.compile(r"\bchoose a button\b", re.I), "choose an answer"),
    (re.compile(r"\bthe buttons\b", re.I), "the answers"),
    (re.compile(r"\bbuttons?\b", re.I), "answer"),
    (re.compile(r"\bType\b"), "Say"),
    (re.compile(r"\btype\b"), "say"),
    (re.compile(r"\btyped\b"), "said"),
    (re.compile(r"\bclick\b", re.I), "say"),
]


def unscreen(text: str) -> str:
    for pattern, words in _SCREEN_WORDS:
        text = pattern.sub(words, text)
    return text


def _join_or(items: List[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!:" else text + "."


def options_words(expect: Expectation) -> str:
    """'1: No help needed. 2: ... Say 1, 2, 3 or 4, or say the words.' (empty if nothing to choose)."""
    if not expect.options:
        return ""
    if expect.yes_no:
        lines = ["Say yes or no."]
    else:
        lines = [f"{n}: {_sentence(o.label)}" for n, o in enumerate(expect.options, start=1)]
        numbers = [str(n) for n in range(1, len(expect.options) + 1)]
        lines.append(f"Say {_join_or(numbers)}, or say the words.")
    if expect.extras:
        lines.append(f"You can also say: {_join_or([e.label.rstrip('?.').lower() for e in expect.extras])}.")
    return " ".join(lines)


def spoken_parts(messages: Sequence[Dict[str, Any]]) -> List[str]:
    """One piece of speech per message with words; the options go after the question's words."""
    parts: List[str] = []
    expect = expectation(messages)
    # "Type your code and PIN" stays "type": a PIN is never to be said out loud (grammar.KEYBOARD_STEPS).
    listener = (lambda line: line) if expect.keyboard else unscreen
    for m in messages:
        text = m.get("text") if isinstance(m, dict) else None
        if isinstance(text, str) and text.strip():
            parts.append(" ".join(listener(line).strip() for line in text.splitlines() if line.strip()))
    choices = options_words(expect)
    if choices:
        if parts:
            parts[-1] = f"{_sentence(parts[-1])} {choices}"
        else:
            parts.append(choices)
    return parts
