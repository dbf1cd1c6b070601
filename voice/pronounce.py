"""British pronunciations for PocketSphinx's US English dictionary, made with espeak-ng.

PocketSphinx ships only a US model and dictionary. Spoken in British English, "back",
"one", "stop" and "four" were missed (see README, Voice). espeak-ng knows how British
speakers say each word; its IPA is mapped to the dictionary's phones and added as
alternative pronunciations, so "four" may be F AO as well as F AO R.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from typing import Dict, Iterable, List

# Longest first. Several choices where a British vowel falls between two US phones.
_VOWELS = {
    "aɪə": ["AY AH"], "aʊə": ["AW AH"], "eɪ": ["EY"], "aɪ": ["AY"], "ɔɪ": ["OY"], "əʊ": ["OW"], "oʊ": ["OW"],
    "aʊ": ["AW"], "ɪə": ["IH R", "IY AH"], "iə": ["IH R", "IY AH"], "eə": ["EH R", "EH AH"], "ɛə": ["EH R"],
    "ʊə": ["UH R", "UW AH"], "iː": ["IY"], "uː": ["UW"], "ɔː": ["AO"], "ɜː": ["ER"], "ɑː": ["AA"], "aː": ["AA"],
    "ɐ": ["AH"], "ə": ["AH"], "ɚ": ["ER"], "a": ["AE", "AA"], "æ": ["AE"], "ɒ": ["AA", "AO"], "ɔ": ["AO"],
    "ɛ": ["EH"], "e": ["EH"], "ɪ": ["IH"], "ᵻ": ["IH"], "i": ["IY"], "ʊ": ["UH"], "u": ["UW"], "ʌ": ["AH"],
    "ɑ": ["AA"], "o": ["OW"], "ɜ": ["ER"],
}
_CONSONANTS = {
    "tʃ": "CH", "dʒ": "JH", "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "ɡ": "G", "g": "G", "f": "F",
    "v": "V", "θ": "TH", "ð": "DH", "s": "S", "z": "Z", "ʃ": "SH", "ʒ": "ZH", "h": "HH", "m": "M", "n": "N",
    "ŋ": "NG", "l": "L", "ɹ": "R", "r": "R", "w": "W", "j": "Y", "x": "K", "ɾ": "T", "ʔ": "",
}
_TOKENS = sorted([(k, v) for k, v in _VOWELS.items()] + [(k, [v]) for k, v in _CONSONANTS.items()],
                 key=lambda kv: -len(kv[0]))
_MARKS = re.compile("[ˈˌ‍̩ ]")
MAX_VARIANTS = 4
VOICES = ("en-gb", "en-gb-x-rp")  # general British and Received Pronunciation


def arpabet(ipa: str) -> List[str]:
    """One word's IPA -> up to MAX_VARIANTS phone strings ("F AO")."""
    ipa = _MARKS.sub("", ipa)
    parts: List[List[str]] = []
    i = 0
    while i < len(ipa):
        for key, phones in _TOKENS:
            if ipa.startswith(key, i):
                if phones != [""]:
                    parts.append(phones)
                i += len(key)
                break
        else:
            i += 1  # a mark with no phone of its own
    if not parts:
        return []
    return [" ".join(p for p in combo if p) for combo in itertools.islice(itertools.product(*parts), MAX_VARIANTS)]


def _espeak_ipa(words: List[str], voice: str) -> Dict[str, str]:
    if not words or not shutil.which("espeak-ng"):
        return {}
    text = "".join(f"{w}.\n" for w in words)
    try:
        out = subprocess.run(["espeak-ng", "-v", voice, "-q", "--ipa", "--stdin"], input=text, capture_output=True,
                             text=True, timeout=20, check=True).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return {}
    lines = [line.strip() for line in out if line.strip()]
    if len(lines) != len(words):  # espeak joined or split a line: ask word by word instead
        return {w: ipa for w in words for ipa in [_one(w, voice)] if ipa}
    return dict(zip(words, lines, strict=True))


def _one(word: str, voice: str) -> str:
    try:
        return subprocess.run(["espeak-ng", "-v", voice, "-q", "--ipa", word], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def british_many(words: Iterable[str]) -> Dict[str, List[str]]:
    """Each word -> its British phone strings (any number, none if espeak-ng is missing)."""
    words = sorted({w for w in words if re.fullmatch(r"[a-z']+", w)})
    found: Dict[str, List[str]] = {w: [] for w in words}
    for voice in VOICES:
        for word, ipa in _espeak_ipa(words, voice).items():
            for variant in arpabet(ipa):
                if variant not in found[word]:
                    found[word].append(variant)
    return found
