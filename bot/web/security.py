"""Headers on every response: no inline code, no framing, no sniffing, no referrer, no caching of data,
forms posted only to Steer, and the microphone for Steer's own origin only.

And only known host names: the front door listens on loopback, so any other `Host` means a page
on another site whose name was pointed at 127.0.0.1 (DNS rebinding), which the browser would
treat as that site's own. Flask's TRUSTED_HOSTS refuses such requests with a 400.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Union

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The summary page may be framed by Steer's own kiosk page, which prints it from a hidden frame.
FRAMEABLE_BY_SELF = re.compile(r"^/api/(?:assessments/[A-Za-z0-9_-]{1,64}|documents/[A-Za-z0-9_-]{1,200})/summary$")
SUMMARY_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # The microphone (voice answers) for Steer's own pages only; nothing else a page could ask for.
    "Permissions-Policy": "microphone=(self), camera=(), geolocation=(), payment=(), usb=(), display-capture=()",
}


LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def trusted_hosts(allowed: Union[str, Iterable[str], None]) -> List[str]:
    """Loopback names, plus STEER_ALLOWED_HOSTS (a name, or ".example.org" for its subdomains too)."""
    extra = allowed.split(",") if isinstance(allowed, str) else list(allowed or ())
    return [*LOOPBACK_HOSTS, *(h.strip().lower() for h in extra if h and h.strip())]


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
