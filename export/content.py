"""What both exports share: labels from the question bank and plan bank, the content version,
which answers apply, and the draft plan checked and tidied into one stable shape.

Everything here is a pure function of its arguments. Errors name a field, never a person's words.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, Container, Dict, List, Mapping, Optional

from bank import QuestionBank
from bank.plan import (  # the plan's shape lives with the plan bank
    ABOUT_KEYS,
    CATEGORY_STEP,
    CHANGES_KEYS,
    HELPERS_STEP,
    MANAGEMENT_STEP,
    SAFETY_KEYS,
    PlanBank,
    PlanStep,
)
from ras.money import WEEKS_IN_A_YEAR

# The outcomes in the words of the Care and Support (Eligibility Criteria) Regulations 2015, reg. 2(2).
CARE_ACT_OUTCOME_LABELS = {
    "nutrition": "Managing and maintaining nutrition",
    "personal_hygiene": "Maintaining personal hygiene",
    "toilet_needs": "Managing toilet needs",
    "being_appropriately_clothed": "Being appropriately clothed",
    "using_home_safely": "Being able to make use of the home safely",
    "habitable_home": "Maintaining a habitable home environment",
    "relationships": "Developing and maintaining family or other personal relationships",
    "work_training_education_volunteering": "Accessing and engaging in work, training, education or volunteering",
    "using_local_facilities": "Making use of necessary facilities or services in the local community",
    "caring_for_a_child": "Carrying out any caring responsibilities for a child",
}

ANSWERING_FOR_LABELS = {"self": "Answering for themselves", "other": "Answering for someone else"}
READING_LEVEL_LABELS = {"plain": "Plain English", "easy_read": "Easy read"}
PER_LABELS = {"week": "A week", "year": "A year"}
RAS_STATUS_LABELS = {
    "indicative": "Indicative budget worked out",
    "below_floor": "Below the council's lowest amount: no amount shown",
    "above_ceiling": "Above the council's highest amount: the council will look at it",
}
NO_AREA = "none"  # the plan bank's "none of these" when picking which goal an item helps


class ExportError(ValueError):
    """The assessment or plan cannot be exported as it is; says which field, never what was in it."""


def content_version(bank: QuestionBank, plan_bank: PlanBank) -> str:
    """A short fingerprint of the questions, options and plan steps (not the answer examples).

    It changes when any wording or option changes, so a response says exactly which version it answered.
    """
    content = {
        "areas": [a.dict() for a in bank.areas],
        "questions": [q.dict(by_alias=True, exclude={"options": {"__all__": {"examples"}}}) for q in bank.questions],
        "plan": [s.dict() for s in plan_bank.steps],
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def plan_step(plan_bank: PlanBank, step_id: str) -> PlanStep:
    step = plan_bank.step(step_id)
    if step is None:
        raise ExportError(f"the plan bank has no step '{step_id}', which the export needs")
    return step


def plan_option_labels(plan_bank: PlanBank, step_id: str) -> Dict[str, str]:
    """Option value -> plain label for one of the plan's choice steps."""
    return {o.value: o.label.plain for o in plan_step(plan_bank, step_id).options}


def applicable_answers(answers: Any, bank: QuestionBank) -> Dict[str, str]:
    """The answers to questions that apply, in bank order, checked against the bank.

    An answer left over from a changed gate answer ("nobody helps" after "how much help can go on")
    is not exported: the scorer does not count it, and FHIR would have that item disabled.
    """
    if not isinstance(answers, Mapping):
        raise ExportError("'answers' must be a mapping of question id to option value")
    for qid, value in answers.items():
        question = bank.question(qid) if isinstance(qid, str) else None
        if question is None:
            raise ExportError(f"answers: '{qid}' is not a question in the question bank")
        if not isinstance(value, str) or question.option(value) is None:
            raise ExportError(f"answers: the answer to '{qid}' is not one of its options")
    return {qid: value for qid, value in bank.asked(answers).items() if value is not None}


