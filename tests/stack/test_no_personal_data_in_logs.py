"""Issue 12: nothing anyone said reaches a log, even when an action fails; Rasa only hears the front door,
and the action server only hears Rasa. On the real stack (action server, Rasa, front door).

The failure is forced with the action server's test-only fault (bot/action_server.py): a call whose
latest message holds FAULT_WORD fails outside Steer's `@guarded` actions, with an exception whose
message carries the text. It is armed here, at import, before the session's stack starts (pytest
collects every test file first), so the stack's action server inherits it; no other test sends the
word.
"""

from __future__ import annotations

import contextlib
import os
import random
import string
import time
import uuid
from pathlib import Path
from typing import Dict

import pytest
import requests

from bot.action_server import FAULT_ENV
from bot.stack import Settings, Stack
from tests.conftest import Chat

pytestmark = pytest.mark.stack


def _letters(n: int, rng=random.SystemRandom()) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(n))


FAULT_WORD = os.environ.setdefault(FAULT_ENV, "fault" + _letters(16))


def rasa_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.settings.rasa_port}"


def actions_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.settings.actions_port}"


def logs(stack: Stack) -> Dict[Path, str]:
    return {p: p.read_text(encoding="utf-8", errors="replace")
            for p in sorted((stack.settings.var_dir / "logs").rglob("*")) if p.is_file()}


def wait_for_line(stack: Stack, part: str, line: str, seconds: float = 10, times: int = 1) -> None:
    deadline = time.monotonic() + seconds
    while stack.log_path(part).read_text(errors="replace").count(line) < times:
        assert time.monotonic() < deadline, f"{part}.log never said {line!r} {times}x:\n{stack.log_tail(part, 30)}"
        time.sleep(0.1)


def test_a_failed_action_leaves_nothing_personal_in_any_log(stack, capfd):
    name = "Quil" + _letters(8)  # made up, letters only (Steer takes only letters in a name)
    chat = Chat(stack.settings.web_url)
    question = chat.start(for_whom="other", name=name)
    assert name in str(chat.last), chat.last  # the name is in the conversation (and in every tracker sent)
    # Made up, typed at a question. First a reply of the wrong shape (Rasa's own check quotes it),
    # then an exception outside Steer's actions (rasa-sdk's own reply would be the whole tracker).
    answers = [f"my {FAULT_WORD}shape needs {_letters(10)} at night", f"my {FAULT_WORD} needs {_letters(10)} daily"]
    failed = "Encountered an exception while running action"  # Rasa's line, with or without its traceback
    before = stack.log_path("rasa").read_text(errors="replace").count(failed)
    for n, answer in enumerate(answers, 1):
        with contextlib.suppress(AssertionError):  # the turn failed: the front door's kind error, not a 200
            chat.send(answer, question=question.get("ask"))
        wait_for_line(stack, "rasa", failed, times=before + n)
    wait_for_line(stack, "actions", "validate_saq_form")  # the action server's line about the exception

    console = capfd.readouterr()
    found = logs(stack)
    assert {"actions.log", "rasa.log", "web.log"} <= {p.name for p in found}, found.keys()
    secrets = {"name": name, "conversation id": chat.sender_id, "typed word": FAULT_WORD,
               **({"conversation token": chat.token} if getattr(chat, "token", None) else {}),
               **{f"answer {n}": a for n, a in enumerate(answers, 1)},
               **{f"answer {n}'s last words": a.split(" ", 3)[-1] for n, a in enumerate(answers, 1)}}
    for what, secret in secrets.items():
        for path, text in found.items():
            assert secret.casefold() not in text.casefold(), f"the {what} is in {path}"
        assert secret.casefold() not in (console.out + console.err).casefold(), f"the {what} is on the console"
    for path, text in found.items():  # nor the shape of a tracker, whatever it held
        assert "request_body" not in text and '"slots"' not in text and "latest_message" not in text, path
    # What the logs do say: which action failed and how.
    rasa = found[stack.log_path("rasa")]
    for kinds in ("(ValidationError)", "(RasaException <- ClientResponseError (HTTP 500))"):
        assert f"running action 'saq_form'.Bot will continue, but the actions events are lost. Please check the logs " \
               f"of your action server for more information. {kinds}" in rasa
    assert "Action validate_saq_form failed: RuntimeError at bot/action_server.py" in found[stack.log_path("actions")]


