"""Limits on every door (bot/web/limits.py), on the real app served by a real waitress, counting in
a real SQLite file; only the clock is injected. Rasa is a small HTTP stand-in (fake_rasa, tests/web_helpers.py)
that records what reaches it (so a refused turn is seen never to get there); speech is the real espeak-ng worker.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sqlite3
import threading
import time

import pytest
import requests
from waitress.server import create_server

from bot.web import limits, wording
from bot.web.limits import DEFAULT_LIMITS, Limiter, SqlCounters, build_rules, parse_overrides
from bot.web.server_limits import server_limits
from tests.web_helpers import make_app
from voice import speak
from voice.speak import FairLock, Synthesiser

T0 = 1_800_000_000 // 3600 * 3600 + 5.0  # 5 s into an hour: windows start where the test expects
SECRET = "made-up-web-secret-for-limit-tests"


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture()
def serve():
    servers = []

    def start(app, **more) -> str:
        srv = create_server(app, host="127.0.0.1", port=0, **{**server_limits(), "threads": 4, **more})

        def run():
            with contextlib.suppress(OSError):  # closed under its feet at the end of the test
                srv.run()

        threading.Thread(target=run, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.effective_port}"

    yield start
    for srv in servers:
        srv.close()


@pytest.fixture()
def limited_app(tmp_path, fake_rasa, clock):
    def make(limits_spec=None, **config):
        settings = {"TESTING": False, "WEB_SECRET": SECRET,  # served by waitress, as in production
                    "LIMITS_DB": str(tmp_path / "limits.db"), "LIMITS_CLOCK": clock,
                    "CONVERSATION_KEY_FILE": str(tmp_path / "conversation.key")}
        if limits_spec is not None:
            settings["LIMITS"] = limits_spec
        settings.update(config)
        return make_app(rasa=fake_rasa, **settings)

    return make


class Person:
    """One conversation, as a script or the page holds it: the id and token the first reply gives."""

    def __init__(self, base: str, forwarded_for: str = "") -> None:
        self.base = base
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        self.sender_id = None

    def say(self, message: str = "2", base: str = "") -> requests.Response:
        body = {"message": message, **({"sender_id": self.sender_id} if self.sender_id else {})}
        response = requests.post(f"{base or self.base}/api/chat", json=body, headers=self.headers, timeout=10)
        found = response.json()
        if "token" in found:
            self.sender_id = found["sender_id"]
            self.headers["Authorization"] = f"Bearer {found['token']}"
        return response


def assert_kind_429(response, clock, window_seconds):
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= window_seconds
    assert wait == math.ceil((clock.now // window_seconds + 1) * window_seconds - clock.now)
    body = response.json()
    assert body["retry_after"] == wait
    assert "safe" in body["error"] and "try again in" in body["error"]
    assert "you " not in body["error"].lower()  # never "you sent too many"
    return wait


def test_a_conversation_over_its_limit_gets_a_kind_429_and_rasa_never_hears(limited_app, serve, fake_rasa, clock):
    base = serve(limited_app("chat.conversation=5/60"))
    person = Person(base)
    assert person.say("/greet").status_code == 200  # starts the conversation: counted per address only
    for _ in range(5):
        assert person.say().status_code == 200
    heard = len(fake_rasa.received)
    clock.advance(20)
    refused = person.say()
    wait = assert_kind_429(refused, clock, 60)
    assert wait == 35
    body = refused.json()
    assert body["messages"] == [{"text": body["error"]}]  # the page draws it as Steer's reply
    assert "35 seconds" in body["error"]
    assert len(fake_rasa.received) == heard
    other = Person(base)  # someone else at the same address carries on
    assert other.say("/greet").status_code == 200 and other.say().status_code == 200
    clock.advance(wait)
    assert person.say().status_code == 200  # the window has passed


def test_an_hourly_window_says_to_wait_for_the_hour(limited_app, serve, clock):
    base = serve(limited_app("chat.conversation=3/60+5/3600"))
    person = Person(base)
    person.say("/greet")
    for _ in range(3):
        assert person.say().status_code == 200
    assert_kind_429(person.say(), clock, 60)
    clock.advance(60)
    for _ in range(1):  # the hour has 5: 3 used, 1 refused (it counts too), 1 left
        assert person.say().status_code == 200
    refused = person.say()
    wait = assert_kind_429(refused, clock, 3600)
    assert wait == 3600 - 65 and "59 minutes" in refused.json()["error"]


def test_per_address_limit_and_who_counts_as_an_address(limited_app, serve, clock):
    # waitress drops X-Forwarded-For unless told otherwise, so let it through to see that the front
    # door itself believes it only from a proxy it was told to trust.
    passes_it_on = {"clear_untrusted_proxy_headers": False}
    base = serve(limited_app("chat.address=3/60"), **passes_it_on)
    for n in range(3):
        assert Person(base, forwarded_for=f"203.0.113.{n}").say("/greet").status_code == 200
    assert_kind_429(Person(base, forwarded_for="203.0.113.99").say("/greet"), clock, 60)

    # Behind a proxy the front door trusts, each client is its own address.
    proxied = serve(limited_app("chat.address=3/60", TRUSTED_PROXIES="127.0.0.1", LIMITS_DB=None), **passes_it_on)
    for _ in range(3):
        assert Person(proxied, forwarded_for="198.51.100.7").say("/greet").status_code == 200
    assert_kind_429(Person(proxied, forwarded_for="198.51.100.7").say("/greet"), clock, 60)
    assert Person(proxied, forwarded_for="198.51.100.8").say("/greet").status_code == 200
    # A client cannot pick its address by adding its own hop on the left.
    assert_kind_429(Person(proxied, forwarded_for="192.0.2.1, 198.51.100.7").say("/greet"), clock, 60)
    # IPv6 counts per /64: another address of the same household or phone is the same client.
    for n in range(3):
        assert Person(proxied, forwarded_for=f"2001:db8:1:2::{n + 1}").say("/greet").status_code == 200
    assert_kind_429(Person(proxied, forwarded_for="2001:db8:1:2:aaaa::9").say("/greet"), clock, 60)
    assert Person(proxied, forwarded_for="2001:db8:1:3::1").say("/greet").status_code == 200


def test_by_default_waitress_drops_a_forwarded_address_so_none_can_be_faked(limited_app, serve, clock):
    base = serve(limited_app("chat.address=2/60", TRUSTED_PROXIES="127.0.0.1"))
    for n in range(2):
        assert Person(base, forwarded_for=f"203.0.113.{n}").say("/greet").status_code == 200
    assert_kind_429(Person(base, forwarded_for="203.0.113.50").say("/greet"), clock, 60)


def test_two_front_doors_share_one_limits_database(limited_app, serve, clock, tmp_path):
    first = serve(limited_app("chat.conversation=6/60"))
    second = serve(limited_app("chat.conversation=6/60"))
    person = Person(first)
    person.say("/greet")
    for n in range(6):
        assert person.say(base=(first, second)[n % 2]).status_code == 200
    assert person.say(base=first).status_code == 429
    assert person.say(base=second).status_code == 429
    # What is stored names neither the person's conversation nor their address.
    with sqlite3.connect(tmp_path / "limits.db") as db:
        buckets = [row[0] for row in db.execute("SELECT bucket FROM steer_request_counts")]
    assert buckets and not any(person.sender_id in b or "127.0.0.1" in b for b in buckets)
    assert (tmp_path / "limits.db").stat().st_mode & 0o077 == 0


def test_a_voice_turn_over_its_limit_keeps_the_voice_shape(limited_app, serve, fake_rasa):
    base = serve(limited_app("voice.conversation=1/60"))
    person = Person(base)
    person.say("/greet")
    url = f"{base}/api/voice/turn"
    first = requests.post(url, params={"sender_id": person.sender_id}, data=b"not a wav",
                          headers={**person.headers, "Content-Type": "text/plain"}, timeout=10)
    assert first.status_code == 415  # counted, then the view refused it
    refused = requests.post(url, params={"sender_id": person.sender_id}, data=b"RIFF",
                            headers={**person.headers, "Content-Type": "audio/wav"}, timeout=10)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    body = refused.json()
    assert body["heard"] == "" and body["audio"] == [] and body["messages"] == [{"text": body["error"]}]


def test_a_conversation_has_a_length_cap_that_never_reaches_rasa(limited_app, serve, fake_rasa, clock):
    base = serve(limited_app(MAX_TURNS=4))
    person = Person(base)
    person.say("/greet")
    for _ in range(4):
        assert person.say().status_code == 200
    heard = len(fake_rasa.received)
    full = person.say()
    assert full.status_code == 409 and "Retry-After" not in full.headers
    assert full.json()["messages"] == [{"text": wording.CONVERSATION_FULL}]
    assert "safe" in wording.CONVERSATION_FULL and "save" in wording.CONVERSATION_FULL
    clock.advance(7200)  # a cap, not a rate: waiting does not lift it
    spoken = requests.post(f"{base}/api/voice/turn", params={"sender_id": person.sender_id}, data=b"RIFF",
                           headers={**person.headers, "Content-Type": "audio/wav"}, timeout=10)
    assert spoken.status_code == 409 and spoken.json()["heard"] == ""
    assert person.say().status_code == 409
    assert len(fake_rasa.received) == heard
    assert Person(base).say("/greet").status_code == 200  # a new conversation starts afresh


def test_a_whole_conversation_at_a_fast_pace_is_never_limited(limited_app, serve, fake_rasa, clock):
    """The defaults. The whole SAQ and plan is about 120 turns; 150 here, each with its spoken
    reply asked for, one every 2 seconds (faster than anyone reads a question), then save and resume."""
    base = serve(limited_app())
    person = Person(base)
    person.say("/greet")
    for _ in range(150):
        clock.advance(2)
        assert person.say().status_code == 200
        reply = requests.post(f"{base}/api/voice/reply", json={"sender_id": person.sender_id, "messages": []},
                              headers=person.headers, timeout=10)
        assert reply.status_code == 200
    for _ in range(3):  # a few tries at a save and a resume (the store's own answers, not the limiter's)
        saved = requests.post(f"{base}/api/assessments/{person.sender_id}/save", json={"pin": "4719"},
                              headers=person.headers, timeout=30)
        resumed = requests.post(f"{base}/api/resume", json={"code": "KX7M-4PQR", "pin": "0000",
                                                            "sender_id": person.sender_id},
                                headers=person.headers, timeout=30)
        assert saved.status_code != 429 and resumed.status_code != 429


def test_a_busy_library_behind_one_address_is_never_limited(tmp_path, clock):
    """The defaults, counting as a request would: 100 people at once behind one NAT'd address, each at a
    fast pace (a turn every 4 s, and its spoken reply), for 70 s: a whole minute's window full, and the next."""
    limiter = Limiter(SqlCounters(f"sqlite:///{tmp_path / 'limits.db'}"), build_rules({}), b"k" * 32,
                      max_turns=limits.DEFAULT_MAX_TURNS, keep_seconds=30 * 86400, clock=clock)
    clock.advance(50)  # start 5 s before a minute ends
    for _ in range(35):
        for person in range(50):  # half of them each 2 s, so one turn each per 4 s
            for endpoint in ("api.chat", "voice.reply"):
                wait, too_long = limiter.count(endpoint, "192.0.2.10", f"library-{person + 50 * (_ % 2)}")
                assert wait is None and not too_long
        clock.advance(2)


