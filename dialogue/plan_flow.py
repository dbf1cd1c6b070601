"""Where the support-plan conversation is: its slots in order, and the plan they add up to.

Per-area steps get one slot per area with need ("plan_outcome_want__community"); the spending
steps loop, each finished item moving into `plan_items`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from bank import QuestionBank
from bank.plan import ABOUT_STEPS, CHANGES_STEPS, HELPERS_STEP, MANAGEMENT_STEP, SAFETY_STEPS, PlanBank, PlanStep
from dialogue.flow import SKIPPED
from ras.money import WEEKS_IN_A_YEAR

PLAN_FORM = "plan_form"
PLAN_CHECK = "plan_check"
PLAN_DONE = "confirmed"
SPENDING = ("plan_spend_category", "plan_spend_amount", "plan_spend_reason", "plan_spend_outcome", "plan_spend_more")


def need_areas(slots: Dict[str, Any]) -> List[str]:
    """Areas where the assessment found a need: the plan sets an outcome for each."""
    result = slots.get("ras_result") or {}
    return [o["area"] for o in result.get("outcomes") or [] if o.get("area")]


def slot_name(step: PlanStep, area: Optional[str] = None) -> str:
    return f"{step.id}__{area}" if area else step.id


def step_of(slot: str, plan: PlanBank) -> Tuple[Optional[PlanStep], Optional[str]]:
    step_id, _, area = slot.partition("__")
    return plan.step(step_id), (area or None)


def all_plan_slots(plan: PlanBank, bank: QuestionBank) -> List[str]:
    """Every slot the plan form can ask for (the domain declares all of them)."""
    out: List[str] = []
    for step in plan.steps:
        out += [slot_name(step, a.id) for a in bank.areas] if step.per_area else [step.id]
    return [*out, PLAN_CHECK]


def plan_slots(slots: Dict[str, Any], plan: PlanBank) -> List[str]:
    out: List[str] = []
    for step in plan.steps:
        if step.per_area:
            out += [slot_name(step, area) for area in need_areas(slots)]
        elif step.id in SPENDING[1:] and slots.get("plan_spend_category") == SKIPPED:
            continue  # nothing to spend on yet: the rest of the item is not asked
        else:
            out.append(step.id)
    return out


def required_plan_slots(slots: Dict[str, Any], plan: PlanBank) -> List[str]:
    return [*plan_slots(slots, plan), PLAN_CHECK]


def previous_plan_slot(current: str, slots: Dict[str, Any], plan: PlanBank) -> Optional[str]:
    order = plan_slots(slots, plan)
    earlier = order if current == PLAN_CHECK else order[: order.index(current)] if current in order else []
    return next((s for s in reversed(earlier) if slots.get(s) is not None and s not in SPENDING), None)


def yearly(item: Dict[str, Any]) -> float:
    return float(item["amount"]) * (WEEKS_IN_A_YEAR if item.get("per") == "week" else 1)


def planned_total(slots: Dict[str, Any]) -> float:
    return sum(yearly(i) for i in slots.get("plan_items") or [])


def category_label(plan: PlanBank, category: str, level: str) -> str:
    """A spending category in the person's reading level (its id if the plan no longer has it)."""
    option = plan.step("plan_spend_category").option(category)
    return getattr(option.label, level) if option else category


def item_key(index: int, item: Dict[str, Any]) -> str:
    """What a "Remove" button carries: the place and the item, so a stale button removes nothing."""
    return f"{index}:{item.get('category')}:{float(item.get('amount') or 0):g}:{item.get('per', 'year')}"


def without_item(items: List[Dict[str, Any]], key: Any) -> Optional[Tuple[List[Dict[str, Any]], Dict[str, Any]]]:
    """The items with the one `key` names taken out, and that item; None if it is not there now."""
    place = str(key).split(":", 1)[0]
    i = int(place) if place.isascii() and place.isdecimal() else len(items)  # "²".isdigit() is True
    if i >= len(items) or item_key(i, items[i]) != str(key):
        return None
    return items[:i] + items[i + 1:], items[i]


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value != SKIPPED else None


def plan_from_slots(slots: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The draft plan as data (the shape summary/ and export/ read), or None if not started."""
    if not slots.get("plan_started"):
        return None
    about = {k: _text(slots.get(s)) for k, s in ABOUT_STEPS.items() if _text(slots.get(s))}
    outcomes = []
    for area in need_areas(slots):
        want, why = _text(slots.get(f"plan_outcome_want__{area}")), _text(slots.get(f"plan_outcome_why__{area}"))
        if want or why:
            outcomes.append({"area": area, "want": want or "", "why": why or ""})
    helpers = _text(slots.get(HELPERS_STEP))
    return {
        "status": "draft",
        "about": about,
        "outcomes": outcomes,
        "spending": list(slots.get("plan_items") or []),
        "management": _text(slots.get(MANAGEMENT_STEP)),
        "planning_help": [helpers] if helpers else [],
        "safety": {k: _text(slots.get(s)) for k, s in SAFETY_STEPS.items() if _text(slots.get(s))},
        "changes": {k: _text(slots.get(s)) for k, s in CHANGES_STEPS.items() if _text(slots.get(s))},
    }
