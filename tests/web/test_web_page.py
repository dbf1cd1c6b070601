"""The web chat page: semantic, no inline code, and security headers on every response."""

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.web.security import CONTENT_SECURITY_POLICY
from tests.web_helpers import make_app

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


# `app` and `client` (the front door with nothing behind it): tests/conftest.py


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
    for path in ("/", "/kiosk", "/no-such-page"):
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


@pytest.mark.parametrize("script", ["steer-common.js", "chat.js", "kiosk.js", "saved.js"])
def test_the_scripts_never_write_html(script):
    source = (STATIC / script).read_text(encoding="utf-8")
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                  "setTimeout(\"", "setInterval(\""):
        assert risky not in source, risky


@pytest.mark.parametrize("path", ["/", "/kiosk"])
def test_the_shared_helpers_load_first_and_are_written_once(client, path):
    scripts = [a["src"] for a in parse(client.get(path)).find("script")]
    assert scripts.index("/static/steer-common.js") < scripts.index("/static/chat.js")
    common = (STATIC / "steer-common.js").read_text(encoding="utf-8")
    assert "window.SteerCommon" in common and "function readConfig(" in common and "function word(" in common
    for script in ("chat.js", "kiosk.js"):
        source = (STATIC / script).read_text(encoding="utf-8")
        assert "SteerCommon" in source
        assert '"steer-config"' not in source and "fields[key]" not in source, script  # no copy of readConfig or word


def test_the_chat_script_keeps_its_public_face():
    source = (STATIC / "chat.js").read_text(encoding="utf-8")
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
    policy = dict(p.strip().split("=", 1) for p in response.headers["Permissions-Policy"].split(","))
    assert policy["microphone"] == "(self)" and policy["camera"] == policy["geolocation"] == "()"


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


# --- The kiosk, the page's switches and its pictures ------------------------------------------


def page_config(response):
    import json

    holder = parse(response).find("div", id="steer-config")
    assert holder, "the page hands its words and pictures to its scripts"
    return json.loads(holder[0]["data-config"])


def test_the_kiosk_page(client):
    response = client.get("/kiosk")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("html", lang="en-GB", **{"class": "kiosk"})
    assert page.find("button", id="start")
    assert page.find("button", id="finish-and-clear")
    assert page.find("button", id="print-summary")
    assert page.find("dialog", id="idle-warning", role="alertdialog")
    assert page.find("button", id="more-time")
    assert page.find("div", id="transcript", role="log", **{"aria-live": "polite"})
    scripts = [a["src"] for a in page.find("script")]
    assert "/static/chat.js" in scripts and "/static/kiosk.js" in scripts
    assert scripts.index("/static/chat.js") < scripts.index("/static/kiosk.js")
    config = page_config(response)
    assert config["mode"] == "kiosk"
    assert config["idleSeconds"] == 120 and config["warningSeconds"] == 30


def test_the_always_there_controls(client):
    for path in ("/", "/kiosk"):
        page = parse(client.get(path))
        commands = {a["data-command"] for a in page.find("button") if "data-command" in a}
        assert commands == {"/repeat", "/go_back", "/stop"}, path
        assert page.find("button", id="reading-level")
        assert page.find("button", id="high-contrast", **{"aria-pressed": "false"})
        assert len([a for a in page.find("button") if "data-text-size" in a]) == 3
        assert page.find("meta", name="csrf-token")


def test_the_commands_are_ones_the_bot_takes():
    from bot.payloads import clean_message

    for command in ("/repeat", "/go_back", "/stop", "/easier", "/plainer", "/greet"):
        assert clean_message(command) == command


def test_kiosk_timings_are_configurable_and_the_warning_lasts_20_seconds_at_least(monkeypatch):
    monkeypatch.setenv("STEER_KIOSK_IDLE_SECONDS", "45")
    monkeypatch.setenv("STEER_KIOSK_WARNING_SECONDS", "5")
    config = page_config(make_app().test_client().get("/kiosk"))
    assert config["idleSeconds"] == 45 and config["warningSeconds"] == 20
    with pytest.raises(ValueError, match="STEER_KIOSK_IDLE_SECONDS"):
        make_app(KIOSK_IDLE_SECONDS="soon")


def test_kiosk_only_makes_the_kiosk_the_only_page(monkeypatch):
    monkeypatch.setenv("STEER_KIOSK_ONLY", "1")
    client = make_app().test_client()
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk")
    assert client.get("/kiosk").status_code == 200
    monkeypatch.setenv("STEER_KIOSK_ONLY", "0")
    assert make_app().test_client().get("/").status_code == 200


def test_the_summary_page_may_be_framed_by_steer_only():
    from bot.web.security import SUMMARY_CONTENT_SECURITY_POLICY

    assert "frame-ancestors 'self'" in SUMMARY_CONTENT_SECURITY_POLICY
    assert SUMMARY_CONTENT_SECURITY_POLICY.replace("'self'", "'none'").endswith(
        CONTENT_SECURITY_POLICY.split("; ")[-1])


def test_every_picture_is_served_with_alt_text(client):
    from xml.etree import ElementTree

    from bank import default_bank

    config = page_config(client.get("/"))
    for area in default_bank().areas:
        assert area.id in config["symbols"], area.id
    for name, symbol in config["symbols"].items():
        assert symbol["alt"].strip(), name
        response = client.get(symbol["src"])
        assert response.status_code == 200, name
        root = ElementTree.fromstring(response.data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 64 64", name
        assert root.find("{http://www.w3.org/2000/svg}title").text.strip(), name
        for element in root.iter():
            assert element.tag.split("}")[-1] not in ("script", "foreignObject", "image", "use", "a"), name
            for attribute, value in element.attrib.items():
                assert not attribute.split("}")[-1].startswith("on"), (name, attribute)
                assert "href" not in attribute and "url(" not in value, (name, attribute)


def test_the_summary_uses_the_same_area_pictures():
    from bank import default_bank
    from summary.symbols import symbol_file

    for area in default_bank().areas:
        assert symbol_file(area.id) == STATIC / "symbols" / f"{area.id}.svg"
