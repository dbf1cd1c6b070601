"""One user turn inside the assessment: the message and the slots in, slot changes and replies out.

Pure (no Rasa), so every rule here is unit-tested. The form asks the next question itself
afterwards (see render.py); this module only decides what the message meant and records it.
The raw text Rasa put in the requested slot is always replaced: by an answer, or by None.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from bank import QuestionBank
from dialogue.binding import ask_key, bind, stale_for
from dialogue.changing import with_change
from dialogue.commands import Form, run_command
from dialogue.content import say_text
from dialogue.flow import REVIEW, REVIEW_DONE, SETUP_SLOTS, counted_slots, previous_slot, question_slots
from dialogue.understand import (
    Parse,
    Reading,
    command_in_own_words,
    command_of,
    number_of,
    read_at_question,
    term_to_explain,
    yes_or_no,
)

Reply = Dict[str, Any]
MAX_NAME = 40
MAX_RELATIONSHIP = 60


@dataclass
class Outcome:
    updates: Dict[str, Any] = field(default_factory=dict)
    replies: List[Reply] = field(default_factory=list)


@dataclass
class Context:
    slot: str
    parse: Parse
    slots: Dict[str, Any]
    bank: QuestionBank
    out: Outcome
    plan: Any = None  # the support-plan bank, in the plan form

    @property
    def level(self) -> str:
        return self.slots.get("reading_level") or "plain"

    @property
    def voice(self) -> str:
        return "other" if self.slots.get("answering_for") == "other" else "self"

    def say(self, key: str, **fields: Any) -> None:
        name = self.slots.get("person_name") or ""
        self.out.replies.append({"text": say_text(key, self.level, self.voice, name=name, **fields)})

    def set(self, **updates: Any) -> None:
        self.out.updates.update(updates)
        self.slots.update(updates)


def handle(slot: str, parse: Parse, slots: Dict[str, Any], bank: QuestionBank) -> Outcome:
    ctx = Context(slot, parse, {**slots, slot: None}, bank, Outcome())
    ctx.set(**{slot: None})
    if ctx.slots.get("paused"):
        ctx.set(paused=False)
    free_text = slot in ("person_name", "relationship")
    question = bank.question(slot)
    # At a graded question the one reading decides (an answer outweighs a guessed command).
    reading = read_at_question(parse, question) if question is not None else None
    command = reading.command if reading is not None else _command(parse, free_text)
    if _stale(ctx, command) or _change_offered(ctx) or _confirming(ctx):
        return ctx.out
    if command and not _command_is_answer(ctx, command):
        run_command(ctx, command, SAQ)
    elif slot in SETUP_SLOTS:
        _setup(ctx)
    elif slot == REVIEW:
        _review(ctx)
    else:
        _question(ctx, reading)
    return ctx.out


def _command(parse: Parse, free_text: bool) -> Optional[str]:
    # Free-text answers (a name) only obey clear command phrases, never the classifier's guess.
    if free_text and not parse.is_payload:
        return command_in_own_words(parse.text)
    return command_of(parse)


def is_positional(parse: Parse, command: Optional[str]) -> bool:
    """Whether the message means something only for the question it was meant for: any button
    shown with a question, an answer in words or numbers, "go back" and "skip"."""
    return parse.is_payload or command in (None, "go_back", "skip")


def question_number(key: str, slots: Dict[str, Any], bank: QuestionBank) -> Optional[int]:
    """"Question n" as the person saw it, for a question of the bank; None for any other step."""
    order = counted_slots(slots, bank)
    return order.index(key) + 1 if key in order else None


def _stale(ctx: Context, command: Optional[str]) -> bool:
    """A message meant for another question: say so, offer it as a change, and record nothing."""
    key = stale_for(ctx.parse, ctx.slot, ctx.slots, is_positional(ctx.parse, command))
    if key is None:
        return False
    old, now = question_number(key, ctx.slots, ctx.bank), question_number(ctx.slot, ctx.slots, ctx.bank)
    if old is None or now is None:
        ctx.say("stale_button")
        return True
    question, value = ctx.bank.question(key), ctx.parse.entities.get("value")
    recorded = ctx.slots.get(key)
    if ctx.parse.intent != "answer" or not isinstance(value, str) or question.option(value) is None:
        ctx.say("stale_answer", old=old, now=now)
    elif recorded == value:
        ctx.say("already_answered", old=old, now=now)
    elif recorded is None:
        ctx.say("stale_answer", old=old, now=now)
    else:  # an older question's other answer: perhaps a change of mind, so ask
        ctx.say("stale_answer", old=old, now=now)
        label = getattr(question.option(value).label, ctx.level)
        here = ask_key(ctx.slot, ctx.slots)
        ctx.out.replies.append({"text": _words(ctx, "offer_change", old=old, label=label), "buttons": [
            {"title": _words(ctx, "option_change_to", old=old),
             "payload": bind("/change" + json.dumps({"question": key, "value": value}, separators=(",", ":")), here)},
            {"title": _words(ctx, "option_keep_answer"), "payload": "/repeat"},
        ]})
    return True


def _change_offered(ctx: Context) -> bool:
    """The person took the offer above: that earlier question's answer changes, and only that."""
    parse = ctx.parse
    key, value = parse.entities.get("question"), parse.entities.get("value")
    if not (parse.is_payload and parse.intent == "change" and ctx.slot != REVIEW and isinstance(value, str)):
        return False
    question = ctx.bank.question(key) if isinstance(key, str) else None
    if question is None or key not in question_slots(ctx.slots, ctx.bank) or question.option(value) is None:
        ctx.say("stale_button")
        return True
    now = question_number(ctx.slot, ctx.slots, ctx.bank)
    if ctx.slots.get(key) == value and now is not None:  # the offer pressed twice
        ctx.say("already_answered", old=question_number(key, ctx.slots, ctx.bank), now=now)
        return True
    ctx.set(**{key: value})
    ctx.say("changed_other", old=question_number(key, ctx.slots, ctx.bank),
            label=getattr(question.option(value).label, ctx.level))
    return True


