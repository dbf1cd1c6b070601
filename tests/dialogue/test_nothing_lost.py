"""The findings of the first hostile look, each as a test that failed before its fix (pure, no Rasa)."""

import asyncio
import logging

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionRoute, ValidateSaqForm
from bank import default_bank
from bank.plan import default_plan
from dialogue.binding import ask_key
from dialogue.flow import next_slot
from dialogue.plan_flow import PLAN_CHECK, required_plan_slots, without_item
from dialogue.plan_render import PlanAsker
from dialogue.plan_turn import handle_plan
from dialogue.render import Asker
from dialogue.turn import handle
from dialogue.understand import Parse, number_of
from tests.conftest import button
from tests.rasa_adapter.test_actions import DOMAIN, tracker

BANK, PLAN = default_bank(), default_plan()
FIRST, SECOND = BANK.questions[0], BANK.questions[1]


def said(outcome):
    return " ".join(r.get("text", "") for r in outcome.replies)


def setup_done(**extra):
    return {"answering_for": "self", "reading_level": "plain", "welcomed": True, **extra}


def buttons(replies):
    return [b for r in replies for b in r.get("buttons") or []]


ABOUT = ("plan_likes", "plan_good_day", "plan_bad_day", "plan_important", "plan_support_wanted",
         "plan_outcome_want__looking_after_myself", "plan_outcome_why__looking_after_myself")
SKIP = Parse("/skip", "skip", 1.0)


def plan_ready(**extra):
    result = {"annual": 5355.0, "outcomes": [{"area": "looking_after_myself"}]}
    return {**setup_done(), "ras_result": result, "plan_started": True, **{s: "skipped" for s in ABOUT}, **extra}


def next_plan_slot(slots):
    return next(s for s in required_plan_slots(slots, PLAN) if slots.get(s) is None)


# 1. The support plan trapped the person: "Skip" at the cost, then "No" at "add something else?".
def test_a_skipped_cost_does_not_trap_the_plan():
    slots = plan_ready()
    slots["plan_spend_category"] = "support_worker"
    assert next_plan_slot(slots) == "plan_spend_amount"
    slots.update(handle_plan("plan_spend_amount", SKIP, slots, BANK, PLAN).updates)
    for slot in ("plan_spend_reason", "plan_spend_outcome"):
        assert next_plan_slot(slots) == slot
        slots.update(handle_plan(slot, SKIP, slots, BANK, PLAN).updates)
    assert next_plan_slot(slots) == "plan_spend_more"
    asked = PlanAsker(slots, BANK, PLAN).ask("plan_spend_more")
    no = next(b["payload"] for b in buttons(asked) if b["title"] == "No")
    out = handle_plan("plan_spend_more", button(no), slots, BANK, PLAN)
    assert "not added" in said(out) and "support worker" in said(out).lower()
    slots.update(out.updates)
    assert next_plan_slot(slots) not in ("plan_spend_more",)  # the plan moves on, and can be finished
    while (slot := next_plan_slot(slots)) != PLAN_CHECK:
        slots.update(handle_plan(slot, SKIP, slots, BANK, PLAN).updates)
    slots.update(handle_plan(PLAN_CHECK, Parse("/review_ok", "review_ok", 1.0), slots, BANK, PLAN).updates)
    assert slots[PLAN_CHECK] == "confirmed"


# 2. Some digits got no reply: str.isdigit() accepts them, int() does not.
@pytest.mark.parametrize("text", ["⓶", "፪", "²", "٢", "２", "𝟐"])
def test_a_two_in_any_script_picks_the_second_option(text):
    assert number_of(text) == 2
    out = handle(FIRST.id, Parse(text), setup_done(), BANK)
    assert out.updates[FIRST.id] == FIRST.options[1].value


@pytest.mark.parametrize("item", ["²", "⓶:x", "٢:support_worker:40:week", "", "-1:x"])
def test_a_remove_button_with_odd_digits_removes_nothing(item):
    items = [{"category": "support_worker", "amount": 40.0, "per": "week"}]
    assert without_item(items, item) is None


# 3. A repeated answer landed on the next question.
def test_the_same_button_twice_does_not_answer_the_next_question():
    slots = setup_done()
    pressed = Asker(slots, BANK).ask(FIRST.id)[-1]["custom"]["options"][0]["payload"]
    assert any(o.value == FIRST.options[0].value for o in SECOND.options)  # the trap: a shared value
    slots.update(handle(FIRST.id, button(pressed), slots, BANK).updates)
    assert next_slot(slots, BANK) == SECOND.id
    again = handle(SECOND.id, button(pressed), slots, BANK)
    assert again.updates[SECOND.id] is None
    assert "Question 1 already has that answer. We are on question 2 now." in said(again)


