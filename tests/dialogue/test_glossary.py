"""The glossary: its data, finding hard words, and "what does X mean" at every point of the conversation."""

import asyncio
import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionRoute
from bank import default_bank
from bank.plan import default_plan
from dialogue.plan_render import PlanAsker
from dialogue.plan_turn import handle_plan
from dialogue.render import Asker
from dialogue.turn import handle
from dialogue.understand import Parse, command_of
from easy_read.glossary import GlossaryError, default_glossary, load_glossary

BANK, PLAN, GLOSSARY = default_bank(), default_plan(), default_glossary()
TERMS = GLOSSARY.terms
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "actions"
FIRST, SECOND = BANK.questions[0], BANK.questions[1]
ISSUE_TERMS = ["personal budget", "direct payment", "indicative", "support plan", "broker", "individual service fund",
               "care coordinator", "eligibility", "outcome", "resource allocation"]


def ask(term):
    """The ways people ask, from the issue: "what does direct payment mean", "what's a support plan", ..."""
    return [f"what does {term} mean", f"what's a {term}", f"explain {term}", f"what is a {term}?",
            f"What does \u201c{term}\u201d mean?", f"sorry, what is {term}", f"I don't understand {term}"]


def said(replies):
    return " ".join(r.get("text") or "" for r in replies)


# -- the data ---------------------------------------------------------------------------------


def test_the_issue_terms_are_all_in_the_glossary():
    for words in ISSUE_TERMS:
        assert GLOSSARY.named_in(words) is not None, words


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
def test_every_term_has_both_explanations_of_one_or_two_sentences(term):
    for level in ("plain", "easy_read"):
        words = term.explanation(level)
        assert words and words[-1] in ".!?"
        assert 1 <= words.count(". ") + 1 <= 2, words


def test_a_broken_glossary_is_named(tmp_path):
    bad = tmp_path / "glossary.yml"
    bad.write_text("terms:\n  - {id: a_b, term: ab, easy_read: One. Two. Three., plain: Ab.}\n")
    with pytest.raises(GlossaryError, match=r"term 'a_b'.*1 or 2 sentences"):
        load_glossary(bad)
    bad.write_text("terms:\n  - {id: one, term: broker, easy_read: A., plain: A.}\n"
                   "  - {id: two, term: Broker, easy_read: B., plain: B.}\n")
    with pytest.raises(GlossaryError, match="'broker' is also used by term 'one'"):
        load_glossary(bad)


def test_finding_terms_in_steers_words():
    found = GLOSSARY.find("Your indicative Personal Budget. Ask a PA, not a pa. Choose a trust, or someone I trust.")
    assert [(f.term.id, f.text) for f in found] == [
        ("indicative", "indicative"), ("personal_budget", "Personal Budget"), ("personal_assistant", "PA"),
        ("trust", "a trust")]
    assert [f.term.id for f in GLOSSARY.find("Fill in the self-assessment questionnaire")] == ["self_assessment"]


@pytest.mark.parametrize("text", [
    "What is important to me is my personal assistant", "what does that mean", "what does most of the time mean",
    "I'm her carer", "my support worker helps me", "Direct payment", "help with money",
])
def test_answers_and_other_questions_are_not_glossary_questions(text):
    assert GLOSSARY.asked_about(text) is None


# -- inside the assessment (dialogue/turn.py) --------------------------------------------------


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
@pytest.mark.parametrize("level", ["plain", "easy_read"])
def test_what_does_x_mean_inside_a_question_explains_x_and_keeps_the_answers(term, level):
    before = {"answering_for": "self", "reading_level": level, FIRST.id: FIRST.options[1].value}
    for text in ask(term.term):
        parse = Parse(text, intent="need_little", confidence=0.9)  # even when the classifier guesses an answer
        assert command_of(parse) == "explain", text
        out = handle(SECOND.id, parse, dict(before), BANK)
        assert said(out.replies) == term.explanation(level), text
        assert out.updates == {SECOND.id: None}, text  # nothing recorded: the form asks again
        assert "pending" not in out.updates


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
def test_a_tapped_word_is_explained_and_changes_nothing(term):
    parse = Parse(term.payload(), "explain", 1.0, {"term": term.id})
    slots = {"answering_for": "other", "person_name": "Sam", "reading_level": "easy_read",
             "changing": {"slot": SECOND.id, "old": SECOND.options[0].value}}
    out = handle(SECOND.id, parse, slots, BANK)
    assert said(out.replies) == term.easy_read
    assert out.updates == {SECOND.id: None}  # the change in progress keeps its old answer
    assert json.loads(term.payload()[len("/explain"):]) == {"term": term.id}


def test_what_does_that_mean_still_explains_the_question():
    out = handle(FIRST.id, Parse("what does that mean?"), {"answering_for": "self", "reading_level": "plain"}, BANK)
    assert said(out.replies) == FIRST.explain.plain
    out = handle(FIRST.id, Parse("/explain", "explain", 1.0), {"reading_level": "easy_read"}, BANK)
    assert said(out.replies) == FIRST.explain.easy_read


