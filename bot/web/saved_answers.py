"""Answers saved for later: save with a PIN (a code comes back), resume with the code and PIN, delete them.

The PIN only ever comes here, never into the chat, so it never reaches Rasa's tracker.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

from flask import Blueprint, abort, jsonify

from bot.web import wording
from bot.web.errors import ApiError, json_error
from bot.web.inputs import check_sender_id, json_object
from bot.web.recorded import answers_here, recorded_slots
from bot.web.services import conversations, question_bank, rasa, saved_store

log = logging.getLogger(__name__)
bp = Blueprint("saved", __name__, url_prefix="/api")

# Slots that say where the person is mid-turn, not what they answered: not saved.
TRANSIENT = frozenset({"requested_slot", "session_started_metadata", "pending", "paused", "tries"})


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
    state = {"slots": {k: v for k, v in recorded_slots(sender_id).items() if v is not None and k not in TRANSIENT}}
    store = saved_store()
    if body.get("code") is not None:
        code = _code(body["code"])
        _store_call(store.update, code, pin, state, sender_id)
    else:
        code = _store_call(store.save, state, pin, sender_id)  # "delete my answers" finds every copy by it
    return jsonify(code=code, days=store.expiry_days)


@bp.post("/resume")
def resume():
    body = json_object(wording.RESUME_NOT_OBJECT)
    issued: Dict[str, str] = {}
    if body.get("sender_id") is None:  # saved answers brought back into a new conversation
        sender_id, token = conversations().issue()
        issued = {"sender_id": sender_id, "token": token}
    else:
        sender_id = check_sender_id(body.get("sender_id"))  # its token was checked (bot/web/access.py)
    here = answers_here(sender_id, question_bank()) if not issued else 0
    if here and body.get("replace") is not True:  # asked before the code is looked at: it tells nothing
        return json_error(wording.RESUME_REPLACES.format(count=here), 409, confirm="replace", count=here)
    state = _store_call(saved_store().resume, _code(body.get("code")), _pin(body))
    slots = state.get("slots") if isinstance(state, dict) else None
    if not isinstance(slots, dict):
        raise ApiError(wording.SAVED_UNREADABLE, 409)
    rasa().replace_slots(sender_id, slots)  # end any form, clear what is here, set the saved answers
    return jsonify(messages=rasa().send(sender_id, "/resume"), **issued)


@bp.delete("/saved/<code>")
def delete(code: str):
    _store_call(saved_store().delete, _code(code), _pin(json_object(wording.DELETE_NOT_OBJECT)))
    return jsonify(deleted=True)
