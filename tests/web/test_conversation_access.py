"""Only the device that started a conversation can open it (bot/web/conversations.py, access.py).

The front door issues every conversation's id and token; every call about a conversation needs
the token; a wrong one, a missing one, and an id the server never made all get the same 404.
These run on the real app with no Rasa behind it (a refused request never needs one); the
end-to-end half is in tests/test_conversation_access_e2e.py.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.web import wording
from bot.web.conversations import Conversations
from tests.web_helpers import make_app


@pytest.fixture()
def app(tmp_path):  # nothing listens behind it: a request that passes the check gets 502/503
    return make_app(CONVERSATION_KEY_FILE=str(tmp_path / "conversation.key"), RASA_TIMEOUT=1)


@pytest.fixture()
def client(app) -> FlaskClient:
    return FlaskClient(app, app.response_class)  # a stranger's client: it holds no token


def start(client) -> dict:
    reply = client.post("/api/chat", json={"message": "hello"})
    body = reply.get_json()
    assert reply.status_code == 503 and body["messages"]  # Rasa is not there; the id and token still come
    return body


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# Every request about one conversation: (method, path, body, query).
def requests_about(sender_id: str):
    return [
        ("post", "/api/chat", {"sender_id": sender_id, "message": "hi"}, None),
        ("get", f"/api/assessments/{sender_id}", None, None),
        ("delete", f"/api/assessments/{sender_id}", None, None),
        ("get", f"/api/assessments/{sender_id}/summary", None, None),
        ("get", f"/api/assessments/{sender_id}/summary.pdf", None, None),
        ("get", f"/api/assessments/{sender_id}/export.json", None, None),
        ("get", f"/api/assessments/{sender_id}/fhir", None, None),
        ("post", f"/api/assessments/{sender_id}/save", {"pin": "4821"}, None),
        ("post", f"/api/assessments/{sender_id}/links", None, None),
        ("post", "/api/resume", {"code": "KX7M-4PQR", "pin": "4821", "sender_id": sender_id}, None),
        ("post", "/api/voice/reply", {"sender_id": sender_id, "messages": [{"text": "Hi"}]}, None),
        ("post", "/api/voice/turn", None, {"sender_id": sender_id}),
    ]


def call(client, method, path, body, query, headers=None):
    kwargs = {"headers": headers or {}}
    if body is not None:
        kwargs["json"] = body
    if query is not None:
        kwargs["query_string"] = query
        kwargs["data"] = b"RIFF"
        kwargs["content_type"] = "audio/wav"
    return getattr(client, method)(path, **kwargs)


def test_a_new_conversation_gets_a_server_made_id_and_a_token(client):
    first, second = start(client), start(client)
    assert re.fullmatch(r"[0-9a-f]{32}", first["sender_id"])  # 128 random bits
    assert first["sender_id"] != second["sender_id"] and first["token"] != second["token"]
    assert first["token"].startswith("v1.") and first["sender_id"] not in first["token"]


@pytest.mark.parametrize("case", ["no token", "wrong token", "another conversation's token", "not bearer"])
def test_without_its_own_token_every_request_about_a_conversation_is_404(client, case):
    mine, theirs = start(client), start(client)
    headers = {
        "no token": {},
        "wrong token": bearer("v1." + "A" * 43),
        "another conversation's token": bearer(theirs["token"]),
        "not bearer": {"Authorization": f"Basic {mine['token']}"},
    }[case]
    for method, path, body, query in requests_about(mine["sender_id"]):
        response = call(client, method, path, body, query, headers)
        assert response.status_code == 404, (method, path, response.get_data(as_text=True))
        said = response.get_json()
        assert said["error"] == wording.UNKNOWN_CONVERSATION and said["conversation"] == "unknown"


def test_ids_the_server_never_issued_are_404_even_with_a_token_made_up(client):
    for made_up in ("1", "test", "a" * 64, "kiosk-1"):
        for method, path, body, query in requests_about(made_up):
            response = call(client, method, path, body, query, bearer("v1." + "B" * 43))
            assert response.status_code == 404, (method, path)


def test_the_same_404_whatever_the_reason(client):
    """Nobody can tell an existing conversation from one that never was."""
    mine = start(client)
    existing = client.get(f"/api/assessments/{mine['sender_id']}")
    never = client.get("/api/assessments/" + "0" * 32)
    assert existing.status_code == never.status_code == 404
    assert existing.get_json() == never.get_json()


def test_with_its_token_a_request_reaches_the_conversation(client):
    mine = start(client)
    headers = bearer(mine["token"])
    for method, path, body, query in requests_about(mine["sender_id"]):
        response = call(client, method, path, body, query, headers)
        assert response.status_code != 404 or response.get_json().get("conversation") != "unknown", (method, path)
        assert response.status_code < 500 or response.status_code in (502, 503), (method, path)


def test_a_token_works_across_front_door_processes_and_restarts(tmp_path):
    """The token is checked, not stored: another app with the same key file takes it."""
    key = str(tmp_path / "shared.key")
    one = make_app(CONVERSATION_KEY_FILE=key, RASA_TIMEOUT=1)
    two = make_app(CONVERSATION_KEY_FILE=key, RASA_TIMEOUT=1)
    issued = start(FlaskClient(one, one.response_class))
    other = FlaskClient(two, two.response_class)
    links = other.post(f"/api/assessments/{issued['sender_id']}/links", headers=bearer(issued["token"]))
    assert links.status_code == 200
    stranger = make_app(CONVERSATION_KEY_FILE=str(tmp_path / "x.key"))
    refused = FlaskClient(stranger, stranger.response_class).post(
        f"/api/assessments/{issued['sender_id']}/links", headers=bearer(issued["token"]))
    assert refused.status_code == 404
    assert (tmp_path / "shared.key").stat().st_mode & 0o777 == 0o600


def test_document_links_hold_no_id_and_open_only_their_own_conversation(client):
    mine = start(client)
    links = client.post(f"/api/assessments/{mine['sender_id']}/links", headers=bearer(mine["token"])).get_json()
    assert set(links) >= {"html", "pdf", "json", "fhir", "print", "expires_in"} and links["expires_in"] == 600
    for name in ("html", "pdf", "json", "fhir", "print"):
        assert mine["sender_id"] not in links[name] and links[name].startswith("/api/documents/")
        # The ticket opens the conversation (which Rasa, absent here, would then be asked for).
        assert client.get(links[name]).status_code in (502, 503)
    ticket = links["html"].split("/")[3]
    for forged in (ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB"), "x" * 60, ticket[:30]):
        refused = client.get(f"/api/documents/{forged}/summary")
        assert refused.status_code == 404 and refused.get_json()["error"] == wording.LINK_RUN_OUT


def test_a_document_link_runs_out():
    now = [1_000_000.0]
    conversations = Conversations(b"k" * 32, link_seconds=600, clock=lambda: now[0])
    ticket = conversations.ticket("abc123")
    assert conversations.open_ticket(ticket) == "abc123"
    now[0] += 599
    assert conversations.open_ticket(ticket) == "abc123"
    now[0] += 2
    assert conversations.open_ticket(ticket) is None
    other = Conversations(b"j" * 32, clock=lambda: now[0] - 10)
    assert other.open_ticket(ticket) is None  # another key: not ours


@settings(max_examples=300, deadline=None)
@given(sender_id=st.text(min_size=1, max_size=64), authorization=st.one_of(st.none(), st.text(max_size=120)))
def test_only_the_token_made_for_an_id_opens_it(sender_id, authorization):
    conversations = Conversations(b"s" * 32)
    token = conversations.token_for(sender_id)
    assert conversations.allows(sender_id, f"Bearer {token}")
    expected = authorization is not None and re.fullmatch(r"(?i:bearer)\s+" + re.escape(token), authorization.strip())
    assert conversations.allows(sender_id, authorization) == bool(expected)


@settings(max_examples=200, deadline=None)
@given(ticket=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=220))
def test_no_made_up_ticket_opens_anything(ticket):
    assert Conversations(b"t" * 32).open_ticket(ticket) is None