def test_a_glossary_question_is_not_taken_as_a_name():
    out = handle("person_name", Parse("what is a personal budget?"), {"answering_for": "other"}, BANK)
    assert out.updates == {"person_name": None}
    assert said(out.replies) == GLOSSARY.term("personal_budget").plain


# -- inside the support plan (dialogue/plan_turn.py) -------------------------------------------


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
def test_what_does_x_mean_inside_a_plan_question(term):
    slots = {"reading_level": "plain", "plan_started": True, "plan_likes": "swimming"}
    out = handle_plan("plan_good_day", Parse(f"what does {term.term} mean"), dict(slots), BANK, PLAN)
    assert said(out.replies) == term.plain
    assert out.updates == {"plan_good_day": None}  # a free-text question: the words are not an answer


def test_an_option_of_the_plan_question_keeps_its_own_explanation():
    out = handle_plan("plan_management", Parse("what is a direct payment?"), {"reading_level": "easy_read"}, BANK, PLAN)
    option = PLAN.step("plan_management").option("direct_payment")
    assert said(out.replies) == option.explain.easy_read and out.updates == {"plan_management": None}


# -- outside the forms (actions.ActionRoute) --------------------------------------------------


def route(name, text, intent="explain", entities=None, **slots):
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    data["slots"].update(slots)
    data["latest_message"] = {"text": text, "intent": {"name": intent, "confidence": 0.9},
                              "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()]}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRoute().run(dispatcher, Tracker.from_dict(data), {}))
    return dispatcher.messages, events


def followups(events):
    return [e["name"] for e in events if e.get("event") == "followup"]


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
def test_what_does_x_mean_before_the_start_welcomes_answers_and_starts(term):
    messages, events = route("new_conversation", f"what does {term.term} mean?")
    assert messages[-1]["text"] == term.plain
    assert "Personal Budget" in " ".join(m["text"] for m in messages[:-1])  # the welcome came first
    assert followups(events) == ["saq_form"]


FINISHED = {"review": "confirmed", "ras_result": {"annual": 5400, "weekly": 104, "status": "indicative"},
            "reading_level": "easy_read"}


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
def test_what_does_x_mean_after_the_budget_answers_and_changes_nothing(term):
    messages, events = route("mid_form", f"what's a {term.term}", intent="nlu_fallback", **FINISHED)
    assert [m["text"] for m in messages] == [term.easy_read]
    assert events == []


def test_a_bare_term_or_a_tapped_word_outside_the_forms_is_explained():
    messages, _ = route("mid_form", "indicative?", intent="nlu_fallback", **FINISHED)
    assert messages[0]["text"] == GLOSSARY.term("indicative").easy_read
    tapped = GLOSSARY.term("direct_payment")
    messages, _ = route("mid_form", tapped.payload(), entities={"term": tapped.id}, **FINISHED)
    assert messages[0]["text"] == tapped.easy_read


def test_during_the_plan_a_glossary_question_outside_the_form_goes_back_to_the_plan():
    messages, events = route("mid_form", "what is a broker?", **FINISHED, plan_started=True)
    assert messages[0]["text"] == GLOSSARY.term("broker").easy_read
    assert followups(events) == ["plan_form"] and slot_events(events) == {"paused": False}


def test_mid_way_outside_the_form_a_glossary_question_resumes_the_assessment():
    messages, events = route("mid_form", "what is an outcome", paused=True)
    assert [m["text"] for m in messages] == [GLOSSARY.term("outcome").plain]
    assert followups(events) == ["saq_form"]


# -- the question payload's "terms" (dialogue/render.py) ---------------------------------------


def test_question_payloads_list_their_hard_words_with_explanations():
    slots = {"answering_for": "self", "reading_level": "plain", "ras_result": {"annual": 5400}, "plan_started": True}
    replies = PlanAsker(slots, BANK, PLAN).ask("plan_management")
    custom = next(r["custom"] for r in replies if "custom" in r)
    by_id = {t["id"]: t for t in custom["terms"]}
    assert {"direct_payment", "individual_service_fund", "trust"} <= set(by_id)
    assert by_id["direct_payment"] == {
        "id": "direct_payment", "term": "direct payment", "found": ["Direct payment"],
        "explanation": GLOSSARY.term("direct_payment").plain, "payload": '/explain{"term":"direct_payment"}'}
    easy = PlanAsker({**slots, "reading_level": "easy_read"}, BANK, PLAN).ask("plan_helpers")
    custom = next(r["custom"] for r in easy if "custom" in r)
    assert all(t["explanation"] == GLOSSARY.term(t["id"]).easy_read for t in custom["terms"])


def test_every_question_payload_has_a_terms_list():
    slots = {"answering_for": "self", "reading_level": "easy_read"}
    for question in BANK.questions:
        custom = next(r["custom"] for r in Asker(slots, BANK).ask(question.id) if "custom" in r)
        texts = [question.text.easy_read.self, *(o.label.easy_read for o in question.options)]
        assert [t["id"] for t in custom["terms"]] == [t.id for t in GLOSSARY.terms_in(*texts)], question.id
