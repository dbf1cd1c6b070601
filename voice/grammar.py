"""What the person may say next, and what each phrase sends to the text conversation.

Built from the question payload (DESIGN.md, "A turn, as data"): the options' labels and
values, the numbers, and the commands. A phrase that names one option sends that option's
button payload; a number sends "2"; a command sends its words, as a typed turn would.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rapidfuzz import fuzz

from bank import default_bank
from bank.commands import default_registry

# Command -> (what is sent to the chat, phrases that say it), from the registry
# (data/commands/commands.yml), with the yes and no of a confirmation ("affirm", "deny").
# "go back" is the one PocketSphinx missed in early trials; its short forms are there so one
# of them gets through.
COMMANDS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    c.name: (c.voice_send, c.voice.phrases) for c in default_registry().commands if c.voice and c.kind != "voice"}
# The voice layer's own commands ("slower", "faster"), never sent to Rasa.
RATE_COMMANDS = {c.name: c.voice.phrases for c in default_registry().of_kind("voice")}
# Words people use for a level of need; sent as words, so the text conversation confirms them.
NEED_PHRASES = {
    0: ("no help", "no help needed", "none", "i do it myself"),
    1: ("a little help", "a bit of help", "some help", "sometimes"),
    2: ("a lot of help", "most days", "help most days", "most of the time"),
    3: ("help all the time", "every time", "someone does it all"),
}
# Steps that ask for a code and PIN: typed on the keyboard (a spoken PIN could be overheard,
# and would be written into the conversation's record), so speech then only takes "carry on".
KEYBOARD_STEPS = ("save_for_later", "delete_saved")
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth"]
MAX_NUMBERED = 12


def number_words(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + (f" {_UNITS[unit]}" if unit else "")
    return " ".join(_UNITS[int(d)] for d in str(n))


def normalise(text: str) -> str:
    """Words a recogniser can have in its vocabulary: lower case, digits spelled out, no marks."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("&", " and ")
    text = re.sub(r"£\s*(\d+)", r"\1 pounds", text)
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text)
    text = re.sub(r"[^a-z' ]+", " ", text)
    return " ".join(w.strip("'") for w in text.split() if w.strip("'"))


@dataclass
class Option:
    value: str
    label: str
    payload: str


@dataclass
class Expectation:
    """What the bot is waiting for: numbered options, other buttons, or free words."""

    question_id: Optional[str] = None
    options: List[Option] = field(default_factory=list)
    extras: List[Option] = field(default_factory=list)  # buttons that are not the question's options
    keyboard: Optional[str] = None  # "save_for_later" or "delete_saved": a PIN is typed, never spoken

    @property
    def free(self) -> bool:
        return not self.options and not self.extras

    @property
    def yes_no(self) -> bool:
        return {o.value for o in self.options} == {"yes", "no"}


def _list(value: Any) -> List[Any]:
    """A reply's list field, or nothing: the messages can come from a client (POST /api/voice/reply)."""
    return value if isinstance(value, list) else []


def expectation(messages: Sequence[Dict[str, Any]]) -> Expectation:
    """From one bot turn (Rasa's REST shape): the question payload's options, else the buttons."""
    payload, keyboard = None, None
    buttons: List[Option] = []
    for m in messages:
        custom = m.get("custom") if isinstance(m, dict) else None
        if isinstance(custom, dict) and custom.get("type") == "question":
            payload = custom
        if isinstance(custom, dict) and custom.get("type") in KEYBOARD_STEPS:
            keyboard = custom["type"]
        for b in _list(m.get("buttons")) if isinstance(m, dict) else []:
            if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str):
                buttons.append(Option(value=b["payload"], label=b["title"], payload=b["payload"]))
    if keyboard is not None:
        return Expectation(keyboard=keyboard)
    if payload is None:
        return Expectation(options=buttons)
    options = [Option(str(o.get("value", "")), str(o.get("label", "")), str(o.get("payload", "")))
               for o in _list(payload.get("options")) if isinstance(o, dict) and o.get("payload")]
    labels = {o.label for o in options}
    extras = [b for b in buttons if b.label not in labels]
    return Expectation(question_id=payload.get("id"), options=options, extras=extras)


