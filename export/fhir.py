"""The assessment as HL7 FHIR R4: a Questionnaire made from the question bank and plan bank, and a
QuestionnaireResponse for one person's answers, budget and draft plan.

Link ids: a question's is its question-bank id (washing_dressing), a plan item's is its plan-bank
step id (plan_likes); Steer's own items are snake_case too (budget_annual). Groups have dotted ids
(group.area.looking_after_myself), so they never clash with a question. Option codes use one code
system per question, `urn:steer:saq:<question id>`, because the same code (no_help) means different
things in different questions.

The response is made by walking the Questionnaire, so its items are in the same order and every
link id it uses exists there.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional

from bank import QuestionBank, default_bank
from bank.plan import CATEGORY_STEP, HELPERS_STEP, MANAGEMENT_STEP, PlanBank, PlanStep, default_plan
from export.content import (
    ANSWERING_FOR_LABELS,
    CARE_ACT_OUTCOME_LABELS,
    PER_LABELS,
    RAS_STATUS_LABELS,
    READING_LEVEL_LABELS,
    ExportError,
    content_version,
    plan_step,
)
from export.document import assessment_json

BASE = "urn:steer"
QUESTIONNAIRE_URL = f"{BASE}:questionnaire:assessment"
QUESTIONNAIRE_ID = "steer-assessment"
AREA_SYSTEM = f"{BASE}:area"
OUTCOME_SYSTEM = f"{BASE}:care-act-outcome"
CURRENCY_SYSTEM = "urn:iso:std:iso:4217"
GROUP = "group"

Item = Dict[str, Any]
Answers = Dict[str, Any]  # link id -> [answer, ...], or for a repeating group -> [Answers, ...]


def option_system(question_id: str) -> str:
    """The code system of one question's options (code = option value)."""
    return f"{BASE}:saq:{question_id}"


def steer_system(name: str) -> str:
    """The code system of one of Steer's own coded items (answering_for, plan_management, ...)."""
    return f"{BASE}:code:{name}"


# ---- building blocks ------------------------------------------------------------------------


def _coding(system: str, code: str, display: str) -> Dict[str, str]:
    return {"system": system, "code": code, "display": display}


def _choice(link_id: str, text: str, system: str, labels: Mapping[str, str], **extra: Any) -> Item:
    return {"linkId": link_id, "text": text, "type": "choice", **extra,
            "answerOption": [{"valueCoding": _coding(system, code, label)} for code, label in labels.items()]}


def _leaf(link_id: str, text: str, kind: str, **extra: Any) -> Item:
    return {"linkId": link_id, "text": text, "type": kind, **extra}


def _group(link_id: str, text: str, items: List[Item], **extra: Any) -> Item:
    return {"linkId": link_id, "text": text, "type": GROUP, **extra, "item": items}


def _step_text(step: PlanStep) -> str:
    """A plan step's plain words to the person, without the per-area "{area}: " lead-in."""
    text = re.sub(r"\{area\}[:.]?\s*", "", step.text.plain.self).strip()
    return text[:1].upper() + text[1:]


def _step_choice(plan_bank: PlanBank, step_id: str, **extra: Any) -> Item:
    step = plan_step(plan_bank, step_id)
    labels = {o.value: o.label.plain for o in step.options}
    return _choice(step.id, _step_text(step), steer_system(step.id), labels, **extra)


def _step_words(plan_bank: PlanBank, step_id: str) -> Item:
    step = plan_step(plan_bank, step_id)
    return _leaf(step.id, _step_text(step), "text")


def _areas(bank: QuestionBank) -> Dict[str, str]:
    return {a.id: a.title.plain for a in bank.areas}


# ---- the Questionnaire ----------------------------------------------------------------------

_TEXT = {
    "respondent": "Who answered",
    "answering_for": "Who is answering",
    "person_first_name": "First name of the person the answers are about",
    "relationship": "How the person answering knows them",
    "reading_level": "Wording chosen",
    "budget": "Indicative Personal Budget (an estimate: the council checks the plan before agreeing the amount)",
    "budget_status": "Result",
    "budget_annual": "Indicative budget a year",
    "budget_weekly": "About this much a week",
    "budget_points": "Points",
    "budget_table": "Council table used",
    "budget_may_be_too_low": "Could be more if the unanswered questions were answered",
    "plan": "Draft support plan",
    "plan.about": "About me",
    "plan.outcome": "Outcomes: what the person wants to be different",
    "plan_outcome_area": "Part of life",
    "plan.spend": "Spending: how the money could be used",
    "plan_spend_per": "A week or a year",
    "plan_spend_per_year": "Amount a year",
    "plan_spend_total": "Total planned a year",
    "plan.safety": "Staying safe: what could go wrong",
    "plan.changes": "If things change",
}
_STEER_LEAF_IDS = {"answering_for", "person_first_name", "relationship", "reading_level", "budget_status",
                   "budget_annual", "budget_weekly", "budget_points", "budget_table", "budget_may_be_too_low",
                   "plan_outcome_area", "plan_spend_per", "plan_spend_per_year", "plan_spend_total"}


