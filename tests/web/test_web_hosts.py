"""Only loopback host names (and STEER_ALLOWED_HOSTS): a rebound name reaches nothing (bot/web/security.py).

DNS rebinding: a page on evil.example has its name pointed at 127.0.0.1 after loading, so the
browser treats the front door as that site's own and would send the page's token too. No Rasa
here: a request that got past the check would answer 503 (Rasa is unreachable), not 400.
"""

import pytest

from bot.web import csrf, wording
from tests.web_helpers import make_app


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "127.0.0.1", "localhost"])
def test_loopback_names_are_answered(host):
    response = make_app().test_client().get("/api/csrf-token", headers={"Host": host})
    assert response.status_code == 200 and response.get_json()["token"]


@pytest.mark.parametrize("path", ["/api/csrf-token", "/api/assessments/someone", "/api/nothing-here"])
def test_another_name_gets_a_kind_400_on_the_api(path):
    response = make_app().test_client().get(path, headers={"Host": "evil.example:8000"})
    assert response.status_code == 400
    assert response.get_json() == {"error": wording.UNKNOWN_HOST}


@pytest.mark.parametrize("path", ["/", "/kiosk", "/healthz", "/static/chat.js"])
def test_another_name_gets_a_kind_page_not_a_traceback(path):
    response = make_app().test_client().get(path, headers={"Host": "evil.example:8000"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert wording.UNKNOWN_HOST in response.get_data(as_text=True)


def test_a_rebound_page_cannot_chat_even_with_its_token():
    app = make_app()
    with app.test_request_context():
        token = csrf.new_token()
    response = app.test_client().post(
        "/api/chat", json={"sender_id": "someone", "message": "hello"},
        headers={"Host": "evil.example:8000", "Origin": "http://evil.example:8000",
                 "Sec-Fetch-Site": "same-origin", csrf.HEADER: token})
    assert response.status_code == 400 and response.get_json() == {"error": wording.UNKNOWN_HOST}
    # The same request by Steer's own name gets past the check (and finds Rasa down).
    response = app.test_client().post(
        "/api/chat", json={"sender_id": "someone", "message": "hello"},
        headers={"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000",
                 "Sec-Fetch-Site": "same-origin", csrf.HEADER: token})
    assert response.status_code == 503


def test_allowed_hosts_add_names_and_subdomains(monkeypatch):
    monkeypatch.setenv("STEER_ALLOWED_HOSTS", "steer.example.org, .council.example")
    client = make_app().test_client()
    for host in ("steer.example.org", "kiosk.council.example:443", "council.example", "127.0.0.1:8000"):
        assert client.get("/api/csrf-token", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "steer.example.org.evil.example", "notcouncil.example"):
        assert client.get("/api/csrf-token", headers={"Host": host}).status_code == 400, host
