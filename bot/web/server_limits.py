"""waitress's own limits, set on purpose (its defaults buffer a 1 GiB body before Flask's limit
applies, and let a slow client hold a connection for 120 s)."""

from __future__ import annotations

from typing import Any, Dict

MAX_JSON_BYTES = 1024 * 1024  # Flask's MAX_CONTENT_LENGTH (bot/web/__init__.py)
MAX_WAITRESS_BODY = 8 * 1024 * 1024


def server_limits() -> Dict[str, Any]:
    return {
        "threads": 16,
        # Flask refuses a body over a route's own limit with kind words (a spoken answer: about
        # 2.8 MB); waitress refuses, before reading it, anything far past that (a few times over).
        "max_request_body_size": MAX_WAITRESS_BODY,
        "max_request_header_size": 64 * 1024,
        "channel_timeout": 30,  # an idle or trickling client is let go after 30 s, not 120
        "cleanup_interval": 10,  # how often waitress looks for them (its default, 30 s, would double the wait)
        "connection_limit": 200,  # 16 threads; more waiting connections are refused, not queued for ever
        "ident": "steer",
    }
