"""The front door's voice: a spoken turn, speech for any words, and the audio it made.

- POST /api/voice/turn?sender_id=ID  (body: a WAV file)  -> {"heard", "messages", "audio", "rate"}
- POST /api/voice/speak  {"text", "rate"}                -> audio/wav
- POST /api/voice/reply  {"sender_id"?, "messages"}      -> {"audio", "rate"}: replies to a typed turn, to hear
  (no sender_id: words before any conversation, at the usual rate)
- GET  /api/voice/audio/<key>.wav                        -> audio made for a reply (from the cache)

Speech in and out run in voice/; this file only turns requests into calls. Nothing here logs
what was heard or said, and no user audio is kept.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional

from flask import Blueprint, Response, jsonify, request, url_for

from bot.payloads import clean_message
from bot.web.errors import ApiError, json_error
from bot.web.inputs import check_sender_id, json_object
from bot.web.rasa_client import UpstreamError
from bot.web.services import rasa, voice_service
from voice import audio
from voice.conversation import Turn, VoiceLayer
from voice.grammar import Expectation, expectation
from voice.recognise import RecogniserError, shared
from voice.speak import DEFAULT_RATE, MAX_TEXT, Synthesiser, SynthesisError, clamp_rate
from voice.spoken import spoken_parts

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/api/voice")

KEY = re.compile(r"[0-9a-f]{40}")
NOT_AUDIO_TYPE = "Please send the sound as a WAV file, with the header Content-Type: audio/wav."
SPEAK_NOT_OBJECT = 'The request body must be a JSON object, like {"text": "Hello", "rate": 160}.'
SPEAK_NO_TEXT = 'Please give the words to say as text in quotes, like "text": "Hello".'
REPLY_NOT_OBJECT = 'The request body must be a JSON object, like {"sender_id": "a1b2", "messages": [{"text": "Hi"}]}.'
NO_RECOGNISER = "Sorry, I cannot listen just now. Please type your answer instead. Your answers so far are safe."
NO_VOICE = "Sorry, I cannot speak just now. The words are on the screen."
AUDIO_GONE = "I no longer have that sound. Please ask again."
AUDIO_TYPES = ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream")


class VoiceService:
    """Per app: the synthesiser, the voice layer, and how to find what the bot is waiting for."""

    def __init__(self, model_path: Optional[str], voice: str) -> None:
        self.model_path = model_path or None
        self.synthesiser = Synthesiser(voice=voice)
        self.layer = VoiceLayer(recogniser=lambda: shared(self.model_path), chat=self.chat, expected=self.expected)

    @staticmethod
    def chat(sender_id: str, text: str) -> List[Dict[str, Any]]:
        return rasa().send(sender_id, clean_message(text) or text)

    @staticmethod
    def expected(sender_id: str) -> Expectation:
        """What the bot asked last, from the tracker: typed and spoken turns can mix."""
        events = rasa().tracker(sender_id).get("events") or []
        last_turn: List[Dict[str, Any]] = []
        for event in events:
            if not isinstance(event, dict):
                continue
            if event.get("event") == "user":
                last_turn = []
            elif event.get("event") == "bot":
                data = event.get("data") or {}
                last_turn.append({"text": event.get("text"), "buttons": data.get("buttons"),
                                  "custom": data.get("custom")})
        return expectation(last_turn)

    def audio_urls(self, parts: List[str], rate: int) -> Optional[List[str]]:
        """A URL per spoken part; None if speech cannot be made (the captions carry on)."""
        urls = []
        try:
            for part in parts:
                key, _ = self.synthesiser.synthesise(part, rate)
                urls.append(url_for("voice.audio_file", key=key))
        except SynthesisError:
            return None
        return urls


@bp.before_request
def allow_longer_audio():
    # The app caps bodies at 1 MB for chat; half a minute of 48 kHz audio needs about 3 MB.
    request.max_content_length = audio.MAX_BYTES


def _turn_json(turn: Turn):
    svc = voice_service()
    audio_urls = svc.audio_urls(spoken_parts(turn.messages), turn.rate)
    body: Dict[str, Any] = {"heard": turn.heard, "messages": turn.messages, "rate": turn.rate,
                            "audio": audio_urls or []}
    if audio_urls is None:
        body["audio_error"] = NO_VOICE
    return jsonify(body)


@bp.post("/turn")
def voice_turn():
    sender_id = check_sender_id(request.args.get("sender_id"))
    content_type = (request.mimetype or "").lower()
    if content_type not in AUDIO_TYPES:
        raise ApiError(NOT_AUDIO_TYPE, 415)
    try:
        speech = audio.read_wav(request.get_data(cache=False))
    except audio.AudioError as err:
        # Nothing reached the conversation: no answer is lost.
        return json_error(err.message, 400)
    svc = voice_service()
    try:
        turn = svc.layer.turn(sender_id, speech)
    except UpstreamError as err:
        return json_error(err.message, err.status)
    except (RecogniserError, OSError, RuntimeError) as err:
        log.error("Speech recognition failed: %s", type(err).__name__)
        return json_error(NO_RECOGNISER, 503)
    return _turn_json(turn)


@bp.post("/speak")
def speak():
    body = json_object(SPEAK_NOT_OBJECT)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(SPEAK_NO_TEXT)
    if len(text) > MAX_TEXT:
        raise ApiError(f"Please send at most {MAX_TEXT} characters of text to say.")
    try:
        rate = clamp_rate(body["rate"]) if body.get("rate") is not None else DEFAULT_RATE
        key, wav = voice_service().synthesiser.synthesise(text, rate)
    except SynthesisError:
        raise ApiError(NO_VOICE, 503) from None
    return Response(wav, mimetype="audio/wav", headers={"X-Steer-Audio": url_for("voice.audio_file", key=key)})


@bp.post("/reply")
def reply():
    body = json_object(REPLY_NOT_OBJECT)
    # No sender_id: words before any conversation ("Type your saved code"), at the usual rate.
    sender_id = None if body.get("sender_id") is None else check_sender_id(body.get("sender_id"))
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ApiError(REPLY_NOT_OBJECT)
    svc = voice_service()
    rate = DEFAULT_RATE if sender_id is None else svc.layer.rate(sender_id)
    urls = svc.audio_urls(spoken_parts(messages), rate)
    result: Dict[str, Any] = {"audio": urls or [], "rate": rate}
    if urls is None:
        result["audio_error"] = NO_VOICE
    return jsonify(result)


@bp.get("/audio/<key>.wav")
def audio_file(key: str):
    if not KEY.fullmatch(key):
        raise ApiError(AUDIO_GONE, 404)
    wav = voice_service().synthesiser.cache.get(key)
    if wav is None:
        raise ApiError(AUDIO_GONE, 404)
    return Response(wav, mimetype="audio/wav")
