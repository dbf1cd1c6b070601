"""Which typed messages may reach Rasa as intent payloads.

Rasa reads any text that starts with "/" as an intent with entities, so a person typing
"/restart" could wipe their conversation. Only the payloads Steer's own buttons send are let
through; everything else that starts with "/" goes on as ordinary words.
"""

from __future__ import annotations

import json
import re
from typing import Any, FrozenSet

from bank.commands import default_registry

# The intents that buttons and the web page may send as "/intent" or "/intent{...}": every
# command of the registry that is an intent, and the forms' own buttons.
FORM_BUTTONS = frozenset({"answer", "choose_plain", "choose_easy_read", "change", "review_ok", "restart_assessment",
                          "start_plan"})
ALLOWED_PAYLOAD_INTENTS: FrozenSet[str] = FORM_BUTTONS | frozenset(default_registry().intents)

_PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z_][A-Za-z0-9_]*)(?P<entities>\{.*\})?", re.DOTALL)
_ENTITY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SIMPLE = (str, int, float, bool, type(None))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _entities(raw: str) -> dict | None:
    """The payload's JSON object, or None when it is not an object of simple values."""
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    for key, item in value.items():
        if not _ENTITY_NAME.fullmatch(key) or not isinstance(item, _SIMPLE):
            return None
    return value


def _valid_text(text: str) -> str:
    # Lone surrogates (from JSON "\ud800") are not text and break UTF-8 storage downstream.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.replace("\x00", "")


def payload(text: str, allowed: FrozenSet[str] = ALLOWED_PAYLOAD_INTENTS) -> str | None:
    """The canonical form of a well-formed, allowed payload, or None if `text` is not one."""
    match = _PAYLOAD.fullmatch(text)
    if not match or match["intent"] not in allowed:
        return None
    if match["entities"] is None:
        return f"/{match['intent']}"
    entities = _entities(match["entities"])
    if entities is None:
        return None
    if not entities:
        return f"/{match['intent']}"
    # One line, no spaces: Rasa's own pattern does not read entities across line breaks.
    return f"/{match['intent']}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def clean_message(text: str, allowed: FrozenSet[str] = ALLOWED_PAYLOAD_INTENTS) -> str:
    """The text to send to Rasa: an allowed payload as it is, anything else as plain words.

    Rasa strips the text before it looks for "/", so this does too.
    """
    text = _valid_text(text).strip()
    if not text.startswith("/"):
        return text
    canonical = payload(text, allowed)
    if canonical is not None:
        return canonical
    while text.startswith("/"):  # "/ /restart" must not become "/restart"
        text = text.lstrip("/").strip()
    return text