def _question_items(bank: QuestionBank) -> List[Item]:
    groups = []
    number = 0
    for area in bank.areas:
        items = []
        for q in bank.in_area(area.id):
            number += 1
            item = _choice(q.id, q.title.plain, option_system(q.id), {o.value: o.label.plain for o in q.options},
                           prefix=str(number),
                           code=[_coding(OUTCOME_SYSTEM, o, CARE_ACT_OUTCOME_LABELS[o]) for o in q.outcomes])
            if q.ask_if is not None:
                gate = bank.question(q.ask_if.question)
                item["enableWhen"] = [
                    {"question": gate.id, "operator": "=",
                     "answerCoding": _coding(option_system(gate.id), v, gate.option(v).label.plain)}
                    for v in q.ask_if.in_
                ]
                if len(item["enableWhen"]) > 1:
                    item["enableBehavior"] = "any"
            items.append(item)
        groups.append(_group(f"group.area.{area.id}", area.title.plain, items))
    return groups


# Says which unit a quantity item is answered in (standard FHIR extension).
UNIT_OPTION = "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption"


def _pounds_item(link_id: str) -> Item:
    """A worked-out amount of money in pounds (read-only: Steer fills it in)."""
    unit = {"url": UNIT_OPTION, "valueCoding": _coding(CURRENCY_SYSTEM, "GBP", "Pound sterling")}
    return _leaf(link_id, _TEXT[link_id], "quantity", readOnly=True, extension=[unit])


def _budget_items() -> Item:
    return _group("group.budget", _TEXT["budget"], [
        _choice("budget_status", _TEXT["budget_status"], steer_system("ras_status"), RAS_STATUS_LABELS, readOnly=True),
        _pounds_item("budget_annual"),
        _pounds_item("budget_weekly"),
        _leaf("budget_points", _TEXT["budget_points"], "decimal", readOnly=True),
        _leaf("budget_table", _TEXT["budget_table"], "string", readOnly=True),
        _leaf("budget_may_be_too_low", _TEXT["budget_may_be_too_low"], "boolean", readOnly=True),
    ])


def _plan_items(bank: QuestionBank, plan_bank: PlanBank) -> Item:
    areas = _areas(bank)
    amount = plan_step(plan_bank, "plan_spend_amount")
    outcome = plan_step(plan_bank, "plan_spend_outcome")
    return _group("group.plan", _TEXT["plan"], [
        _group("group.plan.about", _TEXT["plan.about"], [
            _step_words(plan_bank, s) for s in ("plan_likes", "plan_good_day", "plan_bad_day", "plan_important",
                                                  "plan_support_wanted")
        ]),
        _group("group.plan.outcome", _TEXT["plan.outcome"], [
            _choice("plan_outcome_area", _TEXT["plan_outcome_area"], AREA_SYSTEM, areas),
            _step_words(plan_bank, "plan_outcome_want"),
            _step_words(plan_bank, "plan_outcome_why"),
        ], repeats=True),
        _group("group.plan.spend", _TEXT["plan.spend"], [
            _step_choice(plan_bank, CATEGORY_STEP),
            _leaf(amount.id, "Amount in pounds", "decimal"),
            _choice("plan_spend_per", _TEXT["plan_spend_per"], steer_system("per"), PER_LABELS),
            _pounds_item("plan_spend_per_year"),
            _step_words(plan_bank, "plan_spend_reason"),
            _choice(outcome.id, _step_text(outcome), AREA_SYSTEM, areas),
        ], repeats=True),
        _pounds_item("plan_spend_total"),
        _step_choice(plan_bank, MANAGEMENT_STEP),
        _step_choice(plan_bank, HELPERS_STEP, repeats=True),
        _group("group.plan.safety", _TEXT["plan.safety"], [
            _step_words(plan_bank, "plan_safety_risks"), _step_words(plan_bank, "plan_safety_then"),
        ]),
        _group("group.plan.changes", _TEXT["plan.changes"], [
            _step_words(plan_bank, "plan_changes_who"), _step_words(plan_bank, "plan_changes_how"),
        ]),
    ])


