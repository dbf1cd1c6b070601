"""Cross-site request forgery protection, and deleting a conversation from the tracker store.

No Rasa here: an unreachable Rasa makes a request that gets past the CSRF rule answer 503, and
the tracker store is a small SQLite file with Rasa's `events` table.
"""

import sqlite3
import time

import pytest

from bot.web import csrf, wording
from tests.web_helpers import make_app


def make_events(path, rows):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                   "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                   "action_name VARCHAR(255), data TEXT)")
        db.executemany("INSERT INTO events (sender_id, type_name, data) VALUES (?, 'slot', '{}')", rows)


def count(path, sender_id):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "trackers.db"
    make_events(path, [("kiosk-1",), ("kiosk-1",), ("kiosk-1",), ("someone-else",)])
    return path


@pytest.fixture
def app(db):  # the client is conftest.py's, of this app
    return make_app(TRACKER_DB=str(db), WEB_SECRET="test secret", TRUSTED_ORIGINS="https://steer.example.org")


def token(client):
    return client.get("/api/csrf-token").get_json()["token"]


def chat(client, **headers):
    return client.post("/api/chat", json={"sender_id": "a1", "message": "hi"}, headers=headers)


def refused(response):
    return response.status_code == 403 and response.headers.get("X-Steer-Refused") == "csrf"


# --- The rule ----------------------------------------------------------------------------------


def test_a_script_that_is_not_a_browser_needs_no_token(client):
    assert chat(client).status_code == 503  # reached the view: Rasa is not running here


def test_the_page_itself_with_its_token_gets_through(client):
    page = client.get("/").get_data(as_text=True)
    meta = page.split('name="csrf-token" content="')[1].split('"')[0]
    assert chat(client, **{"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost",
                           "X-CSRF-Token": meta}).status_code == 503
    assert chat(client, Origin="http://localhost", **{"X-CSRF-Token": token(client)}).status_code == 503


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # another host of the same site (a subdomain)
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost.evil.example"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
])
def test_another_site_is_refused_even_with_a_token(client, headers):
    response = chat(client, **headers, **{"X-CSRF-Token": token(client)})
    assert refused(response)
    assert response.get_json()["error"] == wording.CSRF_OTHER_SITE


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://localhost"},
    {"Sec-Fetch-Site": "same-origin", "X-CSRF-Token": "nonsense"},
    {"Origin": "http://localhost", "X-CSRF-Token": ""},
])
def test_a_browser_needs_the_pages_token(client, headers):
    response = chat(client, **headers)
    assert refused(response)
    assert response.get_json()["error"] == wording.CSRF_TOKEN


def test_a_trusted_origin_behind_a_proxy_is_allowed(client):
    good = token(client)
    assert chat(client, Origin="https://steer.example.org", **{"X-CSRF-Token": good}).status_code == 503
    assert chat(client, **{"Sec-Fetch-Site": "cross-site", "Origin": "https://steer.example.org",
                           "X-CSRF-Token": good}).status_code == 503


def test_every_changing_method_is_protected_and_reading_is_not(client):
    for method in ("post", "put", "patch", "delete"):
        assert refused(getattr(client, method)("/api/assessments/kiosk-1", headers={"Origin": "https://evil.example"}))
    assert client.get("/api/csrf-token", headers={"Origin": "https://evil.example"}).status_code == 200
    # No CORS: another site's script may not read a token.
    assert "Access-Control-Allow-Origin" not in client.get("/api/csrf-token").headers


def test_tokens_are_signed_and_expire(app):
    with app.test_request_context():
        good = csrf.new_token()
        assert csrf.token_is_valid(good)
        issued, nonce, signature = good.split(".")
        assert not csrf.token_is_valid(f"{issued}.{nonce}x.{signature}")
        assert not csrf.token_is_valid(f"{int(issued, 16) + 1:x}.{nonce}.{signature}")
        assert not csrf.token_is_valid(good + ".")
        assert not csrf.token_is_valid("é.é.é")
        assert not csrf.token_is_valid(None)
        old = csrf.new_token(now=time.time() - app.config["CSRF_MAX_AGE"] - 10)
        assert not csrf.token_is_valid(old)
    other = make_app(WEB_SECRET="another secret")
    with other.test_request_context():
        assert not csrf.token_is_valid(good)


def test_without_a_configured_secret_each_start_signs_its_own(monkeypatch):
    monkeypatch.delenv("STEER_WEB_SECRET", raising=False)
    first, second = make_app(), make_app()
    with first.test_request_context():
        good = csrf.new_token()
    with second.test_request_context():
        assert not csrf.token_is_valid(good)


# --- DELETE /api/assessments/<sender_id> -------------------------------------------------------


def test_delete_removes_only_that_conversation(client, db):
    response = client.delete("/api/assessments/kiosk-1", headers={"Origin": "http://localhost",
                                                                  "X-CSRF-Token": token(client)})
    assert response.status_code == 200 and response.get_json() == {"deleted": True}
    assert count(db, "kiosk-1") == 0
    assert count(db, "someone-else") == 1
    # Gone: the front door says so without asking Rasa (which would make an empty one).
    gone = client.get("/api/assessments/kiosk-1")
    assert gone.status_code == 404 and gone.get_json()["error"] == wording.NO_ASSESSMENT
    assert client.get("/api/assessments/kiosk-1/summary").status_code == 404
    # Deleting again is fine: nothing is there.
    assert client.delete("/api/assessments/kiosk-1").status_code == 200


def test_a_forged_delete_deletes_nothing(client, db):
    assert refused(client.delete("/api/assessments/kiosk-1", headers={"Sec-Fetch-Site": "cross-site"}))
    assert refused(client.delete("/api/assessments/kiosk-1", headers={"Origin": "http://localhost"}))
    assert count(db, "kiosk-1") == 3


@pytest.mark.parametrize("sender_id", ["a%20b", "a" * 65, "caf%C3%A9", "%2E%2E"])
def test_delete_with_a_bad_sender_id_is_400(client, db, sender_id):
    response = client.delete(f"/api/assessments/{sender_id}")
    assert response.status_code in (400, 404) and response.get_json()["error"]
    assert count(db, "kiosk-1") == 3


def test_delete_without_a_tracker_store_says_so_kindly(monkeypatch):
    monkeypatch.delenv("STEER_TRACKER_DB", raising=False)
    monkeypatch.delenv("STEER_TRACKER_URL", raising=False)
    client = make_app().test_client()
    response = client.delete("/api/assessments/kiosk-1")
    assert response.status_code == 503 and response.get_json()["error"] == wording.CANNOT_DELETE


def test_delete_when_rasa_has_not_made_its_table_yet(tmp_path):
    client = make_app(TRACKER_DB=str(tmp_path / "empty.db")).test_client()
    assert client.delete("/api/assessments/kiosk-1").status_code == 200
    assert client.get("/api/assessments/kiosk-1").status_code == 404


def test_a_tracker_url_wins_over_the_sqlite_path(tmp_path, db):
    client = make_app(TRACKER_URL=f"sqlite:///{db}", TRACKER_DB=str(tmp_path / "other.db")).test_client()
    assert client.delete("/api/assessments/kiosk-1").status_code == 200
    assert count(db, "kiosk-1") == 0


def test_a_broken_tracker_store_gives_a_kind_503(tmp_path):
    broken = tmp_path / "not-a-database.db"
    broken.write_bytes(b"this is not SQLite" * 100)
    client = make_app(TRACKER_DB=str(broken)).test_client()
    response = client.delete("/api/assessments/kiosk-1")
    assert response.status_code == 503 and response.get_json()["error"] == wording.CANNOT_DELETE
