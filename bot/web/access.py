"""Who may call what: a call about one conversation needs its token, a document link its ticket.

Runs before every view (registered ahead of the blueprints), so no view can forget it. What it
checks is in bot/web/conversations.py; here is only where each request carries its conversation.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Flask, current_app, g, jsonify, request

from bot.web import wording
from bot.web.conversations import Conversations

# Requests about one conversation, and where they carry its sender_id.
SENDER_IN = {
    "api.chat": "body",
    "api.assessment": "path",
    "api.delete_assessment": "path",
    "voice.voice_turn": "args",
    "voice.reply": "body",
    "documents.resume": "body",
    "documents.save": "path",
    "documents.links": "path",
    "documents.summary_page": "path",
    "documents.summary_pdf": "path",
    "documents.export_json": "path",
    "documents.export_fhir": "path",
}
# Requests that may start a conversation: no sender_id means "make me one" (a resume may come first).
MAY_START = frozenset({"api.chat", "documents.resume"})
# Requests that may come before any conversation: words to hear, such as "Type your saved code".
MAY_BE_ALONE = frozenset({"voice.reply"})


def conversations() -> Conversations:
    return current_app.extensions["steer_conversations"]


def sender_id_in_request(where: str) -> Any:
    if where == "body":
        body = request.get_json(silent=True)
        return body.get("sender_id") if isinstance(body, dict) else None
    if where == "args":
        return request.args.get("sender_id")
    return (request.view_args or {}).get("sender_id")


def not_found(message: str):
    """The one answer for an unknown id, a wrong or missing token, and a run-out link."""
    said = {"error": message, "conversation": "unknown", "messages": [{"text": message}]}
    if request.endpoint == "voice.voice_turn":
        said.update(heard="", audio=[])  # the voice turn's own shape
    return jsonify(said), 404


def check_access() -> Optional[Any]:
    from bot.web.api import SENDER_ID  # the id's pattern lives with the API that documents it

    endpoint = request.endpoint or ""
    if endpoint.startswith("documents.linked_"):
        sender_id = conversations().open_ticket((request.view_args or {}).get("ticket", ""))
        if sender_id is None:
            return not_found(wording.LINK_RUN_OUT)
        g.sender_id = sender_id
        return None
    where = SENDER_IN.get(endpoint)
    if where is None:
        return None
    sender_id = sender_id_in_request(where)
    if sender_id is None and endpoint in MAY_START | MAY_BE_ALONE:
        return None  # the view issues a new conversation, or needs none
    if not isinstance(sender_id, str) or not SENDER_ID.fullmatch(sender_id):
        return None  # the view says clearly what is wrong with it (400)
    if not conversations().allows(sender_id, request.headers.get("Authorization")):
        return not_found(wording.UNKNOWN_CONVERSATION)
    g.sender_id = sender_id
    return None


def register(app: Flask) -> None:
    app.extensions["steer_conversations"] = Conversations.from_key_file(
        app.config.get("CONVERSATION_KEY_FILE"), link_seconds=float(app.config["LINK_SECONDS"]))
    app.before_request(check_access)