def test_speech_for_any_words_has_a_smaller_cap_and_its_own_limit(limited_app, serve):
    base = serve(limited_app("speak.address=3/60"))
    assert speak.MAX_TEXT == 1000  # the longest message Steer says (but the plan read back) is 643
    too_long = requests.post(f"{base}/api/voice/speak", json={"text": "a " * 501}, timeout=30)
    assert too_long.status_code == 400
    assert requests.post(f"{base}/api/voice/speak", json={"text": "Question 1 of 26."}, timeout=30).status_code == 200
    assert requests.post(f"{base}/api/voice/speak", json={"text": "Say yes or no."}, timeout=30).status_code == 200
    refused = requests.post(f"{base}/api/voice/speak", json={"text": "Hello."}, timeout=30)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"].startswith("Sorry, I cannot speak")


def test_a_busy_synthesiser_answers_503_with_retry_after_instead_of_queuing(limited_app, serve):
    app = limited_app()
    base = serve(app)
    with app.app_context():
        from bot.web.services import voice_service

        synthesiser = voice_service().synthesiser
    synthesiser.lock_wait = 0.5
    assert synthesiser._lock.acquire()  # someone else's long speech holds the worker
    try:
        started = time.monotonic()
        busy = requests.post(f"{base}/api/voice/speak", json={"text": "Question 2 of 26."}, timeout=30)
        assert time.monotonic() - started < 3
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert busy.json()["error"] == wording.SPEECH_BUSY.format(wait=wording.WAIT_SECOND)
        person = Person(base)
        person.say("/greet")
        reply = requests.post(f"{base}/api/voice/reply", headers=person.headers, timeout=30,
                              json={"sender_id": person.sender_id, "messages": [{"text": "Question 2 of 26."}]})
        assert reply.status_code == 200 and reply.json()["audio"] == []  # the captions carry on
    finally:
        synthesiser._lock.release()
    assert requests.post(f"{base}/api/voice/speak", json={"text": "Question 2 of 26."}, timeout=30).status_code == 200