def _words(ctx: Context, key: str, **fields: Any) -> str:
    return say_text(key, ctx.level, ctx.voice, name=ctx.slots.get("person_name") or "", **fields)


def _command_is_answer(ctx: Context, command: str) -> bool:
    """'for someone else' answers 'who is answering'; 'easy read' answers 'which words'."""
    return (ctx.slot == "answering_for" and command in ("for_self", "for_other")) or (
        ctx.slot == "reading_level" and command in ("easier", "plainer")
    )


def _confirming(ctx: Context) -> bool:
    """Handle yes/no to "It sounds like ... Is that right?"; True when the turn is used up."""
    pending = ctx.slots.get("pending")
    if not pending or pending.get("slot") != ctx.slot:
        return False
    ctx.set(pending=None)
    answer = yes_or_no(ctx.parse)
    if answer is True:
        _accept(ctx, pending["value"])
        return True
    if answer is False:
        ctx.say("confirm_denied")
        return True
    return False  # something else: read it as a fresh answer


def _accept(ctx: Context, value: Any) -> None:
    SAQ.accept(ctx, value)


def _not_understood(ctx: Context) -> None:
    tries = float(ctx.slots.get("tries") or 0) + 1
    ctx.set(tries=tries)
    ctx.say("not_understood" if tries < 2 else "not_understood_again")


class AssessmentForm(Form):
    """The assessment's part of the command table (dialogue/commands.py): setup, the questions, the check."""

    name = "saq"

    def explain(self, ctx: Context) -> None:
        term = term_to_explain(ctx.parse)
        question = ctx.bank.question(ctx.slot)
        if term is not None:  # a hard word from the glossary; the question's answer stays as it was
            ctx.out.replies.append({"text": term.explanation(ctx.level)})
        elif question is not None:
            ctx.out.replies.append({"text": getattr(question.explain, ctx.level)})
        elif ctx.slot == REVIEW:
            ctx.say("review_question")
        else:
            ctx.say("explain_setup")

    def previous(self, ctx: Context) -> Optional[str]:
        return previous_slot(ctx.slot, ctx.slots, ctx.bank)

    def can_skip(self, ctx: Context) -> bool:
        return ctx.bank.question(ctx.slot) is not None  # setup and the check need an answer


SAQ = AssessmentForm()


def _who_answers(parse: Parse) -> Optional[str]:
    said = {"for_self": "self", "for_other": "other"}.get(command_of(parse) or "")
    return said or {1: "self", 2: "other"}.get(number_of(parse.text) or 0)


