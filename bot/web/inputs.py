"""What a request brings, checked: its JSON body as an object, and the conversation it names.

Every view and every check before the views reads a request through these, so a bad body or id
gets the same clear 400 wherever it is sent.
"""

from __future__ import annotations

import re
from typing import Any, Dict

from flask import request
from werkzeug.exceptions import BadRequest

from bot.web import wording
from bot.web.errors import ApiError

SENDER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a conversation's id (README, "The HTTP API")


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


def sender_id_in_request(where: str) -> Any:
    """The sender_id as the request carries it ("body", "args" or "path"), unchecked; None if absent."""
    if where == "body":
        body = request.get_json(silent=True)
        return body.get("sender_id") if isinstance(body, dict) else None
    if where == "args":
        return request.args.get("sender_id")
    return (request.view_args or {}).get("sender_id")
