"""Errors as kind JSON under /api/ and as a kind page elsewhere; never a traceback.

Every JSON error body has one shape, made here (json_error) and nowhere else:

    {"error": "<what went wrong and how to fix it, in plain words>", ...}

- `error` is always there, and always words for the person: a client may show it as it is.
- On a request whose reply a client draws as a turn, the reply's own fields come too, holding the
  error, so a client that only draws those still tells the person (REPLY_FIELDS):
  `POST /api/chat` adds `"messages": [{"text": <error>}]`; `POST /api/voice/turn` adds that and
  `"heard": ""`, `"audio": []`; `POST /api/voice/reply` adds `"audio": []`.
- Fields that say more, for a program, only where they apply: `"conversation": "unknown"` (404: no
  such conversation for this token) or `"full"` (409: the conversation has taken all its turns);
  `"retry_after": <seconds>` (429 and a busy speech synthesiser's 503, beside `Retry-After`);
  `"confirm": "replace", "count": <answers here>` (409 from a resume that would replace answers);
  `"sender_id"` and `"token"` (a chat that started a conversation, then failed: try again with them).

Nothing here logs request bodies or exception messages, which could hold what a person typed.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Dict

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from bot.web import wording
from bot.web.rasa_client import UpstreamError

log = logging.getLogger(__name__)

# Endpoints whose replies a client draws as a turn, and their fields as an error fills them.
REPLY_FIELDS = {
    "api.chat": ("messages",),
    "voice.voice_turn": ("heard", "messages", "audio"),
    "voice.reply": ("audio",),
}


class ApiError(Exception):
    """A bad request to the API: `message` says what is wrong and how to fix it."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def error_body(message: str, **more: Any) -> Dict[str, Any]:
    """The one shape of a JSON error body (above), for this request's endpoint."""
    filled = {"messages": [{"text": message}], "heard": "", "audio": []}
    body: Dict[str, Any] = {"error": message}
    body.update((name, filled[name]) for name in REPLY_FIELDS.get(request.endpoint or "", ()))
    body.update(more)
    return body


def json_error(message: str, status: int, **more: Any) -> Response:
    response = jsonify(error_body(message, **more))
    response.status_code = status
    return response


def _is_api() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def _page(title: str, message: str, status: int) -> Response:
    return Response(render_template("error.html", title=title, message=message), status=status)


def _http_message(err: HTTPException) -> str:
    if isinstance(err, SecurityError):  # a Host the front door does not answer to (security.py)
        return wording.UNKNOWN_HOST
    if err.code == 404:
        return wording.NOT_FOUND
    if err.code == 405:
        allowed = ", ".join(m for m in (getattr(err, "valid_methods", None) or []) if m not in ("HEAD", "OPTIONS"))
        return wording.METHOD_NOT_ALLOWED.format(method=request.method, allowed=allowed or "another method")
    if err.code == 413:
        return wording.TOO_LARGE
    if err.code == 415:
        return wording.NOT_JSON_TYPE
    if err.code is not None and err.code < 500:
        return wording.BAD_REQUEST
    return wording.UNEXPECTED


def handle_http(err: HTTPException) -> Response:
    status = err.code or 500
    # A bad JSON body reaches here as a plain 400; our own views raise ApiError instead.
    message = _http_message(err)
    if _is_api():
        response = json_error(message, status)
    elif isinstance(err, SecurityError):  # no URLs can be built for an unknown host: no template
        response = Response(f"<!doctype html><html lang=\"en\"><title>Steer</title><p>{message}</p></html>",
                            status=status, mimetype="text/html")
    else:
        title = wording.ERROR_NOT_FOUND_TITLE if status == 404 else wording.ERROR_TITLE
        response = _page(title, message, status)
    if status == 405 and getattr(err, "valid_methods", None):
        response.headers["Allow"] = ", ".join(err.valid_methods)
    return response


def handle_api_error(err: ApiError) -> Response:
    return json_error(err.message, err.status)


def handle_upstream(err: UpstreamError) -> Response:
    return json_error(err.message, err.status)


def handle_unexpected(err: Exception) -> Response:
    # Frames only: the exception's own message might quote what a person typed.
    frames = "".join(traceback.format_tb(err.__traceback__))
    log.error("Unexpected %s in %s %s\n%s", type(err).__name__, request.method, request.endpoint, frames)
    if _is_api():
        return json_error(wording.UNEXPECTED, 500)
    return _page("Sorry, there is a problem", wording.UNEXPECTED, 500)


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(UpstreamError, handle_upstream)
    app.register_error_handler(Exception, handle_unexpected)