@dataclass
class Meaning:
    """What a recognised phrase means: words to send to the chat, or a voice-layer command."""

    kind: str  # "option", "number", "command", "rate", "words"
    send: Optional[str]  # the chat message; None for rate commands
    said: str  # the phrase as heard
    understood: str  # what Steer understood, in words for the echo ("A little help on some days")
    command: Optional[str] = None


class Grammar:
    """The phrases for one expectation, and how each maps to a message."""

    def __init__(self, expect: Expectation) -> None:
        self.expect = expect
        self.meanings: Dict[str, Meaning] = {}
        self._build()

    def _add(self, phrase: str, meaning: Meaning) -> None:
        phrase = normalise(phrase)
        if not phrase:
            return
        known = self.meanings.get(phrase)
        if known is None:
            self.meanings[phrase] = meaning
        elif known.kind == "option" and meaning.kind == "option" and known.send != meaning.send:
            # Two options share these words: send the words and let the conversation ask.
            self.meanings[phrase] = Meaning("words", phrase, phrase, phrase)

    def _option_phrases(self, index: int, option: Option) -> List[str]:
        phrases = [option.label]
        if option.value and not option.value.startswith("/"):
            phrases.append(option.value.replace("_", " "))
        question = default_bank().question(self.expect.question_id) if self.expect.question_id else None
        bank_option = question.option(option.value) if question is not None else None
        if bank_option is not None:
            phrases += [bank_option.label.plain, bank_option.label.easy_read]
        return phrases

    def _build(self) -> None:
        options = self.expect.options or []
        for index, option in enumerate(options):
            meaning = Meaning("option", option.payload, "", option.label)
            for phrase in self._option_phrases(index, option):
                self._add(phrase, meaning)
        for extra in self.expect.extras:
            self._add(extra.label, Meaning("option", extra.payload, "", extra.label))
        in_bank = bool(self.expect.question_id and default_bank().question(self.expect.question_id))
        for n, option in enumerate(options[:MAX_NUMBERED], start=1):
            # A bank question's own numbering is the text conversation's: "2" works there. Elsewhere
            # (the check of answers, where "2" means question 2) the number is the voice list's own.
            meaning = Meaning("number", str(n) if in_bank else option.payload, "", option.label)
            words = number_words(n)
            for phrase in (words, f"number {words}", f"option {words}", f"answer {words}",
                           f"the {_ORDINALS[n]} one", _ORDINALS[n]):
                self._add(phrase, meaning)
        for command, (send, phrases) in COMMANDS.items():
            for phrase in phrases:
                self._add(phrase, Meaning("command", send, "", send, command=command))
        for rate, phrases in RATE_COMMANDS.items():
            for phrase in phrases:
                self._add(phrase, Meaning("rate", None, "", rate, command=rate))
        question = default_bank().question(self.expect.question_id) if self.expect.question_id else None
        if question is not None and not self.expect.yes_no:
            for need, phrases in NEED_PHRASES.items():
                if any(getattr(o, "need", None) == need for o in question.options):
                    for phrase in phrases:
                        self._add(phrase, Meaning("words", phrase, "", phrase))

    @property
    def phrases(self) -> List[str]:
        return list(self.meanings)

    def meaning(self, heard: str) -> Optional[Meaning]:
        """The meaning of a recognised phrase; near misses (a dropped word) match at 90 or more."""
        said = normalise(heard)
        if not said:
            return None
        found = self.meanings.get(said)
        if found is None:
            best, score = None, 0.0
            for phrase, meaning in self.meanings.items():
                s = fuzz.ratio(said, phrase)
                if s > score:
                    best, score = meaning, s
            found = best if score >= 90 else None
        if found is None:
            return None
        return Meaning(found.kind, found.send, said, found.understood, found.command)


def free_meaning(heard: str) -> Optional[Meaning]:
    """Free dictation: the words as typed, except the voice layer's own slower / faster."""
    said = " ".join(heard.split())
    if not said:
        return None
    plain = normalise(said)
    for rate, phrases in RATE_COMMANDS.items():
        if plain in phrases:
            return Meaning("rate", None, plain, rate, command=rate)
    return Meaning("words", said, said, said)
