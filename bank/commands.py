"""The command registry (data/commands/commands.yml): every command once, loaded and checked.

A command is anything a person can say at any point ("go back", "save for later", "what can I
say?"), and the yes/no of a confirmation. `steer build-rasa` makes Rasa's intents, training
examples and routing rules from this file; the understanding (dialogue/understand.py), the
payload allow-list (bot/payloads.py), the voice grammar (voice/grammar.py), the page's command
buttons and the help reply all read it. The file's format is in data/commands/README.md.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from pydantic import ValidationError, validator

from bank.load import ROOT, BankError, explain_validation
from bank.model import ByLevel, Strict, _snake
from bank.yaml_text import read_yaml

COMMANDS_FILE = ROOT / "data" / "commands" / "commands.yml"
FORMS = ("saq", "plan", "finished")  # the assessment (with its setup), the support plan, and after the budget
KINDS = ("command", "reply", "voice")  # reply: yes/no to a confirmation; voice: handled by the voice layer


class CommandError(BankError):
    """A problem in the command registry, naming the file, the command and the field."""


class Effect(Strict):
    """What a simple command does, as data: slots it sets, words it says, a box the page shows."""

    set: Dict[str, Any] = {}
    say: Optional[str] = None
    show: Optional[str] = None  # a custom message type the page acts on ("save_for_later": the PIN box)


class Button(Strict):
    plain: str
    easy_read: str
    icon: str  # a file in bot/web/static/symbols/


class Voice(Strict):
    send: Optional[str] = None  # what the voice layer sends to the chat; the first phrase when unset
    phrases: Tuple[str, ...]


class Command(Strict):
    name: str
    kind: str = "command"
    # The name of a handler in dialogue/commands.py, or an Effect for the simple ones.
    does: Union[str, Effect, None] = None
    forms: Tuple[str, ...] = FORMS
    guess: bool = True  # at a graded question, the classifier's guess alone may mean this command
    button: Optional[Button] = None
    help: Optional[ByLevel] = None  # one sentence of the help reply
    phrases: Tuple[str, ...] = ()  # regular expressions, checked in the file's order
    broad_phrases: Tuple[str, ...] = ()  # checked only after every command's phrases
    voice: Optional[Voice] = None
    examples: Tuple[str, ...] = ()  # training examples: a command with examples is a Rasa intent
    words: Dict[str, Any] = {}  # its own message keys, as in data/content/ (dialogue/content.py)

    _name = validator("name", allow_reuse=True)(_snake)

    @validator("kind")
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"must be one of {', '.join(KINDS)}")
        return value

    @validator("forms", each_item=True)
    def _form(cls, value: str) -> str:
        if value not in FORMS:
            raise ValueError(f"'{value}' is not a form: use {', '.join(FORMS)}")
        return value

    @validator("phrases", "broad_phrases", each_item=True)
    def _pattern(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"'{value}' is not a regular expression: {err}") from None
        return value

    @property
    def is_intent(self) -> bool:
        """A Rasa intent (and so a button payload, "/name"): it has training examples."""
        return bool(self.examples) and self.kind != "voice"

    @property
    def voice_send(self) -> Optional[str]:
        return None if self.voice is None else self.voice.send or self.voice.phrases[0]


class Registry(Strict):
    commands: Tuple[Command, ...]

    @validator("commands")
    def _unique(cls, commands: Tuple[Command, ...]) -> Tuple[Command, ...]:
        seen = set()
        for command in commands:
            if command.name in seen:
                raise ValueError(f"'{command.name}' is listed twice")
            seen.add(command.name)
        return commands

    def get(self, name: str) -> Optional[Command]:
        return next((c for c in self.commands if c.name == name), None)

    def of_kind(self, kind: str) -> List[Command]:
        return [c for c in self.commands if c.kind == kind]

    @property
    def names(self) -> Tuple[str, ...]:
        """The commands proper (not yes/no, not the voice layer's own)."""
        return tuple(c.name for c in self.of_kind("command"))

    @property
    def intents(self) -> List[str]:
        return [c.name for c in self.commands if c.is_intent]

    def in_form(self, form: str) -> List[Command]:
        return [c for c in self.of_kind("command") if form in c.forms]


def load_registry(path: Path = COMMANDS_FILE) -> Registry:
    raw = read_yaml(path, CommandError)
    if not isinstance(raw, dict):
        raise CommandError(f"{path}: expected 'commands:' and a list of commands at the top")
    try:
        return Registry.parse_obj(raw)
    except ValidationError as err:
        raise CommandError(explain_validation(path, raw, err, items="commands", noun="command")) from None


@cache
def default_registry() -> Registry:
    return load_registry()
