"""Fuzzing the front door (issue 12, "Fuzzing"): generated requests across the whole HTTP API, on the real stack.

Paths from the real routes with odd parts, methods, query strings, headers (Content-Type, the
conversation's token or a wrong one, Origin / Sec-Fetch-Site / CSRF token mixtures, odd Host
names), JSON of every shape and size, broken JSON, WAV files with false fields and random bytes
(tests/http_strategies.py). A share of them are for real conversations, so they reach Rasa, the
actions, the scorer and the PDF. No reply may be 500 or more, every /api/ error is JSON with an
`error`, no reply holds a traceback, and no log line says something failed.

STEER_FUZZ_EXAMPLES (300) requests here, the same ones every run; STEER_FUZZ_EXPLORE=1 draws new
ones each run. `python -m benchmarks.http_fuzz` sends 10,000.
"""

from __future__ import annotations

import logging
import os
from typing import List, Tuple

import pytest

from tests.http_strategies import Deep, Fuzzer, FuzzRequest, LogWatch, run_examples, shares

EXAMPLES = int(os.environ.get("STEER_FUZZ_EXAMPLES", "300"))
EXPLORE = os.environ.get("STEER_FUZZ_EXPLORE") == "1"
SHARES = shares(EXAMPLES)


@pytest.fixture(scope="module")
def fuzz(stack):
    logs = LogWatch(stack.settings.var_dir / "logs")
    logs.mark()  # before the fuzzer starts its conversations: those turns must log no error either
    before = dict(stack.restarts)

    def outage() -> bool:
        return stack.restarts != before or any(child.poll() is not None for child in stack.children.values())

    fuzzer = Fuzzer(stack.settings.web_url, outage=outage)
    fuzzer.setup()
    return fuzzer, logs, outage


@pytest.mark.stack
@pytest.mark.parametrize(("group", "strategy", "count"), SHARES, ids=[name for name, _, _ in SHARES])
def test_no_request_breaks_the_front_door(fuzz, group, strategy, count):
    fuzzer, logs, outage = fuzz
    found: List[Tuple[FuzzRequest, List[str]]] = []

    def each(request: FuzzRequest) -> None:
        outcome = fuzzer.send(request)
        if outcome.problems:
            found.append((request, outcome.problems))

    run_examples(strategy, count, each, explore=EXPLORE)
    assert not found, "\n".join(f"{request!r}:\n    {'; '.join(problems)}" for request, problems in found[:20])
    assert not outage(), "a part of the stack stopped or was restarted during the fuzz"
    lines = logs.new_lines()
    logs.mark()
    assert not lines, "\n".join(lines[:20])


# Bugs the fuzz found, each on the Flask app alone (no stack needed).


@pytest.fixture()
def client():
    from bot.web import create_app

    return create_app({"RASA_URL": "http://127.0.0.1:9", "ACTIONS_URL": "http://127.0.0.1:9"}).test_client()


@pytest.mark.parametrize("path", ["/api/chat", "/api/resume", "/api/ras/score", "/api/voice/speak",
                                  "/api/voice/reply", "/api/assessments/abc/save"])
@pytest.mark.parametrize("deep", [Deep(1200, '{"a":', "}"), Deep(100_000)])
def test_json_nested_too_deep_is_bad_json_not_a_crash(client, path, deep, caplog):
    """Was a 500: Python's json raises RecursionError (not ValueError) past ~1,000 levels."""
    with caplog.at_level(logging.ERROR):
        reply = client.post(path, data=deep.bytes(), content_type="application/json")
    assert reply.status_code in (400, 404), reply.get_data(as_text=True)
    assert isinstance(reply.get_json()["error"], str)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_plain_summary_pdf_logs_no_error(caplog):
    """Was 5 `ERROR:weasyprint: Image ... has no required alt description` lines in web.log per plain PDF:
    the headings' decorative icons had alt="", which a tagged PDF cannot take."""
    import summary
    from bank import default_bank
    from bot.assessment import assessment_from_slots

    bank = default_bank()
    assessment = assessment_from_slots({"reading_level": "plain", "answering_for": "self"}, bank)
    with caplog.at_level(logging.WARNING):
        pdf = summary.render_pdf(assessment, None, bank)
    assert pdf.startswith(b"%PDF")
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("path", "body"), [
    ("/api/voice/speak", b'{"text": "two \\ud800 please"}'),
    ("/api/voice/speak", '{"text": "two \ud800 please"}'.encode("utf-8", "surrogatepass")),  # json.loads takes it too
    ("/api/voice/reply", b'{"sender_id": "abc", "messages": [{"text": "Question 1 \\udfff of 26"}]}'),
])
def test_words_to_say_with_a_lone_surrogate_are_spoken_not_a_crash(client, path, body, caplog):
    """Was a 500 (UnicodeEncodeError making the audio cache's key) for {"text": "...\\ud800..."}."""
    from tests.conftest import owner_headers

    with caplog.at_level(logging.ERROR):
        reply = client.post(path, data=body, content_type="application/json",
                            headers=owner_headers(client.application, "abc"))
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
