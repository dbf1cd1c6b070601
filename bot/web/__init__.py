"""The front door: the web chat page and the JSON API in front of Rasa (see DESIGN.md)."""

from __future__ import annotations

import os
from typing import Any, Dict, Optional

from flask import Flask

from bot.web import api, documents, errors, health, pages, security
from bot.web.rasa_client import RasaClient
from summary import web as summary_web

# Config key: (environment variable, default). A value passed to create_app wins over both.
SETTINGS = {
    "RASA_URL": ("STEER_RASA_URL", "http://127.0.0.1:5005"),
    "RASA_TOKEN": ("STEER_RASA_TOKEN", None),
    "ACTIONS_URL": ("STEER_ACTIONS_URL", "http://127.0.0.1:5055"),
    "RASA_TIMEOUT": ("STEER_RASA_TIMEOUT", 30.0),  # seconds for one chat turn or tracker fetch
    "HEALTH_TIMEOUT": ("STEER_HEALTH_TIMEOUT", 2.0),  # seconds for each readiness probe
    "BANK_DIR": ("STEER_BANK_DIR", None),  # question bank folder; None means data/questions
}
FLOAT_SETTINGS = ("RASA_TIMEOUT", "HEALTH_TIMEOUT")


def _settings(config: Dict[str, Any]) -> Dict[str, Any]:
    settings: Dict[str, Any] = {}
    for key, (env, default) in SETTINGS.items():
        value = config[key] if key in config else os.environ.get(env) or default
        if key in FLOAT_SETTINGS:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{key} (or {env}) must be a number of seconds, not {value!r}") from None
        settings[key] = value
    return settings


def create_app(config: Optional[Dict[str, Any]] = None) -> Flask:
    config = dict(config or {})
    app = Flask(__name__)
    # A chat message is at most 1,000 characters; a megabyte leaves room for any escaping.
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.config.update(config)
    app.config.update(_settings(config))
    app.json.ensure_ascii = False  # emoji and other scripts go out as they came in
    app.json.sort_keys = False  # keep the question bank's order

    app.extensions["steer_rasa"] = RasaClient(
        rasa_url=app.config["RASA_URL"],
        token=app.config["RASA_TOKEN"],
        actions_url=app.config["ACTIONS_URL"],
        timeout=app.config["RASA_TIMEOUT"],
        health_timeout=app.config["HEALTH_TIMEOUT"],
    )
    app.register_blueprint(api.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(summary_web.blueprint())
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    errors.register(app)
    security.register(app)
    return app
