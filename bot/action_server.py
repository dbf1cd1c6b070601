"""`python -m bot.action_server --actions actions --port 5055`: rasa-sdk's action server, made private.

It is rasa-sdk's own app (`rasa_sdk.endpoint.create_app`) with three changes:

1. Only Rasa may call it. Every path but `/health` (open for the supervisor) needs
   `Authorization: Bearer <STEER_ACTIONS_TOKEN>`, the secret `steer run` makes at each start
   (bot/stack.py) and Rasa sends with every call (`headers:` in bot/endpoints.yml). A call without
   it gets 401 before its body is looked at. With no secret set, every call is refused.
2. No error reply carries request data. rasa-sdk's own 500 reply is `{"error": str(exception),
   "request_body": <the whole tracker>}`, and Rasa writes that reply into its log: every answer and
   the person's name. Here every reply of 400 or more is one fixed sentence and, when Rasa named
   it, the action's name (Rasa needs it for a 400).
3. A failure is logged as the action's name, the exception's type and where it was raised
   (file:line), never the exception's message or traceback text, which can hold what the person
   said.

Test-only: when STEER_TEST_FAULT_WORD is set, a call whose latest user message contains that word
fails outside Steer's `@guarded` actions, with an exception whose message carries the text (as a
real bug's KeyError might); with the word followed by "shape", the call gets a reply Rasa refuses
(`responses` is the text, not a list), as a buggy action's might be. tests/stack/test_no_personal_data_in_logs.py
uses both to prove that nothing of a failed call reaches any log. Never set it in a deployment; the
server warns at start when it is.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import sys
import zlib
from typing import Any, Dict, List, Optional

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app as sdk_create_app
from rasa_sdk.endpoint import create_argument_parser, create_ssl_context
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.safety import where

logger = logging.getLogger("bot.action_server")  # not "__main__" under python -m

TOKEN_ENV = "STEER_ACTIONS_TOKEN"
FAULT_ENV = "STEER_TEST_FAULT_WORD"
OPEN_PATHS = {"/health"}
ACTION_NAME = re.compile(r"[A-Za-z0-9_.-]{1,120}")
# What an error reply says: nothing from the request, only what kind of failure it was.
REASONS = {
    400: "The action rejected the call.",
    401: "This server only takes calls from Steer's Rasa server.",
    404: "No such action or path.",
    405: "Method not allowed.",
    413: "The call is too large.",
    500: "The action failed. The action server's log says which action and the exception's type.",
}


def action_name(request: Request) -> Optional[str]:
    """The action Rasa asked for, or None; reads the body without ever logging it."""
    if not hasattr(request.ctx, "steer_action"):
        name = None
        try:
            body = request.body or b""
            if request.headers.get("Content-Encoding") == "deflate":
                body = zlib.decompress(body)
            call = json.loads(body) if body else None
            name = call.get("next_action") if isinstance(call, dict) else None
        except Exception:  # noqa: BLE001 (a body that cannot be read has no action name)
            name = None
        request.ctx.steer_action = name if isinstance(name, str) and ACTION_NAME.fullmatch(name) else None
    return request.ctx.steer_action


def error_reply(request: Request, status: int) -> HTTPResponse:
    body: Dict[str, Any] = {"error": REASONS.get(status, "The call failed.")}
    name = action_name(request) if request.path == "/webhook" else None
    if name:
        body["action_name"] = name
    return response.json(body, status=status)


def _authorised(request: Request, token: str) -> bool:
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def create_app(actions: str = "actions", token: Optional[str] = None) -> Sanic:
    """rasa-sdk's app for `actions`, taking calls only with `token` and replying to errors with no request data."""
    token = os.environ.get(TOKEN_ENV, "") if token is None else token
    # No CORS: only Rasa calls this server, never a browser.
    app = sdk_create_app(actions, cors_origins=None)

    @app.on_request
    async def only_rasa(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or _authorised(request, token):
            return None
        logger.warning("Refused a call to %s without the action server's secret.", request.path)
        return error_reply(request, 401)

    # Replaces rasa-sdk's handler (the last one added for a type is the one Sanic uses).
    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):  # Sanic's own refusals: no route, bad method, too large
            status = getattr(exception, "status_code", 500) or 500
            logger.info("Refused a call to %s: HTTP %s (%s)", request.path, status, type(exception).__name__)
            return error_reply(request, status)
        try:
            at = where(exception)
        except Exception:  # noqa: BLE001 (a handler that raises makes Sanic answer without logging)
            at = "(unknown)"
        logger.error("Action %s failed: %s at %s", action_name(request) or "(unknown)", type(exception).__name__, at)
        return error_reply(request, 500)

    # rasa-sdk's own 400 and 404 replies carry the action's error message: replace every error body.
    @app.on_response
    async def no_request_data(request: Request, reply: HTTPResponse) -> Optional[HTTPResponse]:
        if reply.status >= 400:
            return error_reply(request, reply.status)
        return None

    fault = os.environ.get(FAULT_ENV)
    if fault:
        _arm_test_fault(fault)
    return app


def _arm_test_fault(word: str) -> None:
    """Test only (see the module's docstring): fail every call whose latest message contains `word`."""
    logger.warning("%s is set: a test fault is armed. Never set it in a deployment.", FAULT_ENV)
    run = ActionExecutor.run
    if getattr(run, "steer_test_fault", False):
        return

    async def run_or_fail(self: ActionExecutor, action_call: Dict[str, Any]) -> Any:
        text = ((action_call.get("tracker") or {}).get("latest_message") or {}).get("text") or ""
        if word + "shape" in text:
            return {"events": [], "responses": text}  # Rasa's schema check refuses it, quoting it
        if word in text:
            raise RuntimeError(f"test fault in {action_call.get('next_action')} for the message {text!r}")
        return await run(self, action_call)

    run_or_fail.steer_test_fault = True  # type: ignore[attr-defined]
    ActionExecutor.run = run_or_fail  # type: ignore[method-assign]


def run(actions: str, port: int, ssl_certificate: Optional[str] = None, ssl_keyfile: Optional[str] = None,
        ssl_password: Optional[str] = None) -> None:
    """As rasa_sdk.endpoint.run, with this module's app; loopback unless SANIC_HOST says otherwise."""
    app = create_app(actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(ssl_certificate, ssl_keyfile, ssl_password)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    logger.info("Action endpoint is up and running on %s://%s:%s", "https" if ssl_context else "http", host, port)
    app.run(host, port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


def main(argv: Optional[List[str]] = None) -> None:
    """rasa-sdk's command line (`python -m rasa_sdk`), the same logging set-up, this module's app."""
    args = create_argument_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.auto_reload or args.cors:
        raise SystemExit("bot.action_server takes neither --auto-reload nor --cors.")
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel,
                                 args.logging_config_file)
    utils.update_sanic_log_level()
    if not os.environ.get(TOKEN_ENV):
        logger.error("%s is not set: every call will be refused. `steer run` sets it.", TOKEN_ENV)
    run(args.actions or "actions", args.port, args.ssl_certificate, args.ssl_keyfile, args.ssl_password)


if __name__ == "__main__":
    main()