def _setup(ctx: Context) -> None:
    """Who is answering, their name and relationship, and the reading level: read, or asked again."""
    read, retry = {
        "answering_for": (_who_answers, "setup_again"),
        "reading_level": (_reading_level, "setup_again"),
        "person_name": (lambda p: first_name(p.text), "name_again"),
        "relationship": (lambda p: relationship_of(p.text), "relationship_again"),
    }[ctx.slot]
    value = read(ctx.parse)
    if value:
        _accept(ctx, value)
    else:
        ctx.say(retry)


def _reading_level(parse: Parse) -> Optional[str]:
    if parse.intent in ("choose_plain", "choose_easy_read") and (parse.is_payload or parse.confidence >= 0.8):
        return "plain" if parse.intent == "choose_plain" else "easy_read"
    text = parse.text.lower()
    if re.search(r"\beas(y|ier)\b|\bsimple", text):
        return "easy_read"
    if re.search(r"\bplain\b|\bnormal\b|\bstandard\b", text):
        return "plain"
    return {1: "plain", 2: "easy_read"}.get(number_of(text) or 0)


_NAME_LEAD = re.compile(
    r"^(?:(?:her|his|their|my \w+'?s) name is|(?:she|he|they) (?:is|are|'s|'re) called|it'?s|this is|"
    r"(?:she|he|they)'?s|called|name is|i'?m answering for)\s+",
    re.IGNORECASE,
)


def _letter_words(text: str) -> List[str]:
    """Words of letters only (any script), with ' or - inside: "Mary-Jane", "O'Brien", "Zoë"."""
    words = re.findall(r"[\w'-]+", text)
    ok = [w.strip("'-") for w in words]
    return [w for w in ok if w and all(unicodedata.category(c)[0] in "LM" or c in "'-" for c in w)]


def _has_numbers(text: str) -> bool:
    """Digits of any script ("2", "⓶", "²") or a currency sign: a sum or an option, not a name."""
    return any(unicodedata.category(c)[0] == "N" or unicodedata.category(c) == "Sc" for c in text)


def first_name(text: str) -> Optional[str]:
    """A first name from 'Sam', 'her name is Sam Jones', 'it's sam' -> 'Sam'."""
    if text.startswith("/") or _has_numbers(text):
        return None
    words = _letter_words(_NAME_LEAD.sub("", text.strip()))
    if not words or len(words[0]) > MAX_NAME:
        return None
    word = words[0]
    return word[0].upper() + word[1:] if word.islower() else word


def relationship_of(text: str) -> Optional[str]:
    """'I'm her son' -> 'her son'; kept short and as words only."""
    if text.startswith("/") or _has_numbers(text):
        return None
    text = re.sub(r"^(?:i'?m|i am|i'm his|as)\s+", "", text.strip(), flags=re.IGNORECASE)
    relationship = " ".join(_letter_words(text))[:MAX_RELATIONSHIP].strip()
    return relationship or None


def _question(ctx: Context, reading: Reading) -> None:
    question = ctx.bank.question(ctx.slot)
    if reading.out_of_range:
        ctx.say("out_of_range", count=len(question.options))
    elif reading.value is None:
        _not_understood(ctx)
    elif reading.sure:
        _accept(ctx, reading.value)
    else:
        ctx.set(pending={"slot": ctx.slot, "value": reading.value})


def _review(ctx: Context) -> None:
    parse = ctx.parse
    order = question_slots(ctx.slots, ctx.bank)
    target = parse.entities.get("question") if parse.intent == "change" else None
    number = number_of(parse.text) if not parse.is_payload else None
    if number is not None and 1 <= number <= len(order):
        target = order[number - 1]
    if target in order:
        ctx.set(**{target: None}, changing=with_change(ctx.slots, **{target: ctx.slots.get(target)}), review_area=None)
        return
    area = parse.entities.get("area") if parse.intent == "change" else None
    if area in {a.id for a in ctx.bank.areas}:
        ctx.set(review_area=area)
        return
    if parse.intent == "review_ok" or yes_or_no(parse) is True:
        ctx.set(**{REVIEW: REVIEW_DONE}, review_area=None)
        return
    if parse.intent == "change" and not set(parse.entities) - {"q"}:  # "Back to the check"
        ctx.set(review_area=None)
        return
    ctx.say("review_again")