def _link_ids(items: List[Item]) -> List[str]:
    out: List[str] = []
    for item in items:
        out.append(item["linkId"])
        out += _link_ids(item.get("item", []))
    return out


def questionnaire(bank: Optional[QuestionBank] = None, *, plan_bank: Optional[PlanBank] = None) -> Dict[str, Any]:
    """The FHIR R4 Questionnaire: who answered, one group per area with a choice item per question,
    the indicative budget, and the draft support plan."""
    bank = bank if bank is not None else default_bank()
    plan_bank = plan_bank if plan_bank is not None else default_plan()
    clash = sorted(_STEER_LEAF_IDS & set(bank.by_id))
    if clash:
        raise ExportError(f"question ids {clash} are used by Steer's own export items: please rename them")
    items = [
        _group("group.respondent", _TEXT["respondent"], [
            _choice("answering_for", _TEXT["answering_for"], steer_system("answering_for"), ANSWERING_FOR_LABELS),
            _leaf("person_first_name", _TEXT["person_first_name"], "string", enableWhen=[
                {"question": "answering_for", "operator": "=",
                 "answerCoding": _coding(steer_system("answering_for"), "other", ANSWERING_FOR_LABELS["other"])}]),
            _leaf("relationship", _TEXT["relationship"], "string", enableWhen=[
                {"question": "answering_for", "operator": "=",
                 "answerCoding": _coding(steer_system("answering_for"), "other", ANSWERING_FOR_LABELS["other"])}]),
            _choice("reading_level", _TEXT["reading_level"], steer_system("reading_level"), READING_LEVEL_LABELS),
        ]),
        *_question_items(bank),
        _budget_items(),
        _plan_items(bank, plan_bank),
    ]
    ids = _link_ids(items)
    if len(ids) != len(set(ids)):
        raise ExportError(f"link ids used twice: {sorted({i for i in ids if ids.count(i) > 1})}")
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": content_version(bank, plan_bank),
        "name": "SteerAssessment",
        "title": "Steer self-assessment questionnaire and draft support plan",
        "status": "active",
        "publisher": "Steer",
        "description": "The Self-Assessment Questionnaire (SAQ) of Self-Directed Support as Steer asks it, the "
                       "indicative Personal Budget it leads to, and the draft support plan. Made from Steer's "
                       "question bank; the version changes whenever a question or option changes.",
        "item": items,
    }


# ---- the QuestionnaireResponse ----------------------------------------------------------------


def _fill(items: List[Item], values: Answers) -> List[Item]:
    """Response items for `items`, in the same order, keeping only those with an answer."""
    out = []
    for item in items:
        link = item["linkId"]
        if item["type"] == GROUP and item.get("repeats"):
            for instance in values.get(link, []):
                children = _fill(item["item"], instance)
                if children:
                    out.append({"linkId": link, "text": item["text"], "item": children})
        elif item["type"] == GROUP:
            children = _fill(item["item"], values)
            if children:
                out.append({"linkId": link, "text": item["text"], "item": children})
        elif values.get(link):
            out.append({"linkId": link, "text": item["text"], "answer": values[link]})
    return out


def _pounds(amount: Optional[float]) -> Optional[List[Dict[str, Any]]]:
    if amount is None:
        return None
    return [{"valueQuantity": {"value": amount, "unit": "GBP", "system": CURRENCY_SYSTEM, "code": "GBP"}}]


def _words(text: Optional[str]) -> Optional[List[Dict[str, Any]]]:
    return [{"valueString": text}] if text else None


def _coded(system: str, value: Optional[str], labels: Mapping[str, str]) -> Optional[List[Dict[str, Any]]]:
    return [{"valueCoding": _coding(system, value, labels[value])}] if value else None


