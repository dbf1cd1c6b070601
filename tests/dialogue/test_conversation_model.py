"""Model-based tests of the whole conversation: thousands of generated conversations, pure (no Rasa server).

A hypothesis state machine drives tests/conversation_sim.py (Steer's own turn handlers, askers and
Rasa actions, glued as the Rasa server glues them) with what people do: any button they have been
shown so far (the current ones, old ones further up, double taps), and typed words of every kind.
`Model` below is an independent description of what should happen: which question is asked, what
is recorded, and what the person sees. After every step the two must agree, and from wherever a
conversation got to, the SAQ and the support plan must still be finishable by sensible presses.

Some typed messages have more than one right reading (a free description of need, a name, money
said loosely): for those the model says which outcomes are right, checks the one that happened
is among them, and carries on from it.
"""

from __future__ import annotations

import json
import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import ras
from bank.plan import SECTIONS
from bot.payloads import clean_message
from dialogue.content import say_text
from dialogue.flow import FORM, REVIEW, REVIEW_DONE, SKIPPED, answers_of
from dialogue.plan_flow import PLAN_CHECK, PLAN_DONE, PLAN_FORM, SPENDING, all_plan_slots, plan_from_slots
from dialogue.understand import Parse, glossary_term, yes_or_no  # what counts as yes or no in words
from tests.conversation_sim import ASK_KEY, BANK, MAX_MESSAGE_CHARS, PLAN, Sim, latest_message

pytestmark = pytest.mark.slow  # 90 s or more of generated conversations: `make test` runs it, `make unit` not
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SETUP = ("answering_for", "person_name", "relationship", "reading_level")
START_AGAIN = "start_again"
COMMANDS = ("greet", "repeat", "explain", "go_back", "skip", "stop", "resume", "easier", "plainer",
            "for_self", "for_other", "thanks", "goodbye", "save", "delete_saved")
ABOUT_KEYS = {"likes": "plan_likes", "good_day": "plan_good_day", "bad_day": "plan_bad_day",
              "important": "plan_important", "support_wanted": "plan_support_wanted"}
AREA_IDS = {a.id for a in BANK.areas}
try:
    WRONG: Optional[str] = say_text("something_went_wrong")  # actions/safety.py's sorry: an action failed
except KeyError:
    WRONG = None

EVENTS: Dict[str, int] = {}  # how often each kind of thing happened (test-artifacts/conversation-model.json)


def event(name: str) -> None:
    EVENTS[name] = EVENTS.get(name, 0) + 1


STATS = {"steps": 0, "conversations": 0, "finished_saq": 0, "finished_plan": 0, "seconds": 0.0,
         "buttons": 0, "stale_buttons": 0, "typed": 0}


# -- what people do ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Origin:
    """Where a button was shown: the model's ask key then, and for Remove buttons the item."""

    key: str
    item: Optional[Tuple[str, float, str]] = None
    index: int = -1


@dataclass(frozen=True)
class Gesture:
    raw: str
    category: str  # button, number, option, other_option, command, yesno, need, money, period, name,
    #                relationship, plan_text, noise, payload, route, glossary, empty, too_long
    nlu: Optional[Tuple[str, float]] = None
    origin: Optional[Origin] = None  # buttons only
    seen: Optional[str] = "page"  # typed: the ask key the page sends with it
    number: Optional[int] = None
    value: Optional[str] = None  # option value / command name / "yes" "no" / period
    qid: Optional[str] = None  # the question an option's words come from
    expect: Optional[str] = None  # name / relationship read from it, when it is certain
    money: Tuple = ()  # money: the right readings, ("accept", amount, per) / ("pending", amount) / ("refuse",)

    @property
    def is_button(self) -> bool:
        return self.category == "button"


NUMBER_FORMS = {  # (text, number): one way each in many scripts and words
    1: ["1", "one", "the first one", "number 1", "١", "①", "१", "first"],
    2: ["2", "two", "the second one", "٢", "⓶", "፪", "²", "२", "option 2", "２"],
    3: ["3", "three", "the third one", "٣", "③", "३", "number three"],
    4: ["4", "four", "4th", "٤", "④", "፬"],
    5: ["5", "five", "the fifth one", "⑤"],
    6: ["6", "٦"],
    9: ["9", "09"],
}
COMMAND_PHRASES = {
    "repeat": ["repeat", "say that again", "pardon", "can you repeat the question"],
    "explain": ["what does that mean", "I don't understand", "explain please"],
    "go_back": ["go back", "back", "previous question", "undo"],
    "skip": ["skip", "skip this", "next question", "I'd rather not say"],
    "stop": ["stop", "I need a break", "pause"],
    "resume": ["carry on", "continue", "I'm back"],
    "easier": ["easier words please", "easy read"],
    "plainer": ["plain english please", "normal words"],
    "for_other": ["I'm answering for someone else", "I'm her carer"],
    "for_self": ["I'm answering for myself"],
    "save": ["save for later", "can I finish later"],
    "thanks": ["thank you", "cheers"],
    "greet": ["hello", "hi"],
    "goodbye": ["bye"],
    "delete_saved": ["delete my answers"],
}
PHRASE_COMMANDS = {p.lower(): c for c, phrases in COMMAND_PHRASES.items() for p in phrases}
GLOSSARY_QUESTIONS = ["what is a personal budget?", "what does indicative mean?", "what is a direct payment?"]
YES = ["yes", "yeah", "ok", "that's right", "yes please"]
NO = ["no", "nope", "not really"]
NEEDS = [  # free descriptions of need (made up), with what a classifier might make of them
    ("my mum reminds me most days", "need_lots"), ("just a little help sometimes", "need_little"),
    ("someone does it all for me", "need_all"), ("I manage fine on my own", "need_none"),
    ("he can't do any of it without his dad", "need_all"), ("now and then my neighbour checks on me", "need_little"),
]
NAMES = [("Sam", "Sam"), ("her name is Ayesha", "Ayesha"), ("it's sam", "Sam"), ("Zoë", "Zoë"),
         ("Mary-Jane", "Mary-Jane"), ("O'Brien", "O'Brien"), ("Kwame Mensah", "Kwame")]
RELATIONSHIPS = [("son", "son"), ("I'm her brother", "her brother"), ("neighbour", "neighbour"),
                 ("support worker", "support worker")]
