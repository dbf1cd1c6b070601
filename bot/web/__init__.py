"""The front door: the web chat page and the JSON API in front of Rasa (see DESIGN.md)."""

from __future__ import annotations

import os
import secrets
from typing import Any, Dict, Optional

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from bot.web import access, api, csrf, documents, errors, health, limits, pages, saved_answers, security, services
from bot.web import voice as voice_api
from bot.web.server_limits import MAX_JSON_BYTES
from summary import web as summary_web

# Config key: (environment variable, default). A value passed to create_app wins over both.
SETTINGS = {
    "RASA_URL": ("STEER_RASA_URL", "http://127.0.0.1:5005"),
    "RASA_TOKEN": ("STEER_RASA_TOKEN", None),
    "ACTIONS_URL": ("STEER_ACTIONS_URL", "http://127.0.0.1:5055"),
    "RASA_TIMEOUT": ("STEER_RASA_TIMEOUT", 30.0),  # seconds for one chat turn or tracker fetch
    "HEALTH_TIMEOUT": ("STEER_HEALTH_TIMEOUT", 2.0),  # seconds for each readiness probe
    "BANK_DIR": ("STEER_BANK_DIR", None),  # question bank folder; None means data/questions
    # Rasa's SQL tracker store, for deleting a conversation (bot/web/trackers.py).
    "TRACKER_URL": ("STEER_TRACKER_URL", None),  # any SQLAlchemy URL; wins over TRACKER_DB
    "TRACKER_DB": ("STEER_TRACKER_DB", None),  # the SQLite file `steer run` gives Rasa
    # The web page and kiosk (README, "Web page and kiosk").
    "KIOSK_ONLY": ("STEER_KIOSK_ONLY", False),  # true: every page is the kiosk
    "KIOSK_IDLE_SECONDS": ("STEER_KIOSK_IDLE_SECONDS", 120.0),  # no touch or key for this long: the warning
    "KIOSK_WARNING_SECONDS": ("STEER_KIOSK_WARNING_SECONDS", 30.0),  # the warning's time to answer (20 at least)
    # Cross-site request forgery (bot/web/csrf.py).
    "WEB_SECRET": ("STEER_WEB_SECRET", None),  # signs page tokens; None: a new one each start
    "CSRF_MAX_AGE": ("STEER_CSRF_MAX_AGE", 24 * 60 * 60.0),  # seconds a page's token lasts
    "TRUSTED_ORIGINS": ("STEER_TRUSTED_ORIGINS", ""),  # comma-separated, e.g. behind a reverse proxy
    # Host names the front door answers to, besides loopback (bot/web/security.py).
    "ALLOWED_HOSTS": ("STEER_ALLOWED_HOSTS", ""),  # comma-separated, e.g. the name a reverse proxy passes on
    # Conversations the front door issues (bot/web/conversations.py).
    "CONVERSATION_KEY_FILE": ("STEER_CONVERSATION_KEY_FILE", None),  # None: a new key each start
    "LINK_SECONDS": ("STEER_LINK_SECONDS", 600.0),  # how long a document link works
}
FLOAT_SETTINGS = ("RASA_TIMEOUT", "HEALTH_TIMEOUT", "KIOSK_IDLE_SECONDS", "KIOSK_WARNING_SECONDS", "CSRF_MAX_AGE",
                  "LINK_SECONDS")
BOOL_SETTINGS = ("KIOSK_ONLY",)
MIN_WARNING_SECONDS = 20.0  # WCAG 2.2.1: at least 20 seconds to ask for more time


def _settings(config: Dict[str, Any]) -> Dict[str, Any]:
    settings: Dict[str, Any] = {}
    for key, (env, default) in SETTINGS.items():
        value = config[key] if key in config else os.environ.get(env) or default
        if key in FLOAT_SETTINGS:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{key} (or {env}) must be a number of seconds, not {value!r}") from None
        if key in BOOL_SETTINGS and isinstance(value, str):
            value = value.strip().lower() in ("1", "true", "yes", "on")
        settings[key] = value
    settings["KIOSK_WARNING_SECONDS"] = max(settings["KIOSK_WARNING_SECONDS"], MIN_WARNING_SECONDS)
    settings["KIOSK_IDLE_SECONDS"] = max(settings["KIOSK_IDLE_SECONDS"], 10.0)
    settings["TRUSTED_HOSTS"] = security.trusted_hosts(settings["ALLOWED_HOSTS"])
    if not settings["WEB_SECRET"]:
        settings["WEB_SECRET"] = secrets.token_bytes(32)
    return settings


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, but a body nested deeper than Python can read is bad JSON (400), not a RecursionError (500)."""

    def loads(self, s: Any, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def create_app(config: Optional[Dict[str, Any]] = None) -> Flask:
    config = dict(config or {})
    app = Flask(__name__)
    app.json = JSONProvider(app)  # request.get_json turns its ValueError into a 400 (silent=True: None)
    # A chat message is at most 1,000 characters; a megabyte leaves room for any escaping.
    app.config["MAX_CONTENT_LENGTH"] = MAX_JSON_BYTES
    app.config.update(config)
    app.config.update(_settings(config))
    app.json.ensure_ascii = False  # emoji and other scripts go out as they came in
    app.json.sort_keys = False  # keep the question bank's order

    services.register(app)  # Rasa, the tracker store, conversations: app.extensions["steer"] (bot/web/services.py)
    csrf.register(app)  # first, so a refused request reaches no view
    access.register(app)  # then: a call about a conversation needs its token
    limits.register(app)  # then: counts per address and conversation (README, "Limits"), before any view
    app.register_blueprint(api.bp)
    app.register_blueprint(saved_answers.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(summary_web.blueprint())
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(voice_api.bp)  # speech in and out (voice/)
    errors.register(app)
    security.register(app)
    return app
