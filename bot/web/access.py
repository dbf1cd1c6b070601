"""Who may call what: a call about one conversation needs its token, a document link its ticket.

Runs before every view (registered ahead of the blueprints), so no view can forget it. What it
checks is in bot/web/conversations.py; here is only where each request carries its conversation.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Flask, g, request

from bot.web import wording
from bot.web.errors import json_error
from bot.web.inputs import SENDER_ID, sender_id_in_request
from bot.web.services import conversations

# Requests about one conversation, and where they carry its sender_id.
SENDER_IN = {
    "api.chat": "body",
    "api.assessment": "path",
    "api.delete_assessment": "path",
    "voice.voice_turn": "args",
    "voice.reply": "body",
    "saved.resume": "body",
    "saved.save": "path",
    "documents.links": "path",
    "documents.summary_page": "path",
    "documents.summary_pdf": "path",
    "documents.export_json": "path",
    "documents.export_fhir": "path",
}
# Requests that may start a conversation: no sender_id means "make me one" (a resume may come first).
MAY_START = frozenset({"api.chat", "saved.resume"})
# Requests that may come before any conversation: words to hear, such as "Type your saved code".
MAY_BE_ALONE = frozenset({"voice.reply"})


def not_found(message: str):
    """The one answer for an unknown id, a wrong or missing token, and a run-out link."""
    return json_error(message, 404, conversation="unknown")


def check_access() -> Optional[Any]:
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
    app.before_request(check_access)
