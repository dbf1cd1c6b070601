"""Speech in: one small interface, two offline recognisers behind it.

`Recogniser.stream(phrases)` starts an utterance; `feed(pcm)` takes 16 kHz 16-bit mono chunks
as they come; `finish()` gives a `Heard`. With `phrases`, recognition is held to them (a
grammar); with None it is free dictation. Vosk is used when an English Vosk model is
configured; otherwise PocketSphinx, whose US English model ships in its wheel. Neither logs
what it heard.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np

from voice import audio
from voice.pronounce import british_many

# A grammar result whose acoustic score is more than this much worse, per 10 ms frame, than
# free phone recognition of the same audio is treated as unsure (calibrated on espeak-ng
# speech: in-grammar phrases scored -20 to 7, out-of-grammar sentences 10 to 13; README).
SPHINX_MARGIN = 8.0
VOSK_CONFIDENCE = 0.75  # lowest word confidence for a sure Vosk result
CHUNK = 3200  # samples per fed chunk (0.2 s), as a microphone would deliver them


@dataclass
class Heard:
    text: str  # "" when nothing was recognised
    confident: bool
    seconds: float  # decoding time
    engine: str


class RecogniserError(RuntimeError):
    pass


class Stream:
    """One utterance being decoded."""

    def feed(self, pcm: bytes) -> None:
        raise NotImplementedError

    def finish(self) -> Heard:
        raise NotImplementedError


class Recogniser:
    name = "recogniser"

    def stream(self, phrases: Optional[Sequence[str]]) -> Stream:
        raise NotImplementedError

    def recognise(self, samples: np.ndarray, phrases: Optional[Sequence[str]]) -> Heard:
        """Decode a whole utterance (16 kHz int16), fed in microphone-sized chunks."""
        started = time.perf_counter()
        pcm = audio.padded(audio.trimmed(samples)).astype("<i2").tobytes()
        stream = self.stream(phrases)
        for i in range(0, len(pcm), CHUNK * 2):
            stream.feed(pcm[i:i + CHUNK * 2])
        heard = stream.finish()
        heard.seconds = time.perf_counter() - started
        return heard


# ---------------------------------------------------------------------------- PocketSphinx

class _SphinxStream(Stream):
    def __init__(self, owner: PocketSphinx, phrases: Optional[Sequence[str]]) -> None:
        self.owner, self.phrases = owner, list(phrases) if phrases is not None else None
        self.chunks: List[bytes] = []

    def feed(self, pcm: bytes) -> None:
        self.chunks.append(pcm)

    def finish(self) -> Heard:
        return self.owner._decode(b"".join(self.chunks), self.phrases)


class PocketSphinx(Recogniser):
    """CMU PocketSphinx 5 with the US English model from its wheel, and British pronunciations."""

    name = "pocketsphinx"
    MAX_SEARCHES = 32

    def __init__(self) -> None:
        from pocketsphinx import Config, Decoder

        self._config, self._decoder_class = Config, Decoder
        self._lock = threading.Lock()
        self._grammar = self._new(lm=None)
        self._phones: Optional[object] = None
        self._dictation: Optional[object] = None
        self._searches: OrderedDict = OrderedDict()
        self._british_done: set = set()

    def _new(self, **settings):
        # Batch normalisation: a push-to-talk answer arrives whole, so its own mean is known.
        return self._decoder_class(self._config(samprate=audio.RATE, loglevel="FATAL", cmn="batch", **settings))

    def stream(self, phrases: Optional[Sequence[str]]) -> Stream:
        return _SphinxStream(self, phrases)

    # Words: every grammar word needs a pronunciation; British ones are added beside the US ones.
    def _prepare_words(self, words: Iterable[str]) -> set:
        d = self._grammar
        words = {w for w in words}
        new = words - self._british_done
        british = british_many(new) if new else {}
        for word in new:
            known, n = set(), 1
            while True:
                pron = d.lookup_word(word if n == 1 else f"{word}({n})")
                if pron is None:
                    break
                known.add(pron)
                n += 1
            for pron in british.get(word, []):
                if pron in known:
                    continue
                try:
                    d.add_word(word if n == 1 else f"{word}({n})", pron, False)
                except RuntimeError:
                    break
                known.add(pron)
                n += 1
            self._british_done.add(word)
        return {w for w in words if d.lookup_word(w) is not None}

    def _search_for(self, phrases: Sequence[str]) -> Optional[str]:
        phrases = sorted({" ".join(p.split()) for p in phrases if p.strip()})
        key = "g" + hashlib.sha1("\n".join(phrases).encode()).hexdigest()[:16]
        if key in self._searches:
            self._searches.move_to_end(key)
            return key
        usable = self._prepare_words(w for p in phrases for w in p.split())
        kept = [p for p in phrases if all(w in usable for w in p.split())]
        if not kept:
            return None
        rule = " | ".join(f"( {p} )" for p in kept)
        self._grammar.add_jsgf_string(key, f"#JSGF V1.0;\ngrammar steer;\npublic <answer> = {rule};\n")
        self._searches[key] = True
        while len(self._searches) > self.MAX_SEARCHES:
            old, _ = self._searches.popitem(last=False)
            self._grammar.remove_search(old)
        return key

    @staticmethod
    def _raw(decoder) -> Optional[float]:
        hyp = decoder.hyp()
        if hyp is None or hyp.score <= 0:
            return None
        return math.log(hyp.score) / math.log(1.0001)  # back from logmath's base to its integer score

    def _run(self, decoder, pcm: bytes) -> Optional[str]:
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return hyp.hypstr if hyp is not None else None

    def _phone_decoder(self):
        if self._phones is None:
            import os

            import pocketsphinx

            self._phones = self._new(lm=None)
            self._phones.add_allphone_file(
                "phones", os.path.join(pocketsphinx.get_model_path(), "en-us", "en-us-phone.lm.bin"))
            self._phones.activate_search("phones")
        return self._phones

    def _decode(self, pcm: bytes, phrases: Optional[List[str]]) -> Heard:
        with self._lock:
            if phrases is None:
                if self._dictation is None:
                    self._dictation = self._new()  # the wheel's default US English language model
                text = self._run(self._dictation, pcm) or ""
                return Heard(" ".join(text.split()), confident=False, seconds=0.0, engine=self.name)
            search = self._search_for(phrases)
            if search is None:
                return Heard("", confident=False, seconds=0.0, engine=self.name)
            self._grammar.activate_search(search)
            text = " ".join((self._run(self._grammar, pcm) or "").split())
            if not text:
                return Heard("", confident=False, seconds=0.0, engine=self.name)
            grammar_score, frames = self._raw(self._grammar), max(1, self._grammar.n_frames())
            phones = self._phone_decoder()
            self._run(phones, pcm)
            phone_score = self._raw(phones)
            complete = text in {" ".join(p.split()) for p in phrases}
            margin = ((phone_score - grammar_score) / frames
                      if grammar_score is not None and phone_score is not None else math.inf)
            return Heard(text, confident=complete and margin <= SPHINX_MARGIN, seconds=0.0, engine=self.name)


# ---------------------------------------------------------------------------- Vosk

class _VoskStream(Stream):
    def __init__(self, owner: Vosk, phrases: Optional[Sequence[str]]) -> None:
        from vosk import KaldiRecognizer

        self.owner = owner
        self.phrases = {" ".join(p.split()) for p in phrases} if phrases is not None else None
        if phrases is None:
            self.rec = KaldiRecognizer(owner.model, audio.RATE)
        else:
            grammar = sorted(self.phrases) + ["[unk]"]
            self.rec = KaldiRecognizer(owner.model, audio.RATE, json.dumps(grammar, ensure_ascii=False))
        self.rec.SetWords(True)
        self.parts: List[dict] = []

    def feed(self, pcm: bytes) -> None:
        if self.rec.AcceptWaveform(pcm):  # an endpoint: keep that segment's result
            self.parts.append(json.loads(self.rec.Result()))

    def partial(self) -> str:
        return json.loads(self.rec.PartialResult()).get("partial", "")

    def finish(self) -> Heard:
        self.parts.append(json.loads(self.rec.FinalResult()))
        words = [w for part in self.parts for w in part.get("result", [])]
        text = " ".join(w["word"] for w in words if w.get("word") != "[unk]")
        unknown = any(w.get("word") == "[unk]" for w in words)
        sure = bool(words) and not unknown and min(float(w.get("conf", 0)) for w in words) >= VOSK_CONFIDENCE
        # Free words are never "sure": the text conversation reads them back.
        sure = sure and self.phrases is not None and text in self.phrases
        return Heard(text, confident=sure, seconds=0.0, engine=self.owner.name)


class Vosk(Recogniser):
    """Vosk 0.3.45 with a model folder (small models accept a phrase list as a grammar)."""

    name = "vosk"

    def __init__(self, model_path: Path) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        if not (Path(model_path) / "am").is_dir():
            raise RecogniserError(f"{model_path} is not a Vosk model folder (it has no am/ folder)")
        self.model_path = Path(model_path)
        self.model = vosk.Model(str(model_path))
        self._lock = threading.Lock()

    def stream(self, phrases: Optional[Sequence[str]]) -> Stream:
        return _VoskStream(self, phrases)

    def recognise(self, samples: np.ndarray, phrases: Optional[Sequence[str]]) -> Heard:
        with self._lock:  # one decoder at a time keeps memory flat on 2 cores
            return super().recognise(samples, phrases)


_shared: Dict[str, Recogniser] = {}
_shared_lock = threading.Lock()


def shared(model_path: Optional[str] = None) -> Recogniser:
    """One recogniser per process: Vosk when an English model is configured, else PocketSphinx."""
    key = str(model_path or "")
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Vosk(Path(model_path)) if model_path else PocketSphinx()
        return _shared[key]
