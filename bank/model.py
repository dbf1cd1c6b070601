"""The question bank's shape: what a valid area file holds (see data/questions/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Mapping, Optional

from pydantic import BaseModel, Extra, validator

CARE_ACT_OUTCOMES = (
    "nutrition",
    "personal_hygiene",
    "toilet_needs",
    "being_appropriately_clothed",
    "using_home_safely",
    "habitable_home",
    "relationships",
    "work_training_education_volunteering",
    "using_local_facilities",
    "caring_for_a_child",
)
LEVELS = ("plain", "easy_read")
VOICES = ("self", "other")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


def _text(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be some words, not empty")
    return value.strip()


def _snake(value: str) -> str:
    if not SNAKE.match(str(value)):
        raise ValueError(f"'{value}' must be lower-case letters, digits and _ (like washing_dressing)")
    return value


class ByLevel(Strict):
    plain: str
    easy_read: str

    _check = validator("plain", "easy_read", allow_reuse=True)(_text)


class Voices(Strict):
    """Words to the person (`self`) and to someone answering for them (`other`)."""

    self: str
    other: str

    _check = validator("self", "other", allow_reuse=True)(_text)

    @validator("self")
    def self_has_no_name(cls, value: str) -> str:
        if "{name}" in value:
            raise ValueError("the 'self' voice speaks to the person: it must not contain {name}")
        return value


class ByVoice(Voices):
    """A question's voices: the carer's wording always names the person."""

    @validator("other")
    def other_has_name(cls, value: str) -> str:
        if "{name}" not in value:
            raise ValueError("the 'other' voice must name the person: put {name} in it")
        return value


class ByLevelAndVoice(Strict):
    plain: ByVoice
    easy_read: ByVoice


class Option(Strict):
    value: str
    need: int
    label: ByLevel
    examples: List[str] = []

    _value = validator("value", allow_reuse=True)(_snake)

    @validator("need")
    def need_on_scale(cls, value: int) -> int:
        if value not in (0, 1, 2, 3):
            raise ValueError("must be 0, 1, 2 or 3 (none, a little, a lot, all the time)")
        return value

    @validator("examples", each_item=True)
    def example_text(cls, value: str) -> str:
        return _text(value)


class AskIf(Strict):
    question: str
    # 'in' is a Python keyword, hence the alias.
    in_: List[str]

    class Config:
        fields = {"in_": "in"}


class Question(Strict):
    id: str
    title: ByLevel
    outcomes: List[str]
    text: ByLevelAndVoice
    explain: ByLevel
    options: List[Option]
    ask_if: Optional[AskIf] = None
    # "help_needed": the options go from no help to help all the time, so words such as "every
    # day" or "on my own" say which (dialogue/need_cues.py). "other": they mean something else.
    scale: Literal["help_needed", "other"] = "help_needed"

    _id = validator("id", allow_reuse=True)(_snake)

    @validator("outcomes")
    def known_outcomes(cls, value: List[str]) -> List[str]:
        if not value:
            raise ValueError("list at least one Care Act outcome")
        unknown = [o for o in value if o not in CARE_ACT_OUTCOMES]
        if unknown:
            raise ValueError(f"{unknown} not among the Care Act outcomes {list(CARE_ACT_OUTCOMES)}")
        return value

    @validator("explain")
    def explain_is_voice_neutral(cls, value: ByLevel) -> ByLevel:
        if "{name}" in value.plain or "{name}" in value.easy_read:
            raise ValueError("the explanation is shared by both voices: leave out {name}")
        return value

    @validator("options")
    def options_ordered(cls, value: List[Option]) -> List[Option]:
        if not 2 <= len(value) <= 5:
            raise ValueError(f"give 2 to 5 options, not {len(value)}")
        values = [o.value for o in value]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"option values must be different; repeated: {dupes}")
        needs = [o.need for o in value]
        if needs != sorted(needs):
            raise ValueError(f"options go from least to most need; 'need' goes down: {needs}")
        return value

    def option(self, value: str) -> Optional[Option]:
        return next((o for o in self.options if o.value == value), None)


class Area(Strict):
    id: str
    title: ByLevel
    intro: ByLevel

    _id = validator("id", allow_reuse=True)(_snake)


class AreaFile(Strict):
    area: Area
    questions: List[Question]

    @validator("questions")
    def some_questions(cls, value: List[Question]) -> List[Question]:
        if not value:
            raise ValueError("an area needs at least one question")
        return value


@dataclass(frozen=True)
class QuestionBank:
    """All areas and questions in order; `area_of` maps a question id to its area id."""

    areas: List[Area]
    questions: List[Question]
    area_of: Dict[str, str]
    by_id: Dict[str, Question] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {q.id: q for q in self.questions})

    def question(self, qid: str) -> Optional[Question]:
        return self.by_id.get(qid)

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.id == area_id)

    def in_area(self, area_id: str) -> List[Question]:
        return [q for q in self.questions if self.area_of[q.id] == area_id]

    def applies(self, question: Question, answers: Dict[str, str]) -> bool:
        """Whether a conditional question is asked, given the answers so far."""
        if question.ask_if is None:
            return True
        return answers.get(question.ask_if.question) in question.ask_if.in_

    def asked(self, answers: Mapping[str, Any]) -> Dict[str, Optional[Any]]:
        """The questions that apply, in bank order, with their answer or None.

        A question applies when its gate is itself asked and the gate's answer opens it, so
        answers left over from a changed gate answer are ignored (the scorer counts this way).
        """
        asked: Dict[str, Optional[Any]] = {}
        for q in self.questions:
            gate = q.ask_if
            if gate is None or (gate.question in asked and asked[gate.question] in gate.in_):
                asked[q.id] = answers.get(q.id)
        return asked

    def applicable(self, answers: Mapping[str, Any]) -> List[Question]:
        asked = self.asked(answers)
        return [q for q in self.questions if q.id in asked]