def test_a_reply_asks_for_no_more_speech_than_one_turn_says(limited_app, serve):
    base = serve(limited_app())
    person = Person(base)
    person.say("/greet")
    messages = [{"text": "Question 1 of 26. " * 30}] * 40
    refused = requests.post(f"{base}/api/voice/reply", json={"sender_id": person.sender_id, "messages": messages},
                            headers=person.headers, timeout=10)
    assert refused.status_code == 413 and refused.json() == {"error": wording.TOO_MUCH_TO_SAY, "audio": []}


def test_saved_answer_tries_are_limited_per_address(limited_app, serve):
    base = serve(limited_app("resume.address=2/60,delete.address=2/60"))
    for door in ("resume", "delete"):
        for n in range(3):
            if door == "resume":
                response = requests.post(f"{base}/api/resume", json={"code": "KX7M-4PQR", "pin": "1234"}, timeout=30)
            else:
                response = requests.delete(f"{base}/api/saved/KX7M-4PQR", json={"pin": "1234"}, timeout=30)
            assert (response.status_code == 429) == (n == 2), (door, n, response.status_code)
        assert "saved answers are safe" in response.json()["error"]


def test_long_speech_is_made_in_pieces_so_short_speech_need_not_wait():
    synthesiser = Synthesiser()
    try:
        synthesiser.synthesise("Hello.")  # the worker is up
        long_text = " ".join(f"This is sentence {n} of a long plan read back." for n in range(90))
        assert len(long_text) > 3 * speak.PIECE
        finished = {}

        def say(name, text):
            synthesiser.synthesise(text)
            finished[name] = time.monotonic()

        long_one = threading.Thread(target=say, args=("long", long_text))
        long_one.start()
        time.sleep(0.05)
        say("short", "Question 3 of 26.")
        long_one.join(60)
        assert finished["short"] < finished["long"]
        from voice import audio

        _, wav = synthesiser.synthesise(long_text)  # from the cache: one WAV, pieces joined
        assert audio.seconds_of_wav(wav) > 30
    finally:
        synthesiser.close()


