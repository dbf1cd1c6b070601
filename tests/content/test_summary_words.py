"""The summary's own words (summary/words.yml): both reading levels, and easy read kept easy."""

from __future__ import annotations

import re

import pytest

from dialogue.content import LEVELS, VOICES, ContentError, check, pick
from summary.symbols import OTHER_SYMBOLS
from summary.words import WORDS_FILE, Words, all_words

MOST_EASY_READ_WORDS = 15
MOST_PLAIN_WORDS = 25
NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "twenty", "hundred", "thousand"}
BLAME = {"failed", "fail", "wrong answer", "should have", "must", "forgot", "didn't bother", "refused"}
SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def said(level):
    """Every string the summary can say at this level: (key, string)."""
    for key, node in all_words().items():
        for voice in VOICES:
            words = pick(node, level, voice)
            for line in words if isinstance(words, list) else [words]:
                yield key, line


def sentences(line):
    return [s for s in SENTENCE_END.split(line.strip()) if s]


def count_words(sentence):
    # A {field} is filled with a name, an amount, a date or a label: count it as one word.
    return len(re.sub(r"\{[a-z_]+\}", "X", sentence).split())


def test_easy_read_sentences_are_at_most_15_words():
    long = [(key, s, count_words(s)) for key, line in said("easy_read") for s in sentences(line)
            if count_words(s) > MOST_EASY_READ_WORDS]
    assert long == []


def test_plain_sentences_are_short():
    long = [(key, s) for key, line in said("plain") for s in sentences(line) if count_words(s) > MOST_PLAIN_WORDS]
    assert long == []


def test_easy_read_uses_digits_and_no_blame():
    for key, line in said("easy_read"):
        words = set(re.findall(r"[a-z']+", line.lower()))
        assert not words & NUMBER_WORDS, (key, line)
        assert not any(b in line.lower() for b in BLAME), (key, line)


def test_easy_read_lines_hold_one_idea_each():
    # A list item in easy read is one line on the page: at most two short sentences, never a run-on.
    for key, line in said("easy_read"):
        assert len(sentences(line)) <= 2, (key, line)
        assert ";" not in line, (key, line)


def test_every_picture_has_alt_text_at_both_levels():
    for symbol_id in OTHER_SYMBOLS:
        for level in LEVELS:
            assert Words(level, "self", "").lines(f"symbol_{symbol_id}")


def test_the_carer_voice_names_the_person():
    for key, node in all_words().items():
        for level in LEVELS:
            by_level = node.get(level) if isinstance(node, dict) and level in node else node
            if isinstance(by_level, dict) and "other" in by_level:
                other = by_level["other"]
                joined = " ".join(other) if isinstance(other, list) else other
                assert "{name}" in joined, key
                self_ = by_level["self"]
                assert "{name}" not in (" ".join(self_) if isinstance(self_, list) else self_), key


def test_a_broken_entry_is_named():
    with pytest.raises(ContentError, match="words.yml: 'heading_who'"):
        check("heading_who", {"plain": "Who answered"}, WORDS_FILE)
    with pytest.raises(ContentError, match="words.yml: 'made_on.easy_read'"):
        check("made_on", {"plain": "x", "easy_read": 3}, WORDS_FILE)


def test_words_fill_in_name_and_fields():
    assert Words("easy_read", "other", "Sam")("page_title") == "Summary for Sam"
    assert Words("plain", "self", "")("a_week", amount="£81") == "£81 a week"
    assert Words("easy_read", "self", "").lines("draft_note")[0] == "This plan is a DRAFT."