def applicable_skips(skipped: Any, answers: Mapping[str, str], bank: QuestionBank) -> List[str]:
    """Skipped questions that apply and have no answer, in bank order."""
    if skipped is None:
        return []
    if not isinstance(skipped, (list, tuple)):
        raise ExportError("'skipped' must be a list of question ids")
    unknown = [s for s in skipped if not isinstance(s, str) or bank.question(s) is None]
    if unknown:
        raise ExportError(f"skipped: {unknown} are not questions in the question bank")
    return [qid for qid, value in bank.asked(answers).items() if value is None and qid in skipped]


# ---- the draft plan ---------------------------------------------------------------------------


def _words(value: Any, where: str) -> Optional[str]:
    """Free text: stripped; empty or missing is None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ExportError(f"plan: '{where}' must be words (a string)")
    return value.strip() or None


def _section(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ExportError(f"plan: '{where}' must be a mapping")
    return value


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ExportError(f"plan: '{where}' must be a list")
    return list(value)


def _area(value: Any, where: str, bank: QuestionBank, allow_none: bool) -> Optional[str]:
    if allow_none and value in (None, "", NO_AREA):
        return None
    if not isinstance(value, str) or value not in {a.id for a in bank.areas}:
        raise ExportError(f"plan: '{where}' must be an area id of the question bank")
    return value


def _money(value: Any, where: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ExportError(f"plan: '{where}' must be an amount of money: a number, 0 or more")
    return round(float(value), 2)


def _code(value: Any, where: str, labels: Dict[str, str]) -> Dict[str, str]:
    if value not in labels:
        raise ExportError(f"plan: '{where}' must be one of {sorted(labels)}")
    return {"value": value, "label": labels[value]}


def tidy_plan(plan: Any, bank: QuestionBank, plan_bank: PlanBank) -> Optional[Dict[str, Any]]:
    """The draft plan in one stable shape (every key present; missing words are None), or None."""
    if plan is None:
        return None
    if not isinstance(plan, Mapping):
        raise ExportError("plan must be a mapping (or None when not started)")
    status = plan.get("status", "draft")
    if not isinstance(status, str) or not status.strip():
        raise ExportError("plan: 'status' must be words, like draft")

    about = _section(plan.get("about"), "about")
    outcomes = []
    for n, item in enumerate(_list(plan.get("outcomes"), "outcomes")):
        item = _section(item, f"outcomes[{n}]")
        area = _area(item.get("area"), f"outcomes[{n}].area", bank, allow_none=False)
        outcomes.append({
            "area_id": area,
            "area_title": bank.area(area).title.plain,
            "want": _words(item.get("want"), f"outcomes[{n}].want"),
            "why": _words(item.get("why"), f"outcomes[{n}].why"),
        })

    categories = plan_option_labels(plan_bank, CATEGORY_STEP)
    spending = []
    for n, item in enumerate(_list(plan.get("spending"), "spending")):
        item = _section(item, f"spending[{n}]")
        amount = _money(item.get("amount"), f"spending[{n}].amount")
        per = item.get("per")
        if per is not None and per not in PER_LABELS:
            raise ExportError(f"plan: 'spending[{n}].per' must be one of {sorted(PER_LABELS)}")
        if amount is not None and per is None:
            raise ExportError(f"plan: 'spending[{n}].per' must say whether the amount is a week or a year")
        yearly = None if amount is None else round(amount * (WEEKS_IN_A_YEAR if per == "week" else 1), 2)
        category = _code(item.get("category"), f"spending[{n}].category", categories)
        spending.append({
            "category": category["value"],
            "category_label": category["label"],
            "amount": amount,
            "per": per,
            "amount_per_year": yearly,
            "reason": _words(item.get("reason"), f"spending[{n}].reason"),
            "outcome_area_id": _area(item.get("outcome_area"), f"spending[{n}].outcome_area", bank, allow_none=True),
        })

    management = plan.get("management")
    helpers = plan_option_labels(plan_bank, HELPERS_STEP)
    helping = _list(plan.get("planning_help"), "planning_help")
    safety = _section(plan.get("safety"), "safety")
    changes = _section(plan.get("changes"), "changes")
    return {
        "status": status.strip(),
        "about": {k: _words(about.get(k), f"about.{k}") for k in ABOUT_KEYS},
        "outcomes": outcomes,
        "spending": spending,
        "spending_total_per_year": round(sum(i["amount_per_year"] or 0 for i in spending), 2),
        "management": None if management is None else _code(
            management, "management", plan_option_labels(plan_bank, MANAGEMENT_STEP)
        ),
        "planning_help": [_code(h, f"planning_help[{n}]", helpers) for n, h in enumerate(helping)],
        "safety": {k: _words(safety.get(k), f"safety.{k}") for k in SAFETY_KEYS},
        "changes": {k: _words(changes.get(k), f"changes.{k}") for k in CHANGES_KEYS},
    }


# ---- the RAS result ---------------------------------------------------------------------------


def _number(value: Any, where: str, nullable: bool = False) -> Optional[float]:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ExportError(f"ras: '{where}' must be a number")
    return value


def _strings(value: Any, where: str, allowed: Optional[Container] = None) -> List[str]:
    found = _list(value, where)
    if not all(isinstance(s, str) and (allowed is None or s in allowed) for s in found):
        raise ExportError(f"ras: '{where}' must hold only {'known ids' if allowed is not None else 'strings'}")
    return found


def tidy_ras(ras: Any, bank: QuestionBank) -> Optional[Dict[str, Any]]:
    """The scorer's result (RasResult.to_dict()) with its table, in the export's shape; None if not scored."""
    if ras is None:
        return None
    if not isinstance(ras, Mapping):
        raise ExportError("ras must be the scorer's result (a mapping) or None")
    status = ras.get("status")
    if status not in RAS_STATUS_LABELS:
        raise ExportError(f"ras: 'status' must be one of {sorted(RAS_STATUS_LABELS)}")
    table = _section(ras.get("table"), "ras.table")
    if not all(isinstance(table.get(k), str) for k in ("label", "version", "effective_date")):
        raise ExportError("ras: 'table' must have label, version and effective_date")
    areas = {a.id for a in bank.areas}
    by_area = _section(ras.get("points_by_area"), "ras.points_by_area")
    if set(by_area) - areas:
        raise ExportError("ras: 'points_by_area' names areas the question bank does not have")
    needs = []
    for n, item in enumerate(_list(ras.get("outcomes"), "ras.outcomes")):
        item = _section(item, f"ras.outcomes[{n}]")
        area = _strings([item.get("area")], f"outcomes[{n}].area", areas)[0]
        found = _strings(item.get("outcomes"), f"outcomes[{n}].outcomes", CARE_ACT_OUTCOME_LABELS)
        needs.append({
            "area_id": area,
            "area_title": bank.area(area).title.plain,
            "care_act_outcomes": [{"id": o, "label": CARE_ACT_OUTCOME_LABELS[o]} for o in found],
        })
    points = {k: _number(ras.get(k), k) for k in ("points_total", "points_before_unpaid_support",
                                                  "unpaid_support_reduction")}
    return {
        "status": status,
        "status_label": RAS_STATUS_LABELS[status],
        "currency": "GBP",
        "annual": _number(ras.get("annual"), "annual", nullable=True),
        "weekly": _number(ras.get("weekly"), "weekly", nullable=True),
        **points,
        "points_by_area": {a: _number(by_area[a], f"points_by_area.{a}") for a in (x.id for x in bank.areas)
                           if a in by_area},
        "needs_by_area": needs,
        "table": {k: table[k] for k in ("label", "version", "effective_date")},
        "unanswered": _strings(ras.get("unanswered"), "unanswered", bank.by_id),
        "may_be_too_low": bool(ras.get("may_be_too_low")),
        "explanation": _strings(ras.get("explanation"), "explanation"),
    }
