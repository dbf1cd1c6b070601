"""The RAS scorer: answers and a council table in, an indicative Personal Budget out.

Pure: it reads nothing but its arguments (and the cached defaults), writes nothing, logs nothing.
The table is checked against the bank when it loads, not here (CouncilTable.fits remembers).
Answers are special-category personal data, so messages name questions, never the answers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Optional

from bank import CARE_ACT_OUTCOMES, QuestionBank, default_bank
from ras.explain import Facts, explain
from ras.money import weekly, whole_pounds
from ras.table import CouncilTable, default_table

SKIPPED = "skipped"


class ScoreError(ValueError):
    """Answers the scorer cannot use; `question` names the question (the answer is never echoed)."""

    def __init__(self, question: str, detail: str) -> None:
        super().__init__(f"question '{question}': {detail}")
        self.question = question
        self.detail = detail


@dataclass(frozen=True)
class AreaOutcomes:
    area: str
    title: str
    outcomes: List[str]


@dataclass(frozen=True)
class TableInfo:
    label: str
    version: str
    effective_date: str


@dataclass(frozen=True)
class RasResult:
    status: str  # "indicative" | "below_floor" | "above_ceiling"
    annual: Optional[int]
    weekly: Optional[int]
    points_total: float
    points_before_unpaid_support: float
    unpaid_support_reduction: float
    points_by_area: Dict[str, float]
    outcomes: List[AreaOutcomes]
    table: TableInfo
    unanswered: List[str]
    may_be_too_low: bool
    explanation: List[str]

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _tidy(points: float) -> float:
    """Points to 2 decimal places, whole numbers as ints (74, not 74.0)."""
    points = round(points, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(points) if points.is_integer() else points


def check_answers(answers: Mapping[str, Any], bank: QuestionBank) -> Dict[str, str]:
    """The answers given, without skips; ScoreError for an unknown question or option."""
    if not isinstance(answers, Mapping):
        raise ScoreError("(all)", "answers must be a mapping of question id to option value")
    given: Dict[str, str] = {}
    for qid, value in answers.items():
        q = bank.question(qid) if isinstance(qid, str) else None
        if q is None:
            raise ScoreError(str(qid), "this is not a question in the question bank")
        if value is None or value == SKIPPED:
            continue
        if not isinstance(value, str) or q.option(value) is None:
            options = ", ".join(o.value for o in q.options)
            raise ScoreError(qid, f"the answer is not one of its options: {options} (or {SKIPPED})")
        given[qid] = value
    return given


def _can_add_points(qid: str, table: CouncilTable, bank: QuestionBank) -> bool:
    """Whether answering this question could raise the points, itself or through what it opens."""
    if any(p > 0 for p in table.points.get(qid, {}).values()):
        return True
    opened = [q.id for q in bank.questions if q.ask_if is not None and q.ask_if.question == qid]
    return any(_can_add_points(child, table, bank) for child in opened)


def score(
    answers: Mapping[str, Any], table: Optional[CouncilTable] = None, bank: Optional[QuestionBank] = None
) -> RasResult:
    bank = bank if bank is not None else default_bank()
    table = table if table is not None else default_table()
    table.fits(bank)  # checked when the table was loaded with this bank; otherwise once, here
    asked = bank.asked(check_answers(answers, bank))

    by_area = {a.id: 0.0 for a in bank.areas}
    needs: Dict[str, set] = {a.id: set() for a in bank.areas}
    for qid, value in asked.items():
        if value is None or not table.scored(qid):
            continue
        pts = table.option_points(qid, value)
        by_area[bank.area_of[qid]] += pts
        if pts > 0:
            needs[bank.area_of[qid]].update(bank.question(qid).outcomes)

    share = 0.0
    support = table.unpaid_support
    if support is not None and asked.get(support.question) is not None:
        share = support.reduce_by[asked[support.question]]
    reduced_areas = [a.id for a in bank.areas] if support is None or support.areas == "all" else support.areas
    after = {a: _tidy(p * (1 - share) if a in reduced_areas else p) for a, p in by_area.items()}

    before = _tidy(sum(by_area.values()))
    total = _tidy(sum(after.values()))
    reduction = _tidy(max(before - total, 0))
    unanswered = [qid for qid, value in asked.items() if value is None]
    too_low = any(_can_add_points(qid, table, bank) for qid in unanswered)

    annual = week = None
    band = None
    if total < table.floor:
        status = "below_floor"
    else:
        money, band = table.money_for(total)
        annual = whole_pounds(money)
        week = weekly(annual)
        status = "above_ceiling" if annual > table.ceiling else "indicative"

    facts = Facts(status, before, total, reduction, annual, week, band, too_low)
    return RasResult(
        status=status,
        annual=annual,
        weekly=week,
        points_total=total,
        points_before_unpaid_support=before,
        unpaid_support_reduction=reduction,
        points_by_area=after,
        outcomes=[
            AreaOutcomes(a.id, a.title.plain, [o for o in CARE_ACT_OUTCOMES if o in needs[a.id]])
            for a in bank.areas
            if needs[a.id]
        ],
        table=TableInfo(table.label, table.version, table.effective_date.isoformat()),
        unanswered=unanswered,
        may_be_too_low=too_low,
        explanation=explain(facts, table),
    )
