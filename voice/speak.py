"""Speech out: text -> WAV through a supervised pyttsx3 worker, cached by text, voice and rate.

The cache is in memory only and keyed by an HMAC with a per-process secret: replies can
hold a name or a read-back answer, so no audio is written to disk beyond the moment the
worker hands it over, and a key cannot be guessed from a text.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import logging
import math
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import OrderedDict, deque
from typing import List, Optional, Tuple

log = logging.getLogger(__name__)

BRITISH_VOICE = "gmw/en"  # espeak-ng's "English (Great Britain)"
DEFAULT_RATE = 160  # words a minute; espeak-ng's own default of 175 is brisk for many listeners
MIN_RATE, MAX_RATE, RATE_STEP = 90, 260, 25
# POST /api/voice/speak takes at most this many characters: the longest message Steer says, other than
# the draft plan read back, is a plan answer read back ("You said: ...", 600 characters of it, and
# "Say yes or no."): 643 characters; a chat message is at most 1,000.
MAX_TEXT = 1000
# One part of a reply, as the front door speaks it: the draft plan read back can be longer than
# anything a person types; as before, speech stops at this many characters (the screen has it all).
MAX_PART = 4000
# Longer texts are made a piece at a time (at sentence ends), each piece its own job: no one text holds
# the worker for long, and whoever waits gets the next turn (FairLock), so a long text cannot stall
# everyone else's speech. About 0.1 s of work a piece on this machine.
PIECE = 700
LOCK_WAIT = float(os.environ.get("STEER_SPEECH_WAIT") or 3.0)  # seconds to wait for the worker, then "busy"
START_TIMEOUT = 20.0  # seconds for a new worker to load pyttsx3 and espeak-ng


def clamp_rate(rate: object) -> int:
    try:
        value = int(float(rate))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_RATE
    return max(MIN_RATE, min(MAX_RATE, value))


class SynthesisError(RuntimeError):
    """No audio could be made; the conversation goes on with captions."""


class SynthesiserBusy(SynthesisError):
    """Others' speech is being made and the wait ran out: try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("the speech worker is busy")
        self.retry_after = retry_after


class FairLock:
    """A lock taken in the order it was asked for, with a bounded wait (threading.Lock favours no one)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque = deque()

    def acquire(self, timeout: Optional[float] = None) -> bool:
        with self._mutex:
            if not self._held and not self._waiting:
                self._held = True
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ran out
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().set()  # straight to the next in line: it stays held
            else:
                self._held = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, *_exc) -> None:
        self.release()


def pieces(text: str, size: int = PIECE) -> List[str]:
    """The text cut at sentence ends (else at spaces) into pieces of at most `size` characters."""
    if len(text) <= size:
        return [text]
    sentences = re.findall(r"[^.?!]*(?:[.?!]+|$)\s*", text)
    out: List[str] = []
    current = ""
    for sentence in filter(None, sentences):
        while len(sentence) > size:  # one very long sentence: at the last space that fits
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > 0 else size
            if current:
                out.append(current.strip())
                current = ""
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:]
        if len(current) + len(sentence) > size:
            out.append(current.strip())
            current = ""
        current += sentence
    if current.strip():
        out.append(current.strip())
    return [p for p in out if p]


def join_wavs(wavs: List[bytes]) -> bytes:
    """One WAV of several made by the same voice (same channels, width and rate)."""
    if len(wavs) == 1:
        return wavs[0]
    frames = []
    params = None
    for wav in wavs:
        with wave.open(io.BytesIO(wav), "rb") as part:
            params = params or part.getparams()
            frames.append(part.readframes(part.getnframes()))
    out = io.BytesIO()
    with wave.open(out, "wb") as joined:
        joined.setnchannels(params.nchannels)
        joined.setsampwidth(params.sampwidth)
        joined.setframerate(params.framerate)
        joined.writeframes(b"".join(frames))
    return out.getvalue()


class AudioCache:
    """Bounded in-memory WAVs by key; least recently used go first."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._secret = secrets.token_bytes(32)

    def key(self, text: str, voice: str, rate: int) -> str:
        message = f"{voice}\0{rate}\0{text}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:40]

    def get(self, key: str) -> Optional[bytes]:
        with self._lock:
            wav = self._items.get(key)
            if wav is not None:
                self._items.move_to_end(key)
            return wav

    def put(self, key: str, wav: bytes) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = wav
            self._size += len(wav)
            while self._size > self.max_bytes and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)

    def __len__(self) -> int:
        return len(self._items)


