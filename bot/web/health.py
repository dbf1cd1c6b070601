"""Readiness: ready only when Rasa has a model, the action server answers and this app is up."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    client = current_app.extensions["steer_rasa"]
    waiting_for = []
    if not client.rasa_ready():
        waiting_for.append("rasa")
    if not client.actions_ready():
        waiting_for.append("actions")
    if waiting_for:
        return jsonify(ok=False, waiting_for=waiting_for), 503
    return jsonify(ok=True)
