"""The web chat page: semantic, no inline code, and security headers on every response."""

import logging
import re
import socket
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.web import create_app
from bot.web.security import CONTENT_SECURITY_POLICY

STATIC = Path(__file__).resolve().parent.parent / "bot" / "web" / "static"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def unused_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app():
    port = unused_port()
    return create_app(
        {"TESTING": True, "RASA_URL": f"http://127.0.0.1:{port}", "ACTIONS_URL": f"http://127.0.0.1:{port}"}
    )


@pytest.fixture
def client(app):
    return app.test_client()


class Page(HTMLParser):
    """Collects elements as (tag, attrs) and the text inside each <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.elements = []
        self.inline = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = tag

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        if self._open and data.strip():
            self.inline.append((self._open, data))

    def find(self, tag, **attrs):
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def parse(response):
    page = Page()
    page.feed(response.get_data(as_text=True))
    return page


def test_the_chat_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = parse(response)
    assert page.find("html", lang="en-GB")
    assert page.find("meta", name="viewport")
    assert page.find("h1")
    assert page.find("main")
    assert page.find("div", id="transcript", role="log", **{"aria-live": "polite"})
    assert page.find("progress", id="progress", **{"aria-labelledby": "progress-text"})
    assert page.find("p", id="progress-text")
    # A labelled text box and a real Send button inside a form.
    assert page.find("form", id="chat-form")
    assert page.find("label", **{"for": "message"})
    assert page.find("input", id="message", type="text")
    assert page.find("button", type="submit")
    assert page.find("div", id="options", role="group")


def test_no_inline_script_or_style_and_nothing_from_other_hosts(client):
    for path in ("/", "/no-such-page"):
        page = parse(client.get(path))
        assert page.inline == [], path
        for tag, attrs in page.elements:
            assert tag != "style", path
            assert "style" not in attrs, (path, tag)
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            if tag == "script":
                assert attrs.get("src", "").startswith("/static/"), (path, attrs)
            for name in ("src", "href", "action"):
                value = attrs.get(name) or ""
                assert not value.lower().startswith("javascript:"), (path, tag)
                assert not re.match(r"^(https?:)?//", value), (path, tag, value)


def test_the_page_script_and_styles_are_served(client):
    script = client.get("/static/chat.js")
    assert script.status_code == 200
    assert "javascript" in script.mimetype
    style = client.get("/static/steer.css")
    assert style.status_code == 200
    assert style.mimetype == "text/css"


def test_the_script_never_writes_html():
    source = (STATIC / "chat.js").read_text(encoding="utf-8")
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert risky not in source, risky
    assert "textContent" in source
    assert "sessionStorage" in source
    assert '"/greet"' in source


def test_the_styles_are_large_and_buttons_big_enough():
    css = (STATIC / "steer.css").read_text(encoding="utf-8")
    assert "font-size: 112.5%" in css  # 18px from the usual 16px default
    assert css.count("min-height: 44px") >= 2
    assert "min-width: 44px" in css


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/"),
        ("get", "/static/chat.js"),
        ("get", "/static/steer.css"),
        ("get", "/no-such-page"),
        ("get", "/healthz"),
        ("get", "/api/nothing"),
        ("post", "/api/chat"),
        ("get", "/api/assessments/bad%20id"),
    ],
)
def test_security_headers_on_every_response(client, method, path):
    response = getattr(client, method)(path)
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_and_data_are_not_cached_but_static_files_may_be(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.post("/api/chat", json={}).headers["Cache-Control"] == "no-store"
    assert client.get("/static/steer.css").headers.get("Cache-Control") != "no-store"


def test_unknown_page_is_a_kind_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "Page not found" in text
    assert 'href="/"' in text


def test_an_unexpected_error_is_kind_and_hides_its_details(app, caplog):
    detail = "secret detail " + str(4400 + 11)  # built at run time, so no source line shows it

    def broken_api():
        raise RuntimeError(detail)

    def broken_page():
        raise RuntimeError(detail)

    app.add_url_rule("/api/broken", "broken_api", broken_api)
    app.add_url_rule("/broken", "broken_page", broken_page)
    client = app.test_client()
    caplog.set_level(logging.DEBUG)

    response = client.get("/api/broken")
    assert response.status_code == 500
    assert response.is_json
    assert "Sorry" in response.get_json()["error"]
    page = client.get("/broken")
    assert page.status_code == 500
    assert page.mimetype == "text/html"
    for body in (response.get_data(as_text=True), page.get_data(as_text=True)):
        assert "4411" not in body and "Traceback" not in body
    assert "RuntimeError" in caplog.text  # logged for whoever runs it, ...
    assert "4411" not in caplog.text  # ... without the message, which could quote a person
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
