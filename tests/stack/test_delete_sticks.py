"""Deletion that sticks: no turn in flight (chat, voice, save, resume) can bring a deleted conversation back.

First the tombstone tracker store itself, on a real SQLite file with Rasa's own SQLTrackerStore code
(and the same trap shown on Rasa's plain store). Then the real stack: a turn is slowed for real by
stopping the action server's (or Rasa's) process group with SIGSTOP, the conversation is deleted
while the turn waits inside Rasa, and SIGCONT lets it finish. Afterwards the database has no row for
the conversation, GET gives 404, and a new turn to the id (through the front door or straight to
Rasa) does not bring it back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import deletions
from bot.tracker_store import SteerTrackerStore
from bot.web import create_app, wording
from tests.conftest import Chat
from tests.voice.test_voice_audio import espeak_wav

DOMAIN = Domain.from_dict({"slots": {"washing_dressing": {"type": "any", "mappings": [{"type": "custom"}]}}})
PIN = "4829"


def a_turn(sender_id: str, answers: int = 1) -> DialogueStateTracker:
    """A conversation as Rasa holds it mid-turn: every event of the session, in memory."""
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for n in range(answers):
        events += [UserUttered(f"made-up answer {n}"), SlotSet("washing_dressing", f"value-{n}"),
                   ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events(sender_id, events, slots=DOMAIN.slots)


def rows_in(path, sender_id: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]


@pytest.fixture()
def db_path(tmp_path):
    return tmp_path / "trackers.db"


@pytest.fixture()
def store(db_path):
    made = SteerTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db_path))
    yield made
    made.engine.dispose()


# --- The tracker store on its own -------------------------------------------------------------


def test_rasas_plain_store_writes_a_deleted_conversation_back(db_path):
    """The trap this all exists for: Rasa's save appends what is beyond the stored count, so after
    the rows go, a turn in flight writes the whole session back."""
    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db_path))
    in_flight = a_turn("plain-1", answers=2)
    asyncio.run(plain.save(in_flight))
    stored = rows_in(db_path, "plain-1")
    with contextlib.closing(sqlite3.connect(db_path)) as db, db:
        db.execute("DELETE FROM events WHERE sender_id = 'plain-1'")
    asyncio.run(plain.save(in_flight))
    assert rows_in(db_path, "plain-1") == stored > 0


def test_rasa_loads_it_from_endpoints_config_with_its_own_arguments(db_path):
    made = TrackerStore.create(EndpointConfig(type="bot.tracker_store.SteerTrackerStore", dialect="sqlite",
                                              db=str(db_path)), domain=DOMAIN)
    assert isinstance(made, SteerTrackerStore)  # not Rasa's silent in-memory fallback
    names = set(sa.inspect(made.engine).get_table_names())
    assert {"events", deletions.DELETED.name, deletions.GUARD.name} <= names


def test_a_turn_in_flight_cannot_write_a_forgotten_conversation_back(store, db_path):
    in_flight = a_turn("kiosk-1", answers=2)
    asyncio.run(store.save(in_flight))
    asyncio.run(store.save(a_turn("someone-else")))
    stored = rows_in(db_path, "kiosk-1")
    assert stored > 0
    assert store.forget("kiosk-1") == stored
    # The turn that was running when the delete came: it saves the same tracker, and more.
    in_flight.update(UserUttered("one more made-up answer"))
    asyncio.run(store.save(in_flight))
    # A turn queued behind the delete: Rasa finds nothing, makes a new tracker and saves it.
    assert asyncio.run(store.retrieve("kiosk-1")) is None
    asyncio.run(store.get_or_create_tracker("kiosk-1"))
    asyncio.run(store.save(a_turn("kiosk-1")))
    assert rows_in(db_path, "kiosk-1") == 0
    assert asyncio.run(store.retrieve("kiosk-1")) is None
    assert rows_in(db_path, "someone-else") > 0  # others are untouched and still saved
    asyncio.run(store.save(a_turn("someone-else", answers=3)))
    assert asyncio.run(store.retrieve("someone-else")).get_slot("washing_dressing") == "value-2"


def test_only_a_hash_of_the_id_is_kept(store, db_path):
    asyncio.run(store.save(a_turn("kiosk-secret-id")))
    store.forget("kiosk-secret-id")
    store.forget("kiosk-secret-id")  # twice is fine
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        kept = db.execute(f"SELECT id_hash FROM {deletions.DELETED.name}").fetchall()
        dump = "\n".join(db.iterdump())
    assert kept == [(deletions.id_hash("kiosk-secret-id"),)]
    assert "kiosk-secret-id" not in dump


def test_a_save_already_writing_finishes_first_and_the_delete_removes_it(store, db_path):
    """The guard: a save that holds it (mid-transaction) makes the delete wait, then the delete sees its rows."""
    asyncio.run(store.save(a_turn("kiosk-2")))
    events = store.SQLEvent.__table__
    with store.engine.connect() as writer:
        transaction = writer.begin()
        deletions.guard(writer, deletions.id_hash("kiosk-2"))  # what save() does first
        writer.execute(sa.insert(events).values(sender_id="kiosk-2", type_name="user", timestamp=time.time(),
                                                data="{}"))
        with ThreadPoolExecutor(1) as pool:
            deleting = pool.submit(store.forget, "kiosk-2")
            time.sleep(0.5)
            assert not deleting.done()  # waits for the save's commit
            transaction.commit()
            deleted = deleting.result(timeout=10)
    assert deleted == rows_in(db_path, "kiosk-2") + deleted > 0
    assert rows_in(db_path, "kiosk-2") == 0


def test_saves_racing_a_delete_leave_nothing(store, db_path):
    """Saves keep coming before, during and after the delete (as Rasa's would, from several turns)."""
    asyncio.run(store.save(a_turn("kiosk-3")))
    start = threading.Barrier(5)

    def save(n: int) -> None:
        start.wait()
        for more in range(12):
            asyncio.run(store.save(a_turn("kiosk-3", answers=n + more + 2)))

    def forget() -> None:
        start.wait()
        time.sleep(0.02)  # a few saves land first
        store.forget("kiosk-3")

    with ThreadPoolExecutor(5) as pool:
        done = [pool.submit(save, n) for n in range(4)] + [pool.submit(forget)]
        for future in done:
            future.result(timeout=60)
    assert rows_in(db_path, "kiosk-3") == 0


# --- The real stack: a turn slowed for real, then the delete ----------------------------------


@contextlib.contextmanager
def stopped(stack, part: str):
    """Stop one part's process group (SIGSTOP) and always let it go on again (SIGCONT)."""
    group = os.getpgid(stack.children[part].pid)
    os.killpg(group, signal.SIGSTOP)
    try:
        yield lambda: os.killpg(group, signal.SIGCONT)
    finally:
        os.killpg(group, signal.SIGCONT)


def tracker_rows(stack, sender_id: str) -> int:
    return rows_in(stack.settings.var_dir / "trackers.db", sender_id)


def rasa_url(stack) -> str:
    return f"http://127.0.0.1:{stack.settings.rasa_port}"


def delete(chat: Chat) -> requests.Response:
    return requests.delete(f"{chat.base_url}/api/assessments/{chat.sender_id}",
                           headers={**chat.browser_headers, **chat.auth}, timeout=60)


def post_chat(chat: Chat, message: str) -> requests.Response:
    return requests.post(f"{chat.base_url}/api/chat", json={"sender_id": chat.sender_id, "message": message},
                         headers={**chat.browser_headers, **chat.auth}, timeout=60)


def assert_gone_for_good(stack, chat: Chat) -> None:
    """No row, GET says 404, and neither the front door nor Rasa itself brings it back."""
    assert tracker_rows(stack, chat.sender_id) == 0
    assert requests.get(f"{chat.base_url}/api/assessments/{chat.sender_id}", headers=chat.auth,
                        timeout=30).status_code == 404
    for part in ("rasa", "web", "actions"):  # the id is personal: no log names it, even on the way out
        assert chat.sender_id not in (stack.settings.var_dir / "logs" / f"{part}.log").read_text(errors="replace")
    again = post_chat(chat, "2")
    assert again.status_code == 410 and again.json()["messages"] == [{"text": wording.CONVERSATION_CLEARED}]
    # Past the front door, straight to Rasa: a turn, and a GET of the tracker (which saves a new one).
    token = {"token": stack.settings.token}
    turn = requests.post(f"{rasa_url(stack)}/webhooks/steer/webhook", json={"sender": chat.sender_id,
                                                                             "message": "/greet"},
                         headers={"Authorization": f"Bearer {stack.settings.token}"}, timeout=60)
    assert turn.status_code == 200
    assert requests.get(f"{rasa_url(stack)}/conversations/{chat.sender_id}/tracker", params=token,
                        timeout=30).status_code == 200
    assert tracker_rows(stack, chat.sender_id) == 0
    assert requests.get(f"{chat.base_url}/api/assessments/{chat.sender_id}", headers=chat.auth,
                        timeout=30).status_code == 404
    for part in ("rasa", "web", "actions"):  # the id is personal: no log names it, even on the way out
        assert chat.sender_id not in (stack.settings.var_dir / "logs" / f"{part}.log").read_text(errors="replace")


def in_flight(future, seconds: float = 1.5) -> None:
    """Give the request time to reach the stopped part, and check it is stuck there."""
    time.sleep(seconds)
    assert not future.done(), future.result()


@pytest.mark.stack
def test_rasa_runs_steers_store_and_channel(stack, chat):
    chat.start()
    with contextlib.closing(sqlite3.connect(stack.settings.var_dir / "trackers.db")) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert deletions.DELETED.name in tables and tracker_rows(stack, chat.sender_id) > 0
    url = f"{rasa_url(stack)}/webhooks/steer/conversations/{chat.sender_id}"
    assert requests.delete(url, timeout=30).status_code == 401  # Rasa's own token check
    assert requests.delete(url, params={"token": "not-the-token"}, timeout=30).status_code == 401
    assert tracker_rows(stack, chat.sender_id) > 0
    done = requests.delete(url, params={"token": stack.settings.token}, timeout=30)
    assert done.status_code == 200 and done.json()["deleted"] is True and done.json()["turn_still_running"] is False
    assert_gone_for_good(stack, chat)


@pytest.mark.stack
@pytest.mark.parametrize("go_on", ["while the delete waits", "after the delete"])
def test_a_chat_turn_in_flight_cannot_bring_it_back(stack, chat, go_on):
    chat.start()
    chat.send("2")
    with ThreadPoolExecutor(2) as pool, stopped(stack, "actions") as go_on_now:  # SIGCONT before the pool waits
        turn = pool.submit(post_chat, chat, "3")  # waits inside Rasa for the action server, holding the lock
        in_flight(turn)
        deleting = pool.submit(delete, chat)
        if go_on == "while the delete waits":
            in_flight(deleting, 1.0)  # it waits for Rasa's lock: the turn holds it
            assert tracker_rows(stack, chat.sender_id) == 0  # ... yet the rows went at once
            go_on_now()
        answer = deleting.result(timeout=60)
        assert answer.status_code == 200 and answer.json() == {"deleted": True}
        assert tracker_rows(stack, chat.sender_id) == 0
        go_on_now()
        assert turn.result(timeout=60).status_code == 200  # the turn ends as usual; its save wrote nothing
    assert_gone_for_good(stack, chat)


@pytest.mark.stack
def test_a_voice_turn_in_flight_cannot_bring_it_back(stack, chat):
    chat.start()
    speech = espeak_wav("repeat")

    def say() -> requests.Response:
        return requests.post(f"{chat.base_url}/api/voice/turn", params={"sender_id": chat.sender_id}, data=speech,
                             headers={**chat.browser_headers, **chat.auth, "Content-Type": "audio/wav"}, timeout=60)

    with ThreadPoolExecutor(1) as pool, stopped(stack, "actions") as go_on:
        turn = pool.submit(say)
        in_flight(turn, 3.0)
        assert delete(chat).json() == {"deleted": True}
        go_on()
        assert turn.result(timeout=60).status_code == 200
    assert_gone_for_good(stack, chat)
    refused = requests.post(f"{chat.base_url}/api/voice/turn", params={"sender_id": chat.sender_id}, data=speech,
                            headers={**chat.browser_headers, **chat.auth, "Content-Type": "audio/wav"}, timeout=60)
    assert refused.status_code == 410 and refused.json()["messages"] == [{"text": wording.CONVERSATION_CLEARED}]
    assert tracker_rows(stack, chat.sender_id) == 0


def save(chat: Chat, **more) -> requests.Response:
    return requests.post(f"{chat.base_url}/api/assessments/{chat.sender_id}/save", json={"pin": PIN, **more},
                         headers={**chat.browser_headers, **chat.auth}, timeout=60)


@pytest.mark.stack
def test_a_resume_in_flight_cannot_bring_it_back(stack, chat):
    chat.start()
    chat.send("2")
    code = save(chat).json()["code"]
    kiosk = Chat(stack.settings.web_url)  # the next visit, on the kiosk
    kiosk.begin()

    def resume() -> requests.Response:
        return requests.post(f"{kiosk.base_url}/api/resume", json={"code": code, "pin": PIN,
                                                                   "sender_id": kiosk.sender_id},
                             headers={**kiosk.browser_headers, **kiosk.auth}, timeout=60)

    with ThreadPoolExecutor(1) as pool, stopped(stack, "actions") as go_on:
        resuming = pool.submit(resume)
        in_flight(resuming)
        assert delete(kiosk).json() == {"deleted": True}
        go_on()
        resuming.result(timeout=60)
    assert_gone_for_good(stack, kiosk)
    assert resume().status_code == 410  # into the deleted id: refused, nothing written
    assert tracker_rows(stack, kiosk.sender_id) == 0


@pytest.mark.stack
def test_a_save_in_flight_cannot_bring_back_deleted_saved_answers(stack, chat):
    """"Delete my answers" while the same code is being saved again (Rasa stopped, so the save waits)."""
    chat.start()
    chat.send("2")
    code = save(chat).json()["code"]
    with ThreadPoolExecutor(1) as pool, stopped(stack, "rasa") as go_on:
        saving = pool.submit(save, chat, code=code)  # waits for Rasa's tracker
        in_flight(saving)
        gone = requests.delete(f"{chat.base_url}/api/saved/{code}", json={"pin": PIN},
                               headers={**chat.browser_headers, **chat.auth},
                               timeout=30)
        assert gone.status_code == 200 and gone.json() == {"deleted": True}
        go_on()
        assert saving.result(timeout=60).status_code == 403  # the code is gone: the save wrote nothing
    with contextlib.closing(sqlite3.connect(stack.settings.var_dir / "saved.db")) as db:
        assert db.execute("SELECT COUNT(*) FROM steer_saved_answers WHERE code = ?", (code,)).fetchone()[0] == 0
    elsewhere = Chat(stack.settings.web_url)
    elsewhere.begin()
    back = requests.post(f"{chat.base_url}/api/resume", json={"code": code, "pin": PIN,
                                                              "sender_id": elsewhere.sender_id},
                         headers={**elsewhere.browser_headers, **elsewhere.auth}, timeout=30)
    assert back.status_code == 403


@pytest.mark.stack
def test_with_rasa_unreachable_the_front_door_deletes_and_it_still_sticks(stack, chat):
    """The fallback: the front door writes the same tombstone straight into the database."""
    chat.start()
    chat.send("2")
    app = create_app({"TESTING": True, "RASA_URL": "http://127.0.0.1:9", "ACTIONS_URL": "http://127.0.0.1:9",
                      "TRACKER_DB": str(stack.settings.var_dir / "trackers.db"),
                      "CONVERSATION_KEY_FILE": str(stack.settings.var_dir / "conversation.key")})
    answer = app.test_client().delete(f"/api/assessments/{chat.sender_id}")
    assert answer.status_code == 200 and answer.get_json() == {"deleted": True}
    assert_gone_for_good(stack, chat)
