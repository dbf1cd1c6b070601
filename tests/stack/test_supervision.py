"""Supervision: a part of Steer that dies comes back by itself, and the conversation carries on.

The policy is tested on its own (crash times in, pauses out); the supervisor with small real
processes; giving up through the real `steer run`; and each of the three real parts is killed
(SIGKILL to its process group) in the middle of a conversation on the session's stack.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import pytest
import requests

from bot.stack import ROOT, RestartPolicy, Settings, Stack, StackError
from bot.web import wording
from tests.conftest import Chat, free_port

PYTHON = sys.executable
SLEEPER = [PYTHON, "-c", "import time; print('up', flush=True); time.sleep(600)"]
CRASHER = [PYTHON, "-c", "print('up', flush=True); raise SystemExit(3)"]


def wait_for(condition: Callable[[], object], timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(every)
    pytest.fail(f"not within {timeout:g} s: {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- The policy: crash times in, pauses out ---------------------------------------------------


def test_the_pause_doubles_with_each_crash_up_to_the_cap():
    policy = RestartPolicy(limit=10, window=1000, first_delay=1, max_delay=5)
    assert [policy.crashed(t) for t in range(6)] == [1, 2, 4, 5, 5, 5]


def test_it_gives_up_at_the_limit_within_the_window():
    policy = RestartPolicy(limit=5, window=300, first_delay=1, max_delay=30)
    assert [policy.crashed(t) for t in (0, 10, 20, 30)] == [1, 2, 4, 8]
    assert policy.crashed(299) is None
    assert len(policy.crashes) == 5


def test_crashes_older_than_the_window_are_forgotten():
    policy = RestartPolicy(limit=3, window=60, first_delay=1, max_delay=30)
    assert [policy.crashed(t) for t in (0, 10)] == [1, 2]
    assert policy.crashed(65) == 2  # the crash at 0 is forgotten; the one at 10 still counts
    assert policy.crashed(200) == 1  # a part that ran well for a while starts again at once
    assert policy.crashed(201) == 2 and policy.crashed(202) is None


# --- The supervisor, with small real processes -------------------------------------------------


class SmallStack(Stack):
    """Stack's supervision, with tiny commands in place of the three real parts."""

    def __init__(self, settings: Settings, commands: Dict[str, List[str]]) -> None:
        super().__init__(settings)
        self._commands = commands

    def commands(self) -> Dict[str, List[str]]:
        return self._commands


def small_settings(tmp_path: Path, **supervision) -> Settings:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    return Settings(web_port=free_port(), var_dir=tmp_path, model=model, **supervision)


@pytest.mark.slow  # starts, kills and restarts real processes
def test_a_killed_part_is_started_again_and_its_log_kept(tmp_path):
    stack = SmallStack(small_settings(tmp_path, restart_delay=0.2), {"actions": SLEEPER, "web": SLEEPER})
    stack.start()
    try:
        log = stack.log_path("actions")
        wait_for(lambda: "up" in log.read_text(), 10, "the sleeper started")
        first, other = stack.children["actions"].pid, stack.children["web"].pid
        os.killpg(first, signal.SIGKILL)
        wait_for(lambda: stack.restarts["actions"] == 1, 10, "the supervisor started it again")
        assert stack.children["actions"].pid != first and stack.children["actions"].poll() is None
        assert stack.children["web"].pid == other and stack.restarts["web"] == 0  # the others are untouched
        wait_for(lambda: log.read_text().count("up") == 2, 10, "the new sleeper wrote to the same log")
        text = log.read_text()
        assert text.index("up") < text.index("Steer started the action server again (it had stopped: killed by "
                                             "signal 9)") < text.rindex("up")
    finally:
        pids = [c.pid for c in stack.children.values()]
        stack.stop()
    time.sleep(0.6)  # three looks of the monitor, had it still been running
    assert stack.children == {} and not any(alive(p) for p in pids)
    assert stack.restarts == {"actions": 1, "web": 0}  # a stop is not a crash


@pytest.mark.slow  # starts and kills real processes
def test_it_gives_up_names_the_part_and_stops_the_others(tmp_path, capfd):
    settings = small_settings(tmp_path, restart_limit=3, restart_window=60, restart_delay=0.05)
    stack = SmallStack(settings, {"actions": CRASHER, "web": SLEEPER})
    stack.start()
    try:
        other = stack.children["web"].pid
        wait_for(lambda: stack.gave_up, 15, "the supervisor gave up")
        with pytest.raises(StackError) as raised:
            stack.wait_ready(timeout=5)
    finally:
        stack.stop()
    message = stack.gave_up
    assert str(raised.value) == message
    assert "the action server (actions) stopped 3 times in 60 s (last: exit code 3)" in message
    assert f"Read its log: {stack.log_path('actions')}" in message
    assert stack.restarts["actions"] == 2 and not alive(other)
    assert stack.log_path("actions").read_text().count("up") == 3  # every try, in one log
    err = capfd.readouterr().err
    assert "Starting it again in 0.05 s" in err and "Starting it again in 0.1 s" in err and message in err


