"""The support-plan questions' shape (data/plan/plan.yml), loaded and checked like the question bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Dict, List, Optional

from pydantic import ValidationError, validator

from bank.load import ROOT, BankError, explain_validation, read_yaml_mapping
from bank.model import ByLevel, Strict, Voices, _snake

PLAN_FILE = ROOT / "data" / "plan" / "plan.yml"
SECTIONS = ("about_me", "outcomes", "spending", "management", "planning_help", "safety", "changes")
KINDS = ("text", "choice", "money", "yes_no")
# The draft plan as data (dialogue/plan_flow.py makes it; summary/ and export/ read it): each
# part's keys, and the plan step each comes from. One place, so the three never disagree.
ABOUT_STEPS = {"likes": "plan_likes", "good_day": "plan_good_day", "bad_day": "plan_bad_day",
               "important": "plan_important", "support_wanted": "plan_support_wanted"}
SAFETY_STEPS = {"what_could_go_wrong": "plan_safety_risks", "what_then": "plan_safety_then"}
CHANGES_STEPS = {"who_to_tell": "plan_changes_who", "how": "plan_changes_how"}
ABOUT_KEYS, SAFETY_KEYS, CHANGES_KEYS = tuple(ABOUT_STEPS), tuple(SAFETY_STEPS), tuple(CHANGES_STEPS)
CATEGORY_STEP, MANAGEMENT_STEP, HELPERS_STEP = "plan_spend_category", "plan_management", "plan_helpers"


class PlanText(Strict):
    # Voices, not ByVoice: a carer's wording here need not name the person ("How will they be told?").
    plain: Voices
    easy_read: Voices


class PlanOption(Strict):
    value: str
    label: ByLevel
    explain: Optional[ByLevel] = None

    _value = validator("value", allow_reuse=True)(_snake)


class PlanStep(Strict):
    id: str
    section: str
    kind: str
    text: PlanText
    explain: ByLevel
    options: List[PlanOption] = []
    per_area: bool = False
    area_options: bool = False

    _id = validator("id", allow_reuse=True)(_snake)

    @validator("section")
    def known_section(cls, value: str) -> str:
        if value not in SECTIONS:
            raise ValueError(f"'{value}' is not one of {list(SECTIONS)}")
        return value

    @validator("kind")
    def known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"'{value}' is not one of {list(KINDS)}")
        return value

    @validator("options")
    def choices_have_options(cls, value: List[PlanOption], values: Dict) -> List[PlanOption]:
        if values.get("kind") == "choice" and not value:
            raise ValueError("a choice step needs options")
        names = [o.value for o in value]
        if len(names) != len(set(names)):
            raise ValueError("option values must be different")
        return value

    def option(self, value: str) -> Optional[PlanOption]:
        return next((o for o in self.options if o.value == value), None)


class PlanFile(Strict):
    intro: ByLevel
    steps: List[PlanStep]


@dataclass(frozen=True)
class PlanBank:
    intro: ByLevel
    steps: List[PlanStep]
    by_id: Dict[str, PlanStep] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {s.id: s for s in self.steps})

    def step(self, step_id: str) -> Optional[PlanStep]:
        return self.by_id.get(step_id)


def load_plan(path: Path = PLAN_FILE) -> PlanBank:
    raw = read_yaml_mapping(path)
    try:
        parsed = PlanFile.parse_obj(raw)
    except ValidationError as err:
        raise BankError(explain_validation(path, raw, err, items="steps", noun="step")) from None
    ids = [s.id for s in parsed.steps]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise BankError(f"{path}: step ids used more than once: {dupes}")
    return PlanBank(intro=parsed.intro, steps=parsed.steps)


@cache
def default_plan() -> PlanBank:
    return load_plan(PLAN_FILE)