def test_rasa_takes_messages_only_through_steers_channel_with_its_secret(stack):
    sender = f"test-{uuid.uuid4().hex[:12]}"
    turn = {"sender": sender, "message": "/greet", "metadata": {"question": "answering_for"}}
    assert requests.post(f"{rasa_url(stack)}/webhooks/rest/webhook", json=turn, timeout=30).status_code == 404
    url = f"{rasa_url(stack)}/webhooks/steer/webhook"
    refused = [
        requests.post(url, json=turn, timeout=30),
        requests.post(url, json=turn, headers={"Authorization": "Bearer not-the-secret"}, timeout=30),
        requests.post(url, json=turn, headers={"Authorization": stack.settings.token}, timeout=30),  # no "Bearer"
        requests.post(url, json=turn, params={"token": "not-the-secret"}, timeout=30),
        requests.post(url, json=turn, headers={"Authorization": f"Bearer {stack.settings.actions_token}"},
                      timeout=30),  # the action server's secret is not Rasa's
    ]
    assert [r.status_code for r in refused] == [401] * len(refused)
    tracker = requests.get(f"{rasa_url(stack)}/conversations/{sender}/tracker",
                           params={"token": stack.settings.token}, timeout=30).json()
    assert not [e for e in tracker["events"] if e["event"] == "user"]  # nothing refused reached the conversation

    bad = requests.post(url, json={"sender": sender}, headers={"Authorization": f"Bearer {stack.settings.token}"},
                        timeout=30)
    assert bad.status_code == 400
    taken = requests.post(url, json=turn, headers={"Authorization": f"Bearer {stack.settings.token}"}, timeout=30)
    assert taken.status_code == 200, taken.text
    replies = taken.json()
    assert replies and all(r["recipient_id"] == sender for r in replies)  # Rasa's REST shape
    assert any(r.get("custom", {}).get("id") == "answering_for" for r in replies), replies
    tracker = requests.get(f"{rasa_url(stack)}/conversations/{sender}/tracker",
                           params={"token": stack.settings.token}, timeout=30).json()
    said = [e for e in tracker["events"] if e["event"] == "user"]
    assert said[-1]["input_channel"] == "steer" and said[-1]["metadata"]["question"] == "answering_for"


def test_the_action_server_takes_calls_only_from_rasa(stack):
    base = actions_url(stack)
    assert requests.get(f"{base}/health", timeout=10).status_code == 200  # open, for the supervisor
    marker = "Zyx" + _letters(12)
    call = {"next_action": "action_route", "version": "3.6.21",
            "tracker": {"slots": {"person_name": marker}, "latest_message": {"text": marker}}}  # no sender_id
    for headers in ({}, {"Authorization": "Bearer not-the-secret"},
                    {"Authorization": f"Bearer {stack.settings.token}"}):  # Rasa's own secret is not this one
        refused = requests.post(f"{base}/webhook", json=call, headers=headers, timeout=10)
        assert refused.status_code == 401 and marker not in refused.text
    assert requests.get(f"{base}/actions", timeout=10).status_code == 401

    secret = {"Authorization": f"Bearer {stack.settings.actions_token}"}
    assert requests.get(f"{base}/actions", headers=secret, timeout=10).status_code == 200
    # A tracker the SDK cannot read (no sender_id): rasa-sdk's own reply would echo all of it.
    failed = requests.post(f"{base}/webhook", json=call, headers=secret, timeout=10)
    assert failed.status_code == 500
    assert failed.json() == {"error": failed.json()["error"], "action_name": "action_route"}
    assert marker not in failed.text
    wait_for_line(stack, "actions", "Action action_route failed: KeyError at rasa_sdk/interfaces.py")
    unknown = requests.post(f"{base}/webhook", json={**call, "next_action": "action_nobody_has"}, headers=secret,
                            timeout=10)
    assert unknown.status_code == 404 and unknown.json()["action_name"] == "action_nobody_has"
    assert marker not in unknown.text
    assert marker not in stack.log_path("actions").read_text(errors="replace")


def test_each_start_makes_its_own_secrets_and_runs_steers_action_server(monkeypatch):
    monkeypatch.delenv("STEER_ACTIONS_TOKEN", raising=False)
    monkeypatch.delenv("STEER_RASA_TOKEN", raising=False)
    one, two = Settings(), Settings()
    assert len({one.token, one.actions_token, two.token, two.actions_token}) == 4
    env = one.env()
    assert env["STEER_ACTIONS_TOKEN"] == one.actions_token and env["STEER_RASA_TOKEN"] == one.token
    command = Stack(one).commands()["actions"]
    assert command[1:3] == ["-m", "bot.action_server"] and "rasa_sdk" not in command
