"""The front door's replies about saved answers: one reply for an unknown code, a wrong PIN and a
resting code; a kind 503 with Retry-After when too many PIN checks run at once. The real Flask
app and a real store (quick argon2); no Rasa is needed for DELETE /api/saved/<code>."""

from __future__ import annotations

import pytest

from bot.web import services, wording
from store import SavedStore
from store.work import WorkLimit
from tests.store.test_store_saved import PIN, QUICK, STATE, Clock
from tests.web_helpers import make_app


@pytest.fixture()
def work():
    return WorkLimit(at_once=1, wait_seconds=0.05)


@pytest.fixture()
def store(tmp_path, work):
    made = SavedStore(tmp_path / "saved.db", tmp_path / "secret.key", clock=Clock(), hasher=QUICK, work=work)
    yield made
    made.close()


@pytest.fixture()
def app(store):  # the client is conftest.py's, of this app
    made = make_app(WEB_SECRET="test secret")
    services.of(made).saved = store
    return made


def delete(client, code, pin):
    return client.delete(f"/api/saved/{code}", json={"pin": pin})


def shown(response):
    return response.status_code, response.get_data(), tuple(sorted(response.headers.items()))


def test_unknown_code_wrong_pin_and_resting_code_get_one_reply(client, store):
    code, resting = store.save(STATE, PIN), store.save(STATE, PIN)
    for _ in range(5):
        delete(client, resting, "9047")
    unknown = "ACDE-FGHJ" if "ACDE-FGHJ" not in (code, resting) else "ACDE-FGHK"
    replies = {
        "unknown code": shown(delete(client, unknown, PIN)),
        "wrong PIN": shown(delete(client, code, "9047")),
        "resting, right PIN": shown(delete(client, resting, PIN)),
        "resting, wrong PIN": shown(delete(client, resting, "9047")),
    }
    assert len(set(replies.values())) == 1, replies
    status, body, _ = replies["unknown code"]
    assert status == 403
    assert body.decode() == f'{{"error":"{wording.CODE_OR_PIN_WRONG}"}}\n'
    assert "Retry-After" not in dict(_)  # a Retry-After would tell the resting code apart


def test_too_many_pin_checks_at_once_get_a_kind_503_with_retry_after(client, store, work):
    code = store.save(STATE, PIN)
    with work.slot():  # another PIN check is running
        busy = delete(client, code, PIN)
    assert busy.status_code == 503
    assert busy.get_json() == {"error": wording.SAVED_BUSY}
    assert busy.headers["Retry-After"] == "1"
    assert delete(client, code, PIN).get_json() == {"deleted": True}  # after the moment, it works
