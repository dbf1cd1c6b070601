"""Save for later, resume and delete; the summary page and PDF; the export for the council.

The PIN only ever comes here, never into the chat, so it never reaches Rasa's tracker.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Dict
from urllib.parse import quote

from flask import Blueprint, Response, current_app, g, jsonify, request

from dialogue.flow import answers_of
from dialogue.plan_flow import plan_from_slots
from bot.assessment import assessment_from_slots
from bot.web import wording
from bot.web.api import _has_set_slots, _known_to_store, check_sender_id, json_object, question_bank, rasa
from bot.web.errors import ApiError

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__, url_prefix="/api")

# Slots that say where the person is mid-turn, not what they answered: not saved.
TRANSIENT = frozenset({"requested_slot", "session_started_metadata", "pending", "paused", "tries"})
_store_lock = threading.Lock()


def saved_store():
    """The store for saved answers, made on first use (it creates its key file if absent)."""
    with _store_lock:
        store = current_app.extensions.get("steer_saved")
        if store is None:
            from store import from_environment

            store = current_app.extensions["steer_saved"] = from_environment()
            store.purge_expired()  # saved work older than its days is deleted, not just hidden
        return store


def _slots(sender_id: str) -> Dict[str, Any]:
    if not _known_to_store(check_sender_id(sender_id)):  # a cleared conversation stays cleared
        raise ApiError(wording.NO_ASSESSMENT, 404)
    tracker = rasa().tracker(sender_id)
    if not _has_set_slots(tracker):
        raise ApiError(wording.NO_ASSESSMENT, 404)
    return tracker.get("slots") or {}


def _pin(body: Dict[str, Any]) -> str:
    pin = body.get("pin")
    if not isinstance(pin, str):
        raise ApiError(wording.PIN_NOT_TEXT)
    return pin


def _code(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 20:
        raise ApiError(wording.CODE_NOT_TEXT)
    return value


def _store_call(call, *args):
    """Run a store call, turning its errors into kind answers that never say which part was wrong."""
    from flask import abort

    from bot.web.errors import json_error
    from store import BadPin, Busy, NotFoundOrWrongPin, Unreadable

    try:
        return call(*args)
    except BadPin as err:
        raise ApiError(str(err)) from None
    except NotFoundOrWrongPin:  # unknown code, wrong PIN or a code resting after too many tries: one reply
        raise ApiError(wording.CODE_OR_PIN_WRONG, 403) from None
    except Busy as err:  # too many PIN checks at once: said before any code is looked at
        busy = json_error(wording.SAVED_BUSY, 503)
        busy.headers["Retry-After"] = str(err.retry_after)
        abort(busy)
    except Unreadable:
        log.error("A saved record could not be read (tampered or wrong key)")
        raise ApiError(wording.SAVED_UNREADABLE, 409) from None


@bp.post("/assessments/<sender_id>/save")
def save(sender_id: str):
    body = json_object(wording.SAVE_NOT_OBJECT)
    pin = _pin(body)
    state = {"slots": {k: v for k, v in _slots(sender_id).items() if v is not None and k not in TRANSIENT}}
    store = saved_store()
    if body.get("code") is not None:
        code = _code(body["code"])
        _store_call(store.update, code, pin, state, sender_id)
    else:
        code = _store_call(store.save, state, pin, sender_id)  # "delete my answers" finds every copy by it
    return jsonify(code=code, days=store.expiry_days)


def _answers_here(sender_id: str) -> int:
    """How many SAQ answers this conversation holds now (a resume would replace them)."""
    if not _known_to_store(sender_id):
        return 0
    return len(answers_of(rasa().tracker(sender_id).get("slots") or {}, question_bank()))


@bp.post("/resume")
def resume():
    body = json_object(wording.RESUME_NOT_OBJECT)
    issued: Dict[str, str] = {}
    if body.get("sender_id") is None:  # saved answers brought back into a new conversation
        sender_id, token = current_app.extensions["steer_conversations"].issue()
        issued = {"sender_id": sender_id, "token": token}
    else:
        sender_id = check_sender_id(body.get("sender_id"))  # its token was checked (bot/web/access.py)
    here = _answers_here(sender_id) if not issued else 0
    if here and body.get("replace") is not True:  # asked before the code is looked at: it tells nothing
        return jsonify(confirm="replace", count=here, error=wording.RESUME_REPLACES.format(count=here)), 409
    state = _store_call(saved_store().resume, _code(body.get("code")), _pin(body))
    slots = state.get("slots") if isinstance(state, dict) else None
    if not isinstance(slots, dict):
        raise ApiError(wording.SAVED_UNREADABLE, 409)
    # Rasa's SQL tracker store only ever appends (a PUT that replaces events writes nothing), so:
    # end any form, clear what this conversation holds, set the saved answers, then carry on.
    # Two calls: in a new conversation Rasa starts the session after reading the events, and
    # events stamped before the session start are not part of it.
    path = f"/conversations/{quote(sender_id, safe='')}/tracker/events"
    rasa()._call("POST", path, "restore", params=rasa()._auth(), json=[{"event": "active_loop", "name": None}])
    current = rasa().tracker(sender_id).get("slots") or {}
    events = [{"event": "slot", "name": k, "value": None} for k, v in current.items()
              if v is not None and k not in slots and k != "session_started_metadata"]
    events += [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
    rasa()._call("POST", path, "restore", params=rasa()._auth(), json=events)
    return jsonify(messages=rasa().send(sender_id, "/resume"), **issued)


@bp.delete("/saved/<code>")
def delete_saved(code: str):
    _store_call(saved_store().delete, _code(code), _pin(json_object(wording.DELETE_NOT_OBJECT)))
    return jsonify(deleted=True)


def _documents(sender_id: str):
    slots = _slots(sender_id)
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
    conversations = current_app.extensions["steer_conversations"]
    ticket = conversations.ticket(sender_id)
    found = {name: _linked(ticket, document) for name, document in DOCUMENTS.items()}
    return jsonify(print=found["html"] + "?print=1", expires_in=int(conversations.link_seconds), **found)


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
