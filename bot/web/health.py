"""Readiness: ready only when Rasa has a model, the action server answers and this app is up; else what is down."""

from __future__ import annotations

from flask import Blueprint, jsonify

from bot.web.services import rasa

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    client = rasa()
    down = []
    if not client.rasa_ready():
        down.append("rasa")
    if not client.actions_ready():
        down.append("actions")
    if down:
        # "waiting_for" is the older name for the same list, kept for clients that read it.
        return jsonify(ok=False, down=down, waiting_for=down), 503
    return jsonify(ok=True)
