"""The documents a person takes away: the summary page and its PDF, and the exports for the council
(JSON, and FHIR); each by the conversation's token, or by a short-lived link for a new tab.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from bot.assessment import assessment_from_slots
from bot.web.inputs import check_sender_id
from bot.web.recorded import recorded_slots
from bot.web.services import conversations, question_bank
from dialogue.plan_flow import plan_from_slots

bp = Blueprint("documents", __name__, url_prefix="/api")


def _documents(sender_id: str):
    slots = recorded_slots(sender_id)
    return assessment_from_slots(slots, question_bank()), plan_from_slots(slots)


# The documents, each by the conversation's token (scripts) or by a short-lived link (a new tab).
DOCUMENTS = {"html": "summary", "pdf": "summary.pdf", "json": "export.json", "fhir": "fhir"}


def _linked(ticket: str, document: str) -> str:
    return f"/api/documents/{ticket}/{document}"


@bp.post("/assessments/<sender_id>/links")
def links(sender_id: str):
    """Links to this conversation's documents that work for a few minutes without its token.

    For a new tab or the kiosk's print frame, which cannot send the token: the link holds a sealed
    ticket (bot/web/conversations.py), never the bare id, and stops working soon after.
    """
    check_sender_id(sender_id)
    issuer = conversations()
    ticket = issuer.ticket(sender_id)
    found = {name: _linked(ticket, document) for name, document in DOCUMENTS.items()}
    return jsonify(print=found["html"] + "?print=1", expires_in=int(issuer.link_seconds), **found)


def _summary_page(sender_id: str, pdf_href: str):
    import summary

    assessment, plan = _documents(sender_id)
    html = summary.render_html(assessment, plan, question_bank(), printable=request.args.get("print") == "1",
                               pdf_href=pdf_href)
    return Response(html, mimetype="text/html")


def _summary_pdf(sender_id: str):
    import summary

    assessment, plan = _documents(sender_id)
    pdf = summary.render_pdf(assessment, plan, question_bank())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="steer-summary.pdf"'})


def _export_json(sender_id: str):
    import export

    assessment, plan = _documents(sender_id)
    return jsonify(export.assessment_json(assessment, plan, question_bank()))


def _export_fhir(sender_id: str):
    from export import fhir

    assessment, plan = _documents(sender_id)
    document = fhir.questionnaire_response(assessment, plan, question_bank())
    return current_app.response_class(current_app.json.dumps(document), mimetype="application/fhir+json")


@bp.get("/assessments/<sender_id>/summary")
def summary_page(sender_id: str):
    return _summary_page(sender_id, pdf_href=f"/api/assessments/{sender_id}/summary.pdf")


@bp.get("/assessments/<sender_id>/summary.pdf")
def summary_pdf(sender_id: str):
    return _summary_pdf(sender_id)


@bp.get("/assessments/<sender_id>/export.json")
def export_json(sender_id: str):
    return _export_json(sender_id)


@bp.get("/assessments/<sender_id>/fhir")
def export_fhir(sender_id: str):
    return _export_fhir(sender_id)


# By link: bot/web/access.py has opened the ticket and put its conversation in g.sender_id.
@bp.get("/documents/<ticket>/summary")
def linked_summary(ticket: str):
    return _summary_page(g.sender_id, pdf_href=_linked(ticket, DOCUMENTS["pdf"]))


@bp.get("/documents/<ticket>/summary.pdf")
def linked_summary_pdf(ticket: str):
    return _summary_pdf(g.sender_id)


@bp.get("/documents/<ticket>/export.json")
def linked_export_json(ticket: str):
    return _export_json(g.sender_id)


@bp.get("/documents/<ticket>/fhir")
def linked_export_fhir(ticket: str):
    return _export_fhir(g.sender_id)


@bp.get("/fhir/Questionnaire")
def fhir_questionnaire():
    from export import fhir

    document = fhir.questionnaire(question_bank())
    return current_app.response_class(current_app.json.dumps(document), mimetype="application/fhir+json")
