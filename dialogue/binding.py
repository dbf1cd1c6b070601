"""Which question a message was meant for, so an answer never lands on another question.

Every button a question shows carries the question's "ask key" (`"q"` in its payload), and the
page and the voice layer send the ask key of the question the person last saw with typed or
spoken words (`metadata.question`). A double tap, a retry after a slow reply, a second tab or
an old button further up the transcript then names a question that is no longer being asked,
and the turn handlers say so instead of recording it against the question asked now.

The ask key is the slot, except in the support plan's spending steps, which repeat once per
item: there it also names the item ("plan_spend_more.2"), so a "Yes" pressed twice at
"add something else?" does not answer the next item's question too.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from dialogue.plan_flow import SPENDING
from dialogue.understand import Parse

# Messages whose meaning depends on which question is being asked. Every other command
# (repeat, stop, easier words, save ...) means the same whatever the person was looking at.
POSITIONAL_INTENTS = frozenset({"answer", "affirm", "deny", "go_back", "skip", "change", "review_ok"})


def ask_key(slot: str, slots: Dict[str, Any]) -> str:
    if slot in SPENDING:
        return f"{slot}.{len(slots.get('plan_items') or []) + 1}"
    return slot


def meant_for(parse: Parse) -> Optional[str]:
    """The ask key the message names: a button's own, else the question the sender last showed."""
    if parse.is_payload:
        named = parse.entities.get("q")
        return named if isinstance(named, str) else None
    return parse.seen


def stale_for(parse: Parse, slot: str, slots: Dict[str, Any], positional: bool) -> Optional[str]:
    """The ask key of another question this message was meant for, or None if it is for this one.

    `positional`: whether the message (a command, an answer) means something only for the
    question it was meant for. A message that names no question is taken as meant for this one,
    except an answer button: one that does not say which question it answers is never recorded.
    """
    if not positional:
        return None
    named = meant_for(parse)
    if named is None:
        return "" if parse.is_payload and parse.intent == "answer" else None
    return None if named == ask_key(slot, slots) else named


def slot_of(key: str) -> str:
    """The slot an ask key belongs to ("plan_spend_more.2" -> "plan_spend_more")."""
    return key.split(".", 1)[0]


def bind(payload: str, key: str) -> str:
    """A button's payload with the ask key of the question it is shown with: '/skip' ->
    '/skip{"q":"wash"}'; '/answer{"value":"no_help"}' -> '/answer{"value":"no_help","q":"wash"}'."""
    intent, brace, rest = payload.partition("{")
    entities = json.loads(brace + rest) if brace else {}
    return intent + json.dumps({**entities, "q": key}, separators=(",", ":"))
