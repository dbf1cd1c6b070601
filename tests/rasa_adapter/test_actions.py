"""The Rasa actions run as plain async functions on trackers built from JSON fixtures."""

import asyncio
import json
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import ras
from actions.actions import ASK_ACTIONS, ActionRoute, ActionShowBudget, ValidateSaqForm
from bank import default_bank
from bank.plan import default_plan
from dialogue.flow import all_form_slots
from dialogue.plan_flow import all_plan_slots

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "actions"
BANK = default_bank()
DOMAIN = {"forms": {"saq_form": {"required_slots": all_form_slots(BANK)}}, "slots": {}}


def tracker(name: str, **slots) -> Tracker:
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    data["slots"].update(slots)
    return Tracker.from_dict(data)


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, events


def test_every_form_slot_has_an_ask_action():
    slots = [*all_form_slots(BANK), *all_plan_slots(default_plan(), BANK)]
    assert sorted(a().name() for a in ASK_ACTIONS) == sorted(f"action_ask_{s}" for s in slots)


def test_validation_turns_a_description_into_a_confirmation():
    messages, slots, _ = run(ValidateSaqForm(), tracker("mid_form"))
    assert slots["using_toilet"] is None
    assert slots["pending"] == {"slot": "using_toilet", "value": BANK.question("using_toilet").options[-1].value}
    assert slots["requested_slot"] == "using_toilet"
    assert slots.get("washing_dressing", "help_every_day") == "help_every_day"


def test_ask_action_sends_the_question_payload_in_the_carers_voice():
    ask = next(a for a in ASK_ACTIONS if a.slot == "using_toilet")()
    messages, _, _ = run(ask, tracker("mid_form"))
    custom = next(m["custom"] for m in messages if m.get("custom"))
    question = BANK.question("using_toilet")
    assert custom["id"] == "using_toilet" and custom["answering_for"] == "other"
    assert [o["value"] for o in custom["options"]] == [o.value for o in question.options]
    assert custom["progress"] == {"done": 1, "total": len(BANK.questions)}
    assert question.text.plain.other.format(name="Sam") in messages[0]["text"]
    assert [b["title"] for b in messages[0]["buttons"]] == [o.label.plain for o in question.options]


def test_route_welcomes_then_starts_the_form():
    messages, slots, events = run(ActionRoute(), tracker("new_conversation"))
    assert slots["welcomed"] is True
    assert "Personal Budget" in " ".join(m["text"] for m in messages)
    assert events[-1] == {"event": "followup", "name": "saq_form", "timestamp": None}


def test_budget_action_records_the_scorers_result():
    answers = {q.id: q.options[-1].value for q in BANK.questions}
    t = tracker("mid_form", **answers, review="confirmed")
    messages, slots, _ = run(ActionShowBudget(), t)
    expected = ras.score({k: v for k, v in answers.items() if BANK.question(k)}).to_dict()
    assert slots["ras_result"] == expected
    assert f"£{expected['annual']:,.0f}" in messages[0]["text"]
    assert "Sam" in messages[0]["text"]


def test_review_lists_every_answer_and_shows_progress_complete():
    answers = {q.id: q.options[0].value for q in BANK.questions}
    ask = next(a for a in ASK_ACTIONS if a.slot == "review")()
    messages, _, _ = run(ask, tracker("mid_form", **answers, requested_slot="review"))
    text = "\n".join(m.get("text") or "" for m in messages)
    for number, question in enumerate(BANK.applicable(answers), start=1):
        assert f"{number}. {question.title.plain}: {question.options[0].label.plain}" in text
    custom = next(m["custom"] for m in messages if m.get("custom"))
    assert custom["progress"]["done"] == custom["progress"]["total"] == len(BANK.applicable(answers))
