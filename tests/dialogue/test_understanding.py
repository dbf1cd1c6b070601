"""Understanding at a graded question, on replies written apart from the training data (tests/held_out/).

Each reply goes through the running stack's own Rasa model (its /model/parse) and the one reading
the dialogue uses. `benchmarks/understanding.py` prints the same figures as a confusion table.
"""

from __future__ import annotations

import functools

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank import default_bank
from dialogue.need_cues import need_from_cues
from dialogue.understand import Parse, normalise, read_at_question
from tests.understanding_eval import SETS, Case, evaluate, judge, load_cases, report

GOAL = 0.97
TEST, DEV, BLIND = load_cases(SETS["test"]), load_cases(SETS["dev"]), load_cases(SETS["blind"])
# The blind set's one measurement (2026-12-02), never tuned on: below the goal, so only kept from
# getting worse here. The issue stays open until a blind set meets GOAL (README).
BLIND_FLOOR = 0.85


@pytest.fixture(scope="module")
def parse(stack):
    http = requests.Session()
    http.trust_env = False

    @functools.cache
    def parsed(text: str) -> dict:
        reply = http.post(f"http://127.0.0.1:{stack.settings.rasa_port}/model/parse",
                          params={"token": stack.settings.token}, json={"text": text}, timeout=30)
        reply.raise_for_status()
        return reply.json()

    return parsed


def test_the_sets_are_big_enough_and_varied():
    for cases in (TEST, DEV, BLIND):
        assert len(cases) >= 200
        assert len({c.question for c in cases}) >= 15
        assert sum(c.voice == "other" for c in cases) >= 50
        assert {c.expect.get("need") for c in cases} >= {0, 1, 2, 3}
        assert sum("command" in c.expect for c in cases) >= 30


@pytest.mark.stack
@pytest.mark.parametrize(("cases", "floor"), [(TEST, GOAL), (DEV, GOAL), (BLIND, BLIND_FLOOR)],
                         ids=["test set: at least 97 in 100", "dev set: at least 97 in 100", "blind set: no worse"])
def test_replies_are_understood(parse, cases, floor):
    results = evaluate(parse, cases)
    assert sum(r.right for r in results) >= floor * len(results), report(results)


@pytest.mark.stack
def test_no_reply_is_ever_read_as_the_other_end_of_the_scale(parse):
    """A lot of need is never offered as little or none, nor the other way round: over the tuned sets.
    (The blind set had 9 in 262 at its one measurement: README, "How well Steer understands".)"""
    results = evaluate(parse, TEST + DEV)
    assert [r for r in results if r.opposite] == [], report([r for r in results if r.opposite])


# Ways people wrap an answer that do not change how much help it describes.
_WRAPS = st.sampled_from([
    "{}", "well {}", "um, {}", "{} really", "to be honest {}", "{} to be fair", "I suppose {}", "{}, yeah",
    "{} I think", "erm {}", "{}.", "{}!", "{} thank you", "ok so {}", "{} if that makes sense",
])
_CLEAR = [c for c in TEST + DEV if c.expect.get("need") in (0, 3)]


@pytest.mark.stack
# The same draws every run (as tests/dialogue/test_conversation_model.py): new draws still find new gaps
# (README, "How well Steer understands"), which belong in a fix and a case, not in a flaky CI run.
@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(_CLEAR), _WRAPS)
def test_wrapping_words_never_flip_a_clear_answer_to_the_other_end(parse, case, wrap):
    text = wrap.format(case.text)
    question = default_bank().question(case.question)
    reading = read_at_question(Parse.from_latest_message({**parse(text), "text": text}), question)
    assert not judge(Case(case.question, case.voice, text, case.expect), reading).opposite, (text, reading)


@pytest.mark.parametrize(("said", "need"), [
    ("I struggle with it nearly every day", 2),
    ("I always need someone to do it for me", 3),
    ("I do it independently", 0),
    ("she needs me to do it all", 3),
    ("not without help", 3),
    ("I can't do it without someone", 3),
    ("I don't need help", 0),
    ("once in a blue moon", 1),
    ("hardly ever", 1),
    ("I go out on my own all the time", 0),
    ("I'm on the phone all the time, I don't need help", 0),
    ("I manage on a good day but most days my daughter does the lot for me", 3),
    ("he's ok on his own for short bits", 2),
    ("no, she's fine at night", 0),
])
def test_the_cues_read_the_examples_the_issue_names(said, need):
    assert need_from_cues(normalise(said)) == need


def test_cues_say_nothing_about_words_with_no_help_in_them():
    for said in ("purple elephants on tuesday", "I like the park", "my name is Sam", ""):
        assert need_from_cues(normalise(said)) is None
