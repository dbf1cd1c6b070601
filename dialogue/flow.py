"""Where the conversation is: which slot comes next, progress, and the answers so far.

The order is the question bank's. A slot is "done" when it holds a value; a skipped question
holds SKIPPED so the form moves on and the answer can still be given later.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bank import QuestionBank
from ras.score import SKIPPED as SKIPPED  # the scorer's word for an unanswered question, kept in one place

FORM = "saq_form"
REVIEW = "review"
REVIEW_DONE = "confirmed"
SETUP_SLOTS = ("answering_for", "person_name", "relationship", "reading_level")


def all_form_slots(bank: QuestionBank) -> List[str]:
    """Every slot the form can ask for, in order (the domain declares all of them)."""
    return [*SETUP_SLOTS, *(q.id for q in bank.questions), REVIEW]


def answers_of(slots: Dict[str, Any], bank: QuestionBank) -> Dict[str, str]:
    """Recorded answers: question id -> option value (skipped and empty left out)."""
    out = {}
    for q in bank.questions:
        value = slots.get(q.id)
        if isinstance(value, str) and q.option(value) is not None:
            out[q.id] = value
    return out


def question_slots(slots: Dict[str, Any], bank: QuestionBank) -> List[str]:
    """The questions that apply, given the answers so far (ask_if)."""
    return [q.id for q in bank.applicable(answers_of(slots, bank))]


def required_slots(slots: Dict[str, Any], bank: QuestionBank) -> List[str]:
    setup = ["answering_for"]
    if slots.get("answering_for") == "other":
        setup += ["person_name", "relationship"]
    setup.append("reading_level")
    return [*setup, *question_slots(slots, bank), REVIEW]


def next_slot(slots: Dict[str, Any], bank: QuestionBank) -> Optional[str]:
    return next((s for s in required_slots(slots, bank) if slots.get(s) is None), None)


def previous_slot(current: str, slots: Dict[str, Any], bank: QuestionBank) -> Optional[str]:
    """The filled question before `current`, for "go back". Setup answers are not undone."""
    order = question_slots(slots, bank)
    if current == REVIEW:
        earlier = order
    elif current in order:
        earlier = order[: order.index(current)]
    else:
        return None
    return next((s for s in reversed(earlier) if slots.get(s) is not None), None)


def counted_slots(slots: Dict[str, Any], bank: QuestionBank) -> List[str]:
    """Questions for progress: those that apply, and those whose gate is not answered yet,
    so the total only ever goes down ("of 26", then "of 25"), never up."""
    return [q.id for q in bank.questions
            if bank.applies(q, answers_of(slots, bank)) or (q.ask_if and slots.get(q.ask_if.question) is None)]


def progress(current: str, slots: Dict[str, Any], bank: QuestionBank) -> Dict[str, int]:
    """"Question n of total": n is this question's place among those counted."""
    return progress_in(counted_slots(slots, bank), current, slots)


def progress_in(order: List[str], current: str, slots: Dict[str, Any]) -> Dict[str, int]:
    """How far along `order` (either form's steps) the person is, and which step `current` is."""
    done = sum(1 for s in order if slots.get(s) is not None)
    number = order.index(current) + 1 if current in order else done
    return {"done": done, "number": number, "total": len(order)}
