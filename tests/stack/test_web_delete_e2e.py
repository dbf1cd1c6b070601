"""Clearing a conversation and refusing forged requests, against the real Rasa, actions and front door.

Rasa reads a conversation's events from the tracker store on every turn and keeps no copy between
turns, so once the rows are deleted the conversation is gone. Its id stays deleted: a later turn to it
is refused with a kind message, and a new id starts from the greeting (tests/stack/test_delete_sticks.py
has the turns in flight).
"""

import sqlite3

import pytest
import requests

from bank import default_bank
from bot.web import wording
from tests.conftest import Chat

pytestmark = pytest.mark.stack
BANK = default_bank()


def rows(stack, sender_id):
    with sqlite3.connect(stack.settings.var_dir / "trackers.db") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]


def test_a_deleted_conversation_is_gone_and_stays_gone(stack, chat):
    chat.start()
    chat.send("2")
    chat.send("3")
    assert len(chat.assessment()["answers"]) == 2
    assert rows(stack, chat.sender_id) > 0
    url = f"{chat.base_url}/api/assessments/{chat.sender_id}"
    response = requests.delete(url, headers={**chat.browser_headers, **chat.auth}, timeout=30)
    assert response.status_code == 200 and response.json() == {"deleted": True}
    assert rows(stack, chat.sender_id) == 0
    assert requests.get(url, headers=chat.auth, timeout=30).status_code == 404
    assert requests.get(url + "/summary", headers=chat.auth, timeout=30).status_code == 404
    assert rows(stack, chat.sender_id) == 0
    # The same id again: refused kindly, and nothing is written.
    again = requests.post(f"{chat.base_url}/api/chat", json={"sender_id": chat.sender_id, "message": "/greet"},
                          headers={**chat.browser_headers, **chat.auth}, timeout=30)
    assert again.status_code == 410 and again.json()["messages"] == [{"text": wording.CONVERSATION_CLEARED}]
    assert rows(stack, chat.sender_id) == 0 and requests.get(url, headers=chat.auth, timeout=30).status_code == 404
    # A new id: a new conversation from the start, with nothing of the old one.
    fresh = Chat(stack.settings.web_url)
    first = fresh.start()
    assert first["id"] == BANK.questions[0].id and first["progress"]["done"] == 0
    assert fresh.assessment()["answers"] == {}


def test_deleting_one_conversation_leaves_the_others(stack):
    mine, theirs = Chat(stack.settings.web_url), Chat(stack.settings.web_url)
    mine.start()
    theirs.start()
    theirs.send("1")
    requests.delete(f"{mine.base_url}/api/assessments/{mine.sender_id}", headers=mine.auth,
                    timeout=30).raise_for_status()
    assert theirs.assessment()["answers"] == {BANK.questions[0].id: BANK.questions[0].options[0].value}


def test_forged_requests_reach_nothing(stack, chat):
    chat.start()
    chat.send("2")
    before = rows(stack, chat.sender_id)
    base = chat.base_url
    forged_chat = requests.post(f"{base}/api/chat", json={"sender_id": chat.sender_id, "message": "3"},
                                headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", **chat.auth,
                                         "X-CSRF-Token": chat.browser_headers["X-CSRF-Token"]}, timeout=30)
    assert forged_chat.status_code == 403 and forged_chat.headers["X-Steer-Refused"] == "csrf"
    forged_delete = requests.delete(f"{base}/api/assessments/{chat.sender_id}",
                                    headers={"Origin": base, **chat.auth}, timeout=30)  # without the page's token
    assert forged_delete.status_code == 403
    assert rows(stack, chat.sender_id) == before
    assert len(chat.assessment()["answers"]) == 1
