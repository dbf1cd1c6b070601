"""Checks that a council table fits the question bank it will score.

Every question and option needs points (unless the table says it is not scored), nothing in
the table may be unknown to the bank, and nothing may let more need give less money.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, List, Tuple

from bank import Question, QuestionBank
from ras.errors import TableError

if TYPE_CHECKING:  # only for the annotations: ras.table imports this module
    from ras.table import CouncilTable

Problem = Tuple[str, str]  # (field, what is wrong)


def check_against_bank(table: CouncilTable, bank: QuestionBank) -> None:
    """Every check, every time; TableError naming the file and field of each problem. Callers use
    CouncilTable.fits, which runs this once per table and bank."""
    problems = [
        *_points_problems(table, bank),
        *_not_scored_problems(table, bank),
        *_unpaid_problems(table, bank),
        *_condition_problems(table, bank),
    ]
    if problems:
        raise TableError("\n".join(f"{table.source}: field '{field}': {msg}" for field, msg in problems))


def unpaid_question(table: CouncilTable) -> str:
    return table.unpaid_support.question if table.unpaid_support else ""


def _values(q: Question) -> List[str]:
    return [o.value for o in q.options]


def _not_an_option(value: str, q: Question) -> str:
    return f"'{value}' is not an option of '{q.id}' (its options: {', '.join(_values(q))})"


def _points_problems(table: CouncilTable, bank: QuestionBank) -> Iterator[Problem]:
    unscored = set(table.not_scored) | {unpaid_question(table)}
    for qid, option_points in table.points.items():
        q = bank.question(qid)
        if q is None:
            yield f"points.{qid}", f"'{qid}' is not a question in the question bank"
            continue
        if qid in unscored:
            why = "is the unpaid_support question" if qid == unpaid_question(table) else "is listed under not_scored"
            yield f"points.{qid}", f"'{qid}' {why}, so it must not have points"
            continue
        values = _values(q)
        for value in option_points:
            if value not in values:
                yield f"points.{qid}.{value}", _not_an_option(value, q)
        missing = [v for v in values if v not in option_points]
        for value in missing:
            yield f"points.{qid}.{value}", "is missing: give points for every option of the question"
        if missing:
            continue
        ladder = [option_points[v] for v in values]
        shown = ", ".join(f"{v} {option_points[v]:g}" for v in values)
        if ladder[0] != 0:
            yield f"points.{qid}.{values[0]}", f"the least-need option must have 0 points, not {ladder[0]:g}"
        if ladder != sorted(ladder):
            yield f"points.{qid}", f"points must not go down as need goes up (options least need first): {shown}"
    for q in bank.questions:
        if q.id not in table.points and q.id not in unscored:
            yield (
                f"points.{q.id}",
                f"is missing: the question bank asks '{q.id}'; give points for each of its options "
                f"({', '.join(_values(q))}), or list it under not_scored",
            )


def _not_scored_problems(table: CouncilTable, bank: QuestionBank) -> Iterator[Problem]:
    for qid in table.not_scored:
        if bank.question(qid) is None:
            yield "not_scored", f"'{qid}' is not a question in the question bank"


def _unpaid_problems(table: CouncilTable, bank: QuestionBank) -> Iterator[Problem]:
    support = table.unpaid_support
    if support is None:
        return
    q = bank.question(support.question)
    if q is None:
        yield "unpaid_support.question", f"'{support.question}' is not a question in the question bank"
        return
    values = _values(q)
    for value in support.reduce_by:
        if value not in values:
            yield f"unpaid_support.reduce_by.{value}", _not_an_option(value, q)
    missing = [v for v in values if v not in support.reduce_by]
    for value in missing:
        yield f"unpaid_support.reduce_by.{value}", "is missing: give a share (0 to 1) for every option"
    if not missing:
        shares = [support.reduce_by[v] for v in values]
        if shares != sorted(shares, reverse=True):
            shown = ", ".join(f"{v} {support.reduce_by[v]:g}" for v in values)
            yield (
                "unpaid_support.reduce_by",
                f"the share taken off must not go up as the help that can carry on goes down "
                f"(options least need first): {shown}",
            )
    if support.areas != "all":
        known = [a.id for a in bank.areas]
        for area in support.areas:
            if area not in known:
                yield "unpaid_support.areas", f"'{area}' is not an area in the question bank ({', '.join(known)})"
    yield from _conditions_keep_order(bank, q, "unpaid_support.question", later_opens=False)


def _condition_problems(table: CouncilTable, bank: QuestionBank) -> Iterator[Problem]:
    for qid, option_points in table.points.items():
        q = bank.question(qid)
        if q is not None and any(p > 0 for p in option_points.values()):
            yield from _conditions_keep_order(bank, q, f"points.{qid}", later_opens=True)


def _conditions_keep_order(bank: QuestionBank, q: Question, field: str, later_opens: bool) -> Iterator[Problem]:
    """A later (more need) answer to a gate must never drop a scored question, nor add a reduction.

    So a scored question must stay asked for every later gate option (later_opens), and the
    unpaid-support question must stay unasked for every later one. The rule holds all the way up
    the chain of gates, because a gate that stops being asked takes its dependants with it.
    """
    child = q
    while child.ask_if is not None:
        gate = bank.question(child.ask_if.question)
        if gate is None:  # the bank's own loader already refuses this
            return
        values = _values(gate)
        allowed = [v for v in values if v in child.ask_if.in_]
        if allowed:
            first, last = values.index(allowed[0]), values.index(allowed[-1])
            closed = allowed == values[first:] if later_opens else allowed == values[: last + 1]
            if not closed:
                if later_opens:
                    harm = f"would drop the points of '{q.id}'"
                    fix = f"ask '{child.id}' for every later option too, or list '{q.id}' under not_scored"
                else:
                    harm = f"would make '{q.id}' apply and take points off"
                    order = allowed + [v for v in values if v not in allowed]
                    fix = f"put the options that lead to '{child.id}' first, e.g. [{', '.join(order)}]"
                yield (
                    field,
                    f"'{child.id}' is only asked when '{gate.id}' is one of [{', '.join(allowed)}]; with its options "
                    f"in the order [{', '.join(values)}] (least need first), a later answer to '{gate.id}' {harm}: "
                    f"{fix}",
                )
        child = gate
