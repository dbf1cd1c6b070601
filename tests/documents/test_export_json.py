"""The JSON export for the council: shape, schema, round trip, partial plans. Made-up data only."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest

from bank import CARE_ACT_OUTCOMES, default_bank, load_bank
from bank.plan import default_plan
from bot.assessment import assessment_from_slots
from export import ExportError, assessment_json, assessment_schema, content_version
from export.content import CARE_ACT_OUTCOME_LABELS
from ras.score import score

BANK = default_bank()
WHEN = datetime(2025, 5, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
FIXTURE_BANK = load_bank(Path(__file__).resolve().parents[1] / "fixtures" / "ras" / "questions")


def every_question_answered(pick: int = 1) -> dict:
    """An answer to every question: option number `pick` (or the last one), 'yes' to unpaid help."""
    answers = {q.id: q.options[min(pick, len(q.options) - 1)].value for q in BANK.questions}
    answers["unpaid_help"] = "yes"
    return answers


def made_up_assessment(answers=None, skipped=(), answering_for="other", complete=True, scored=True, **slots) -> dict:
    """An assessment as the conversation makes it (bot.assessment), from made-up slots."""
    answers = every_question_answered() if answers is None else answers
    filled = {"answering_for": answering_for, "person_name": "Bryony", "relationship": "her neighbour",
              "reading_level": "easy_read", **answers, **{q: "skipped" for q in skipped}}
    if complete:
        filled["review"] = "confirmed"
    if scored:
        filled["ras_result"] = score(answers).to_dict()
    return assessment_from_slots({**filled, **slots}, BANK)


FULL_PLAN = {
    "status": "draft",
    "about": {"likes": "Jigsaws and the seaside", "good_day": "A walk to the café with my friend Orla",
              "bad_day": "Nobody comes and I stay in bed", "important": "My cat, Pickle",
              "support_wanted": "Calm people who do not rush me"},
    "outcomes": [{"area": "community", "want": "Go to the library club every week", "why": "To see people"},
                 {"area": "looking_after_myself", "want": "Cook a hot meal twice a week", "why": ""}],
    "spending": [
        {"category": "support_worker", "amount": 85.5, "per": "week", "reason": "Help with cooking",
         "outcome_area": "looking_after_myself"},
        {"category": "short_breaks", "amount": 600, "per": "year", "reason": "A week by the sea",
         "outcome_area": None},
        {"category": "transport", "amount": 12, "per": "week", "reason": "", "outcome_area": "none"},
    ],
    "management": "individual_service_fund",
    "planning_help": ["family_friends", "broker"],
    "safety": {"what_could_go_wrong": "The worker does not come", "what_then": "Ring my sister Dilys"},
    "changes": {"who_to_tell": "My care coordinator", "how": "By phone"},
}


def validate(document: dict) -> None:
    validator = jsonschema.Draft202012Validator(assessment_schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(assessment_schema())
    assert assessment_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_full_assessment_and_plan_meet_the_schema():
    document = assessment_json(made_up_assessment(), FULL_PLAN, generated_at=WHEN)
    validate(document)
    assert document["schema_version"] == "1.0"
    assert document["document_type"] == "steer-assessment"
    assert document["generated_at"] == "2025-05-01T09:30:15Z"
    assert document["status"] == "complete"
    assert document["respondent"] == {"answering_for": "other", "person_first_name": "Bryony",
                                      "relationship": "her neighbour"}
    assert document["reading_level"] == "easy_read"


def test_answers_round_trip_with_titles_and_plain_labels():
    assessment = made_up_assessment()
    document = assessment_json(assessment, None, generated_at=WHEN)
    assert {a["question_id"]: a["value"] for a in document["answers"]} == assessment["answers"]
    assert [a["question_id"] for a in document["answers"]] == [q.id for q in BANK.questions]
    first = document["answers"][0]
    question = BANK.questions[0]
    assert first == {
        "question_id": question.id,
        "question_title": question.title.plain,
        "area_id": BANK.area_of[question.id],
        "area_title": BANK.areas[0].title.plain,
        "value": question.options[1].value,
        "label": question.options[1].label.plain,  # plain words, even though easy read was chosen
        "need": question.options[1].need,
        "care_act_outcomes": [{"id": o, "label": CARE_ACT_OUTCOME_LABELS[o]} for o in question.outcomes],
    }


def test_the_budget_carries_the_council_table_version():
    assessment = made_up_assessment()
    budget = assessment_json(assessment, None, generated_at=WHEN)["indicative_budget"]
    ras = assessment["ras"]
    assert budget["table"] == ras["table"] and budget["table"]["version"]
    assert (budget["annual"], budget["weekly"], budget["currency"]) == (ras["annual"], ras["weekly"], "GBP")
    assert budget["points_total"] == ras["points_total"]
    assert budget["explanation"] == ras["explanation"]
    assert [n["area_id"] for n in budget["needs_by_area"]] == [o["area"] for o in ras["outcomes"]]


def test_below_the_floor_has_no_amount_and_still_meets_the_schema():
    least = {q.id: q.options[0].value for q in BANK.questions}
    document = assessment_json(made_up_assessment(least), None, generated_at=WHEN)
    validate(document)
    assert document["indicative_budget"]["status"] == "below_floor"
    assert document["indicative_budget"]["annual"] is None


def test_a_fresh_conversation_exports_an_empty_in_progress_document():
    document = assessment_json(assessment_from_slots({}, BANK), None, generated_at=WHEN)
    validate(document)
    assert document["status"] == "in_progress"
    assert document["respondent"] == {"answering_for": None, "person_first_name": None, "relationship": None}
    assert (document["answers"], document["skipped"], document["indicative_budget"], document["plan"]) == (
        [], [], None, None)


def test_answering_for_themselves_names_nobody():
    document = assessment_json(made_up_assessment(answering_for="self"), None, generated_at=WHEN)
    assert document["respondent"] == {"answering_for": "self", "person_first_name": None, "relationship": None}


def test_a_skipped_question_is_listed_and_not_answered():
    answers = every_question_answered()
    del answers["meals_drinks"]
    document = assessment_json(made_up_assessment(answers, skipped=["meals_drinks"], complete=False), None,
                               generated_at=WHEN)
    validate(document)
    title = BANK.question("meals_drinks").title.plain
    assert document["skipped"] == [{"question_id": "meals_drinks", "question_title": title,
                                    "area_id": BANK.area_of["meals_drinks"]}]
    assert "meals_drinks" not in {a["question_id"] for a in document["answers"]}
    assert document["indicative_budget"]["unanswered"] == ["meals_drinks"]
    assert document["status"] == "in_progress"


def test_answers_to_questions_that_no_longer_apply_are_left_out():
    answers = {**every_question_answered(), "unpaid_help": "no", "unpaid_help_willing": "all"}
    document = assessment_json(made_up_assessment(answers), None, generated_at=WHEN)
    exported = {a["question_id"] for a in document["answers"]}
    assert "unpaid_help" in exported and "unpaid_help_willing" not in exported


def test_the_plan_is_tidied_into_one_stable_shape():
    plan = assessment_json(made_up_assessment(), FULL_PLAN, generated_at=WHEN)["plan"]
    assert plan["about"]["likes"] == "Jigsaws and the seaside"
    assert plan["outcomes"][1] == {"area_id": "looking_after_myself", "area_title": BANK.areas[0].title.plain,
                                   "want": "Cook a hot meal twice a week", "why": None}
    worker, breaks, transport = plan["spending"]
    assert worker["category_label"] == "A support worker or personal assistant"
    assert (worker["amount"], worker["per"], worker["amount_per_year"]) == (85.5, "week", 4446.0)
    assert (breaks["amount_per_year"], breaks["outcome_area_id"]) == (600.0, None)
    assert (transport["reason"], transport["outcome_area_id"]) == (None, None)  # "" and "none" become null
    assert plan["spending_total_per_year"] == 4446.0 + 600 + 624
    assert plan["management"] == {"value": "individual_service_fund", "label": "An individual service fund"}
    assert [h["value"] for h in plan["planning_help"]] == ["family_friends", "broker"]
    assert plan["safety"]["what_then"] == "Ring my sister Dilys"


@pytest.mark.parametrize("plan", [
    {},
    {"status": "draft"},
    {"about": {"likes": "Bingo"}},
    {"about": {"likes": "  "}, "outcomes": [], "spending": [], "management": None, "planning_help": [],
     "safety": {}, "changes": {}},
    {"spending": [{"category": "gym_sport"}]},  # an item still being filled in
    {"spending": [{"category": "other", "amount": 0, "per": "year"}], "changes": {"how": "Email"}},
])
def test_partial_plans_meet_the_schema_with_every_key_present(plan):
    document = assessment_json(made_up_assessment(), plan, generated_at=WHEN)
    validate(document)
    tidy = document["plan"]
    assert set(tidy) == set(assessment_schema()["$defs"]["plan"]["required"])
    assert set(tidy["about"]) == {"likes", "good_day", "bad_day", "important", "support_wanted"}
    assert set(tidy["safety"]) == {"what_could_go_wrong", "what_then"}
    assert tidy["status"] == plan.get("status", "draft")


def test_the_plan_defaults_to_the_assessments_own():
    assessment = {**made_up_assessment(), "plan": FULL_PLAN}
    assert assessment_json(assessment, None, generated_at=WHEN) == assessment_json(
        made_up_assessment(), FULL_PLAN, generated_at=WHEN)


def test_no_rasa_internals_in_the_document():
    assessment = made_up_assessment(requested_slot="meals", plan_items=[{"x": 1}], session_started_metadata={})
    text = json.dumps(assessment_json(assessment, FULL_PLAN, generated_at=WHEN))
    for internal in ["requested_slot", "ras_result", "plan_items", "sender_id", "active_loop", "review", "slot"]:
        assert internal not in text


def test_the_same_input_gives_the_same_document():
    one = assessment_json(made_up_assessment(), FULL_PLAN, generated_at=WHEN)
    two = assessment_json(copy.deepcopy(made_up_assessment()), copy.deepcopy(FULL_PLAN), generated_at=WHEN)
    assert one == two


def test_generated_time_is_utc_and_must_have_a_zone():
    document = assessment_json(made_up_assessment(), None)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["generated_at"])
    with pytest.raises(ExportError, match="time zone"):
        assessment_json(made_up_assessment(), None, generated_at=datetime(2025, 5, 1, 9, 30))


def test_content_version_follows_the_question_bank():
    plan_bank = default_plan()
    version = content_version(BANK, plan_bank)
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert content_version(default_bank(), default_plan()) == version
    assert content_version(FIXTURE_BANK, plan_bank) != version
    relabelled = BANK.questions[0].copy(update={"title": BANK.questions[0].title.copy(update={"plain": "Washing"})})
    changed = type(BANK)(areas=BANK.areas, questions=[relabelled, *BANK.questions[1:]], area_of=BANK.area_of)
    assert content_version(changed, plan_bank) != version


def test_another_question_bank_works():
    answers = {"washing": "some_help", "falls": "often", "falls_injury": "hurt_often"}
    assessment = {"answering_for": "self", "answers": answers, "skipped": ["meals"], "complete": False,
                  "progress": {"done": 4, "total": 7}, "ras": None}
    document = assessment_json(assessment, {"outcomes": [{"area": "safety", "want": "No more falls"}]}, FIXTURE_BANK,
                               generated_at=WHEN)
    validate(document)
    assert [a["question_id"] for a in document["answers"]] == ["washing", "falls", "falls_injury"]


@pytest.mark.parametrize("change, field", [
    (lambda a, p: a["answers"].update(made_up_question="x"), "made_up_question"),
    (lambda a, p: a["answers"].update(meals_drinks="sometimes_perhaps"), "meals_drinks"),
    (lambda a, p: a.update(skipped=["not_a_question"]), "skipped"),
    (lambda a, p: a.update(answering_for="a friend"), "answering_for"),
    (lambda a, p: a.update(ras={"status": "lots"}), "status"),
    (lambda a, p: p["spending"][0].update(category="holiday_home"), "spending[0].category"),
    (lambda a, p: p["spending"][0].update(amount=-5), "spending[0].amount"),
    (lambda a, p: p["spending"][0].update(amount=True), "spending[0].amount"),
    (lambda a, p: p["spending"][0].update(amount=float("nan")), "spending[0].amount"),
    (lambda a, p: p["spending"][0].update(per="month"), "spending[0].per"),
    (lambda a, p: p["spending"][0].pop("per"), "spending[0].per"),
    (lambda a, p: p["outcomes"][0].update(area="gardening"), "outcomes[0].area"),
    (lambda a, p: p.update(management="under_the_mattress"), "management"),
    (lambda a, p: p.update(planning_help="broker"), "planning_help"),
    (lambda a, p: p["about"].update(likes=["Private words 4411"]), "about.likes"),
])
def test_input_that_does_not_fit_is_a_clear_error_naming_the_field(change, field):
    assessment, plan = made_up_assessment(), copy.deepcopy(FULL_PLAN)
    change(assessment, plan)
    with pytest.raises(ExportError) as caught:
        assessment_json(assessment, plan, generated_at=WHEN)
    assert field in str(caught.value)
    assert "Private words" not in str(caught.value)


def test_schema_codes_match_the_plan_bank_and_care_act():
    plan_bank = default_plan()
    defs = assessment_schema()["$defs"]
    spending = defs["plan"]["properties"]["spending"]["items"]["properties"]
    assert spending["category"]["enum"] == [o.value for o in plan_bank.step("plan_spend_category").options]
    management = defs["plan"]["properties"]["management"]["oneOf"][1]["properties"]["value"]["enum"]
    assert management == [o.value for o in plan_bank.step("plan_management").options]
    helpers = defs["plan"]["properties"]["planning_help"]["items"]["properties"]["value"]["enum"]
    assert helpers == [o.value for o in plan_bank.step("plan_helpers").options]
    assert defs["care_act_outcome"]["properties"]["id"]["enum"] == list(CARE_ACT_OUTCOMES)
    assert set(CARE_ACT_OUTCOME_LABELS) == set(CARE_ACT_OUTCOMES)


def test_the_readme_documents_every_field():
    readme = (Path(__file__).resolve().parents[2] / "export" / "README.md").read_text(encoding="utf-8")
    schema = assessment_schema()
    fields = set(schema["properties"])
    for name in ("answer", "indicative_budget", "plan"):
        fields |= set(schema["$defs"][name]["properties"])
    missing = sorted(f for f in fields if f"`{f}`" not in readme)
    assert not missing, f"export/README.md does not mention {missing}"
