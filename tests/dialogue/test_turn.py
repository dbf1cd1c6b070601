"""The turn handler over the real question bank: answers, commands, confirmations, no answer lost."""

import pytest

from bank import default_bank
from dialogue.flow import REVIEW, SKIPPED, next_slot, required_slots
from dialogue.turn import first_name, handle, relationship_of
from dialogue.understand import Parse
from tests.conftest import answer_payload, button

BANK = default_bank()
FIRST = BANK.questions[0]
SECOND = BANK.questions[1]


def setup_done(**extra):
    return {"answering_for": "self", "reading_level": "plain", **extra}


def said(outcome):
    return " ".join(r.get("text", "") for r in outcome.replies)


def test_button_payload_records_the_value():
    value = FIRST.options[2].value
    out = handle(FIRST.id, button(answer_payload(value, FIRST.id)), setup_done(), BANK)
    assert out.updates[FIRST.id] == value


def test_payload_with_unknown_value_is_not_guessed():
    parse = button(answer_payload("nonsense", FIRST.id))
    out = handle(FIRST.id, parse, setup_done(), BANK)
    assert out.updates[FIRST.id] is None
    assert "did not understand" in said(out)


@pytest.mark.parametrize("text,index", [("2", 1), ("the second one", 1), ("number 3", 2), ("four", 3), ("1", 0)])
def test_option_numbers(text, index):
    out = handle(FIRST.id, Parse(text), setup_done(), BANK)
    assert out.updates[FIRST.id] == FIRST.options[index].value


def test_number_out_of_range_says_how_many():
    out = handle(FIRST.id, Parse("9"), setup_done(), BANK)
    assert out.updates[FIRST.id] is None
    assert f"from 1 to {len(FIRST.options)}" in said(out)


def test_option_words_are_sure():
    label = FIRST.options[3].label.plain
    out = handle(FIRST.id, Parse(label.lower()), setup_done(), BANK)
    assert out.updates[FIRST.id] == FIRST.options[3].value


def test_classifier_guess_is_confirmed_not_recorded():
    out = handle(FIRST.id, Parse("my mum reminds me most days", "need_lots", 0.9), setup_done(), BANK)
    assert out.updates[FIRST.id] is None
    assert out.updates["pending"]["value"] == next(o.value for o in FIRST.options if o.need == 2)
    slots = setup_done(pending=out.updates["pending"])
    yes = handle(FIRST.id, Parse("yes", "affirm", 0.99), slots, BANK)
    assert yes.updates[FIRST.id] == out.updates["pending"]["value"]
    no = handle(FIRST.id, Parse("no", "deny", 0.99), slots, BANK)
    assert no.updates[FIRST.id] is None and no.updates["pending"] is None


def test_unmapped_answer_offers_options_then_explain_and_skip():
    out = handle(FIRST.id, Parse("purple elephants", "nlu_fallback", 0.2), setup_done(), BANK)
    assert out.updates[FIRST.id] is None and out.updates["tries"] == 1
    again = handle(FIRST.id, Parse("purple elephants", "nlu_fallback", 0.2), setup_done(tries=1.0), BANK)
    assert again.updates["tries"] == 2
    assert "skip" in said(again) and "means" in said(again)


@pytest.mark.parametrize("text", [
    "what does most of the time mean", "explain the second one", "I don't understand", "what do you mean?",
])
def test_explain_wins_over_option_words(text):
    out = handle(FIRST.id, Parse(text, "need_lots", 0.95), setup_done(), BANK)
    assert out.updates[FIRST.id] is None
    assert FIRST.explain.plain in said(out)


def test_go_back_clears_previous_and_remembers_it():
    first_value = FIRST.options[1].value
    slots = setup_done(**{FIRST.id: first_value})
    out = handle(SECOND.id, Parse("go back to the second one", "go_back", 0.9), slots, BANK)
    assert out.updates[FIRST.id] is None
    assert out.updates["changing"] == {"slots": {FIRST.id: first_value}}
    # Skipping the question being changed keeps the earlier answer.
    slots.update(out.updates)
    skip = handle(FIRST.id, Parse("skip"), slots, BANK)
    assert skip.updates[FIRST.id] == first_value


def test_go_back_at_the_first_question_loses_nothing():
    out = handle(FIRST.id, Parse("go back"), setup_done(), BANK)
    assert set(out.updates) == {FIRST.id}
    assert "nothing to go back to" in said(out)


def test_skip_records_skipped():
    out = handle(FIRST.id, Parse("skip this one"), setup_done(), BANK)
    assert out.updates[FIRST.id] == SKIPPED


@pytest.mark.parametrize("text,intent", [("repeat", "repeat"), ("say that again", None), ("stop", None),
                                         ("easier words please", None), ("plain english", None)])
def test_interjections_leave_answers_alone(text, intent):
    answers = {q.id: q.options[0].value for q in BANK.questions[:5]}
    slots = setup_done(**answers)
    out = handle(BANK.questions[5].id, Parse(text, intent, 0.9), slots, BANK)
    assert all(k not in out.updates for k in answers)
    assert out.updates[BANK.questions[5].id] is None


def test_easier_switches_reading_level():
    out = handle(FIRST.id, Parse("easier words please"), setup_done(), BANK)
    assert out.updates["reading_level"] == "easy_read"


