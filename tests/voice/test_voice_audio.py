"""Audio in: what is accepted, what is refused with a clear reason, and silence told from speech."""

from __future__ import annotations

import io
import struct
import subprocess
import wave

import numpy as np
import pytest

from voice import audio


def espeak_wav(text: str, voice: str = "en-gb", rate: int = 160) -> bytes:
    """A person saying `text`, as espeak-ng speaks it (22050 Hz, 16-bit mono WAV)."""
    return subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "--stdout", text], capture_output=True,
                          check=True, timeout=30).stdout


def wav_of(samples: np.ndarray, rate: int, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def tone(seconds: float, rate: int, level: float = 8000.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * 220 * t)).astype("<i2")


@pytest.mark.parametrize("rate", audio.COMMON_RATES)
def test_every_common_rate_is_resampled_to_16k(rate):
    speech = audio.read_wav(wav_of(tone(1.0, rate), rate))
    assert speech.source_rate == rate
    assert abs(speech.samples.size - audio.RATE) <= 2
    assert speech.has_speech


def test_espeak_speech_is_speech_and_keeps_its_length():
    data = espeak_wav("a lot of help")  # streamed: its header claims more samples than it has
    speech = audio.read_wav(data)
    assert speech.has_speech
    assert speech.seconds == pytest.approx((len(data) - 44) / 2 / 22050, abs=0.01)
    assert speech.samples.size == pytest.approx(speech.seconds * audio.RATE, abs=2)


def test_silence_and_quiet_noise_are_not_speech():
    quiet = np.random.default_rng(1).normal(0, 20, 16000).astype("<i2")
    assert not audio.read_wav(wav_of(np.zeros(16000, dtype="<i2"), 16000)).has_speech
    assert not audio.read_wav(wav_of(quiet, 16000)).has_speech


def _fmt_chunk(fmt: int, channels: int, rate: int, bits: int) -> bytes:
    block = channels * bits // 8
    return b"fmt " + struct.pack("<IHHIIHH", 16, fmt, channels, rate, rate * block, block, bits)


def _riff(fmt: bytes, data: bytes) -> bytes:
    body = b"WAVE" + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


BAD = {
    "empty": (b"", audio.EMPTY),
    "not audio": (b"<html>hello</html>" * 10, audio.NOT_WAV),
    "mp3 bytes": (b"ID3\x03\x00\x00\x00" + bytes(200), audio.NOT_WAV),
    "float wav": (_riff(_fmt_chunk(3, 1, 16000, 32), bytes(6400)), audio.NOT_PCM16),
    "8-bit wav": (wav_of(np.full(8000, 128, dtype=np.uint8), 16000, width=1), audio.NOT_PCM16),
    "stereo": (wav_of(np.zeros(32000, dtype="<i2"), 16000, channels=2), audio.NOT_MONO.format(channels=2)),
    "odd rate": (wav_of(tone(0.5, 7000), 7000), audio.ODD_RATE.format(rate=7000)),
    "no samples": (wav_of(np.zeros(0, dtype="<i2"), 16000), audio.EMPTY),
    "too long": (wav_of(np.zeros(16000 * 31, dtype="<i2"), 16000), audio.TOO_LONG.format(limit=30)),
    "truncated header": (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_audio_gets_a_clear_reason(name):
    data, message = BAD[name]
    with pytest.raises(audio.AudioError) as err:
        audio.read_wav(data)
    assert err.value.message.endswith(".")
    if message:
        assert err.value.message == message


def test_padding_and_trimming_keep_the_speech():
    speech = audio.read_wav(espeak_wav("yes"))
    trimmed = audio.trimmed(speech.samples)
    assert trimmed.size <= speech.samples.size and audio.has_speech(trimmed)
    padded = audio.padded(trimmed)
    assert padded.size == trimmed.size + 2 * int(0.3 * audio.RATE)
    assert audio.seconds_of_wav(audio.wav_bytes(padded, audio.RATE)) == pytest.approx(padded.size / audio.RATE)
