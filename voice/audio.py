"""Speech audio in: a WAV file checked, made mono 16 kHz, and told apart from silence.

Only 16-bit PCM mono at a common rate is accepted; anything else gets an AudioError whose
message says what is wrong and how to fix it. Audio is never written to disk or logged.
"""

from __future__ import annotations

import io
import math
import wave
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

RATE = 16000  # what both recognisers are fed
COMMON_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
MAX_SECONDS = 30.0  # the cap on one answer, as offline assistants use
MAX_BYTES = int(max(COMMON_RATES) * 2 * MAX_SECONDS) + 4096  # the longest allowed WAV, with its header
FRAME = 0.02  # seconds per energy frame
SPEECH_DBFS = -45.0  # a frame louder than this is counted as sound
MIN_SPEECH_SECONDS = 0.12  # less sound than this is silence (a click, a breath)


class AudioError(ValueError):
    """Audio that cannot be used: `message` is kind words saying what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


EMPTY = "No sound arrived. Please press the button and speak, then press it again to send."
NOT_WAV = "This is not a WAV sound file. Please send 16-bit mono PCM audio in a WAV file."
NOT_PCM16 = "This sound is not 16-bit PCM. Please send 16-bit mono PCM audio in a WAV file."
NOT_MONO = "This sound has {channels} channels. Please send mono (1 channel) 16-bit PCM audio."
ODD_RATE = "This sound's sample rate ({rate} Hz) is not one I can use. Please use 16000, 44100 or 48000 Hz."
TOO_LONG = "That was longer than {limit} seconds. Please say your answer in a few words."


@dataclass
class Speech:
    """Mono 16 kHz samples (int16) and what they hold."""

    samples: np.ndarray
    source_rate: int
    seconds: float
    has_speech: bool

    def pcm(self) -> bytes:
        return self.samples.astype("<i2").tobytes()


def read_wav(data: bytes) -> Speech:
    """WAV bytes -> Speech at 16 kHz; AudioError for anything that is not usable speech audio."""
    if not data:
        raise AudioError(EMPTY)
    if len(data) > MAX_BYTES:
        raise AudioError(TOO_LONG.format(limit=int(MAX_SECONDS)))
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(NOT_WAV)
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, width, rate, count = wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()
            frames = wav.readframes(count)
    except (wave.Error, EOFError, ValueError):
        # wave raises wave.Error for compressed or float formats ("unknown format: 3").
        raise AudioError(NOT_PCM16 if b"fmt " in data[:64] else NOT_WAV) from None
    if width != 2:
        raise AudioError(NOT_PCM16)
    if channels != 1:
        raise AudioError(NOT_MONO.format(channels=channels))
    if rate not in COMMON_RATES:
        raise AudioError(ODD_RATE.format(rate=rate))
    samples = np.frombuffer(frames[: len(frames) // 2 * 2], dtype="<i2")
    if samples.size == 0:
        raise AudioError(EMPTY)
    seconds = samples.size / rate
    if seconds > MAX_SECONDS:
        raise AudioError(TOO_LONG.format(limit=int(MAX_SECONDS)))
    mono = resample(samples, rate, RATE)
    return Speech(mono, rate, seconds, has_speech(mono, RATE))


def resample(samples: np.ndarray, rate: int, to: int = RATE) -> np.ndarray:
    """int16 samples at `rate` -> int16 at `to`, with an anti-aliasing polyphase filter."""
    if rate == to:
        return samples.astype(np.int16, copy=False)
    from scipy.signal import resample_poly  # scipy comes with Rasa; imported late, it is slow to load

    ratio = Fraction(to, rate)
    out = resample_poly(samples.astype(np.float32), ratio.numerator, ratio.denominator)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def frame_levels(samples: np.ndarray, rate: int = RATE) -> np.ndarray:
    """Loudness of each 20 ms frame in dBFS."""
    size = max(1, int(rate * FRAME))
    usable = samples[: samples.size // size * size].astype(np.float64)
    if usable.size == 0:
        return np.zeros(0)
    rms = np.sqrt(np.mean(usable.reshape(-1, size) ** 2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9) / 32768.0)


def has_speech(samples: np.ndarray, rate: int = RATE) -> bool:
    loud = int(np.sum(frame_levels(samples, rate) > SPEECH_DBFS))
    return loud * FRAME >= MIN_SPEECH_SECONDS


def trimmed(samples: np.ndarray, rate: int = RATE, keep: float = 0.2) -> np.ndarray:
    """The samples from just before the first sound to just after the last, for the recogniser."""
    levels = frame_levels(samples, rate)
    loud = np.flatnonzero(levels > SPEECH_DBFS)
    if loud.size == 0:
        return samples
    size = int(rate * FRAME)
    start = max(0, loud[0] * size - int(keep * rate))
    end = min(samples.size, (loud[-1] + 1) * size + int(keep * rate))
    return samples[start:end]


def padded(samples: np.ndarray, rate: int = RATE, seconds: float = 0.3, level: float = 30.0) -> np.ndarray:
    """Quiet room noise before and after: both decoders miss a last word that ends the audio
    abruptly, and digital silence upsets their feature normalisation (measured; see README)."""
    rng = np.random.default_rng(len(samples))
    pad = int(seconds * rate)
    body = np.concatenate([np.zeros(pad), samples.astype(np.float64), np.zeros(pad)])
    body += rng.normal(0.0, level, body.size)
    return np.clip(np.round(body), -32768, 32767).astype(np.int16)


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """int16 mono samples -> a WAV file's bytes."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return out.getvalue()


def seconds_of_wav(data: bytes) -> float:
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate())
    except (wave.Error, EOFError):
        return math.nan
