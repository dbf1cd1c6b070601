"""The JSON API: a chat turn, what an assessment holds so far, and scoring answers directly."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest

from bank import BankError, QuestionBank, default_bank, load_bank
from bot.assessment import assessment_from_slots
from bot.payloads import clean_message
from bot.web import wording
from bot.web.errors import ApiError
from bot.web.rasa_client import RasaClient, UpstreamError
from bot.web.trackers import TrackerStore, TrackerStoreError

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")

SENDER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
ASK_KEY = re.compile(r"[a-z0-9_]{1,80}(?:\.[0-9]{1,4})?")
MAX_MESSAGE_CHARS = 1000
# Rasa sets this one itself when a session starts; it says nothing about the assessment.
RASA_OWN_SLOTS = frozenset({"session_started_metadata"})


def rasa() -> RasaClient:
    return current_app.extensions["steer_rasa"]


def question_bank() -> QuestionBank:
    """The bank named by BANK_DIR (read once per app), else the shipped one."""
    bank = current_app.extensions.get("steer_bank")
    if bank is not None:
        return bank
    directory = current_app.config.get("BANK_DIR")
    try:
        bank = load_bank(Path(directory)) if directory else default_bank()
    except BankError as err:
        log.error("The question bank cannot be loaded:\n%s", err)
        raise ApiError(wording.BANK_BROKEN, 503) from None
    current_app.extensions["steer_bank"] = bank
    return bank


def json_object(not_object: str) -> Dict[str, Any]:
    """The request body as a JSON object, or an ApiError saying what is wrong with it."""
    if not request.is_json:
        raise ApiError(wording.NOT_JSON_TYPE)
    try:
        body = request.get_json()
    except BadRequest:
        raise ApiError(wording.BAD_JSON) from None
    if not isinstance(body, dict):
        raise ApiError(not_object)
    return body


def check_sender_id(value: Any) -> str:
    if not isinstance(value, str) or not SENDER_ID.fullmatch(value):
        raise ApiError(wording.SENDER_ID)
    return value


def bot_says(text: str, **more: str):
    """A reply in Rasa's REST shape, for input that never goes to Rasa."""
    return jsonify(messages=[{"text": text}], **more)


@bp.post("/chat")
def chat():
    body = json_object(wording.CHAT_NOT_OBJECT)
    issued: Dict[str, str] = {}
    if body.get("sender_id") is None:  # a new conversation: its id and token are made here
        sender_id, token = current_app.extensions["steer_conversations"].issue()
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
        return jsonify(error=err.message, messages=[{"text": err.message}], **issued), err.status


def _has_set_slots(tracker: Dict[str, Any]) -> bool:
    events = tracker.get("events")
    if isinstance(events, list):
        return any(
            isinstance(e, dict) and e.get("event") == "slot" and e.get("name") not in RASA_OWN_SLOTS for e in events
        )
    # Without events, fall back on slots that hold something.
    slots = tracker.get("slots") or {}
    return any(value is not None for name, value in slots.items() if name not in RASA_OWN_SLOTS)


def tracker_store() -> TrackerStore | None:
    """Rasa's SQL tracker store, read directly; None when the front door is not told where it is."""
    return current_app.extensions.get("steer_trackers")


def _known_to_store(sender_id: str) -> bool:
    """False only when the tracker store surely holds nothing for this conversation.

    Asking Rasa for an unknown conversation makes Rasa save an empty one; asking the store first
    keeps a deleted conversation deleted.
    """
    store = tracker_store()
    if store is None:
        return True
    try:
        return store.exists(sender_id)
    except TrackerStoreError:
        return True  # Rasa can still answer


@bp.get("/assessments/<sender_id>")
def assessment(sender_id: str):
    check_sender_id(sender_id)
    if not _known_to_store(sender_id):
        raise ApiError(wording.NO_ASSESSMENT, 404)
    tracker = rasa().tracker(sender_id)
    if not _has_set_slots(tracker):
        raise ApiError(wording.NO_ASSESSMENT, 404)
    slots = tracker.get("slots")
    return jsonify(assessment_from_slots(slots if isinstance(slots, dict) else {}, question_bank()))


# Requests that talk to one conversation, and where they carry its sender_id.
_TURNS = {"api.chat": "body", "voice.voice_turn": "args", "documents.resume": "body", "documents.save": "path"}


@bp.before_app_request
def refuse_deleted_conversation():
    """A turn to a deleted conversation gets a kind reply and never reaches Rasa.

    Rasa's store would write nothing for it anyway (bot/tracker_store.py); this tells the person why.
    """
    where = _TURNS.get(request.endpoint or "")
    if where is None:
        return None
    if where == "body":
        body = request.get_json(silent=True)
        sender_id = body.get("sender_id") if isinstance(body, dict) else None
    else:
        sender_id = request.args.get("sender_id") if where == "args" else (request.view_args or {}).get("sender_id")
    store = tracker_store()
    if store is None or not isinstance(sender_id, str) or not SENDER_ID.fullmatch(sender_id):
        return None  # the view itself says what is wrong
    try:
        if not store.is_deleted(sender_id):
            return None
    except TrackerStoreError:
        return None
    said = {"error": wording.CONVERSATION_CLEARED, "messages": [{"text": wording.CONVERSATION_CLEARED}]}
    if where == "args":
        said.update(heard="", audio=[])  # the voice turn's own shape
    return jsonify(said), 410


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
    voice = current_app.extensions.get("steer_voice")
    forget = getattr(getattr(voice, "layer", None), "forget", None)
    if callable(forget):
        forget(sender_id)
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
