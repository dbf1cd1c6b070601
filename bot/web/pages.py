"""The pages people see: the web chat."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def chat_page():
    return render_template("chat.html")
