"""The conversation model over HTTP, on the real stack: a smaller generated run
(tests/dialogue/test_conversation_model.py).

Each generated message goes to the front door as the page sends it (with the question on the screen),
and, in step, to the pure simulation that test_conversation_model.py checks against its model. Over
HTTP, every message must get a 200 and a non-empty reply, the same reply the simulation gives (so
Rasa's real glue, NLU and tracker store behave as the simulation says), and
GET /api/assessments/<sender_id> must hold exactly the answers, skips, setup and plan the model
expects: nothing recorded against the wrong question.

Typed words here are the kinds whose reading does not hang on the NLU model's guess (numbers,
commands, options' own words, money, free text where only clear phrases count): the real
classifier runs, and those must come out the same with it as without it.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, List

import pytest
import requests
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from dialogue.plan_flow import PLAN_CHECK
from tests.conversation_sim import BANK, PLAN
from tests.dialogue.test_conversation_model import (
    ARTIFACTS,
    COMMAND_PHRASES,
    Conversation,
    Gesture,
    typed_gestures,
)

pytestmark = pytest.mark.stack
STATS = {"messages": 0, "conversations": 0, "seconds": 0.0}
# Kinds of typed words whose reading the classifier cannot change, where they are typed: commands are
# read from their words first; free text (a name, the plan's words, a cost) obeys only clear phrases.
ALWAYS = {"command", "number", "empty", "too_long"}
STEADY = {
    "question": ALWAYS | {"option", "payload"},
    "person_name": ALWAYS | {"name", "relationship"},
    "relationship": ALWAYS | {"name", "relationship"},
    "setup": ALWAYS | {"payload"},
    "text": ALWAYS | {"plan_text", "money", "name", "relationship", "option", "payload"},
    "money": ALWAYS | {"money", "period"},
    "choice": ALWAYS | {"plan_option"},
    "yes_no": ALWAYS | {"yesno"},
    "route": {"command", "empty", "too_long"},
}
WORDS_AFTER_THE_FRONT_DOOR = {"/answer{bad", "/restart", "/session_start", "//skip", "/ /restart", "/nonsense_intent"}
BASE_URL: Dict[str, str] = {}


def rest(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{k: m[k] for k in ("text", "buttons", "custom") if m.get(k)} for m in messages]


class HttpConversation(Conversation):
    """The model's conversation, with the real stack answering every message beside the simulation."""

    def __init__(self) -> None:
        super().__init__()
        self.base = BASE_URL["url"]
        self.sim.sender_id = None  # the front door issues it with the first reply
        self.session = requests.Session()
        token = self.session.get(f"{self.base}/api/csrf-token", timeout=30).json()["token"]
        self.session.headers.update({"Origin": self.base, "X-CSRF-Token": token})
        self.page_ask = None  # as the page: the ask key of the last question shown
        STATS["conversations"] += 1

    def _send(self, g: Gesture) -> List[Dict[str, Any]]:
        seen = self.page_ask if g.seen == "page" else g.seen
        body = {"message": g.raw, **({"sender_id": self.sim.sender_id} if self.sim.sender_id else {})}
        if isinstance(seen, str):
            body["question"] = seen
        started = time.perf_counter()
        response = self.session.post(f"{self.base}/api/chat", json=body, timeout=60)
        STATS["messages"] += 1
        assert response.status_code == 200, (response.status_code, response.text[:500])
        if self.sim.sender_id is None:  # as the page: keep the conversation's id and token
            self.sim.sender_id = response.json()["sender_id"]
            self.session.headers["Authorization"] = f"Bearer {response.json()['token']}"
        over_http = rest(response.json()["messages"])
        assert over_http and all(m.get("text") or m.get("custom") for m in over_http), over_http
        replies = super()._send(g)  # the simulation, the model and every check on them
        assert over_http == replies, {"over HTTP": over_http, "simulated": replies}
        asks = [m["custom"].get("ask") for m in over_http if (m.get("custom") or {}).get("type") == "question"]
        if asks and isinstance(asks[-1], str):
            self.page_ask = asks[-1]
        self.check_recorded()
        STATS["seconds"] += time.perf_counter() - started
        return replies

    def check_recorded(self) -> None:
        """GET /api/assessments/<id>: exactly what the model says was given."""
        response = self.session.get(f"{self.base}/api/assessments/{self.sim.sender_id}", timeout=30)
        if self.model.phase == "new":
            return
        assert response.status_code == 200, response.text[:300]
        got, m = response.json(), self.model
        assert got["answers"] == m.answers, {"recorded": got["answers"], "model": m.answers}
        assert set(got["skipped"]) == m.skipped, {"recorded": got["skipped"], "model": sorted(m.skipped)}
        for slot in ("answering_for", "person_name", "relationship", "reading_level"):
            assert got[slot] == m.setup[slot], (slot, got[slot], m.setup[slot])
        assert got["complete"] == m.review_done
        assert got["ras"] == m.ras
        assert got["plan"] == m.plan(), {"recorded": got["plan"], "model": m.plan()}

    def prompt(self) -> str:
        m, slot = self.model, self.model.slot()
        if slot is None:
            return "route"
        if m.phase == "saq":
            if slot in ("person_name", "relationship"):
                return slot
            return "question" if BANK.question(slot) is not None else "setup"
        step = PLAN.step(slot.split("__")[0]) if slot != PLAN_CHECK else None
        return "yes_no" if step is None else step.kind

    @rule(data=st.data())
    def type_something(self, data) -> None:
        steady = STEADY[self.prompt()]
        for _ in range(50):
            g = typed_gestures(self.model, {"replies": self.replies, "keys": self.keys,
                                            "origin_of": self.origin_of}, data)
            if g.category in steady and g.raw not in WORDS_AFTER_THE_FRONT_DOOR:
                self.send(Gesture(g.raw, g.category, None, g.origin, g.seen, g.number, g.value, g.qid, g.expect,
                                  g.money))
                return

    @rule(data=st.data())
    def say_a_command(self, data) -> None:
        name = data.draw(st.sampled_from(sorted(COMMAND_PHRASES)), label="command")
        self.send(Gesture(data.draw(st.sampled_from(COMMAND_PHRASES[name])), "command", value=name))


HttpConversation.TestCase.settings = settings(
    max_examples=int(os.environ.get("STEER_HTTP_EXAMPLES", "4")),
    stateful_step_count=12,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # over HTTP a shrink costs minutes; the report lists the messages
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture(autouse=True)
def stack_url(stack):
    BASE_URL["url"] = stack.settings.web_url
    yield


class TestConversationOverHttp(HttpConversation.TestCase):
    pass


@pytest.fixture(scope="module", autouse=True)
def report_messages(request):
    started = time.perf_counter()
    yield
    STATS["wall_seconds"] = round(time.perf_counter() - started, 1)
    STATS["seconds"] = round(STATS["seconds"], 1)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "conversation-http.json").write_text(json.dumps(STATS, indent=2), encoding="utf-8")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nconversation over HTTP: {STATS['messages']} generated messages in "
                                f"{STATS['conversations']} conversations, {STATS['wall_seconds']} s")
