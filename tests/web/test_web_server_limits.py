"""waitress's limits, on a real waitress serving the real app (no Rasa needed to be refused)."""

import socket
import threading
import time

import pytest
from waitress.server import create_server

from bot.web.server_limits import server_limits
from tests.web_helpers import make_app
from voice.audio import MAX_BYTES as MAX_AUDIO_BYTES


@pytest.fixture()
def server():
    limits = server_limits()
    limits.update(threads=2, channel_timeout=2, cleanup_interval=1)  # a short timeout, so the test need not wait 30 s
    srv = create_server(make_app(TESTING=False), host="127.0.0.1", port=0, **limits)  # served as in production
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}", srv.effective_port
    srv.close()


def test_a_huge_body_is_refused_before_it_is_read(server):
    """Only the headers are sent: waitress's default would wait to buffer 500 MB before Flask saw it."""
    _, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 500000000\r\n\r\n")
        sock.settimeout(1.5)  # under the test server's channel timeout: a reply, not a hang-up
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")


def test_the_limits_fit_steer_and_not_waitress_defaults():
    limits = server_limits()
    # the longest spoken answer fits, with room for Flask to refuse a longer one kindly
    assert 2 * MAX_AUDIO_BYTES < limits["max_request_body_size"] <= 8 * 1024 * 1024
    assert limits["channel_timeout"] + limits["cleanup_interval"] <= 40  # waitress's default: up to 150 s


@pytest.mark.slow  # waits for the server to give up on a real socket
def test_a_silent_client_is_let_go(server):
    _, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{")
        started = time.monotonic()
        sock.settimeout(15)
        while sock.recv(4096):
            pass  # waitress closes the connection once channel_timeout passes
        assert time.monotonic() - started < 12