def test_the_fair_lock_serves_in_order_and_a_wait_can_run_out():
    lock = FairLock()
    assert lock.acquire()
    order = []

    def wait_then_note(n):
        assert lock.acquire(timeout=10)
        order.append(n)
        lock.release()

    threads = []
    for n in range(5):
        threads.append(threading.Thread(target=wait_then_note, args=(n,)))
        threads[-1].start()
        while lock.waiting < n + 1:
            time.sleep(0.001)
    assert not lock.acquire(timeout=0.05) and lock.waiting == 5  # gave up: out of the line
    lock.release()
    for t in threads:
        t.join(10)
    assert order == [0, 1, 2, 3, 4]


def test_limits_are_configured_by_name_and_bad_settings_say_how_to_fix_them(monkeypatch):
    assert set(parse_overrides("off").values()) == {"off"} and set(parse_overrides("off")) == set(DEFAULT_LIMITS)
    rules = {r.name: r for r in build_rules(parse_overrides("chat.address=6000/1m, speak.address=off"))}
    assert rules["chat.address"].windows[0].hits == 6000 and rules["chat.address"].windows[0].seconds == 60
    assert "speak.address" not in rules and rules["chat.conversation"].windows[1].seconds == 3600
    with pytest.raises(ValueError, match="must look like 300/60"):
        build_rules(parse_overrides("chat.address=lots"))
    with pytest.raises(ValueError, match="Unknown limits"):
        build_rules(parse_overrides("chat.adress=10/60"))
    monkeypatch.setenv("STEER_LIMITS", "chat.address=1/60")
    app = make_app(WEB_SECRET=SECRET)
    client = app.test_client()
    assert client.post("/api/chat", json={"message": "hi"}).status_code != 429
    assert client.post("/api/chat", json={"message": "hi"}).status_code == 429


def test_a_broken_counter_lets_people_through_and_logs_no_key(limited_app, serve, tmp_path, caplog):
    base = serve(limited_app("chat.address=1/60"))
    with sqlite3.connect(tmp_path / "limits.db") as db:
        db.execute("DROP TABLE steer_request_counts")
    with caplog.at_level(logging.ERROR, logger="bot.web.limits"):
        for _ in range(3):
            assert Person(base).say("/greet").status_code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "bot.web.limits")
    assert "could not be counted" in logged and "127.0.0.1" not in logged and logged.count("\n") == 0
