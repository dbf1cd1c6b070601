"""Serves the summary page's own CSS and print script, so the page needs no inline style or script."""

from __future__ import annotations

from flask import Blueprint

from summary.render import STATIC, STATIC_URL


def blueprint() -> Blueprint:
    """Register on the front door's app: app.register_blueprint(summary.web.blueprint())."""
    return Blueprint("summary_static", __name__, static_folder=str(STATIC), static_url_path=STATIC_URL)
