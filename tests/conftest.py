"""Shared fixtures. `stack` starts the real action server, Rasa and front door once per run; `app`, `client`
and `fake_rasa` are the front door in-process and a stand-in for Rasa (tests/web_helpers.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests
from flask.testing import FlaskClient

from bot.stack import Settings, Stack
from tests.web_helpers import FakeRasa, make_app
from tests.web_helpers import free_port as free_port


@pytest.fixture
def app():
    """The front door with nothing behind it (a test file overrides this for other settings: make_app)."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def rasa_server():
    server = FakeRasa().start()
    yield server
    server.close()


@pytest.fixture
def fake_rasa(rasa_server) -> FakeRasa:
    """The stand-in for Rasa, as new: what it answers set back, and nothing received."""
    rasa_server.reset()
    return rasa_server


def pytest_configure(config) -> None:
    # Registered here, not in pyproject.toml: the Makefile's install stamp, and so the trained model, depend on it.
    config.addinivalue_line("markers", "slow: needs no trained model and no stack, but is too slow for `make unit`")


def pytest_collection_modifyitems(items) -> None:
    """A test that uses the stack (the only thing that loads models/steer.tar.gz) is a `stack` test even
    unmarked, so `make unit` (-m "not stack and not slow") never needs the trained model."""
    for item in items:
        if "stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.stack)


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    settings = Settings(web_port=free_port(), rasa_port=free_port(), actions_port=free_port(),
                        var_dir=Path(tmp_path_factory.mktemp("steer-var")))
    running = Stack(settings)
    running.start()
    try:
        running.wait_ready(timeout=420)
        yield running
    finally:
        running.stop()


class Chat:
    """One conversation through the front door, as the web page has it.

    Like the page, it sends its Origin and the page's CSRF token (bot/web/csrf.py), so every
    end-to-end turn goes through the browser's side of the CSRF rule. Like the page, its first
    message starts a conversation, and the front door's reply gives its id and token
    (bot/web/conversations.py); every later call sends the token.
    """

    def __init__(self, base_url: str, sender_id: Optional[str] = None, token: Optional[str] = None) -> None:
        self.base_url = base_url
        self.sender_id = sender_id
        self.token = token
        self.last: List[Dict[str, Any]] = []
        self._csrf: Optional[str] = None

    @property
    def auth(self) -> Dict[str, str]:
        """The header that shows this client started the conversation."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def begin(self) -> str:
        """Start the conversation now if it has not started (the front door issues its id)."""
        if self.sender_id is None:
            self.send("/greet")
        return self.sender_id

    @property
    def browser_headers(self) -> Dict[str, str]:
        if self._csrf is None:
            self._csrf = requests.get(f"{self.base_url}/api/csrf-token", timeout=30).json()["token"]
        return {"Origin": self.base_url, "X-CSRF-Token": self._csrf}

    def send(self, message: str, question: Optional[str] = None) -> List[Dict[str, Any]]:
        """question: the ask key of the question on screen, as the page sends it with typed words."""
        body = {"message": message, **({"question": question} if question else {})}
        if self.sender_id is not None:
            body["sender_id"] = self.sender_id
        response = requests.post(f"{self.base_url}/api/chat", json=body,
                                 headers={**self.browser_headers, **self.auth}, timeout=30)
        assert response.status_code == 200, response.text
        reply = response.json()
        if self.sender_id is None:
            self.sender_id, self.token = reply["sender_id"], reply["token"]
        self.last = reply["messages"]
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.last)

    @property
    def question(self) -> Optional[Dict[str, Any]]:
        payloads = [m["custom"] for m in self.last if m.get("custom", {}).get("type") == "question"]
        return payloads[-1] if payloads else None

    @property
    def buttons(self) -> List[Dict[str, str]]:
        return [b for m in self.last for b in m.get("buttons") or []]

    def answer(self, value: str) -> List[Dict[str, Any]]:
        """Press the current question's option with this value (its own payload)."""
        option = next(o for o in self.question["options"] if o["value"] == value)
        return self.send(option["payload"])

    def press(self, title_part: str) -> List[Dict[str, Any]]:
        button = next(b for b in self.buttons if title_part.lower() in b["title"].lower())
        return self.send(button["payload"])

    def assessment(self) -> Dict[str, Any]:
        response = requests.get(f"{self.base_url}/api/assessments/{self.sender_id}", headers=self.auth, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def start(self, for_whom: str = "self", level: str = "plain", name: str = "Sam", relationship: str = "son"):
        self.send("/greet")
        assert self.question["id"] == "answering_for", self.last
        self.send("/for_self" if for_whom == "self" else "/for_other")
        if for_whom == "other":
            assert self.question["id"] == "person_name"
            self.send(name)
            assert self.question["id"] == "relationship"
            self.send(relationship)
        assert self.question["id"] == "reading_level", self.last
        self.send("/choose_plain" if level == "plain" else "/choose_easy_read")
        return self.question


def answer_payload(value: str, q: str) -> str:
    """An answer button's payload, naming the question it answers (dialogue/binding.py)."""
    return "/answer" + json.dumps({"value": value, "q": q}, separators=(",", ":"))


def button(payload: str):
    """A button payload as Rasa parses it: "/intent{json}" -> Parse(intent, entities)."""
    from dialogue.understand import Parse

    intent, brace, rest = payload[1:].partition("{")
    return Parse(payload, intent, 1.0, json.loads(brace + rest) if brace else {})


@pytest.fixture()
def chat(stack) -> Chat:
    return Chat(stack.settings.web_url)


def owner_headers(app, sender_id: str) -> Dict[str, str]:
    """The header the device that started `sender_id` sends (its token, made with the app's key)."""
    from bot.web import services

    return {"Authorization": f"Bearer {services.of(app).conversations.token_for(sender_id)}"}


class OwnerClient(FlaskClient):
    """A Flask test client that is the device that started every conversation it names.

    For tests of other things than who may open a conversation (tests/web/test_conversation_access.py
    tests that): each request names its sender_id in the path, the query or the JSON body, and this
    client adds that conversation's token, as the page does. `Authorization` given by the test wins.
    """

    def open(self, *args, **kwargs):
        path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
        found = re.match(r"/api/assessments/([^/?]+)", path)
        sender_id = found.group(1) if found else None
        body = kwargs.get("json")
        if sender_id is None and isinstance(body, dict) and isinstance(body.get("sender_id"), str):
            sender_id = body["sender_id"]
        query = kwargs.get("query_string")
        if sender_id is None and isinstance(query, dict) and isinstance(query.get("sender_id"), str):
            sender_id = query["sender_id"]
        if sender_id is None and "sender_id=" in path:
            sender_id = path.split("sender_id=", 1)[1].split("&")[0]
        headers = dict(kwargs.pop("headers", None) or {})
        if sender_id and "Authorization" not in headers:
            headers.update(owner_headers(self.application, sender_id))
        return super().open(*args, headers=headers, **kwargs)


@pytest.fixture(autouse=True)
def _test_clients_own_their_conversations(monkeypatch):
    """Every Flask test client is an OwnerClient; access tests use FlaskClient(app) explicitly."""
    from flask import Flask

    monkeypatch.setattr(Flask, "test_client_class", OwnerClient)