def test_an_old_button_with_another_answer_is_offered_as_a_change():
    slots = setup_done()
    options = Asker(slots, BANK).ask(FIRST.id)[-1]["custom"]["options"]
    slots.update(handle(FIRST.id, button(options[0]["payload"]), slots, BANK).updates)
    late = handle(SECOND.id, button(options[2]["payload"]), slots, BANK)
    assert late.updates[SECOND.id] is None and late.updates.get(FIRST.id) is None
    assert "That answer was for question 1" in said(late)
    change = next(b["payload"] for b in buttons(late.replies) if b["title"] == "Change question 1")
    slots.update(late.updates)
    changed = handle(SECOND.id, button(change), slots, BANK)
    assert changed.updates[FIRST.id] == options[2]["value"] and changed.updates[SECOND.id] is None
    slots.update(changed.updates)
    # The offer pressed twice changes nothing more and answers nothing else.
    assert handle(SECOND.id, button(change), slots, BANK).updates == {SECOND.id: None}


def test_a_typed_number_sent_twice_answers_only_the_question_on_screen():
    slots = setup_done()
    seen = Asker(slots, BANK).ask(FIRST.id)[-1]["custom"]["ask"]
    slots.update(handle(FIRST.id, Parse("2", seen=seen), slots, BANK).updates)
    again = handle(SECOND.id, Parse("2", seen=seen), slots, BANK)
    assert again.updates[SECOND.id] is None and "That answer was for question 1" in said(again)
    # Commands that do not depend on the question still work from an older screen.
    assert handle(SECOND.id, Parse("easier words please", seen=seen), slots, BANK).updates["reading_level"] == \
        "easy_read"


def test_an_answer_button_that_names_no_question_is_never_recorded():
    out = handle(FIRST.id, Parse('/answer{"value":"no_help"}', "answer", 1.0, {"value": "no_help"}),
                 setup_done(), BANK)
    assert out.updates[FIRST.id] is None and said(out)


def test_go_back_pressed_twice_goes_back_once():
    slots = setup_done(**{FIRST.id: FIRST.options[0].value, SECOND.id: SECOND.options[0].value})
    third = next_slot(slots, BANK)
    back = next(b["payload"] for b in buttons(Asker({**slots, "tries": 2.0}, BANK).ask(third))
                if b["payload"].startswith("/skip"))
    slots.update(handle(third, button(back), slots, BANK).updates)
    fourth = next_slot(slots, BANK)
    assert fourth != third
    assert handle(fourth, button(back), slots, BANK).updates == {fourth: None}  # the second "skip" skips nothing


def test_yes_twice_at_add_something_else_adds_one_loop_only():
    slots = plan_ready(plan_spend_category="support_worker", plan_spend_amount={"amount": 40.0, "per": "week"},
                       plan_spend_reason="skipped", plan_spend_outcome="none")
    assert ask_key("plan_spend_more", slots) == "plan_spend_more.1"
    yes = next(b["payload"] for b in buttons(PlanAsker(slots, BANK, PLAN).ask("plan_spend_more"))
               if b["title"] == "Yes")
    slots.update(handle_plan("plan_spend_more", button(yes), slots, BANK, PLAN).updates)
    assert len(slots["plan_items"]) == 1 and next_plan_slot(slots) == "plan_spend_category"
    again = handle_plan("plan_spend_category", button(yes), slots, BANK, PLAN)
    assert again.updates == {"plan_spend_category": None} and "earlier question" in said(again)


# Every message gets a reply: an action that fails says sorry and changes nothing.
def test_a_failing_action_says_sorry_and_puts_the_slot_back(caplog):
    # A state no turn should make (pending is not a dict) stands in for any bug in a turn.
    t = tracker("mid_form", pending="not a dict")
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.DEBUG):
        events = asyncio.run(ValidateSaqForm().run(dispatcher, t, DOMAIN))
    assert [m["text"] for m in dispatcher.messages] == [
        "Sorry, something went wrong on my side. Your answers are safe. Please try again."]
    assert events == [{"event": "slot", "timestamp": None, "name": "using_toilet", "value": None}]
    assert "validate_saq_form failed: AttributeError at dialogue/turn.py" in caplog.text
    assert "all the time" not in caplog.text and "not a dict" not in caplog.text and "Sam" not in caplog.text