PLAN_TEXTS = [
    "Gardening, the radio and seeing my sister", "I get up early and go to the allotment",
    "Calm people who let me do things my way", "Ring my sister and the agency", "By phone",
    "I want to go back to college", "Swimming and <b>bingo</b>", "Bus trips to the seaside with my friend Dot",
]
MONEY = [  # (text, right readings)
    ("£40 a week", (("accept", 40.0, "week"),)),
    ("£1,500 a year", (("accept", 1500.0, "year"),)),
    ("40 quid a week", (("accept", 40.0, "week"),)),
    ("£2k a year", (("accept", 2000.0, "year"),)),
    ("£12.50 per week", (("accept", 12.5, "week"),)),
    ("about £300 a year", (("accept", 300.0, "year"),)),
    ("2,000 a year", (("accept", 2000.0, "year"),)),
    ("£٤٠ a week", (("accept", 40.0, "week"),)),
    ("£1,000,000 a year", (("accept", 1_000_000.0, "year"),)),
    ("£40", (("pending", 40.0),)),
    ("250", (("pending", 250.0),)),
    ("2 sessions at £40 a week", (("accept", 80.0, "week"), ("accept", 40.0, "week"), ("refuse",))),
    ("3 hours a week at £15 an hour", (("accept", 45.0, "week"), ("refuse",))),
    ("£1.2m a year", (("accept", 1_200_000.0, "year"), ("refuse",))),
    ("forty pounds a week", (("accept", 40.0, "week"), ("refuse",))),
    ("forty pounds", (("pending", 40.0), ("refuse",))),
    ("£0 a week", (("refuse",),)),
    ("£40 every fortnight", (("accept", 20.0, "week"), ("accept", 1040.0, "year"), ("pending", 40.0),
                             ("refuse",))),
    ("£50 a month", (("accept", 600.0, "year"), ("pending", 50.0), ("refuse",))),
    ("£40pw", (("accept", 40.0, "week"), ("pending", 40.0))),
    ("twenty five pounds a week", (("accept", 25.0, "week"),)),
    ("£1,234.56 a year", (("accept", 1234.56, "year"),)),
    ("about 40 or 50 a week", (("refuse",),)),
    ("£30-£40 a week", (("refuse",),)),
    ("nothing, it's free", (("refuse",),)),
    ("£100 a month", (("accept", 1200.0, "year"),)),
    ("£2.5k a year", (("accept", 2500.0, "year"),)),
    ("£40 a week and £100 a year", (("refuse",),)),
    ("£18 an hour, 3 hours a week", (("accept", 54.0, "week"), ("refuse",))),
    ("£ 40 per week", (("accept", 40.0, "week"),)),
    ("GBP 40 weekly", (("accept", 40.0, "week"),)),
    ("Forty Pounds A Week", (("accept", 40.0, "week"),)),
    ("£40/wk", (("accept", 40.0, "week"),)),
    ("£40 p/w", (("accept", 40.0, "week"),)),
    ("£40 per annum", (("accept", 40.0, "year"),)),
    ("£١٢ a week", (("accept", 12.0, "week"),)),
    ("40 pounds 50 a week", (("accept", 40.5, "week"), ("refuse",))),
    ("£40 twice a week", (("accept", 80.0, "week"), ("refuse",))),
    ("half a million a year", (("accept", 500000.0, "year"), ("refuse",))),
    ("it's about £35 a session, once a week", (("accept", 35.0, "week"), ("refuse",))),
    ("£40 a week for 52 weeks", (("accept", 40.0, "week"), ("accept", 2080.0, "year"), ("refuse",))),
]
PERIODS = [("a week", "week"), ("per year", "year"), ("weekly", "week"), ("every year", "year"), ("1", "week"),
           ("2", "year")]
NOISE = ["🙂", "👍👍", "❤️", "مرحبا", "שלום, אני צריך עזרה", "我需要帮助", "Привет", "नमस्ते", "\u202eoops",
         "\u200b", "\u200d\u200c", "\ufeff", "<b>hi</b>", "purple elephants on tuesday", "???", "..."]
EMPTY = ["", "   ", "\n\t"]
ROUTE_PHRASES = [("start my support plan", "start_plan"), ("I want to change an answer", "change"),
                 ("start again", "restart_assessment")]


def labels(qid: str) -> List[Tuple[str, str]]:
    """(words, option value) for a question's labels at both reading levels."""
    q = BANK.question(qid)
    return [(w, o.value) for o in q.options for w in (o.label.plain, o.label.easy_read)]


def words_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^\w' ]+", " ", text.replace("’", "'")).strip()


def unique_phrase(qid: str, text: str) -> Optional[str]:
    """The one option of `qid` whose label or example is exactly these words, else None."""
    q = BANK.question(qid)
    values = {o.value for o in q.options for p in (o.label.plain, o.label.easy_read, *o.examples)
              if words_key(p) == words_key(text)}
    return values.pop() if len(values) == 1 else None


# -- the model ------------------------------------------------------------------------------

@dataclass
class Lenient:
    """Outcomes that are all right for one message; the model checks which happened and follows it."""

    kind: str  # saq_answer, person_name, relationship, money, money_answer, money_other
    slot: str = ""
    propose: bool = False
    record: bool = False
    money: Tuple = ()
    text: str = ""
    per: Optional[str] = None  # money_answer: the period the person chose, if they chose one


