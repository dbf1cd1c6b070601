"""The FHIR R4 export: a Questionnaire from the question bank and a QuestionnaireResponse that fits it.

Both are checked with fhir.resources (R4 models), and the response is walked against the
Questionnaire: same order, known linkIds, answers of the item's type, choices among its options.
Made-up data only.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List

import pytest
from fhir.resources.questionnaire import Questionnaire
from fhir.resources.questionnaireresponse import QuestionnaireResponse

from bank import default_bank
from bank.plan import default_plan
from bot.assessment import assessment_from_slots
from export import ExportError, assessment_json, content_version
from export.fhir import QUESTIONNAIRE_URL, option_system, questionnaire, questionnaire_response
from tests.documents.test_export_json import (
    BANK,
    FIXTURE_BANK,
    FULL_PLAN,
    WHEN,
    every_question_answered,
    made_up_assessment,
)

VALUE_OF_TYPE = {"choice": "valueCoding", "text": "valueString", "string": "valueString",
                 "decimal": "valueDecimal", "quantity": "valueQuantity", "boolean": "valueBoolean"}


def flat(items: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    out = {}
    for item in items:
        out[item["linkId"]] = item
        out.update(flat(item.get("item", [])))
    return out


def answered_codes(response: Dict[str, Any]) -> Dict[str, List[str]]:
    return {link: [a["valueCoding"]["code"] for a in item["answer"]]
            for link, item in flat(response.get("item", [])).items() if "valueCoding" in item.get("answer", [{}])[0]}


def check_fits(response_items, form_items, answers_so_far=None) -> None:
    """The response's items follow the Questionnaire's: order, linkIds, types, options, enableWhen."""
    answers_so_far = {} if answers_so_far is None else answers_so_far
    order = [i["linkId"] for i in form_items]
    positions = [order.index(r["linkId"]) for r in response_items]  # ValueError: unknown linkId here
    assert positions == sorted(positions), "items are out of the Questionnaire's order"
    for r in response_items:
        q = form_items[order.index(r["linkId"])]
        if not q.get("repeats"):
            assert positions.count(order.index(r["linkId"])) == 1, f"{r['linkId']} repeats"
        if q["type"] == "group":
            assert "answer" not in r and r["item"]
            check_fits(r["item"], q["item"], answers_so_far)
            continue
        assert "item" not in r and r["answer"]
        if not q.get("repeats"):
            assert len(r["answer"]) == 1, f"{r['linkId']} has more than one answer"
        for answer in r["answer"]:
            assert list(answer) == [VALUE_OF_TYPE[q["type"]]], f"{r['linkId']}: {list(answer)}"
            if q["type"] == "choice":
                assert {"valueCoding": answer["valueCoding"]} in q["answerOption"]
        for condition in q.get("enableWhen", []):
            assert condition["operator"] == "="
        if q.get("enableWhen"):
            given = [answers_so_far.get(c["question"]) for c in q["enableWhen"]]
            wanted = [c["answerCoding"] for c in q["enableWhen"]]
            assert any(g == w for g, w in zip(given, wanted, strict=True)), f"{r['linkId']} is not enabled"
        answers_so_far[r["linkId"]] = r["answer"][0].get("valueCoding")


def test_the_questionnaire_is_valid_fhir_r4():
    form = questionnaire()
    parsed = Questionnaire.parse_obj(form)
    assert parsed.resource_type == "Questionnaire"
    assert (form["url"], form["version"], form["status"]) == (QUESTIONNAIRE_URL, content_version(BANK, default_plan()),
                                                               "active")


def test_every_bank_question_is_a_choice_item_in_its_area_group():
    form = questionnaire()
    groups = {g["linkId"]: g for g in form["item"]}
    for number, q in enumerate(BANK.questions, start=1):
        group = groups[f"group.area.{BANK.area_of[q.id]}"]
        assert group["text"] == BANK.area(BANK.area_of[q.id]).title.plain
        (item,) = [i for i in group["item"] if i["linkId"] == q.id]
        assert (item["type"], item["text"], item["prefix"]) == ("choice", q.title.plain, str(number))
        assert item["answerOption"] == [
            {"valueCoding": {"system": option_system(q.id), "code": o.value, "display": o.label.plain}}
            for o in q.options
        ]
        assert [c["code"] for c in item["code"]] == q.outcomes
    area_groups = [g["linkId"] for g in form["item"] if g["linkId"].startswith("group.area.")]
    assert area_groups == [f"group.area.{a.id}" for a in BANK.areas]


def test_ask_if_questions_have_enable_when():
    items = flat(questionnaire()["item"])
    for q in BANK.questions:
        if q.ask_if is None:
            assert "enableWhen" not in items[q.id]
            continue
        assert [(c["question"], c["answerCoding"]["code"]) for c in items[q.id]["enableWhen"]] == [
            (q.ask_if.question, v) for v in q.ask_if.in_]
    fixture = flat(questionnaire(FIXTURE_BANK)["item"])
    assert fixture["falls_injury"]["enableBehavior"] == "any"  # two answers open it
    assert len(fixture["falls_injury"]["enableWhen"]) == 2


def test_link_ids_are_unique_and_the_plan_and_budget_are_there():
    form = questionnaire()
    ids = list(flat(form["item"]))
    assert len(ids) == len(set(ids))
    items = flat(form["item"])
    assert items["group.plan.spend"]["repeats"] is True
    assert items["group.plan.outcome"]["repeats"] is True
    assert items["plan_helpers"]["repeats"] is True
    assert items["plan_spend_amount"]["type"] == "decimal"
    assert items["plan_likes"]["type"] == "text"
    assert items["budget_annual"]["type"] == "quantity" and items["budget_annual"]["readOnly"] is True
    assert items["plan_management"]["answerOption"][0]["valueCoding"]["code"] == "direct_payment"


def test_a_complete_response_is_valid_and_fits_the_questionnaire():
    response = questionnaire_response(made_up_assessment(), FULL_PLAN, authored=WHEN)
    parsed = QuestionnaireResponse.parse_obj(response)
    assert parsed.status == "completed"
    form = questionnaire()
    assert response["questionnaire"] == f"{form['url']}|{form['version']}"
    assert response["authored"] == "2025-05-01T09:30:15Z"
    check_fits(response["item"], form["item"])
    assert set(flat(response["item"])) <= set(flat(form["item"]))


def test_answers_round_trip_as_value_codings():
    assessment = made_up_assessment()
    response = questionnaire_response(assessment, None, authored=WHEN)
    codes = answered_codes(response)
    assert {q: codes[q][0] for q in assessment["answers"]} == assessment["answers"]
    item = flat(response["item"])["washing_dressing"]
    option = BANK.question("washing_dressing").option(assessment["answers"]["washing_dressing"])
    assert item["answer"] == [{"valueCoding": {"system": option_system("washing_dressing"), "code": option.value,
                                               "display": option.label.plain}}]


def test_who_answered_is_in_the_response():
    items = flat(questionnaire_response(made_up_assessment(), None, authored=WHEN)["item"])
    assert items["answering_for"]["answer"][0]["valueCoding"]["code"] == "other"
    assert items["person_first_name"]["answer"] == [{"valueString": "Bryony"}]
    assert items["relationship"]["answer"] == [{"valueString": "her neighbour"}]
    assert items["reading_level"]["answer"][0]["valueCoding"]["code"] == "easy_read"
    alone = flat(questionnaire_response(made_up_assessment(answering_for="self"), None, authored=WHEN)["item"])
    assert "person_first_name" not in alone and "relationship" not in alone


def test_the_budget_is_in_pounds():
    assessment = made_up_assessment()
    items = flat(questionnaire_response(assessment, None, authored=WHEN)["item"])
    pounds = {"unit": "GBP", "system": "urn:iso:std:iso:4217", "code": "GBP"}
    assert items["budget_annual"]["answer"] == [{"valueQuantity": {"value": assessment["ras"]["annual"], **pounds}}]
    assert items["budget_weekly"]["answer"] == [{"valueQuantity": {"value": assessment["ras"]["weekly"], **pounds}}]
    assert items["budget_points"]["answer"] == [{"valueDecimal": assessment["ras"]["points_total"]}]
    assert items["budget_status"]["answer"][0]["valueCoding"]["code"] == "indicative"
    assert assessment["ras"]["table"]["version"] in items["budget_table"]["answer"][0]["valueString"]


def test_below_the_floor_has_a_status_and_no_amount():
    least = {q.id: q.options[0].value for q in BANK.questions}
    response = questionnaire_response(made_up_assessment(least), None, authored=WHEN)
    QuestionnaireResponse.parse_obj(response)
    items = flat(response["item"])
    assert items["budget_status"]["answer"][0]["valueCoding"]["code"] == "below_floor"
    assert "budget_annual" not in items and "budget_weekly" not in items


def test_the_plan_round_trips():
    items = questionnaire_response(made_up_assessment(), FULL_PLAN, authored=WHEN)["item"]
    (plan,) = [i for i in items if i["linkId"] == "group.plan"]
    spends = [i for i in plan["item"] if i["linkId"] == "group.plan.spend"]
    assert len(spends) == 3
    first = flat(spends[0]["item"])
    assert first["plan_spend_category"]["answer"][0]["valueCoding"]["code"] == "support_worker"
    assert first["plan_spend_amount"]["answer"] == [{"valueDecimal": 85.5}]
    assert first["plan_spend_per"]["answer"][0]["valueCoding"]["code"] == "week"
    assert first["plan_spend_per_year"]["answer"][0]["valueQuantity"]["value"] == 4446.0
    assert first["plan_spend_outcome"]["answer"][0]["valueCoding"]["code"] == "looking_after_myself"
    assert "plan_spend_outcome" not in flat(spends[1]["item"])  # no goal chosen
    outcomes = [i for i in plan["item"] if i["linkId"] == "group.plan.outcome"]
    assert [flat(o["item"])["plan_outcome_area"]["answer"][0]["valueCoding"]["code"] for o in outcomes] == [
        "community", "looking_after_myself"]
    everything = flat(plan["item"])
    assert [a["valueCoding"]["code"] for a in everything["plan_helpers"]["answer"]] == ["family_friends", "broker"]
    assert everything["plan_likes"]["answer"] == [{"valueString": "Jigsaws and the seaside"}]
    assert everything["plan_safety_then"]["answer"] == [{"valueString": "Ring my sister Dilys"}]
    assert everything["plan_spend_total"]["answer"][0]["valueQuantity"]["value"] == 4446.0 + 600 + 624


@pytest.mark.parametrize("plan", [None, {}, {"about": {"likes": "Bingo"}}, {"spending": [{"category": "gym_sport"}]},
                                  {"management": "mixture", "planning_help": []}])
def test_partial_and_empty_plans_are_valid(plan):
    response = questionnaire_response(made_up_assessment(), plan, authored=WHEN)
    QuestionnaireResponse.parse_obj(response)
    check_fits(response["item"], questionnaire()["item"])
    items = flat(response["item"])
    assert ("group.plan" in items) == bool(plan)  # an empty plan has nothing to show
    if plan == {"spending": [{"category": "gym_sport"}]}:
        assert "plan_spend_category" in items
        assert not {"plan_spend_amount", "plan_spend_per_year", "plan_spend_total"} & set(items)


def test_a_skipped_question_has_no_item_and_the_rest_still_fit():
    answers = every_question_answered()
    del answers["meals_drinks"]
    response = questionnaire_response(made_up_assessment(answers, skipped=["meals_drinks"], complete=False), None,
                                      authored=WHEN)
    QuestionnaireResponse.parse_obj(response)
    assert response["status"] == "in-progress"
    assert "meals_drinks" not in flat(response["item"])
    check_fits(response["item"], questionnaire()["item"])


def test_a_question_that_no_longer_applies_is_not_answered():
    answers = {**every_question_answered(), "unpaid_help": "no", "unpaid_help_willing": "most"}
    response = questionnaire_response(made_up_assessment(answers), None, authored=WHEN)
    assert "unpaid_help_willing" not in flat(response["item"])
    check_fits(response["item"], questionnaire()["item"])  # would fail enableWhen otherwise


def test_a_fresh_conversation_gives_an_empty_in_progress_response():
    response = questionnaire_response(assessment_from_slots({}, BANK), None, authored=WHEN)
    QuestionnaireResponse.parse_obj(response)
    assert response["status"] == "in-progress"
    assert "item" not in response


def test_another_question_bank_works():
    form = questionnaire(FIXTURE_BANK)
    Questionnaire.parse_obj(form)
    assessment = {"answering_for": "self", "answers": {"falls": "often", "falls_injury": "hurt_often"},
                  "skipped": [], "complete": False, "progress": {"done": 2, "total": 7}, "ras": None}
    response = questionnaire_response(assessment, {"outcomes": [{"area": "safety", "want": "No more falls"}]},
                                      FIXTURE_BANK, authored=WHEN)
    QuestionnaireResponse.parse_obj(response)
    check_fits(response["item"], form["item"])
    assert answered_codes(response)["falls_injury"] == ["hurt_often"]


def test_a_question_id_that_clashes_with_steers_items_is_refused():
    renamed = BANK.questions[0].copy(update={"id": "budget_status"})
    bank = type(BANK)(areas=BANK.areas, questions=[renamed, *BANK.questions[1:]],
                      area_of={**BANK.area_of, "budget_status": BANK.areas[0].id})
    with pytest.raises(ExportError, match="budget_status"):
        questionnaire(bank)


def test_both_exports_agree():
    assessment = made_up_assessment()
    document = assessment_json(assessment, FULL_PLAN, generated_at=WHEN)
    response = questionnaire_response(copy.deepcopy(assessment), FULL_PLAN, authored=WHEN)
    codes = answered_codes(response)
    assert {a["question_id"]: a["value"] for a in document["answers"]} == {
        q.id: codes[q.id][0] for q in default_bank().questions if q.id in codes}
    assert response["questionnaire"].endswith("|" + document["content_version"])