class Synthesiser:
    """Runs the worker, one job at a time, with a timeout; a hung worker is killed and retried."""

    def __init__(self, voice: str = BRITISH_VOICE, worker_argv: Optional[List[str]] = None,
                 timeout: float = 5.0, retries: int = 1, cache: Optional[AudioCache] = None,
                 lock_wait: Optional[float] = None) -> None:
        self.voice = voice
        self.worker_argv = worker_argv or [sys.executable, "-m", "voice.tts_worker"]
        self.timeout = timeout
        self.retries = retries
        self.cache = cache or AudioCache()
        self.lock_wait = LOCK_WAIT if lock_wait is None else lock_wait
        self.restarts = 0  # workers killed for hanging or dying
        self._proc: Optional[subprocess.Popen] = None
        self._lock = FairLock()
        self._local = threading.local()  # per request thread: was its last call refused as busy?
        self._dir = tempfile.mkdtemp(prefix="steer-tts-")  # private (0700): files live for one job

    # -- the worker
    def _start(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            self.worker_argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, bufsize=1, start_new_session=True, cwd=os.path.dirname(os.path.dirname(__file__)),
        )
        if self._read(proc, START_TIMEOUT) is None:
            self._kill(proc)
            raise SynthesisError("the speech worker did not start")
        return proc

    @staticmethod
    def _read(proc: subprocess.Popen, timeout: float) -> Optional[dict]:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = proc.stdout.readline()
        try:
            return json.loads(line) if line else None
        except ValueError:
            return None

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)

    def close(self) -> None:
        with self._lock:
            if self._proc is not None:
                self._kill(self._proc)
                self._proc = None

    def _job(self, text: str, rate: int) -> bytes:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
        path = os.path.join(self._dir, f"{secrets.token_hex(8)}.wav")
        job = json.dumps({"text": text, "voice": self.voice, "rate": rate, "path": path})
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(job + "\n")
            self._proc.stdin.flush()
            reply = self._read(self._proc, self.timeout + len(text) / 200.0)
            if reply is None:
                self._kill(self._proc)
                self._proc = None
                self.restarts += 1
                raise SynthesisError("the speech worker did not answer in time")
            if not reply.get("ok"):
                raise SynthesisError(f"the speech worker failed ({reply.get('error', 'unknown')})")
            with open(path, "rb") as f:
                return f.read()
        except (BrokenPipeError, OSError) as err:
            if self._proc is not None:
                self._kill(self._proc)
                self._proc = None
                self.restarts += 1
            raise SynthesisError(f"the speech worker stopped ({type(err).__name__})") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)

    # -- the public face
    def busy_retry_after(self) -> Optional[int]:
        """Seconds to wait, if this thread's last synthesise() was refused because others' speech was being made."""
        return getattr(self._local, "busy", None)

    def _piece(self, text: str, rate: int) -> bytes:
        if not self._lock.acquire(timeout=self.lock_wait):
            raise SynthesiserBusy(max(1, math.ceil(self.lock_wait)))
        try:
            last: Optional[SynthesisError] = None
            for attempt in range(1 + self.retries):
                started = time.perf_counter()
                try:
                    return self._job(text, rate)
                except SynthesisError as err:
                    last = err
                    # The reason only; never the text.
                    log.warning("Speech synthesis attempt %d failed after %.1f s: %s",
                                attempt + 1, time.perf_counter() - started, err)
            raise last or SynthesisError("no audio")
        finally:
            self._lock.release()

    def synthesise(self, text: str, rate: int = DEFAULT_RATE) -> Tuple[str, bytes]:
        """(cache key, WAV bytes) for the text at this rate; SynthesisError if it cannot be made
        (SynthesiserBusy when others' speech kept the worker for longer than lock_wait)."""
        self._local.busy = None
        # Lone surrogates (JSON's "\ud800") are not text: the cache key's UTF-8 and the worker's pipe fail on them.
        text = " ".join(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").split())[:MAX_PART]
        rate = clamp_rate(rate)
        key = self.cache.key(text, self.voice, rate)
        wav = self.cache.get(key)
        if wav is not None:
            return key, wav
        if not text:
            raise SynthesisError("there are no words to say")
        try:
            wav = join_wavs([self._piece(piece, rate) for piece in pieces(text)])
        except SynthesiserBusy as busy:
            self._local.busy = busy.retry_after
            raise
        except (wave.Error, EOFError):
            raise SynthesisError("the speech worker wrote audio that cannot be joined") from None
        self.cache.put(key, wav)
        return key, wav