@pytest.mark.stack
def test_steer_run_gives_up_on_an_action_server_that_cannot_start(tmp_path):
    """The action server's port is taken: it exits at once, every time (rasa_sdk even exits 0)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = {"STEER_PORT": free_port(), "STEER_RASA_PORT": free_port(),
                 "STEER_ACTIONS_PORT": taken.getsockname()[1]}
        env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "STEER_VAR_DIR": str(tmp_path),
               "STEER_RESTART_LIMIT": "3", "STEER_RESTART_DELAY": "0.2"}
        started = time.monotonic()
        run = subprocess.run([str(Path(PYTHON).parent / "steer"), "run"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
        took = time.monotonic() - started
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Steer is ready" not in run.stdout
    assert "the action server (actions) stopped 3 times in 300 s (last: exit code 0)" in run.stderr
    assert f"Read its log: {tmp_path / 'logs' / 'actions.log'}" in run.stderr
    assert run.stderr.count("Started the action server again") == 2
    assert "address already in use" in run.stderr  # the log's last lines say why
    assert took < 60, took
    for port in (ports["STEER_PORT"], ports["STEER_RASA_PORT"]):  # the others were stopped too
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, port


# --- The real parts, killed mid-conversation on the session's stack ----------------------------


def healthz(stack: Stack) -> Tuple[Optional[int], Optional[dict]]:
    try:
        reply = requests.get(f"{stack.settings.web_url}/healthz", timeout=10)
    except requests.ConnectionError:
        return None, None
    return reply.status_code, reply.json()


def wait_down(stack: Stack, timeout: float) -> dict:
    """What /healthz says once it says something is down."""
    def down():
        status, body = healthz(stack)
        return body if status == 503 else None
    return wait_for(down, timeout, "/healthz says a part is down")


def wait_healthy(stack: Stack, timeout: float) -> float:
    started = time.monotonic()
    wait_for(lambda: healthz(stack)[0] == 200, timeout, "Steer is healthy again", every=0.25)
    return time.monotonic() - started


def turn(chat: Chat, message: str) -> requests.Response:
    return requests.post(f"{chat.base_url}/api/chat", json={"sender_id": chat.begin(), "message": message},
                         headers={**chat.browser_headers, **chat.auth}, timeout=60)


def tracker_slots(stack: Stack, sender_id: str) -> dict:
    reply = requests.get(f"http://127.0.0.1:{stack.settings.rasa_port}/conversations/{sender_id}/tracker",
                         params={"token": stack.settings.token}, timeout=30)
    return reply.json()["slots"]


def answer_some(chat: Chat, count: int) -> Dict[str, str]:
    chat.start()
    given = {}
    for i in range(count):
        option = chat.question["options"][i % len(chat.question["options"])]
        given[chat.question["id"]] = option["value"]
        chat.send(option["payload"])
    return given


def kill(stack: Stack, name: str) -> float:
    """SIGKILL to the part's process group; the time it was killed."""
    os.killpg(stack.children[name].pid, signal.SIGKILL)
    return time.monotonic()


@pytest.fixture()
def pause(stack):
    """Set the supervisor's first pause for one part, for the test; put back afterwards."""
    kept = {}

    def set_pause(name: str, seconds: float) -> None:
        kept.setdefault(name, stack.policies[name].first_delay)
        stack.policies[name].first_delay = seconds

    yield set_pause
    for name, seconds in kept.items():
        stack.policies[name].first_delay = seconds
    wait_healthy(stack, 300)  # other tests use this stack next


@pytest.mark.stack
def test_the_action_server_killed_mid_conversation(stack, chat, pause):
    given = answer_some(chat, 3)
    asked = chat.question
    answer = asked["options"][1]["payload"]
    before = chat.assessment()
    restarts = stack.restarts["actions"]
    pause("actions", 3.0)  # down long enough to look at it; it is then 1 s
    killed = kill(stack, "actions")

    assert wait_down(stack, 3) == {"ok": False, "down": ["actions"], "waiting_for": ["actions"]}
    reply = turn(chat, answer)
    # Rasa answers [] when the action server is down; the person gets kind words instead.
    assert reply.status_code == 503, reply.text
    assert reply.json()["messages"] == [{"text": wording.PART_RESTARTING}]
    assert stack.children["actions"].poll() is not None, "too slow: the part was back before the turn"
    # The half-done message was undone: Rasa had put its raw text in the asked slot.
    assert tracker_slots(stack, chat.sender_id)[asked["id"]] is None
    assert before["answers"] == given and chat.assessment() == before

    wait_healthy(stack, 60)
    print(f"action server: healthy again {time.monotonic() - killed:.1f} s after the kill (3 s of it the pause)")
    assert stack.restarts["actions"] == restarts + 1
    chat.send(answer)  # the same answer again, in the same conversation
    assert chat.question["id"] != asked["id"], chat.last
    assert chat.assessment()["answers"] == {**given, asked["id"]: asked["options"][1]["value"]}


