"""Speech out: the real pyttsx3 worker, the cache, and a hung worker killed and replaced."""

from __future__ import annotations

import sys
import textwrap
import time

import pytest

from voice import audio
from voice.speak import DEFAULT_RATE, MAX_RATE, MIN_RATE, AudioCache, Synthesiser, SynthesisError, clamp_rate

FAKE_WORKER = textwrap.dedent('''
    import json, os, sys, time, wave
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        marker = os.environ["HANG_MARKER"]
        if os.environ.get("HANG_ALWAYS") or not os.path.exists(marker):
            open(marker, "w").close()
            time.sleep(3600)  # stuck, as pyttsx3 sometimes is
        with wave.open(job["path"], "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); w.writeframes(bytes(4410))
        print(json.dumps({"ok": True}), flush=True)
''')


@pytest.fixture(scope="module")
def synthesiser():
    s = Synthesiser()
    yield s
    s.close()


def test_british_voice_says_words_into_a_wav(synthesiser):
    key, wav = synthesiser.synthesise("Question 1 of 26. Do you need help to wash and get dressed?")
    assert wav[:4] == b"RIFF" and synthesiser.voice == "gmw/en"
    assert 2.0 < audio.seconds_of_wav(wav) < 8.0
    assert len(key) == 40


def test_rate_changes_the_length_and_is_part_of_the_cache_key(synthesiser):
    text = "Say 1, 2, 3 or 4, or say the words."
    slow_key, slow = synthesiser.synthesise(text, 110)
    fast_key, fast = synthesiser.synthesise(text, 220)
    assert slow_key != fast_key
    assert audio.seconds_of_wav(slow) > 1.5 * audio.seconds_of_wav(fast)


def test_repeated_text_comes_from_the_cache(synthesiser):
    text = "This is said to many people."
    key, wav = synthesiser.synthesise(text)
    started = time.perf_counter()
    again_key, again = synthesiser.synthesise(text)
    assert (again_key, again) == (key, wav) and time.perf_counter() - started < 0.01
    assert synthesiser.cache.get(key) == wav


def test_cache_is_bounded_and_keys_cannot_be_guessed():
    cache = AudioCache(max_bytes=100)
    for i in range(10):
        cache.put(str(i), bytes(30))
    assert len(cache) <= 4 and cache.get("9") is not None and cache.get("0") is None
    other = AudioCache()
    assert cache.key("hello", "v", 160) != other.key("hello", "v", 160)  # a secret per process


def test_rates_are_clamped():
    assert clamp_rate("fast") == DEFAULT_RATE
    assert clamp_rate(10) == MIN_RATE and clamp_rate(10_000) == MAX_RATE and clamp_rate(150.7) == 150


@pytest.mark.slow  # waits out a real timeout
def test_a_hung_worker_is_killed_and_the_job_retried(tmp_path, monkeypatch):
    script = tmp_path / "worker.py"
    script.write_text(FAKE_WORKER)
    monkeypatch.setenv("HANG_MARKER", str(tmp_path / "hung-once"))
    s = Synthesiser(worker_argv=[sys.executable, str(script)], timeout=1.0)
    try:
        hung = s._proc
        started = time.perf_counter()
        key, wav = s.synthesise("Hello")
        assert wav[:4] == b"RIFF"
        assert s.restarts == 1 and s._proc is not hung
        assert time.perf_counter() - started < 10
        assert s.synthesise("Hello again")[1][:4] == b"RIFF"  # the new worker carries on
    finally:
        s.close()


@pytest.mark.slow  # waits out real timeouts
def test_a_worker_that_always_hangs_gives_a_clear_error(tmp_path, monkeypatch):
    script = tmp_path / "worker.py"
    script.write_text(FAKE_WORKER)
    monkeypatch.setenv("HANG_MARKER", str(tmp_path / "m"))
    monkeypatch.setenv("HANG_ALWAYS", "1")
    s = Synthesiser(worker_argv=[sys.executable, str(script)], timeout=0.5)
    try:
        with pytest.raises(SynthesisError):
            s.synthesise("Hello")
        assert s.restarts == 2 and s._proc is None
    finally:
        s.close()


def test_a_worker_that_dies_is_replaced(synthesiser):
    synthesiser.synthesise("Warm up.")
    synthesiser._proc.kill()
    synthesiser._proc.wait()
    assert synthesiser.synthesise("After the worker died.")[1][:4] == b"RIFF"


def test_without_speech_the_conversation_goes_on_with_captions(tmp_path, monkeypatch):
    from bot.web import create_app, services
    from bot.web.voice import VoiceService

    script = tmp_path / "worker.py"
    script.write_text(FAKE_WORKER)
    monkeypatch.setenv("HANG_MARKER", str(tmp_path / "m"))
    monkeypatch.setenv("HANG_ALWAYS", "1")
    app = create_app({"TESTING": True})
    service = VoiceService(model_path=None, voice="gmw/en")
    service.synthesiser = Synthesiser(worker_argv=[sys.executable, str(script)], timeout=0.3, retries=0)
    services.of(app).voice = service
    try:
        client = app.test_client()
        reply = client.post("/api/voice/reply", json={"sender_id": "caption-test", "messages": [{"text": "Hello"}]})
        assert reply.status_code == 200
        assert reply.get_json()["audio"] == [] and reply.get_json()["audio_error"]
        spoken = client.post("/api/voice/speak", json={"text": "Hello"})
        assert spoken.status_code == 503 and spoken.get_json()["error"]
    finally:
        service.synthesiser.close()
