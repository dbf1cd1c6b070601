"""On the real stack: "delete my answers" deletes every copy saved from the conversation, and the
front door forgetting a conversation keeps its saved copies (save at the kiosk, resume at home)."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
import requests

from tests.conftest import Chat

pytestmark = pytest.mark.stack


def save(chat: Chat, pin: str) -> str:
    response = requests.post(f"{chat.base_url}/api/assessments/{chat.sender_id}/save", json={"pin": pin},
                             headers=chat.auth, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["code"]


def saved_codes(stack) -> set:
    with contextlib.closing(sqlite3.connect(stack.settings.var_dir / "saved.db")) as db:
        return {r[0] for r in db.execute("SELECT code FROM steer_saved_answers")}


def test_delete_my_answers_deletes_every_copy_but_forgetting_the_conversation_keeps_them(stack, chat):
    chat.start()
    chat.send("1")
    first = save(chat, "5291")
    chat.send("2")
    latest = save(chat, "80426")
    someone_else = Chat(stack.settings.web_url)
    someone_else.start()
    theirs = save(someone_else, "3817")

    forgotten = requests.delete(f"{chat.base_url}/api/assessments/{chat.sender_id}", headers=chat.auth, timeout=30)
    assert forgotten.status_code == 200, forgotten.text
    assert {first, latest, theirs} <= saved_codes(stack)  # the kiosk forgot the talk; the saved copies stay

    gone = requests.delete(f"{chat.base_url}/api/saved/{latest}", json={"pin": "80426"}, timeout=30)
    assert gone.status_code == 200 and gone.json() == {"deleted": True}
    left = saved_codes(stack)
    assert first not in left and latest not in left  # the earlier copy went with it
    assert theirs in left
    again = requests.delete(f"{chat.base_url}/api/saved/{first}", json={"pin": "5291"}, timeout=30)
    assert again.status_code == 403
