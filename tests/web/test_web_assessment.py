"""bot.assessment.assessment_from_slots: what the tracker's slots say about an assessment."""

from pathlib import Path

from bank import default_bank, load_bank
from bot.assessment import assessment_from_slots

FIXTURE = load_bank(Path(__file__).resolve().parents[1] / "fixtures" / "web" / "questions")


def test_empty_slots():
    assert assessment_from_slots({}, FIXTURE) == {
        "answering_for": None,
        "person_name": None,
        "relationship": None,
        "reading_level": None,
        "answers": {},
        "skipped": [],
        "progress": {"done": 0, "total": 4},  # the conditional question counts until its gate rules it out
        "complete": False,
        "ras": None,
        "plan": None,
    }


def test_answers_skips_and_who():
    slots = {
        "answering_for": "other",
        "person_name": "Sam",
        "relationship": "daughter",
        "reading_level": "easy_read",
        "meals": "some_help",
        "washing": "skipped",
        "unpaid_help": "yes",
        "unpaid_help_willing": None,
        "review": None,
        "ras_result": None,
        "requested_slot": "unpaid_help_willing",
    }
    result = assessment_from_slots(slots, FIXTURE)
    assert result["answering_for"] == "other"
    assert result["person_name"] == "Sam"
    assert result["relationship"] == "daughter"
    assert result["reading_level"] == "easy_read"
    assert result["answers"] == {"meals": "some_help", "unpaid_help": "yes"}
    assert result["skipped"] == ["washing"]
    # "yes" makes the follow-up question apply: 4 questions, 3 answered or skipped.
    assert result["progress"] == {"done": 3, "total": 4}
    assert result["complete"] is False


def test_follow_up_does_not_apply_when_nobody_helps():
    slots = {"meals": "no_help", "washing": "no_help", "unpaid_help": "no", "unpaid_help_willing": "all"}
    result = assessment_from_slots(slots, FIXTURE)
    assert result["progress"] == {"done": 3, "total": 3}
    # A stale answer to a question that no longer applies is still reported, but not counted.
    assert result["answers"]["unpaid_help_willing"] == "all"


def test_values_that_are_not_options_are_ignored():
    slots = {"meals": "a great deal", "washing": 3, "unpaid_help": ["yes"], "unknown_question": "no_help"}
    result = assessment_from_slots(slots, FIXTURE)
    assert result["answers"] == {}
    assert result["skipped"] == []


def test_odd_values_for_who_and_level_become_none():
    result = assessment_from_slots(
        {"answering_for": "someone", "reading_level": "large", "person_name": "  ", "relationship": 5}, FIXTURE
    )
    assert result["answering_for"] is None
    assert result["reading_level"] is None
    assert result["person_name"] is None
    assert result["relationship"] is None


def test_complete_and_ras():
    ras = {"status": "indicative", "annual": 12000, "weekly": 230}
    result = assessment_from_slots({"review": "confirmed", "ras_result": ras}, FIXTURE)
    assert result["complete"] is True
    assert result["ras"] == ras
    assert assessment_from_slots({"review": "pending"}, FIXTURE)["complete"] is False


def test_real_bank_by_default():
    bank = default_bank()
    first = bank.questions[0]
    value = first.options[-1].value
    second = bank.questions[1]
    result = assessment_from_slots({first.id: value, second.id: "skipped", "answering_for": "self"})
    assert result["answers"] == {first.id: value}
    assert result["skipped"] == [second.id]
    assert result["progress"]["done"] == 2
    assert result["progress"]["total"] == len(bank.questions)  # the gate is not answered yet


def test_real_bank_every_question_answered_is_all_done():
    bank = default_bank()
    slots = {q.id: q.options[0].value for q in bank.questions}
    result = assessment_from_slots(slots, bank)
    assert result["progress"]["done"] == result["progress"]["total"]
    assert list(result["answers"]) == [q.id for q in bank.questions]  # in the bank's order