# 6. "Start again" waits for a yes.
def _route(slots, text, intent=None, entities=None):
    state = {"sender_id": "made-up", "slots": slots, "events": [], "paused": False, "followup_action": None,
             "latest_message": {"text": text, "intent": {"name": intent, "confidence": 1.0},
                                "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()]},
             "active_loop": {}, "latest_action_name": "action_listen"}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRoute().run(dispatcher, Tracker.from_dict(state), {}))
    return dispatcher.messages, events


def test_start_again_says_what_goes_and_waits_for_a_yes():
    slots = setup_done(**{q.id: q.options[0].value for q in BANK.questions[:5]}, review="confirmed",
                       ras_result={"annual": 100.0})
    messages, events = _route(slots, "/restart_assessment", "restart_assessment")
    assert "all 5 answers" in messages[0]["text"] and not any(e["event"] == "reset_slots" for e in events)
    slots["pending"] = next(e["value"] for e in events if e.get("name") == "pending")
    no = next(b["payload"] for b in messages[0]["buttons"] if "keep" in b["title"].lower())
    messages, events = _route(slots, no, "deny", {"q": "start_again"})
    assert not any(e["event"] == "reset_slots" for e in events) and "still here" in messages[0]["text"]
    messages, events = _route(slots, "yes", "affirm")
    assert any(e["event"] == "reset_slots" for e in events)


# Found by the conversation model (tests/dialogue/test_conversation_model.py); each failed before its fix.
@pytest.mark.parametrize("text", ["I want to go back to college", "going back to my home town",
                                  "Stop people shouting at me on the bus please"])
def test_command_words_inside_an_answer_are_the_answer(text):
    out = handle_plan("plan_likes", Parse(text), plan_ready(plan_likes=None), BANK, PLAN)
    assert out.updates["pending"]["value"] == text
    slots = setup_done(**{FIRST.id: FIRST.options[0].value})
    assert "changing" not in handle(SECOND.id, Parse(text), slots, BANK).updates


@pytest.mark.parametrize("text", ["purple elephants on tuesday", "answer{bad", "the day", "a week"])
def test_unrelated_words_are_never_taken_as_an_answer(text):
    for question in BANK.questions:
        out = handle(question.id, Parse(text), setup_done(), BANK)
        assert out.updates.get(question.id) is None, (question.id, text)
        if text not in ("a week", "the day"):  # a part of an option's words may be asked about, never the unrelated
            assert out.updates.get("pending") is None, (question.id, text)


def test_one_alone_is_the_first_option_but_no_one_is_not():
    assert number_of("one") == 1 and number_of("the one") == 1
    assert number_of("no one") is None


@pytest.mark.parametrize("slot,text", [("person_name", "⓶"), ("person_name", "/start_plan"),
                                       ("relationship", "£1,000,000 a year"), ("relationship", "/restart_assessment"),
                                       ("relationship", '/change{"q":"review"}')])
def test_sums_odd_digits_and_payloads_are_never_a_name(slot, text):
    slots = {"answering_for": "other", "welcomed": True, "person_name": "Sam" if slot == "relationship" else None}
    out = handle(slot, Parse(text), slots, BANK)
    assert out.updates.get(slot) is None


def test_giving_a_name_keeps_another_questions_change_open():
    slots = setup_done(answering_for="other", person_name="Sam", relationship=None,
                       changing={"slot": FIRST.id, "old": FIRST.options[1].value})
    out = handle("relationship", Parse("son"), slots, BANK)
    assert out.updates["relationship"] == "son" and "changing" not in out.updates


def test_back_to_the_check_with_its_question_key():
    slots = setup_done(**{q.id: q.options[0].value for q in BANK.questions}, review_area="making_decisions")
    out = handle("review", Parse('/change{"q":"review"}', "change", 1.0, {"q": "review"}), slots, BANK)
    assert out.updates.get("review_area", "unset") is None


@pytest.mark.parametrize("text,amount", [("half a million a year", 500000.0), ("the second one", None),
                                         ("the fifth one", None)])
def test_costs_said_loosely(text, amount):
    from dialogue.money import read
    reading = read(text)
    assert (reading.amount if reading.status == "ok" else None) == amount
