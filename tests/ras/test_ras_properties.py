"""Properties over the real bank + example table and the fixture bank + table.

More need never gives less money; the same answers give the same result; unknown questions
and options are refused by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank import default_bank, load_bank
from ras import SKIPPED, ScoreError, default_table, load_table, score

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ras"
FIXTURE_BANK = load_bank(FIXTURES / "questions")
SETS = {
    "real": (default_bank(), default_table()),
    "fixture": (FIXTURE_BANK, load_table(FIXTURES / "fixture_council.yml", FIXTURE_BANK)),
}
EXAMPLES = settings(max_examples=200, deadline=None)


def answers_for(bank):
    """Any mix of answered, skipped and absent questions, including answers that do not apply."""
    choices = {q.id: st.sampled_from([None, SKIPPED, *[o.value for o in q.options]]) for q in bank.questions}
    return st.fixed_dictionaries(choices).map(lambda d: {k: v for k, v in d.items() if v is not None})


def money(result) -> int:
    return result.annual or 0


@st.composite
def a_step_up(draw, bank):
    """Answers, then the same answers with one question moved to a later (more need) option."""
    answers = draw(answers_for(bank))
    q = draw(st.sampled_from(bank.questions))
    values = [o.value for o in q.options]
    lower = draw(st.integers(0, len(values) - 2))
    higher = draw(st.integers(lower + 1, len(values) - 1))
    return {**answers, q.id: values[lower]}, {**answers, q.id: values[higher]}


@pytest.mark.parametrize("name", SETS)
def test_more_need_never_gives_less(name):
    bank, table = SETS[name]

    @EXAMPLES
    @given(a_step_up(bank))
    def check(pair):
        less, more = (score(answers, table, bank) for answers in pair)
        assert money(more) >= money(less)
        assert more.points_total >= less.points_total

    check()


@pytest.mark.parametrize("name", SETS)
def test_answering_a_question_never_lowers_points_before_unpaid_support(name):
    bank, table = SETS[name]

    @EXAMPLES
    @given(answers_for(bank), st.sampled_from(bank.questions), st.data())
    def check(answers, q, data):
        unanswered = {k: v for k, v in answers.items() if k != q.id}
        answered = {**unanswered, q.id: data.draw(st.sampled_from([o.value for o in q.options]))}
        before = score(unanswered, table, bank).points_before_unpaid_support
        assert score(answered, table, bank).points_before_unpaid_support >= before

    check()


@pytest.mark.parametrize("name", SETS)
def test_the_same_answers_give_the_same_result(name):
    bank, table = SETS[name]

    @EXAMPLES
    @given(answers_for(bank))
    def check(answers):
        first = score(answers, table, bank)
        again = score(dict(reversed(list(answers.items()))), table, bank)
        assert first == again and first.to_dict() == again.to_dict()
        assert 3 <= len(first.explanation) <= 6
        assert (first.annual is None) == (first.status == "below_floor")

    check()


@pytest.mark.parametrize("name", SETS)
def test_an_unknown_question_is_named(name):
    bank, table = SETS[name]
    known = {q.id for q in bank.questions}

    @EXAMPLES
    @given(answers_for(bank), st.from_regex(r"\A[a-z][a-z_]{0,20}\Z").filter(lambda qid: qid not in known))
    def check(answers, qid):
        with pytest.raises(ScoreError) as caught:
            score({**answers, qid: "no_help"}, table, bank)
        assert f"'{qid}'" in str(caught.value)

    check()


@pytest.mark.parametrize("name", SETS)
def test_an_unknown_option_is_named_with_the_valid_ones(name):
    bank, table = SETS[name]

    @EXAMPLES
    @given(answers_for(bank), st.sampled_from(bank.questions), st.text(max_size=12))
    def check(answers, q, value):
        values = [o.value for o in q.options]
        if value in values or value == SKIPPED:
            return
        with pytest.raises(ScoreError) as caught:
            score({**answers, q.id: value}, table, bank)
        message = str(caught.value)
        assert f"'{q.id}'" in message and ", ".join(values) in message

    check()