@pytest.mark.stack
def test_rasa_killed_mid_conversation(stack, chat, pause):
    given = answer_some(chat, 2)
    asked = chat.question
    answer = asked["options"][0]["payload"]
    restarts = stack.restarts["rasa"]
    killed = kill(stack, "rasa")

    assert wait_down(stack, 5) == {"ok": False, "down": ["rasa"], "waiting_for": ["rasa"]}
    reply = turn(chat, answer)
    assert reply.status_code == 503, reply.text
    assert reply.json()["messages"] == [{"text": wording.RASA_DOWN}]

    took = wait_healthy(stack, 300)  # Rasa takes about a minute to load its model on 2 cores
    print(f"Rasa: healthy again {time.monotonic() - killed:.1f} s after the kill")
    assert took > 0 and stack.restarts["rasa"] == restarts + 1
    assert chat.assessment()["answers"] == given  # read back from the tracker store by the new Rasa
    chat.send(answer)
    assert chat.question["id"] != asked["id"], chat.last
    assert chat.assessment()["answers"] == {**given, asked["id"]: asked["options"][0]["value"]}


@pytest.mark.stack
def test_the_front_door_killed_mid_conversation_in_the_browser(stack, pause):
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser_chat import answer_setup, launch, new_context, question, replies, wait_reply

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = new_context(browser, stack.settings.web_url, reduced_motion="reduce").new_page()
            page.goto("/")
            first = question(answer_setup(page))
            n = replies(page)
            page.locator("#options button").nth(1).click()
            second = question(wait_reply(page, n))
            sender_id = page.evaluate("SteerChat.senderId()")
            token = page.evaluate("SteerChat.authHeaders().Authorization").split(" ", 1)[1]
            restarts = stack.restarts["web"]
            pause("web", 3.0)
            killed = kill(stack, "web")
            wait_for(lambda: healthz(stack)[0] is None, 3, "the front door is down")

            page.fill("#message", "2")  # the second option, by its number
            n = replies(page)
            page.press("#message", "Enter")
            assert wait_reply(page, n) == [{"text": wording.NETWORK_ERROR}]
            assert stack.children["web"].poll() is not None, "too slow: the part was back before the turn"
            # The typed words and the answer buttons are still there, so trying again is one press.
            assert page.input_value("#message") == "2"
            assert page.locator("#options button").count() == len(second["options"])

            wait_healthy(stack, 60)
            print(f"front door: healthy again {time.monotonic() - killed:.1f} s after the kill (3 s of it the pause)")
            assert stack.restarts["web"] == restarts + 1
            n = replies(page)
            page.press("#message", "Enter")  # the page's CSRF token still works: one secret per run
            third = question(wait_reply(page, n))
            assert third is not None and third["id"] not in (first["id"], second["id"])
        finally:
            browser.close()
    answers = Chat(stack.settings.web_url, sender_id, token).assessment()["answers"]  # the token outlived the restart
    assert answers == {first["id"]: first["options"][1]["value"], second["id"]: second["options"][1]["value"]}


def test_every_file_a_part_makes_is_for_steers_own_user_only(tmp_path):
    """Rasa makes trackers.db itself (plain text conversations): the parts start with umask 077."""
    made = tmp_path / "made.db"
    maker = [PYTHON, "-c", f"open({str(made)!r}, 'w').write('x'); print('up', flush=True); "
             "import time; time.sleep(600)"]
    tmp_path.chmod(0o755)
    stack = SmallStack(small_settings(tmp_path, restart_delay=0.2), {"actions": maker, "web": SLEEPER})
    stack.start()
    try:
        wait_for(lambda: "up" in stack.log_path("actions").read_text(), 10, "the maker started")
        assert made.stat().st_mode & 0o777 == 0o600
        assert tmp_path.stat().st_mode & 0o777 == 0o700
    finally:
        stack.stop()


def test_logs_are_for_steers_own_user_only(tmp_path):
    """A log can hold a traceback: the folder is 0700 and each log 0600, also logs made before."""
    (tmp_path / "logs").mkdir(mode=0o755)
    old = tmp_path / "logs" / "web.log"
    old.write_text("before\n")
    old.chmod(0o644)
    stack = SmallStack(small_settings(tmp_path, restart_delay=0.2), {"actions": SLEEPER, "web": SLEEPER})
    stack.start()
    try:
        wait_for(lambda: "up" in stack.log_path("actions").read_text(), 10, "the sleeper started")
        assert (tmp_path / "logs").stat().st_mode & 0o777 == 0o700
        for name in ("actions", "web"):
            assert stack.log_path(name).stat().st_mode & 0o777 == 0o600, name
        os.killpg(stack.children["actions"].pid, signal.SIGKILL)
        wait_for(lambda: stack.restarts["actions"] == 1, 10, "the supervisor started it again")
        assert stack.log_path("actions").stat().st_mode & 0o777 == 0o600  # reopened to append: still 0600
    finally:
        stack.stop()
