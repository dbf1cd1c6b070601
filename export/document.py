"""The assessment as a stable, versioned JSON document for the council (schema: assessment.schema.json).

Made from `bot.assessment.assessment_from_slots(...)` and the draft support plan; it carries no
Rasa internals (no slot names, events or conversation ids), only what the person told Steer.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from bank import QuestionBank, default_bank
from bank.plan import PlanBank, default_plan
from export.content import (
    ANSWERING_FOR_LABELS,
    CARE_ACT_OUTCOME_LABELS,
    READING_LEVEL_LABELS,
    ExportError,
    applicable_answers,
    applicable_skips,
    content_version,
    tidy_plan,
    tidy_ras,
)

SCHEMA_VERSION = "1.0"
DOCUMENT_TYPE = "steer-assessment"
SCHEMA_FILE = Path(__file__).with_name("assessment.schema.json")


@cache
def assessment_schema() -> Dict[str, Any]:
    """The JSON Schema (draft 2020-12) every document from assessment_json() meets."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def timestamp(when: Optional[datetime] = None) -> str:
    """UTC, to the second, like 2025-05-01T09:30:00Z."""
    when = when or datetime.now(timezone.utc)
    if when.tzinfo is None:
        raise ExportError("generated_at must say its time zone")
    return when.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _choice(value: Any, labels: Dict[str, str], where: str) -> Optional[str]:
    if value is not None and value not in labels:
        raise ExportError(f"'{where}' must be one of {sorted(labels)} or None")
    return value


def _name(value: Any, where: str) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise ExportError(f"'{where}' must be words (a string) or None")
    return (value or "").strip() or None


def _progress(value: Any) -> Dict[str, int]:
    value = value or {"done": 0, "total": 0}
    numbers = [value.get(k) if isinstance(value, Mapping) else None for k in ("done", "total")]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers):
        raise ExportError("'progress' must have whole numbers 'done' and 'total'")
    return {"done": numbers[0], "total": numbers[1]}


def assessment_json(
    assessment: Mapping[str, Any],
    plan: Optional[Mapping[str, Any]] = None,
    bank: Optional[QuestionBank] = None,
    *,
    plan_bank: Optional[PlanBank] = None,
    generated_at: Optional[datetime] = None,
) -> Dict[str, Any]:
    """The export document. `plan` defaults to assessment["plan"] when that is present.

    ExportError (a ValueError) names the field when the input does not fit; the output always
    meets assessment_schema().
    """
    bank = bank if bank is not None else default_bank()
    plan_bank = plan_bank if plan_bank is not None else default_plan()
    if not isinstance(assessment, Mapping):
        raise ExportError("the assessment must be a mapping (from assessment_from_slots)")
    plan = plan if plan is not None else assessment.get("plan")

    answers = applicable_answers(assessment.get("answers") or {}, bank)
    answering_for = _choice(assessment.get("answering_for"), ANSWERING_FOR_LABELS, "answering_for")
    return {
        "schema_version": SCHEMA_VERSION,
        "document_type": DOCUMENT_TYPE,
        "generated_at": timestamp(generated_at),
        "content_version": content_version(bank, plan_bank),
        "status": "complete" if assessment.get("complete") is True else "in_progress",
        "progress": _progress(assessment.get("progress")),
        "respondent": {
            "answering_for": answering_for,
            # The first name is only asked when someone answers for another person.
            "person_first_name": _name(assessment.get("person_name"), "person_name") if answering_for == "other"
            else None,
            "relationship": _name(assessment.get("relationship"), "relationship") if answering_for == "other"
            else None,
        },
        "reading_level": _choice(assessment.get("reading_level"), READING_LEVEL_LABELS, "reading_level"),
        "answers": [_answer(qid, value, bank) for qid, value in answers.items()],
        "skipped": [
            {"question_id": qid, "question_title": bank.question(qid).title.plain, "area_id": bank.area_of[qid]}
            for qid in applicable_skips(assessment.get("skipped"), answers, bank)
        ],
        "indicative_budget": tidy_ras(assessment.get("ras"), bank),
        "plan": tidy_plan(plan, bank, plan_bank),
    }


def _answer(qid: str, value: str, bank: QuestionBank) -> Dict[str, Any]:
    question = bank.question(qid)
    option = question.option(value)
    area = bank.area(bank.area_of[qid])
    return {
        "question_id": qid,
        "question_title": question.title.plain,
        "area_id": area.id,
        "area_title": area.title.plain,
        "value": value,
        "label": option.label.plain,
        "need": option.need,
        "care_act_outcomes": [{"id": o, "label": CARE_ACT_OUTCOME_LABELS[o]} for o in question.outcomes],
    }