@dataclass
class Model:
    phase: str = "new"  # new, saq, finished, plan, plan_done
    setup: Dict[str, Optional[str]] = field(default_factory=lambda: {s: None for s in SETUP})
    answers: Dict[str, str] = field(default_factory=dict)
    skipped: set = field(default_factory=set)
    open: Optional[Tuple[str, str]] = None  # the question being changed and its answer before
    pending: Optional[Tuple[str, Any]] = None  # a confirmation waiting: (slot, value)
    paused: bool = False
    review_done: bool = False
    review_area: Optional[str] = None
    start_again: bool = False
    ras: Optional[Dict[str, Any]] = None
    plan_started: bool = False
    pv: Dict[str, Any] = field(default_factory=dict)  # plan slots outside the spending loop
    pchanging: Dict[str, Any] = field(default_factory=dict)
    draft: Dict[str, Any] = field(default_factory=dict)  # the spending item being planned
    items: List[Dict[str, Any]] = field(default_factory=list)
    check_done: bool = False
    money_intent: Tuple = ()  # the costs the person's words can mean, (amount, per), for the cost asked now
    saq_finished: int = 0
    plan_finished: int = 0

    # where the conversation is ------------------------------------------------------------

    @property
    def level(self) -> str:
        return self.setup["reading_level"] or "plain"

    @property
    def voice(self) -> str:
        return "other" if self.setup["answering_for"] == "other" else "self"

    def applies(self, q) -> bool:
        return q.ask_if is None or self.answers.get(q.ask_if.question) in q.ask_if.in_

    def questions(self) -> List[str]:
        return [q.id for q in BANK.questions if self.applies(q)]

    def filled(self, slot: str) -> bool:
        if slot in SETUP:
            return self.setup[slot] is not None
        if slot == REVIEW:
            return self.review_done
        return slot in self.answers or slot in self.skipped

    def saq_order(self) -> List[str]:
        setup = ["answering_for"] + (["person_name", "relationship"] if self.setup["answering_for"] == "other"
                                     else []) + ["reading_level"]
        return [*setup, *self.questions(), REVIEW]

    def need_areas(self) -> List[str]:
        return [o["area"] for o in (self.ras or {}).get("outcomes") or [] if o.get("area")]

    def plan_order(self) -> List[str]:
        out = []
        for step in PLAN.steps:
            if step.per_area:
                out += [f"{step.id}__{a}" for a in self.need_areas()]
            elif step.id in SPENDING[1:] and self.draft.get("plan_spend_category") == SKIPPED:
                continue
            else:
                out.append(step.id)
        return out

    def plan_value(self, slot: str) -> Any:
        return self.draft.get(slot) if slot in SPENDING else self.pv.get(slot)

    def slot(self) -> Optional[str]:
        if self.phase == "saq":
            return next(s for s in self.saq_order() if not self.filled(s))
        if self.phase == "plan":
            return next((s for s in self.plan_order() if self.plan_value(s) is None), PLAN_CHECK)
        return None

    def key(self) -> str:
        slot = self.slot()
        if slot is None:
            return START_AGAIN if self.start_again else "route"
        return f"{slot}.{len(self.items) + 1}" if slot in SPENDING else slot

    def counted(self) -> List[str]:
        return [q.id for q in BANK.questions
                if self.applies(q) or (q.ask_if and not self.filled(q.ask_if.question))]

    def progress(self) -> Dict[str, int]:
        order = self.counted()
        return {"done": sum(1 for q in order if self.filled(q)), "total": len(order)}

    def plan_progress(self) -> Dict[str, int]:
        order = self.plan_order()
        return {"done": sum(1 for s in order if self.plan_value(s) is not None), "total": len(order)}

    def plan(self) -> Optional[Dict[str, Any]]:
        """The draft plan as the API shows it (the shape of dialogue.plan_flow.plan_from_slots)."""
        if not self.plan_started:
            return None

        def text(slot):
            v = self.pv.get(slot)
            return v if isinstance(v, str) and v != SKIPPED else None

        outcomes = []
        for area in self.need_areas():
            want, why = text(f"plan_outcome_want__{area}"), text(f"plan_outcome_why__{area}")
            if want or why:
                outcomes.append({"area": area, "want": want or "", "why": why or ""})
        helpers = text("plan_helpers")
        return {
            "status": "draft",
            "about": {k: text(s) for k, s in ABOUT_KEYS.items() if text(s)},
            "outcomes": outcomes,
            "spending": [dict(i) for i in self.items],
            "management": text("plan_management"),
            "planning_help": [helpers] if helpers else [],
            "safety": {k: v for k, v in {"what_could_go_wrong": text("plan_safety_risks"),
                                         "what_then": text("plan_safety_then")}.items() if v},
            "changes": {k: v for k, v in {"who_to_tell": text("plan_changes_who"),
                                          "how": text("plan_changes_how")}.items() if v},
        }

    # one message ------------------------------------------------------------------------

    def step(self, g: Gesture, msg: Dict[str, Any]) -> Optional[Lenient]:
        """Move to what should happen after `g` (msg: as Rasa parsed it). Returns the leeway, if any."""
        if g.category in ("empty", "too_long"):
            return None  # the front door answers; nothing reaches Rasa
        if self.phase in ("saq", "plan"):
            self.paused = False
            return self._saq(g, msg) if self.phase == "saq" else self._plan(g, msg)
        return self._route(g, msg)

    def _command(self, g: Gesture, msg: Dict[str, Any]) -> Optional[str]:
        if msg["payload"]:
            return msg["intent"] if msg["intent"] in COMMANDS else None
        if g.category in ("command", "glossary"):
            return g.value
        return PHRASE_COMMANDS.get(msg["text"].lower())  # e.g. "//skip", which the front door makes "skip"

    def _stale(self, g: Gesture, msg: Dict[str, Any], command: Optional[str]) -> bool:
        stale = self._is_stale(g, msg, command)
        if stale:
            event("stale " + ("button" if g.is_button else "typed"))
        return stale

    def _is_stale(self, g: Gesture, msg: Dict[str, Any], command: Optional[str]) -> bool:
        """A button (or words) meant for another question than the one asked now.

        A button shown with a question belongs to it (except "carry on" and "what does that mean",
        which mean the same anywhere); buttons shown outside the forms (the budget's, the plan's
        end) name no question. Typed words belong to the question the page showed."""
        if g.is_button:
            return g.origin.key not in ("route", self.key()) and msg["intent"] not in ("resume", "explain", "repeat")
        if msg["payload"]:  # typed "/intent{...}": its own q, if it names one
            named = msg["entities"].get("q")
            if named is None:
                return msg["intent"] == "answer"
            return named != self.key()
        positional = command in (None, "go_back", "skip")
        return positional and ASK_KEY is not None and g.seen not in (None, "page") and g.seen != self.key()

    # the assessment --------------------------------------------------------------------

    def _saq(self, g: Gesture, msg: Dict[str, Any]) -> Optional[Lenient]:
        slot = self.slot()
        command = self._command(g, msg)
        if self._stale(g, msg, command):
            return None
        ents, intent = msg["entities"], msg["intent"]
        if msg["payload"] and intent == "change" and slot != REVIEW and isinstance(ents.get("value"), str):
            target, value = ents.get("question"), ents["value"]
            if target in self.questions() and BANK.question(target).option(value) is not None:
                event("offer to change an earlier answer taken")
                self.answers[target] = value
                self.skipped.discard(target)
            return None
        if self.pending and self.pending[0] == slot:
            said, value = self._yes_no(g, msg), self.pending[1]
            self.pending = None
            if said is True:
                self._record(slot, value)
                return None
            if said is False:
                return None
        if command and not ((slot == "answering_for" and command in ("for_self", "for_other"))
                            or (slot == "reading_level" and command in ("easier", "plainer"))):
            return self._saq_command(slot, command)
        if slot in SETUP:
            return self._setup(slot, g, msg, command)
        if slot == REVIEW:
            return self._review(g, msg)
        return self._question(slot, g, msg)

    def _yes_no(self, g: Gesture, msg: Dict[str, Any]) -> Optional[bool]:
        if msg["payload"]:
            return {"affirm": True, "deny": False}.get(msg["intent"])
        if g.category == "yesno":
            return g.value == "yes"
        return yes_or_no(Parse(msg["text"], *(g.nlu or (None, 0.0))))

    def _record(self, slot: str, value: str) -> None:
        if value == SKIPPED:
            self.answers.pop(slot, None)
            self.skipped.add(slot)
        else:
            self.skipped.discard(slot)
            self.answers[slot] = value
        if self.open and self.open[0] == slot:
            self.open = None
        self.pending = None

    def _saq_command(self, slot: str, command: str) -> Optional[Lenient]:
        if command == "go_back":
            if self.open and self.open[0] == slot:
                self._record(slot, self.open[1])
            order = self.questions()
            earlier = order if slot == REVIEW else order[: order.index(slot)] if slot in order else []
            previous = next((s for s in reversed(earlier) if self.filled(s)), None)
            if previous is not None:
                event("go back (assessment)")
                old = self.answers.pop(previous, None) or (SKIPPED if previous in self.skipped else None)
                self.skipped.discard(previous)
                self.open, self.pending = (previous, old), None
        elif command == "skip":
            if BANK.question(slot) is not None:
                old = self.open[1] if self.open and self.open[0] == slot else None
                self._record(slot, old or SKIPPED)
        elif command in ("stop", "goodbye"):
            self.paused = True
        elif command in ("easier", "plainer"):
            self.setup["reading_level"] = "easy_read" if command == "easier" else "plain"
        elif command == "for_other":
            self.setup["answering_for"] = "other"
        elif command == "for_self":
            self.setup.update(answering_for="self", person_name=None, relationship=None)
        return None

    def _setup(self, slot: str, g: Gesture, msg: Dict[str, Any], command: Optional[str]) -> Optional[Lenient]:
        if slot == "answering_for":
            value = {"for_self": "self", "for_other": "other"}.get(command or "")
            if value is None and g.category == "number" and not msg["payload"]:
                value = {1: "self", 2: "other"}.get(g.number)
            if value:
                self.setup[slot] = value
            return None
        if slot == "reading_level":
            value = {"easier": "easy_read", "plainer": "plain", "choose_plain": "plain",
                     "choose_easy_read": "easy_read"}.get(command or (msg["intent"] if msg["payload"] else "") or "")
            if value is None and g.category == "number" and not msg["payload"]:
                value = {1: "plain", 2: "easy_read"}.get(g.number)
            if value:
                self.setup[slot] = value
            return None
        # person_name, relationship: words only; a button is never a name
        if msg["payload"]:
            return None
        if g.category == {"person_name": "name", "relationship": "relationship"}[slot]:
            self.setup[slot] = g.expect
            return None
        return Lenient(slot, slot=slot, text=msg["text"])

    def _review(self, g: Gesture, msg: Dict[str, Any]) -> Optional[Lenient]:
        order, ents, intent = self.questions(), msg["entities"], msg["intent"]
        target = ents.get("question") if msg["payload"] and intent == "change" else None
        if not msg["payload"] and g.category == "number" and 1 <= g.number <= len(order):
            target = order[g.number - 1]
        if target in order:
            event("change a question at the check")
            old = self.answers.pop(target, None) or (SKIPPED if target in self.skipped else None)
            self.skipped.discard(target)
            self.open, self.review_area = (target, old), None
            return None
        if msg["payload"] and intent == "change" and ents.get("area") in AREA_IDS:
            self.review_area = ents["area"]
            return None
        if (msg["payload"] and intent == "review_ok") or self._yes_no(g, msg) is True:
            self.review_done, self.review_area = True, None
            self._finish_saq()
            return None
        if intent == "change" and not set(ents) - {"q"}:  # "Back to the check"
            self.review_area = None  # "Back to the check"
        return None

    def _finish_saq(self) -> None:
        event("assessment finished" + (" again" if self.saq_finished else ""))
        self.phase = "finished"
        self.ras = ras.score(dict(self.answers)).to_dict()
        self.saq_finished += 1

    def _question(self, slot: str, g: Gesture, msg: Dict[str, Any]) -> Optional[Lenient]:
        q = BANK.question(slot)
        values = [o.value for o in q.options]
        yes_no = set(values) == {"yes", "no"}
        if msg["payload"]:
            value = msg["entities"].get("value")
            if msg["intent"] == "answer" and value in values:
                self._record(slot, value)
            elif yes_no and msg["intent"] in ("affirm", "deny"):
                self._record(slot, "yes" if msg["intent"] == "affirm" else "no")
            return None
        if g.category == "number":
            if 1 <= g.number <= len(values):
                self._record(slot, values[g.number - 1])
            return None
        if unique_phrase(slot, msg["text"]):  # the option's own words, exactly
            self._record(slot, unique_phrase(slot, msg["text"]))
            return None
        if yes_no and g.category == "yesno":
            self._record(slot, g.value)
            return None
        if g.category == "noise" or (g.category == "payload" and not msg["payload"]):
            return None  # never guessed, never offered
        if g.category in ("money", "period", "yesno"):
            return Lenient("saq_answer", slot=slot, propose=True)  # at most asked about, never recorded
        return Lenient("saq_answer", slot=slot, propose=True, record=True)

    # the support plan ------------------------------------------------------------------

    def _plan(self, g: Gesture, msg: Dict[str, Any]) -> Optional[Lenient]:
        slot = self.slot()
        step = PLAN.step(slot.split("__")[0]) if slot != PLAN_CHECK else None
        command = self._command(g, msg)
        if command is None and not msg["payload"] and step is not None and step.id == "plan_management" \
                and g.category == "glossary":
            command = "explain"
        if self._stale(g, msg, command):
            return None
        pending = self.pending if self.pending and self.pending[0] == slot else None
        if step is not None and step.kind == "money" and command is None:
            return self._money(slot, g, msg)
        if pending and step.kind != "money":
            said = self._yes_no(g, msg)
            if said is not None:
                self.pending = None
                if said:
                    self._plan_accept(slot, pending[1])
                return None
        if command:
            return self._plan_command(slot, command)
        if slot == PLAN_CHECK:
            return self._check(g, msg)
        if step.kind == "text":
            words = " ".join(msg["text"].split())[:600]
            if not msg["payload"] and re.search(r"\w", words):
                self.pending = (slot, words)
            return None
        if step.kind == "yes_no":
            said = self._yes_no(g, msg) if (not msg["payload"] or msg["intent"] in ("affirm", "deny")) else None
            if msg["payload"] and msg["intent"] == "answer":
                said = {"yes": True, "no": False}.get(msg["entities"].get("value"))
            if said is not None:
                self._plan_accept(slot, "yes" if said else "no")
            return None
        options = self.choices(step)
        value = None
        if msg["payload"]:
            value = msg["entities"].get("value") if msg["intent"] == "answer" else None
        elif g.category == "number":
            value = options[g.number - 1][0] if 1 <= g.number <= len(options) else None
        else:
            value = next((v for v, plain, easy in options if words_key(msg["text"]) in (words_key(plain),
                                                                                          words_key(easy))), None)
        if value in [o[0] for o in options]:
            self._plan_accept(slot, value)
        return None

    def choices(self, step) -> List[Tuple[str, str, str]]:
        out = [(o.value, o.label.plain, o.label.easy_read) for o in step.options]
        if step.area_options:
            out = [(a, BANK.area(a).title.plain, BANK.area(a).title.easy_read) for a in self.need_areas()] + out
        return out

    def _period(self, g: Gesture, msg: Dict[str, Any]) -> Optional[str]:
        if msg["payload"]:
            value = msg["entities"].get("value")
            return value if msg["intent"] == "answer" and value in ("week", "year") else None
        if g.category == "period":
            return g.value
        if g.category == "number":
            return {1: "week", 2: "year"}.get(g.number)
        return None

    def _money(self, slot: str, g: Gesture, msg: Dict[str, Any]) -> Optional[Lenient]:
        """A cost is read, maybe read back, maybe asked "a week or a year?"; only ever recorded as
        one of the costs the person's words mean. Which of those steps Steer takes is its choice."""
        if msg["payload"]:
            per = self._period(g, msg)
            return Lenient("money_answer", slot=slot, per=per) if msg["intent"] in ("answer", "affirm", "deny") \
                else None
        if g.category == "money":
            return Lenient("money", slot=slot, money=g.money)
        if g.category in ("period", "yesno") or (g.category == "number" and g.number in (1, 2) and self.pending):
            return Lenient("money_answer", slot=slot, per=self._period(g, msg))
        if g.category == "number":  # a bare number is an amount here (asked "a week or a year?")
            return Lenient("money", slot=slot, money=(("pending", float(g.number)), ("refuse",)), text="number")
        return Lenient("money_other", slot=slot)

    def _money_finals(self, readings: Tuple) -> Tuple:
        out = []
        for r in readings:
            if r[0] == "accept":
                out.append((r[1], r[2]))
            elif r[0] == "pending":
                out += [(r[1], "week"), (r[1], "year")]
        return tuple(out)

    def _plan_accept(self, slot: str, value: Any) -> None:
        if slot in SPENDING:
            self.draft[slot] = value
        else:
            self.pv[slot] = value
        self.pchanging.pop(slot, None)
        self.pending = None
        if slot == "plan_spend_amount":
            self.money_intent = ()
        if slot == "plan_spend_more":
            self._item_done(value == "yes")
        self._after_plan_step()

    def _item_done(self, more: bool) -> None:
        category, cost = self.draft.get("plan_spend_category"), self.draft.get("plan_spend_amount")
        if category not in (None, SKIPPED) and isinstance(cost, dict) and cost.get("amount"):
            reason, outcome = self.draft.get("plan_spend_reason"), self.draft.get("plan_spend_outcome")
            event("planned item added")
            self.items.append({"category": category, "amount": cost["amount"], "per": cost.get("per", "year"),
                               "reason": reason if reason != SKIPPED else "",
                               "outcome_area": outcome if outcome not in (None, SKIPPED, "none") else None})
        if more:
            self.draft = {}

    def _after_plan_step(self) -> None:
        if self.slot() == PLAN_CHECK and self.check_done:
            self.phase = "plan_done"

    def _plan_command(self, slot: str, command: str) -> Optional[Lenient]:
        if command == "go_back":
            order = self.plan_order()
            earlier = order if slot == PLAN_CHECK else order[: order.index(slot)] if slot in order else []
            previous = next((s for s in reversed(earlier) if self.plan_value(s) is not None and s not in SPENDING),
                            None)
            if previous is not None:
                event("go back (plan)")
                self.pchanging[previous] = self.pv.pop(previous)
                self.pending = None
        elif command == "skip":
            if slot == PLAN_CHECK:
                return None
            old = self.pchanging.get(slot)
            if old is None and slot == "plan_spend_category":
                self.draft.update({s: SKIPPED for s in SPENDING[:-1]}, plan_spend_more="no")
            self._plan_accept(slot, old if old is not None else ("no" if slot == "plan_spend_more" else SKIPPED))
        elif command in ("stop", "goodbye"):
            self.paused = True
        elif command in ("easier", "plainer"):
            self.setup["reading_level"] = "easy_read" if command == "easier" else "plain"
        return None

    def _check(self, g: Gesture, msg: Dict[str, Any]) -> Optional[Lenient]:
        ents, intent = msg["entities"], msg["intent"]
        section = ents.get("section") if msg["payload"] and intent == "change" else None
        if section in SECTIONS:
            event(f"plan check: change {section}" + (" item" if ents.get("item") is not None else ""))
            if section == "spending" and ents.get("item") is not None:
                self._remove(g)
            elif section == "spending":
                self.draft = {}
            else:
                order = [s for s in self.plan_order() if PLAN.step(s.split("__")[0]).section == section]
                self.pchanging = {s: self.pv.get(s) for s in order}
                for s in order:
                    self.pv.pop(s, None)
            return None
        if (msg["payload"] and intent == "review_ok") or self._yes_no(g, msg) is True:
            self.check_done = True
            event("plan finished")
            self.phase = "plan_done"
            self.plan_finished += 1
        return None

    def _remove(self, g: Gesture) -> None:
        """A Remove button takes out the item it was shown for, and only if that item is still there."""
        if not g.is_button or g.origin.item is None:
            return
        i = g.origin.index
        if i < len(self.items):
            item = self.items[i]
            if (item["category"], float(item["amount"]), item.get("per", "year")) == g.origin.item:
                event("planned item removed")
                del self.items[i]

    # outside the forms: action_route -----------------------------------------------------

    def _route(self, g: Gesture, msg: Dict[str, Any]) -> Optional[Lenient]:
        command = self._command(g, msg)
        if self.phase == "new":
            self.phase = "saq"
            if command in ("for_self", "for_other"):
                self.setup["answering_for"] = "self" if command == "for_self" else "other"
            return None
        asked_again, self.start_again = self.start_again, False
        glossary = glossary_term(Parse(msg["text"], msg["intent"], 1.0, msg["entities"]), bare=True) is not None
        if glossary or command in ("save", "delete_saved"):
            return None
        if msg["intent"] == "start_plan":
            self.plan_started, self.paused, self.phase = True, False, "plan"
            self._plan_begins()
            return None
        if self.check_done and msg["intent"] == "change":
            event("plan reopened")
            self.check_done, self.phase = False, "plan"
            return None
        if asked_again:
            named = g.origin.key if g.is_button else msg["entities"].get("q")
            said = self._yes_no(g, msg) if named in (None, "route", START_AGAIN) else None
            if said is True:
                event("started again")
                fresh = Model(phase="saq", saq_finished=self.saq_finished, plan_finished=self.plan_finished)
                self.__dict__.update(fresh.__dict__)
                return None
            if said is False:
                return None
        if msg["intent"] == "restart_assessment":
            self.start_again = True
        elif msg["intent"] == "change" or command == "go_back":
            self.review_done, self.ras, self.phase = False, None, "saq"
        return None

    def _plan_begins(self) -> None:
        if self.slot() == PLAN_CHECK and self.check_done:
            self.phase = "plan_done"

    # following the right outcome that happened --------------------------------------------

    def follow(self, lenient: Lenient, seen: Seen) -> None:
        slot = lenient.slot
        if lenient.kind == "saq_answer":
            before = self.answers.get(slot)
            got = seen.answers.get(slot)
            if got != before and got is not None:
                assert lenient.record, f"{slot} recorded as {got!r} from words that do not say it"
                self._record(slot, got)
            elif seen.pending and seen.pending.get("slot") == slot and lenient.propose:
                value = seen.pending.get("value")
                assert BANK.question(slot).option(value) is not None, f"proposed {value!r} is not an option of {slot}"
                self.pending = (slot, value)
        elif lenient.kind in ("person_name", "relationship"):
            got = seen.setup.get(slot)
            if got is not None:
                letters = got.replace("-", "").replace("'", "").replace(" ", "")
                assert letters and all(unicodedata.category(c)[0] in "LM" for c in letters), (
                    f"{slot} recorded as {got!r} from {lenient.text!r}: not a word")
                assert words_key(got.split()[0]) in words_key(lenient.text), (got, lenient.text)
                self.setup[slot] = got
        elif lenient.kind.startswith("money"):
            self._follow_money(lenient, seen)

    def _follow_money(self, lenient: Lenient, seen: Seen) -> None:
        slot = lenient.slot
        got = seen.draft.get(slot)
        now = seen.pending if (seen.pending or {}).get("slot") == slot else None
        before = self.pending
        finals = self._money_finals(lenient.money) if lenient.kind == "money" else self.money_intent
        if isinstance(got, dict):
            cost = (float(got["amount"]), got.get("per"))
            assert lenient.kind != "money_other", f"a cost {cost} was recorded from words that say none"
            assert cost in finals, f"the cost was recorded as {cost}; the words mean one of {finals}"
            if lenient.kind == "money_answer" and lenient.per in ("week", "year"):
                assert cost[1] == lenient.per, f"chose {lenient.per!r} but {cost} was recorded"
            self._plan_accept(slot, {"amount": got["amount"], "per": got["per"]})
            return
        if now is None:
            if lenient.kind == "money" and before is None:
                assert ("refuse",) in lenient.money, f"{lenient.money} were not understood at all"
            self.pending = None
            if lenient.kind == "money":
                self.money_intent = ()
            return
        value = now["value"]
        if before is not None and value == before[1]:
            if lenient.kind == "money":
                assert ("refuse",) in lenient.money, f"a new cost {lenient.money} left the old one {value} asked"
            return
        assert lenient.kind != "money_other", f"words that say no cost proposed {value}"
        if lenient.kind == "money":
            self.money_intent = finals
        amount = float(value["amount"])
        if "per" in value:
            assert (amount, value["per"]) in finals, f"read back {value}; the words mean one of {finals}"
        elif "rate" not in value:
            assert amount in {a for a, _ in finals}, f"asked the period of {value}; the words mean one of {finals}"
        self.pending = (slot, dict(value))


