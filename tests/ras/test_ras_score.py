"""The scorer on worked examples: money, floor, ceiling, unpaid support, outcomes, explanation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bank import default_bank, load_bank
from ras import ScoreError, TableError, default_table, load_table, pounds, score
from ras.money import whole_pounds

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ras"
BANK = load_bank(FIXTURES / "questions")
TABLE = load_table(FIXTURES / "fixture_council.yml", BANK)


def fixture_score(answers):
    return score(answers, TABLE, BANK)


def test_points_times_price_per_point():
    result = fixture_score({"washing": "lots_of_help", "meals": "some_help"})
    assert (result.points_total, result.annual, result.weekly, result.status) == (10, 500, 10, "indicative")
    assert result.points_by_area == {"daily_living": 10, "safety": 0, "family": 0}
    assert "£50 a year for each point" in result.explanation[1]
    assert "£500 a year (about £10 a week)" in result.explanation[1]


def test_below_the_floor_no_amount_and_other_help_is_named():
    result = fixture_score({"washing": "some_help"})
    assert (result.status, result.annual, result.weekly) == ("below_floor", None, None)
    said = " ".join(result.explanation)
    assert "no amount is shown" in said
    assert "information and advice" in said
    assert "needs assessment" in said


def test_above_the_ceiling_the_amount_shows_and_a_social_worker_is_recommended():
    answers = {"washing": "all_help", "meals": "lots_of_help", "falls": "often", "falls_injury": "hurt_often"}
    result = fixture_score({**answers, "going_out": "needs_help"})
    assert (result.points_total, result.annual, result.status) == (37, 1850, "above_ceiling")
    assert "social worker" in " ".join(result.explanation)


def test_willing_unpaid_help_takes_a_share_off_the_named_areas_only():
    answers = {"washing": "lots_of_help", "going_out": "needs_help", "unpaid_help": "yes"}
    result = fixture_score({**answers, "unpaid_help_willing": "all"})
    assert result.points_before_unpaid_support == 12
    assert result.unpaid_support_reduction == 4
    assert result.points_by_area == {"daily_living": 4, "safety": 4, "family": 0}
    assert result.points_total == 8
    assert "willing and able" in " ".join(result.explanation)


def test_nobody_is_assumed_to_care():
    base = {"washing": "lots_of_help", "going_out": "needs_help"}
    for answers in (
        base,
        {**base, "unpaid_help": "yes"},
        {**base, "unpaid_help": "yes", "unpaid_help_willing": "none"},
    ):
        assert fixture_score(answers).unpaid_support_reduction == 0


def test_answers_to_questions_that_do_not_apply_are_ignored():
    result = fixture_score({"washing": "lots_of_help", "falls": "never", "falls_injury": "hurt_often"})
    assert result.points_total == 8
    assert "falls_injury" not in result.unanswered
    helped = {"washing": "lots_of_help", "unpaid_help": "no", "unpaid_help_willing": "all"}
    assert fixture_score(helped).unpaid_support_reduction == 0


def test_skipped_none_and_absent_are_the_same():
    given = {"washing": "lots_of_help"}
    same = [fixture_score({**given, "meals": "skipped"}), fixture_score({**given, "meals": None}), fixture_score(given)]
    assert same[0] == same[1] == same[2]
    assert "meals" in same[0].unanswered and same[0].may_be_too_low


def test_unanswered_lists_applicable_questions_and_flags_too_low():
    result = fixture_score({})
    assert result.unanswered == ["washing", "meals", "falls", "going_out", "unpaid_help"]
    assert result.may_be_too_low
    assert "may be too low" in result.explanation[-1]


def test_an_unanswered_unpaid_help_question_cannot_make_it_too_low():
    answers = {"washing": "lots_of_help", "meals": "no_help", "falls": "never", "going_out": "no_help"}
    result = fixture_score(answers)
    assert result.unanswered == ["unpaid_help"]
    assert not result.may_be_too_low


def test_outcomes_come_from_areas_with_need():
    result = fixture_score({"washing": "some_help", "meals": "no_help", "falls": "sometimes", "going_out": "no_help"})
    assert [(o.area, o.title, o.outcomes) for o in result.outcomes] == [
        ("daily_living", "Daily living", ["personal_hygiene"]),
        ("safety", "Staying safe", ["using_home_safely"]),
    ]


def test_unknown_question_names_it():
    with pytest.raises(ScoreError, match="'dancing'") as caught:
        fixture_score({"dancing": "yes"})
    assert isinstance(caught.value, ValueError)
    assert caught.value.question == "dancing"


def test_unknown_option_names_the_question_and_lists_options_without_echoing_the_answer():
    with pytest.raises(ScoreError) as caught:
        fixture_score({"meals": "private_words_here"})
    message = str(caught.value)
    assert "'meals'" in message and "no_help, some_help, lots_of_help" in message
    assert "private_words_here" not in message


@pytest.mark.parametrize("answers", [["washing"], "washing", None])
def test_answers_must_be_a_mapping(answers):
    with pytest.raises(ScoreError, match="mapping"):
        fixture_score(answers)


def test_result_is_json_ready():
    result = fixture_score({"washing": "lots_of_help", "unpaid_help": "yes", "unpaid_help_willing": "most"})
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {
        "status", "annual", "weekly", "points_total", "points_before_unpaid_support", "unpaid_support_reduction",
        "points_by_area", "outcomes", "table", "unanswered", "may_be_too_low", "explanation",
    }  # fmt: skip
    assert data["table"] == {
        "label": "Fixture council: made-up figures for tests",
        "version": "fixture-1",
        "effective_date": "2025-04-01",
    }
    assert data["outcomes"][0] == {"area": "daily_living", "title": "Daily living", "outcomes": ["personal_hygiene"]}


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"washing": "some_help"},
        {"washing": "all_help", "meals": "lots_of_help", "falls": "often", "falls_injury": "hurt_often"},
        {"washing": "all_help", "unpaid_help": "yes", "unpaid_help_willing": "some"},
        {"washing": "some_help", "unpaid_help": "yes", "unpaid_help_willing": "all"},
        {
            "washing": "all_help",
            "meals": "lots_of_help",
            "falls": "often",
            "unpaid_help": "yes",
            "unpaid_help_willing": "most",
        },
    ],
)
def test_explanation_is_three_to_six_short_kind_sentences(answers):
    said = fixture_score(answers).explanation
    assert 3 <= len(said) <= 6
    for sentence in said:
        assert sentence.endswith(".") and len(sentence.split()) <= 25
        assert not any(word in sentence.lower() for word in ("fail", "must", "should have", "your fault"))


def test_money_is_written_like_people_write_it():
    assert (pounds(4200), pounds(59.5), pounds(20000.0)) == ("£4,200", "£59.50", "£20,000")
    assert (whole_pounds(0.5), whole_pounds(2.5), whole_pounds(1162.4999)) == (1, 3, 1162)


def test_bands_set_the_money_and_the_words(tmp_path):
    raw = yaml.safe_load((FIXTURES / "fixture_council.yml").read_text(encoding="utf-8"))
    raw["bands"] = [{"from_points": 10, "price_per_point": 60}, {"from_points": 20, "annual": 1300}]
    path = tmp_path / "banded.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    table = load_table(path, BANK)
    low = score({"washing": "lots_of_help"}, table, BANK)
    assert low.annual == 400 and "£50 a year for each point" in " ".join(low.explanation)
    middle = score({"washing": "lots_of_help", "meals": "some_help"}, table, BANK)
    assert middle.annual == 600 and "£60 a year for each point" in " ".join(middle.explanation)
    high = score({"washing": "all_help", "meals": "lots_of_help"}, table, BANK)
    assert high.annual == 1300 and "set amount" in " ".join(high.explanation)


def test_a_table_that_does_not_fit_the_bank_is_refused():
    with pytest.raises(TableError, match="points.washing_dressing"):
        score({}, TABLE, default_bank())


# The real bank and the example council's table.

REAL = default_bank()


def person(everything: int = 0, **levels: int) -> dict:
    """Answers at a level of need (0 to 3): `everything` for all questions, apart from `levels`."""
    answers = {}
    for q in REAL.questions:
        if q.id in ("unpaid_help", "unpaid_help_willing"):
            continue
        need = levels.get(q.id, everything)
        answers[q.id] = next(o.value for o in q.options if o.need == need)
    return answers


# A little help on some days with several things, help most days with a few.
LOW = person(washing_dressing=1, home_cleaning=1, transport=1, money_bills=1)
TYPICAL = person(
    **dict(washing_dressing=2, using_toilet=1, meals_drinks=2, home_cleaning=2, medicines=1),
    **dict(keeping_in_touch=1, making_friends=1, getting_out=2, transport=1, shops_services=2, hobbies=1),
    **dict(
        everyday_choices=1, money_bills=2, letters_big_decisions=2, safety_at_home=1, taken_advantage=1, safety_out=1
    ),
)
# Help all the time with nearly everything, someone there day and night.
VERY_HIGH = person(3, keeping_in_touch=2, making_friends=2, learning=2, hobbies=2, caring_for_others=0)


def test_the_default_bank_and_example_table_are_used_when_none_are_given():
    assert score(TYPICAL) == score(TYPICAL, default_table(), REAL)


def test_example_figures_are_realistic():
    low, typical, very_high = score(LOW), score(TYPICAL), score(VERY_HIGH)
    assert low.status == "below_floor" and low.annual is None
    assert typical.status == "indicative" and 4000 <= typical.annual <= 7000
    assert very_high.status == "above_ceiling" and very_high.annual >= 20000


@pytest.mark.parametrize("willing", ["all", "most", "some", "none"])
def test_nobody_helping_gives_at_least_as_much_as_someone_helping(willing):
    helped = score({**TYPICAL, "unpaid_help": "yes", "unpaid_help_willing": willing})
    alone = score({**TYPICAL, "unpaid_help": "no"})
    assert alone.annual >= helped.annual and alone.points_total >= helped.points_total


def test_every_real_question_has_a_place_in_the_result():
    result = score(TYPICAL)
    assert list(result.points_by_area) == [a.id for a in REAL.areas]
    assert result.unanswered == ["unpaid_help"] and not result.may_be_too_low
