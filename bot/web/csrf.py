"""Cross-site request forgery: requests that change something must come from Steer's own pages.

The rule, for POST, PUT, PATCH and DELETE (README, "Web page and kiosk"):

1. A request a browser marks as coming from another site is refused (403): `Sec-Fetch-Site`
   other than `same-origin` or `none`, or, in browsers too old to send that, an `Origin` that
   is not this front door (nor one of TRUSTED_ORIGINS, for a reverse proxy that rewrites Host).
2. A request from a browser (it sends `Origin` or `Sec-Fetch-Site`) must also carry the page's
   token in `X-CSRF-Token`. The page has it in `<meta name="csrf-token">`; a script on the
   page can ask `GET /api/csrf-token` for a fresh one.
3. A request with neither header did not come from a browser (a script, an integration, the
   tests): there is no victim's browser to forge it through, so it needs no token.

Browsers always send `Origin` on cross-origin POST and DELETE, and `Sec-Fetch-Site` on every
request (Chromium 76, Firefox 90, Safari 16.4), and a page on another site cannot set a custom
header such as `X-CSRF-Token` without a CORS preflight, which the front door never grants.
Go's net/http CrossOriginProtection uses the same first and third steps.

Tokens are signed, not stored: `<issued>.<nonce>.<signature>`, checked with the app's secret
and a maximum age. Nothing is set in the browser (no cookie): a kiosk keeps nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Iterable, Optional
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, jsonify, request

from bot.web import wording
from bot.web.errors import json_error

bp = Blueprint("csrf", __name__, url_prefix="/api")

HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAME_SITE_VALUES = frozenset({"same-origin", "none"})
DEFAULT_MAX_AGE = 24 * 60 * 60  # seconds: a page left open all day still works


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _secret() -> bytes:
    secret = current_app.config["WEB_SECRET"]
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _signature(body: str) -> str:
    return _b64(hmac.new(_secret(), b"steer-csrf-v1:" + body.encode("ascii"), hashlib.sha256).digest())


def new_token(now: Optional[float] = None) -> str:
    issued = int(time.time() if now is None else now)
    body = f"{issued:x}.{_b64(secrets.token_bytes(16))}"
    return f"{body}.{_signature(body)}"


def token_is_valid(token: Optional[str], now: Optional[float] = None) -> bool:
    if not isinstance(token, str) or len(token) > 200 or token.count(".") != 2:
        return False
    body, _, signature = token.rpartition(".")
    try:
        body.encode("ascii")
        issued = int(body.split(".")[0], 16)
    except (UnicodeEncodeError, ValueError):
        return False
    if not hmac.compare_digest(signature, _signature(body)):
        return False
    age = (time.time() if now is None else now) - issued
    return -300 <= age <= float(current_app.config["CSRF_MAX_AGE"])


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _trusted(origin: str, trusted: Iterable[str]) -> bool:
    own = _origin_of(request.host_url)
    return origin.lower() == own or origin.lower() in {t.strip().lower().rstrip("/") for t in trusted if t.strip()}


def refusal() -> Optional[str]:
    """Why this request must be refused, or None. Only for unsafe methods."""
    trusted = current_app.config.get("TRUSTED_ORIGINS") or ()
    if isinstance(trusted, str):
        trusted = trusted.split(",")
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None:
        if site.lower() not in SAME_SITE_VALUES and not (origin and _trusted(origin, trusted)):
            return wording.CSRF_OTHER_SITE
    elif origin is not None and not _trusted(origin, trusted):
        return wording.CSRF_OTHER_SITE
    from_browser = site is not None or origin is not None
    if from_browser and not token_is_valid(request.headers.get(HEADER)):
        return wording.CSRF_TOKEN
    return None


def protect():
    if request.method not in UNSAFE_METHODS:
        return None
    reason = refusal()
    if reason is None:
        return None
    response = json_error(reason, 403)
    response.headers["X-Steer-Refused"] = "csrf"  # the page fetches a fresh token once and tries again
    return response


@bp.get("/csrf-token")
def csrf_token():
    # Another site's script cannot read this: the front door sends no CORS headers.
    return jsonify(token=new_token(), header=HEADER)


def register(app: Flask) -> None:
    app.before_request(protect)
    app.register_blueprint(bp)
    app.jinja_env.globals["csrf_token"] = new_token