@dataclass
class Seen:
    """What the conversation has recorded (the tracker's slots, read as the API reads them)."""

    answers: Dict[str, str]
    skipped: set
    setup: Dict[str, Any]
    pending: Optional[Dict[str, Any]]
    draft: Dict[str, Any]
    pv: Dict[str, Any]
    items: List[Dict[str, Any]]
    plan: Optional[Dict[str, Any]]

    @classmethod
    def of(cls, slots: Dict[str, Any]) -> Seen:
        plan_slots = [s for s in all_plan_slots(PLAN, BANK) if s != PLAN_CHECK]
        return cls(
            answers=answers_of(slots, BANK),
            skipped={q.id for q in BANK.questions if slots.get(q.id) == SKIPPED},
            setup={s: slots.get(s) for s in SETUP},
            pending=slots.get("pending"),
            draft={s: slots.get(s) for s in SPENDING if slots.get(s) is not None},
            pv={s: slots.get(s) for s in plan_slots if s not in SPENDING and slots.get(s) is not None},
            items=list(slots.get("plan_items") or []),
            plan=plan_from_slots(slots),
        )


# -- what is shown ------------------------------------------------------------------------

def question_payloads(replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [m["custom"] for m in replies if (m.get("custom") or {}).get("type") == "question"]


def all_text(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


def buttons_of(replies: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    out = [b for m in replies for b in m.get("buttons") or []]
    for p in question_payloads(replies):
        out += [{"title": t.get("term", ""), "payload": t["payload"]} for t in p.get("terms") or [] if t.get("payload")]
    return out


def parsed(text: str) -> Dict[str, Any]:
    latest = latest_message(text)
    intent = (latest.get("intent") or {}).get("name")
    payload = text.startswith("/") and intent is not None
    entities = {e["entity"]: e["value"] for e in latest.get("entities") or []}
    return {"text": latest["text"], "payload": payload, "intent": intent if payload else None,
            "entities": entities if payload else {}}


def check_shown(model: Model, replies: List[Dict[str, Any]], g: Gesture) -> None:
    """The reply: never empty, and the question it asks is the model's, in the person's words."""
    assert replies, f"no reply to {g.raw!r}"
    for m in replies:
        assert (isinstance(m.get("text"), str) and m["text"].strip()) or m.get("custom"), f"empty message {m}"
    text = all_text(replies)
    assert WRONG is None or WRONG not in text, f"Steer said sorry (an action failed) after {g.raw!r}"
    if g.category in ("empty", "too_long"):
        return
    slot = model.slot()
    if slot is None:
        return
    if model.paused:
        assert any(b["payload"].startswith("/resume") for b in buttons_of(replies)), replies
        return
    asked = question_payloads(replies)
    assert asked, f"{slot} is being asked but the reply carries no question: {replies}"
    q = asked[-1]
    assert q["id"] == slot, f"asked {q['id']}, expected {slot}"
    assert q.get("ask") in (None, model.key()), (q.get("ask"), model.key())
    assert q["reading_level"] == model.level and q["answering_for"] == model.voice, q
    question = BANK.question(slot)
    if model.phase == "saq" and (question is not None or (slot == REVIEW and not model.review_area)):
        assert q["progress"] == model.progress(), (q["progress"], model.progress())
    if model.phase == "plan":
        assert q["progress"] == model.plan_progress(), (q["progress"], model.plan_progress())
    values = [o["value"] for o in q["options"]]
    if model.pending and model.pending[0] == slot and model.phase == "saq":
        assert values == ["yes", "no"], q
        label = getattr(question.option(model.pending[1]).label, model.level)
        assert label in text, f"the confirmation does not say {label!r}"
    elif question is not None:
        assert values == [o.value for o in question.options], q
        assert [o["label"] for o in q["options"]] == [getattr(o.label, model.level) for o in question.options]
        n = model.counted().index(slot) + 1
        wanted = say_text("progress", model.level, n=n, total=len(model.counted()))
        assert wanted in text, f"{wanted!r} not in {text!r}"
        words = getattr(getattr(question.text, model.level), model.voice).format(name=model.setup["person_name"] or "")
        assert words in text, f"the question is not asked in the person's words: {words!r}"
        if model.open and model.open[0] == slot and model.open[1] not in (None, SKIPPED):
            assert getattr(question.option(model.open[1]).label, model.level) in text, "the answer now is not shown"


# -- the state machine ----------------------------------------------------------------------

def typed_gestures(model: Model, shown: Dict[str, Any], data) -> Gesture:
    """Words a person might type here (drawn with `data`), with what they mean."""
    slot = model.slot()
    question = BANK.question(slot) if slot else None
    kinds = ["number", "option", "other_option", "command", "yesno", "need", "money", "period", "name",
             "relationship", "plan_text", "noise", "payload", "route", "glossary", "empty", "too_long", "zero_width",
             "stale_words", "plan_option"]
    kind = data.draw(st.sampled_from(kinds), label="kind")
    nlu_none = st.just(None)
    if kind == "number":
        n = data.draw(st.sampled_from(sorted(NUMBER_FORMS)), label="n")
        return Gesture(data.draw(st.sampled_from(NUMBER_FORMS[n])), "number", number=n)
    if kind in ("option", "other_option"):
        qid = slot if kind == "option" and question is not None else data.draw(
            st.sampled_from([q.id for q in BANK.questions]), label="qid")
        words, value = data.draw(st.sampled_from(labels(qid)), label="label")
        nlu = data.draw(st.one_of(nlu_none, st.tuples(st.sampled_from(["need_none", "need_little", "need_lots",
                                                                          "need_all"]), st.floats(0.3, 1.0))))
        return Gesture(words, "option" if qid == slot else "other_option", nlu=nlu, qid=qid, value=value)
    if kind == "plan_option":
        steps = [s for s in PLAN.steps if s.kind == "choice"]
        here = PLAN.step(slot.split("__")[0]) if slot and model.phase == "plan" and slot != PLAN_CHECK else None
        step = here if here is not None and here.kind == "choice" else data.draw(st.sampled_from(steps))
        words = data.draw(st.sampled_from([w for _, plain, easy in model.choices(step) for w in (plain, easy)]))
        return Gesture(words, "plan_option")
    if kind == "zero_width":
        qid = slot if question is not None else BANK.questions[0].id
        words, value = data.draw(st.sampled_from(labels(qid)), label="label")
        cut = data.draw(st.integers(0, len(words)), label="cut")
        return Gesture(words[:cut] + "\u200b" + words[cut:], "other_option", qid=qid, value=value)
    if kind == "command":
        name = data.draw(st.sampled_from(sorted(COMMAND_PHRASES)), label="command")
        text = data.draw(st.sampled_from(COMMAND_PHRASES[name]))
        nlu = data.draw(st.one_of(nlu_none, st.tuples(st.just(name), st.floats(0.85, 1.0))))
        return Gesture(text, "command", nlu=nlu, value=name)
    if kind == "glossary":
        return Gesture(data.draw(st.sampled_from(GLOSSARY_QUESTIONS)), "glossary", value="explain")
    if kind == "yesno":
        value = data.draw(st.sampled_from(["yes", "no"]))
        text = data.draw(st.sampled_from(YES if value == "yes" else NO))
        nlu = data.draw(st.one_of(nlu_none, st.just(("affirm" if value == "yes" else "deny", 0.95))))
        return Gesture(text, "yesno", nlu=nlu, value=value)
    if kind == "need":
        text, intent = data.draw(st.sampled_from(NEEDS))
        nlu = data.draw(st.one_of(nlu_none, st.tuples(st.just(intent), st.floats(0.3, 1.0))))
        return Gesture(text, "need", nlu=nlu)
    if kind == "money":
        text, right = data.draw(st.sampled_from(MONEY))
        return Gesture(text, "money", money=right)
    if kind == "period":
        text, per = data.draw(st.sampled_from(PERIODS))
        if text.isdigit():
            return Gesture(text, "number", number=int(text))
        return Gesture(text, "period", value=per)
    if kind == "name":
        text, expect = data.draw(st.sampled_from(NAMES))
        return Gesture(text, "name", expect=expect)
    if kind == "relationship":
        text, expect = data.draw(st.sampled_from(RELATIONSHIPS))
        return Gesture(text, "relationship", expect=expect)
    if kind == "plan_text":
        text = data.draw(st.sampled_from(PLAN_TEXTS + ["x" * 20 + " and more words " * 45]))
        return Gesture(text, "plan_text")
    if kind == "noise":
        text = data.draw(st.sampled_from(NOISE))
        nlu = data.draw(st.one_of(nlu_none, st.tuples(st.sampled_from(["need_lots", "need_all", "skip", "go_back"]),
                                                        st.floats(0.3, 0.84)),
                                  st.tuples(st.sampled_from(["need_lots", "need_none"]), st.floats(0.85, 1.0))))
        return Gesture(text, "noise", nlu=nlu)
    if kind == "payload":
        current = question_payloads(shown.get("replies") or [])
        options = current[-1]["options"] if current else []
        texts = ['/answer{bad', '/change{"item":"²"}', '/answer{"value":"no_help"}', '/restart', '/session_start',
                 '//skip', '/ /restart', '/answer{"value": 5}', '/explain{"term":"indicative"}', '/nonsense_intent']
        if options and data.draw(st.booleans(), label="exact"):
            o = data.draw(st.sampled_from(options), label="option")  # typed by hand, exactly as the button
            return Gesture(o["payload"], "button", origin=shown["origin_of"](o["payload"]))
        return Gesture(data.draw(st.sampled_from(texts)), "payload")
    if kind == "route":
        text, intent = data.draw(st.sampled_from(ROUTE_PHRASES))
        return Gesture(text, "route", nlu=(intent, 0.95))
    if kind == "empty":
        return Gesture(data.draw(st.sampled_from(EMPTY)), "empty")
    if kind == "too_long":
        n = data.draw(st.integers(MAX_MESSAGE_CHARS + 1, MAX_MESSAGE_CHARS + 400), label="length")
        return Gesture(("lorem ipsum dolor " * 100)[:n], "too_long")
    # stale_words: an answer typed in a second tab that still shows an older question
    old = data.draw(st.sampled_from(sorted(shown.get("keys") or {"answering_for"})), label="old key")
    n = data.draw(st.integers(1, 4), label="n")
    return Gesture(str(n), "number", number=n, seen=old)


class Conversation(RuleBasedStateMachine):
    """One person, one conversation; every rule is one thing they do (or a run of sensible answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.sim = Sim()
        self.model = Model()
        self.pool: Dict[Tuple[str, Origin], Dict[str, Any]] = {}
        self.keys: set = set()
        self.replies: List[Dict[str, Any]] = []
        self.trail: List[str] = []
        self.broken = False
        self.summaries = 0
        STATS["conversations"] += 1
        self.started = time.perf_counter()

    # sending, and every check after each message -------------------------------------------

    def send(self, g: Gesture) -> List[Dict[str, Any]]:
        STATS["steps"] += 1
        STATS["buttons" if g.is_button else "typed"] += 1
        if g.is_button and g.origin.key not in ("route", self.model.key()):
            STATS["stale_buttons"] += 1
        self.trail.append(f"{g.category}: {g.raw[:80]!r}" + ("..." if len(g.raw) > 80 else "")
                          + (f" (shown at {g.origin.key})" if g.origin else "")
                          + (f" (typed seeing {g.seen})" if g.seen not in ("page", None) else ""))
        try:
            return self._send(g)
        except AssertionError as err:
            self.broken = True
            raise AssertionError(f"{err}\n{self.story()}") from None
        except BaseException:
            self.broken = True
            print(self.story())
            raise

    def story(self) -> str:
        """The conversation so far, one message a line (the last 25), for a failure's report."""
        lines = self.trail[-25:]
        return f"after {len(self.trail)} messages:\n" + "\n".join(f"  {n}. {line}" for n, line in enumerate(
            lines, start=len(self.trail) - len(lines) + 1))

    def _send(self, g: Gesture) -> List[Dict[str, Any]]:
        asked, open_before = self.model.slot(), self.model.open
        before = Seen.of(self.sim.slots)
        text = clean_message(g.raw) if len(g.raw.strip()) <= MAX_MESSAGE_CHARS else ""
        msg = parsed(text) if text else {"text": "", "payload": False, "intent": None, "entities": {}}
        if not msg["payload"] and g.nlu:
            msg["intent"] = g.nlu[0]  # what the classifier made of the words
        if not text and g.category != "too_long":
            g = Gesture(g.raw, "empty")  # the front door answers it; nothing reaches Rasa
        lenient = self.model.step(g, msg)
        replies = self.sim.send(g.raw, g.nlu, seen=g.seen)
        self.replies = replies
        after = Seen.of(self.sim.slots)
        self.check_only_asked_changed(before, after, asked, open_before, g, msg)
        if lenient is not None:
            self.model.follow(lenient, after)
        self.check_state(after)
        check_shown(self.model, replies, g)
        self.remember(replies)
        return replies

    def check_only_asked_changed(self, before: Seen, after: Seen, asked: Optional[str], open_before, g: Gesture,
                                 msg: Dict[str, Any]) -> None:
        """A recorded answer changes only for the question being asked, or one changed on purpose
        (go back, the check's "change", the offer to change an earlier answer)."""
        changed = {q for q in set(before.answers) | set(after.answers) if before.answers.get(q) != after.answers.get(q)}
        changed |= before.skipped ^ after.skipped
        allowed = {asked, (open_before or (None,))[0], (self.model.open or (None,))[0]}
        if msg["payload"] and msg["intent"] == "change":
            allowed.add(msg["entities"].get("question"))
        if self.model.phase == "saq" and not after.answers and not after.skipped:
            allowed |= changed  # started again
        wrong = sorted(changed - allowed)
        assert not wrong, (
            f"{g.raw!r} (shown at {g.origin.key if g.origin else '-'}) changed {wrong} while {asked} was asked "
            f"(the model: {self.model.open}): "
            f"{[(q, before.answers.get(q), after.answers.get(q)) for q in wrong]}")

    def check_state(self, seen: Seen) -> None:
        m, sim = self.model, self.sim
        assert seen.answers == m.answers, {"recorded": seen.answers, "model": m.answers}
        assert seen.skipped == m.skipped, {"recorded": sorted(seen.skipped), "model": sorted(m.skipped)}
        assert seen.setup == m.setup, {"recorded": seen.setup, "model": m.setup}
        loop = {"saq": FORM, "plan": PLAN_FORM}.get(m.phase)
        assert (sim.loop, sim.requested) == (loop, m.slot()), {"asked": (sim.loop, sim.requested),
                                                               "model": (loop, m.slot())}
        assert bool(sim.slots.get("paused")) == m.paused, f"paused: {sim.slots.get('paused')}, the model: {m.paused}"
        pending = sim.slots.get("pending") or None
        want = None if m.start_again is False else {"slot": START_AGAIN}
        if m.pending is not None and m.phase in ("saq", "plan"):
            want = {"slot": m.pending[0], "value": m.pending[1]}
        assert pending == want, {"pending": pending, "model": want}
        if m.phase == "saq" and m.slot() == REVIEW:
            assert sim.slots.get("review_area") == m.review_area, (
                f"the check shows area {sim.slots.get('review_area')!r}; the model: {m.review_area!r}")
        assert (sim.slots.get(REVIEW) == REVIEW_DONE) == m.review_done, f"answers checked: the model {m.review_done}"
        assert sim.slots.get("ras_result") == m.ras, "the budget is not the scorer's for the answers given"
        if m.plan_started:
            assert seen.items == m.items, {"recorded": seen.items, "model": m.items}
            assert seen.draft == {k: v for k, v in m.draft.items() if v is not None}, {
                "the item being planned": seen.draft, "model": m.draft}
            assert seen.pv == {k: v for k, v in m.pv.items() if v is not None}, {"plan answers": seen.pv, "model": m.pv}
            assert seen.plan == m.plan(), {"recorded": seen.plan, "model": m.plan()}
            assert (sim.slots.get(PLAN_CHECK) == PLAN_DONE) == m.check_done, f"plan checked: the model {m.check_done}"

    def remember(self, replies: List[Dict[str, Any]]) -> None:
        self.summaries += sum(1 for m in replies if (m.get("custom") or {}).get("type") == "summary")
        key = self.model.key()
        self.keys.add(key)
        removes = [b for b in buttons_of(replies) if parsed(b["payload"])["entities"].get("item") is not None]
        for b in buttons_of(replies):
            origin = Origin(key)
            if b in removes:
                i = removes.index(b)
                if i < len(self.model.items):
                    it = self.model.items[i]
                    origin = Origin(key, (it["category"], float(it["amount"]), it.get("per", "year")), i)
            self.pool[(b["payload"], origin)] = {"payload": b["payload"], "title": b.get("title"), "origin": origin}

    def current_buttons(self) -> List[Dict[str, str]]:
        return buttons_of(self.replies)

    def press(self, button: Dict[str, Any]) -> None:
        self.send(Gesture(button["payload"], "button", origin=button["origin"]))

    # what people do ---------------------------------------------------------------------

    @rule(data=st.data())
    def press_any_button_shown_so_far(self, data) -> None:
        if not self.pool:
            self.send(Gesture("/greet", "button", origin=Origin("route")))
            return
        button = data.draw(st.sampled_from(list(self.pool.values())), label="button")
        self.press(button)

    @rule(data=st.data())
    def press_a_current_button(self, data) -> None:
        current = [v for v in self.pool.values() if v["origin"].key == self.model.key()
                   and any(b["payload"] == v["payload"] for b in self.current_buttons())]
        if not current:
            self.send(Gesture("hello", "command", value="greet"))
            return
        self.press(data.draw(st.sampled_from(current), label="button"))

    @rule(data=st.data())
    def double_tap(self, data) -> None:
        current = [v for v in self.pool.values() if v["origin"].key == self.model.key()
                   and any(b["payload"] == v["payload"] for b in self.current_buttons())]
        if current:
            button = data.draw(st.sampled_from(current), label="button")
            self.press(button)
            self.press(button)

    @rule(data=st.data())
    def type_something(self, data) -> None:
        self.send(typed_gestures(self.model, {"replies": self.replies, "keys": self.keys,
                                              "origin_of": self.origin_of}, data))

    def origin_of(self, payload: str) -> Origin:
        here = [v["origin"] for v in self.pool.values()
                if v["payload"] == payload and v["origin"].key == self.model.key()]
        return here[-1] if here else Origin(self.model.key())

    @rule(data=st.data())
    def say_a_command(self, data) -> None:
        """Repeat, go back, skip, stop, carry on, easier words, ... (typed: they are many, so drawn often)."""
        name = data.draw(st.sampled_from(sorted(COMMAND_PHRASES)), label="command")
        text = data.draw(st.sampled_from(COMMAND_PHRASES[name]), label="words")
        self.send(Gesture(text, "command", nlu=data.draw(st.sampled_from([None, (name, 0.93)])), value=name))

    @precondition(lambda self: self.model.slot() in (REVIEW, PLAN_CHECK) or self.model.phase == "plan_done"
                  or (self.model.phase == "finished" and not self.model.start_again))
    @rule(data=st.data())
    def change_something_at_a_check(self, data) -> None:
        """At "check your answers", the plan's check or its end: change, remove, or start again."""
        choices = [b for b in self.current_buttons() if parsed(b["payload"])["intent"] in ("change",
                                                                                         "restart_assessment")]
        if not choices:
            return
        payload = data.draw(st.sampled_from(choices), label="button")["payload"]
        self.press({"payload": payload, "origin": self.origin_of(payload)})
        if self.model.start_again and data.draw(st.booleans(), label="yes, clear them"):
            yes = [b for b in self.current_buttons() if parsed(b["payload"])["intent"] == "affirm"]
            self.press({"payload": yes[0]["payload"], "origin": Origin(START_AGAIN)})

    @rule(data=st.data(), n=st.integers(1, 14))
    def answer_sensibly(self, data, n) -> None:
        for _ in range(n):
            if self.model.phase == "plan_done":
                return
            self.sensible(data)

    def sensible(self, data=None) -> None:
        """One step a person who wants to get on would take (the first choice, without `data`)."""
        m = self.model

        def pick(options):
            return options[0] if data is None else data.draw(st.sampled_from(options))

        if m.phase == "new":
            return self.send(Gesture("/greet", "button", origin=Origin("route")))
        if not question_payloads(self.replies) and m.phase in ("saq", "plan") and not m.paused:
            return self.send(Gesture("repeat", "command", value="repeat"))  # show the question again
        by_intent: Dict[str, List[Dict[str, Any]]] = {}
        for b in self.current_buttons():
            by_intent.setdefault(parsed(b["payload"])["intent"] or "", []).append(
                {"payload": b["payload"], "origin": Origin(m.key())})
        slot = m.slot()
        if m.paused:
            if "resume" in by_intent:
                return self.press(by_intent["resume"][0])
            return self.send(Gesture("carry on", "command", value="resume"))
        if m.phase in ("finished", "plan_done"):
            if m.start_again:
                return self.press({**by_intent["deny"][0], "origin": Origin(START_AGAIN)})
            return self.send(Gesture("/start_plan", "button", origin=Origin("route")))
        if m.pending and m.pending[0] == slot and m.phase == "saq":
            return self.press(by_intent["affirm"][0])
        if slot in ("answering_for", "reading_level"):
            return self.press(pick([b for bs in by_intent.values() for b in bs if not b["payload"].startswith(
                "/explain")]))
        if slot == "person_name":
            text, expect = pick(NAMES)
            return self.send(Gesture(text, "name", expect=expect))
        if slot == "relationship":
            text, expect = pick(RELATIONSHIPS)
            return self.send(Gesture(text, "relationship", expect=expect))
        if slot == REVIEW:
            if m.review_area:
                to_questions = [b for b in by_intent["change"] if "question" in parsed(b["payload"])["entities"]]
                back = [b for b in by_intent["change"] if b not in to_questions]
                return self.press(pick(to_questions) if data is not None else back[0])
            return self.press(by_intent["review_ok"][0])
        if slot == PLAN_CHECK:
            return self.press(by_intent["review_ok"][0])
        step = PLAN.step(slot.split("__")[0]) if m.phase == "plan" else None
        if step is not None and m.pending and m.pending[0] == slot:
            if "affirm" in by_intent:
                return self.press(by_intent["affirm"][0])
            if "answer" in by_intent:
                return self.press(pick(by_intent["answer"]))
            return self.send(Gesture("3", "number", number=3))  # "about how many a week?"
        if step is not None and step.kind == "text":
            return self.send(Gesture(pick(PLAN_TEXTS[:5]), "plan_text"))
        if step is not None and step.kind == "money":
            text, right = pick(MONEY[:10])
            return self.send(Gesture(text, "money", money=right))
        if step is not None and step.kind == "yes_no":
            more = data is not None and len(m.items) < 3 and data.draw(st.booleans(), label="more")
            return self.press(by_intent["affirm" if more else "deny"][0])
        options = by_intent.get("answer") or []
        assert options, f"{slot} is asked with no answer buttons: {self.replies}"
        self.press(pick(options))

    # from any state, both the SAQ and the plan can still be finished ---------------------------

    def teardown(self) -> None:
        if self.broken:  # a step failed: that failure is the one to report
            return
        try:
            for _ in range(300):
                if self.model.phase == "plan_done" and not self.model.start_again:
                    break
                self.sensible()
            assert self.model.phase == "plan_done" and not self.model.start_again, (
                f"not finished in 300 sensible steps: at {self.model.phase} {self.model.slot()}\n{self.story()}")
            assert self.sim.loop is None and self.sim.slots.get(PLAN_CHECK) == PLAN_DONE
            assert self.summaries, "the finished plan was never offered as a summary"
            STATS["finished_saq"] += 1
            STATS["finished_plan"] += 1
        finally:
            STATS["seconds"] += time.perf_counter() - self.started

    @invariant()
    def budget_is_the_scorers(self) -> None:
        budget = [m["custom"] for m in self.replies if (m.get("custom") or {}).get("type") == "budget"]
        if budget and self.model.ras is not None:
            assert budget[-1]["result"] == self.model.ras


# A failure is reported as it was found, with its last 25 messages (Conversation.story): shrinking a
# conversation takes Hypothesis up to 5 minutes. STEER_MODEL_SHRINK=1 shrinks it to the shortest one;
# either way Hypothesis's database (.hypothesis/) replays it first on the next run.
# The same conversations on every run (so CI's verdict is about the change, not the draw);
# STEER_MODEL_EXPLORE=1 draws new ones, with STEER_MODEL_EXAMPLES=3000 for a longer hunt.
SHRINK = os.environ.get("STEER_MODEL_SHRINK") == "1"
EXPLORE = os.environ.get("STEER_MODEL_EXPLORE") == "1"
Conversation.TestCase.settings = settings(
    max_examples=int(os.environ.get("STEER_MODEL_EXAMPLES", "700")),  # about 75,000 messages in 90 s
    derandomize=not EXPLORE,
    database=None if not EXPLORE else settings.default.database,
    phases=list(Phase) if SHRINK else [Phase.explicit, Phase.reuse, Phase.generate],
    stateful_step_count=40,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
TestConversationModel = Conversation.TestCase


@pytest.fixture(scope="module", autouse=True)
def report_steps(request):
    started = time.perf_counter()
    yield
    STATS["wall_seconds"] = round(time.perf_counter() - started, 1)
    STATS["seconds"] = round(STATS["seconds"], 1)
    STATS["events"] = dict(sorted(EVENTS.items()))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "conversation-model.json").write_text(json.dumps(STATS, indent=2), encoding="utf-8")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nconversation model: {STATS['steps']} generated steps in {STATS['conversations']} "
                                f"conversations ({STATS['stale_buttons']} stale button presses), "
                                f"{STATS['wall_seconds']} s")