def questionnaire_response(
    assessment: Mapping[str, Any],
    plan: Optional[Mapping[str, Any]] = None,
    bank: Optional[QuestionBank] = None,
    *,
    plan_bank: Optional[PlanBank] = None,
    authored: Optional[datetime] = None,
) -> Dict[str, Any]:
    """The FHIR R4 QuestionnaireResponse for one assessment (and its draft plan, which defaults to
    assessment["plan"]). Status is completed once the answers were confirmed, in-progress before."""
    bank = bank if bank is not None else default_bank()
    plan_bank = plan_bank if plan_bank is not None else default_plan()
    form = questionnaire(bank, plan_bank=plan_bank)
    # The JSON export's checks and tidy shapes, so both exports say the same thing.
    doc = assessment_json(assessment, plan, bank, plan_bank=plan_bank, generated_at=authored)
    values = _respondent_values(doc)
    for answer in doc["answers"]:
        qid = answer["question_id"]
        values[qid] = [{"valueCoding": _coding(option_system(qid), answer["value"], answer["label"])}]
    values.update(_budget_values(doc["indicative_budget"]))
    values.update(_plan_values(doc["plan"], bank, plan_bank))
    response = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{form['url']}|{form['version']}",
        "status": "completed" if doc["status"] == "complete" else "in-progress",
        "authored": doc["generated_at"],
    }
    items = _fill(form["item"], values)
    return {**response, "item": items} if items else response


def _respondent_values(doc: Dict[str, Any]) -> Answers:
    who = doc["respondent"]
    return {
        "answering_for": _coded(steer_system("answering_for"), who["answering_for"], ANSWERING_FOR_LABELS),
        "person_first_name": _words(who["person_first_name"]),
        "relationship": _words(who["relationship"]),
        "reading_level": _coded(steer_system("reading_level"), doc["reading_level"], READING_LEVEL_LABELS),
    }


def _budget_values(ras: Optional[Dict[str, Any]]) -> Answers:
    if ras is None:
        return {}
    table = ras["table"]
    return {
        "budget_status": _coded(steer_system("ras_status"), ras["status"], RAS_STATUS_LABELS),
        "budget_annual": _pounds(ras["annual"]),
        "budget_weekly": _pounds(ras["weekly"]),
        "budget_points": [{"valueDecimal": ras["points_total"]}],
        "budget_table": _words(f"{table['label']} (version {table['version']}, from {table['effective_date']})"),
        "budget_may_be_too_low": [{"valueBoolean": ras["may_be_too_low"]}],
    }


def _plan_values(plan: Optional[Dict[str, Any]], bank: QuestionBank, plan_bank: PlanBank) -> Answers:
    if plan is None:
        return {}
    areas = _areas(bank)
    about_steps = {"likes": "plan_likes", "good_day": "plan_good_day", "bad_day": "plan_bad_day",
                   "important": "plan_important", "support_wanted": "plan_support_wanted"}
    values: Answers = {step: _words(plan["about"][key]) for key, step in about_steps.items()}
    values["group.plan.outcome"] = [
        {"plan_outcome_area": _coded(AREA_SYSTEM, o["area_id"], areas),
         "plan_outcome_want": _words(o["want"]), "plan_outcome_why": _words(o["why"])}
        for o in plan["outcomes"]
    ]
    categories = {o.value: o.label.plain for o in plan_step(plan_bank, CATEGORY_STEP).options}
    values["group.plan.spend"] = [
        {CATEGORY_STEP: _coded(steer_system(CATEGORY_STEP), s["category"], categories),
         "plan_spend_amount": None if s["amount"] is None else [{"valueDecimal": s["amount"]}],
         "plan_spend_per": _coded(steer_system("per"), s["per"], PER_LABELS),
         "plan_spend_per_year": _pounds(s["amount_per_year"]),
         "plan_spend_reason": _words(s["reason"]),
         "plan_spend_outcome": _coded(AREA_SYSTEM, s["outcome_area_id"], areas)}
        for s in plan["spending"]
    ]
    if any(s["amount_per_year"] is not None for s in plan["spending"]):
        values["plan_spend_total"] = _pounds(plan["spending_total_per_year"])
    management = plan["management"]
    values[MANAGEMENT_STEP] = management and [
        {"valueCoding": _coding(steer_system(MANAGEMENT_STEP), management["value"], management["label"])}
    ]
    values[HELPERS_STEP] = [
        {"valueCoding": _coding(steer_system(HELPERS_STEP), h["value"], h["label"])} for h in plan["planning_help"]
    ]
    values.update({
        "plan_safety_risks": _words(plan["safety"]["what_could_go_wrong"]),
        "plan_safety_then": _words(plan["safety"]["what_then"]),
        "plan_changes_who": _words(plan["changes"]["who_to_tell"]),
        "plan_changes_how": _words(plan["changes"]["how"]),
    })
    return values
