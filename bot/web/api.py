"""The JSON API: a chat turn, what an assessment holds so far, and scoring answers directly."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict

from flask import Blueprint, jsonify, request

from bot.assessment import assessment_from_slots
from bot.payloads import clean_message
from bot.web import wording
from bot.web.errors import ApiError, json_error
from bot.web.inputs import SENDER_ID, check_sender_id, json_object, sender_id_in_request
from bot.web.rasa_client import UpstreamError
from bot.web.recorded import recorded_slots
from bot.web.services import conversations, question_bank, rasa, services, tracker_store
from bot.web.trackers import TrackerStoreError

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")

ASK_KEY = re.compile(r"[a-z0-9_]{1,80}(?:\.[0-9]{1,4})?")
MAX_MESSAGE_CHARS = 1000


def bot_says(text: str, **more: str):
    """A reply in Rasa's REST shape, for input that never goes to Rasa."""
    return jsonify(messages=[{"text": text}], **more)


@bp.post("/chat")
def chat():
    body = json_object(wording.CHAT_NOT_OBJECT)
    issued: Dict[str, str] = {}
    if body.get("sender_id") is None:  # a new conversation: its id and token are made here
        sender_id, token = conversations().issue()
        issued = {"sender_id": sender_id, "token": token}
    else:
        sender_id = check_sender_id(body.get("sender_id"))  # its token was checked (bot/web/access.py)
    message = body.get("message")
    if not isinstance(message, str):
        raise ApiError(wording.MESSAGE_NOT_TEXT)
    if len(message.strip()) > MAX_MESSAGE_CHARS:
        return bot_says(wording.TOO_LONG, **issued)
    text = clean_message(message)
    if not text:
        return bot_says(wording.EMPTY_MESSAGE, **issued)
    seen = body.get("question")  # the question on the person's screen (dialogue/binding.py)
    metadata = {"question": seen} if isinstance(seen, str) and ASK_KEY.fullmatch(seen) else None
    try:
        return jsonify(messages=rasa().send(sender_id, text, metadata=metadata), **issued)
    except UpstreamError as err:
        # Also as a message, so a client that only draws messages still tells the person.
        # A new conversation's id and token still go back: trying again keeps to the same one.
        return json_error(err.message, err.status, **issued)


@bp.get("/assessments/<sender_id>")
def assessment(sender_id: str):
    return jsonify(assessment_from_slots(recorded_slots(sender_id), question_bank()))


# Requests that talk to one conversation, and where they carry its sender_id.
_TURNS = {"api.chat": "body", "voice.voice_turn": "args", "saved.resume": "body", "saved.save": "path"}


@bp.before_app_request
def refuse_deleted_conversation():
    """A turn to a deleted conversation gets a kind reply and never reaches Rasa.

    Rasa's store would write nothing for it anyway (bot/tracker_store.py); this tells the person why.
    """
    where = _TURNS.get(request.endpoint or "")
    if where is None:
        return None
    sender_id = sender_id_in_request(where)
    store = tracker_store()
    if store is None or not isinstance(sender_id, str) or not SENDER_ID.fullmatch(sender_id):
        return None  # the view itself says what is wrong
    try:
        if not store.is_deleted(sender_id):
            return None
    except TrackerStoreError:
        return None
    return json_error(wording.CONVERSATION_CLEARED, 410)


@bp.delete("/assessments/<sender_id>")
def delete_assessment(sender_id: str):
    """Forget a conversation for good: its events in the tracker store, and any voice state.

    The kiosk calls this when a person finishes or walks away. No turn in flight can write it back,
    and later turns to the id are refused (refuse_deleted_conversation). Answers saved for later
    (with a code and PIN) are kept: they are in another store, and only their code and PIN delete them.
    """
    check_sender_id(sender_id)
    try:
        rasa().forget(sender_id)  # inside Rasa: tombstone and rows at once, then under its lock (bot/rasa_channel.py)
    except UpstreamError:
        # Still needed when Rasa is down or restarting: a kiosk's last delete (on pagehide) is sent
        # only once. The same tombstone, written straight into the database, sticks just as well:
        # Rasa's store checks it under the same guard before every save (bot/deletions.py).
        store = tracker_store()
        if store is None:
            log.error("DELETE assessment: Rasa did not delete, and no tracker store is configured "
                      "(STEER_TRACKER_DB or STEER_TRACKER_URL)")
            raise ApiError(wording.CANNOT_DELETE, 503) from None
        try:
            store.delete(sender_id)
        except TrackerStoreError:
            raise ApiError(wording.CANNOT_DELETE, 503) from None
    voice = services().voice  # only if speech was used since the front door started
    if voice is not None:
        voice.layer.forget(sender_id)
    return jsonify(deleted=True)


def _answers(body: Dict[str, Any]) -> Dict[str, str]:
    answers = body.get("answers")
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise ApiError(wording.ANSWERS_NOT_TEXT)
    return answers


@bp.post("/ras/score")
def ras_score():
    answers = _answers(json_object(wording.SCORE_NOT_OBJECT))
    try:
        import ras
    except ImportError:
        ras = None
    score = getattr(ras, "score", None)
    score_error = getattr(ras, "ScoreError", None)
    if score is None or score_error is None:
        log.error("The RAS scorer is not available: ras.score or ras.ScoreError is missing")
        raise ApiError(wording.SCORER_NOT_READY, 503)
    try:
        result = score(answers)
    except score_error as err:
        raise ApiError(str(err)) from None
    return jsonify(result.to_dict() if hasattr(result, "to_dict") else result)
