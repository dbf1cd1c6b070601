"""What the front door's tests share: a free port, a stand-in for Rasa, and the app as a test makes it.

The fixtures built on these (`app`, `client`, `rasa_server`, `fake_rasa`) are in tests/conftest.py.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlparse

from flask import Flask

TOKEN = "test-token"  # the Rasa token the stand-in takes (make_app(rasa=...) sends it)


def free_port() -> int:
    """A port nobody is using now, so several test runs (and `make run`) can share a machine."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nowhere() -> str:
    """A loopback URL nothing listens on: a request that gets that far finds Rasa down (503)."""
    return f"http://127.0.0.1:{free_port()}"


class FakeRasa(ThreadingHTTPServer):
    """Rasa's REST channel, tracker and status endpoints, and the action server's /health.

    Records what reaches it (`received`: (sender, message) pairs; `tracker_queries`), and answers as
    the test sets it: `replies`, `reply_status` or raw `reply_body`, `delay`, `trackers`, `status`,
    `health_status`. `reset()` puts every setting back.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reset()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> FakeRasa:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):
        pass  # the slow-Rasa test hangs up on purpose

    def reset(self) -> None:
        self.received = []  # (sender, message) pairs
        self.replies = [{"recipient_id": "x", "text": "Hello"}]
        self.reply_status = 200
        self.reply_body = None  # raw bytes instead of JSON replies
        self.delay = 0.0
        self.trackers = {}
        self.tracker_queries = []
        self.status = {"model_id": "abc123"}
        self.health_status = 200


class _Handler(BaseHTTPRequestHandler):
    server: FakeRasa

    def log_message(self, *args):
        pass

    def _send(self, status, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 (http.server's name)
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/webhooks/steer/webhook":  # Steer's Rasa channel (bot/rasa_channel.py), with its secret
            return self._send(404, {})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(401, {"status": "failure"})
        server.received.append((body["sender"], body["message"]))
        time.sleep(server.delay)
        self._send(server.reply_status, server.reply_body if server.reply_body is not None else server.replies)

    def do_GET(self):  # noqa: N802 (http.server's name)
        server = self.server
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/status":
            return self._send(200, server.status)
        if url.path == "/health":
            return self._send(server.health_status, {"status": "ok"})
        parts = url.path.split("/")
        if len(parts) == 4 and parts[1] == "conversations" and parts[3] == "tracker":
            server.tracker_queries.append(query)
            if query.get("token") != [TOKEN]:
                return self._send(401, {"status": "failure"})
            tracker = server.trackers.get(parts[2], {"sender_id": parts[2], "slots": {}, "events": []})
            return self._send(200, tracker)
        return self._send(404, {})


def make_app(rasa: Optional[FakeRasa] = None, **config: Any) -> Flask:
    """The front door as a test has it: TESTING, and Rasa and the action server at `rasa` (with its
    token), else where nothing listens. `config` wins over all of that."""
    from bot.web import create_app  # here, so that tests which never make the app do not import it

    where = rasa.url if rasa is not None else nowhere()
    settings: dict = {"TESTING": True, "RASA_URL": where, "ACTIONS_URL": where}
    if rasa is not None:
        settings["RASA_TOKEN"] = TOKEN
    return create_app({**settings, **config})