def test_answering_for_someone_mid_form_asks_their_name_next():
    slots = setup_done(**{FIRST.id: FIRST.options[0].value})
    out = handle(SECOND.id, Parse("I'm answering for my dad"), slots, BANK)
    slots.update(out.updates)
    assert next_slot(slots, BANK) == "person_name"
    assert slots[FIRST.id] == FIRST.options[0].value


@pytest.mark.parametrize("text,name", [("Sam", "Sam"), ("her name is ayesha", "Ayesha"), ("it's Zoë", "Zoë"),
                                       ("<script>alert(1)</script> Tom", None), ("José-María López", "José-María"),
                                       ("⓶", None), ("²", None), ("/start_plan", None), ("£40 a week", None)])
def test_first_name(text, name):
    assert first_name(text) == name


def test_no_name_in_digits_or_symbols():
    assert first_name("12345 !!!") is None


def test_relationship_is_words_only():
    assert relationship_of("I'm her son") == "her son"
    assert relationship_of("<b>friend</b>") == "b friend b"
    assert relationship_of("£1,000,000 a year") is None  # a sum is no relationship: asked again
    assert relationship_of('/change{"q":"review"}') is None


def test_yes_no_question_takes_yes_and_no():
    gate = BANK.question("unpaid_help")
    assert handle(gate.id, Parse("yes"), setup_done(), BANK).updates[gate.id] == "yes"
    assert handle(gate.id, Parse("no, nobody"), setup_done(), BANK).updates[gate.id] == "no"


def test_conditional_question_only_after_yes():
    base = setup_done(**{q.id: q.options[0].value for q in BANK.questions if q.id != "unpaid_help_willing"})
    assert "unpaid_help_willing" in required_slots(base, BANK)  # first option of unpaid_help is "yes"
    base["unpaid_help"] = "no"
    assert "unpaid_help_willing" not in required_slots(base, BANK)


def test_review_change_by_number_then_confirm():
    answers = {q.id: q.options[0].value for q in BANK.applicable({})}
    slots = setup_done(**answers)
    out = handle(REVIEW, Parse("3"), slots, BANK)
    third = BANK.applicable(answers)[2].id
    assert out.updates[third] is None
    assert out.updates["changing"] == {"slots": {third: answers[third]}}
    ok = handle(REVIEW, Parse("/review_ok", "review_ok", 1.0), slots, BANK)
    assert ok.updates[REVIEW] == "confirmed"


def test_review_area_payload_opens_that_area():
    slots = setup_done(**{q.id: q.options[0].value for q in BANK.questions})
    area = BANK.areas[1].id
    out = handle(REVIEW, Parse(f'/change{{"area":"{area}"}}', "change", 1.0, {"area": area}), slots, BANK)
    assert out.updates["review_area"] == area


def test_setup_name_ignores_the_classifier():
    slots = {"answering_for": "other"}
    out = handle("person_name", Parse("Sam", "skip", 0.99), slots, BANK)
    assert out.updates["person_name"] == "Sam"


def test_greeting_mid_form_resumes_and_keeps_answers():
    slots = setup_done(**{FIRST.id: FIRST.options[1].value})
    out = handle(SECOND.id, Parse("/greet", "greet", 1.0), slots, BANK)
    assert set(out.updates) == {SECOND.id}
    assert "Welcome back" in said(out)


@pytest.mark.parametrize("parse,who", [
    (Parse("/for_self", "for_self", 1.0), "self"), (Parse("/for_other", "for_other", 1.0), "other"),
    (Parse("I'm answering for my mum"), "other"), (Parse("2"), "other"), (Parse("just for myself"), "self"),
    (Parse("I'm answering for myself"), "self"), (Parse("answering for him"), "other"),
])
def test_who_is_answering(parse, who):
    assert handle("answering_for", parse, {}, BANK).updates["answering_for"] == who


@pytest.mark.parametrize("parse,level", [
    (Parse("/choose_easy_read", "choose_easy_read", 1.0), "easy_read"), (Parse("/choose_plain", "choose_plain", 1.0),
                                                                          "plain"),
    (Parse("easy read please"), "easy_read"), (Parse("plain english"), "plain"), (Parse("1"), "plain"),
])
def test_reading_level_choice(parse, level):
    assert handle("reading_level", parse, {"answering_for": "self"}, BANK).updates["reading_level"] == level


@pytest.mark.parametrize("text", ["purple elephants on tuesday", "banana", "the weather is nice in Leeds"])
def test_confident_classifier_on_unrelated_words_is_not_used(text):
    out = handle(FIRST.id, Parse(text, "need_none", 0.99), setup_done(), BANK)
    assert out.updates[FIRST.id] is None and "pending" not in out.updates
    assert "did not understand" in said(out)


@pytest.mark.parametrize("text,kind", [("save for later", "save_for_later"),
                                       ("delete my saved answers", "delete_saved")])
def test_save_and_delete_open_the_pages_forms_and_lose_nothing(text, kind):
    slots = setup_done(**{FIRST.id: FIRST.options[0].value})
    out = handle(SECOND.id, Parse(text), slots, BANK)
    assert {"custom": {"type": kind}} in out.replies
    assert set(out.updates) == {SECOND.id}
