"""Headers on every response: no inline code, no framing, no sniffing, no referrer, no caching of data."""

from __future__ import annotations

import re

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# The summary page may be framed by Steer's own kiosk page, which prints it from a hidden frame.
FRAMEABLE_BY_SELF = re.compile(r"^/api/assessments/[A-Za-z0-9_-]{1,64}/summary$")
SUMMARY_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def add_headers(response: Response) -> Response:
    if FRAMEABLE_BY_SELF.match(request.path):
        response.headers.setdefault("Content-Security-Policy", SUMMARY_CONTENT_SECURITY_POLICY)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # Answers are personal: a shared kiosk's browser cache must not keep them. Static files may be cached.
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    app.after_request(add_headers)
