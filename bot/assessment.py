"""What a conversation has recorded so far, read from its Rasa slots (one slot per question)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from bank import QuestionBank, default_bank
from dialogue.flow import REVIEW, REVIEW_DONE, SKIPPED, answers_of, counted_slots
from dialogue.plan_flow import plan_from_slots

ANSWERING_FOR = ("self", "other")
READING_LEVELS = ("plain", "easy_read")


def _one_of(value: Any, allowed: tuple) -> Optional[str]:
    return value if value in allowed else None


def _text_or_none(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None


def assessment_from_slots(slots: Dict[str, Any], bank: Optional[QuestionBank] = None) -> Dict[str, Any]:
    """The assessment as plain JSON-ready data: who answers, answers, skips, progress and result.

    Progress is counted as the conversation counts it (dialogue.flow), so the page and the API agree.
    """
    bank = bank if bank is not None else default_bank()
    answers = answers_of(slots, bank)
    skipped = [q.id for q in bank.questions if slots.get(q.id) == SKIPPED]
    counted = counted_slots(slots, bank)
    return {
        "answering_for": _one_of(slots.get("answering_for"), ANSWERING_FOR),
        "person_name": _text_or_none(slots.get("person_name")),
        "relationship": _text_or_none(slots.get("relationship")),
        "reading_level": _one_of(slots.get("reading_level"), READING_LEVELS),
        "answers": answers,
        "skipped": skipped,
        "progress": {"done": sum(1 for q in counted if slots.get(q) is not None), "total": len(counted)},
        "complete": slots.get(REVIEW) == REVIEW_DONE,
        "ras": slots.get("ras_result"),
        "plan": plan_from_slots(slots),
    }
