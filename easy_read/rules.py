"""The rules every user-facing string is held to, and the checker that applies them.

Easy read: at most 15 words a sentence; one idea a sentence; active voice; numbers as digits;
money as "£4,200"; no hard word (long or rare) and no glossary term without an explanation the
first time it is used in a message (or a glossary link); "I" and "you", never "the user"; no
blame; reading ease (Flesch) at least 80.
Plain English: at most 25 words a sentence; money as "£4,200"; no blame; reading ease at least 60.

spaCy finds the sentences, the passive voice, clauses, number words and lemmas; textstat gives
the reading ease and counts syllables. Exceptions live in easy_read/exceptions.yml, each with a
reason (see exceptions.py); this module only reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import List, Optional, Sequence, Set, Tuple

from easy_read.glossary import Found, Glossary, default_glossary

EASY_READ, PLAIN = "easy_read", "plain"
MOST_WORDS = {EASY_READ: 15, PLAIN: 25}
LEAST_EASE = {EASY_READ: 80.0, PLAIN: 60.0}
# Flesch is a measure of running text; on a button label of 3 words it says nothing useful
# (one long word swings it by 100 points). Shorter strings are held to the word rules instead.
EASE_FROM_WORDS = 10
HARD_SYLLABLES = 3       # a word of 3 or more syllables that is not a familiar word is hard
HARD_LETTERS = 13        # a word this long is hard even when it is familiar

RULES = {
    "long_sentence": "a sentence has too many words",
    "one_idea": "a sentence holds more than one idea",
    "passive": "a sentence uses the passive voice",
    "number_words": "a number is written in words",
    "money": "money is not written like £4,200",
    "unexplained_term": "a glossary term is used without an explanation",
    "hard_word": "a long or rare word that is not in the glossary",
    "impersonal": "easy read speaks to the person as 'you', not about them",
    "blame": "words that blame the person",
    "reading_ease": "reading ease (Flesch) is too low",
}

_NUMBER_WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion", "dozen",
}
_MONEY = re.compile(r"£\s*[\d.,]*\d(?:[\d.,]*\d)?k?\b", re.IGNORECASE)
_MONEY_WORDS = re.compile(r"\b\d[\d,.]*\s*(?:pounds?|quid|gbp)\b|\bgbp\b|\bpounds? sterling\b", re.IGNORECASE)
_GOOD_MONEY = {EASY_READ: re.compile(r"^£\d{1,3}(?:,\d{3})*$"), PLAIN: re.compile(r"^£\d{1,3}(?:,\d{3})*(?:\.\d\d)?$")}
_BLAME = re.compile(
    r"\byou(?:'ve| have)? (?:did not|didn'?t|failed|forgot|got (?:it|that) wrong|made a mistake|should have|"
    r"must not|were wrong|entered)\b|\b(?:your|you'?re|you are) (?:fault|wrong|mistake|to blame)\b|\binvalid\b|"
    r"\bwrong answer\b|\bincorrect\b|\billegal\b|\bnot allowed\b|\berror\b|\bfailure to\b|\byou must\b",
    re.IGNORECASE,
)
_IMPERSONAL = re.compile(
    r"\b(?:the|a|each|every) (?:user|service user|applicant|client|customer|claimant|individual)s?\b(?!-)|"
    r"\bservice users?\b|\bthe person completing\b|\bone (?:must|should|can|may)\b",
    re.IGNORECASE,
)
# How a message explains a term: "A PIN is ...", "Volunteering means ...", "we call this money a
# Personal Budget", "seizures (fits)"; in the sentence of its first use or the one after it.
_DEFINES_AFTER = re.compile(r"^[\s\"'”’]*(?:\(|,? (?:is|are|means|mean)\b|:)", re.IGNORECASE)
_NAMING_BEFORE = re.compile(r"\b(?:call|calls|called|name|named|known as)\b(?:\s+\w+){0,3}\s*[\"'“‘]?$", re.IGNORECASE)
_DEFINES_NEXT = re.compile(
    r"^(?:this|that|it|they) (?:means?|is (?:a|an|the|when|how|what|money|someone|something|where)|"
    r"are (?:people|the|things|money|ways))\b", re.IGNORECASE)
_LIST_NUMBER = re.compile(r"^\s*\d{1,2}[.)]\s+")


@dataclass(frozen=True)
class Problem:
    rule: str
    about: str       # the sentence, word or term it is about (what an exception names)
    why: str         # what is wrong, said so a writer can fix it

    def __str__(self) -> str:
        return f"{self.rule}: {self.why}"


@cache
def familiar_words() -> frozenset:
    """The Dale-Chall list of about 3,000 words most readers know (shipped inside textstat)."""
    import textstat

    path = Path(textstat.__file__).resolve().parent / "resources" / "en" / "easy_words.txt"
    return frozenset(w.strip().lower() for w in path.read_text(encoding="utf-8").split() if w.strip())


def syllables(word: str) -> int:
    import textstat

    return max(1, textstat.syllable_count(word))


def words_of(text: str) -> List[str]:
    """Words as a reader counts them: "don't" is 1, "£4,200" is 1, "self-assessment" is 1."""
    return re.findall(r"[£\w]+(?:['’.,-][£\w]+)*", text)


def reading_ease(text: str) -> float:
    import textstat

    return float(textstat.flesch_reading_ease(text))


def _lines(text: str) -> List[str]:
    """A message's lines; list numbers ("2. Make a plan") are not sentences of their own."""
    out = []
    for line in text.split("\n"):
        line = _LIST_NUMBER.sub("", line).strip()
        if line:
            out.append(line)
    return out


def _sentences(text: str):
    from easy_read.nlp import nlp

    for line in _lines(text):
        yield from nlp()(line).sents


def _verb_clauses(sent) -> Tuple[int, bool]:
    """(clauses, two main clauses joined) in a sentence.

    Counted: the main verb, verbs joined to it ("press the button and say your answer") and
    clauses hung off them ("when you are ready"). Not counted: what a verb says or wants ("it
    says what help you want"), "to" verbs ("help to wash and get dressed"), and -ing phrases
    without a subject, which name things ("Looking after yourself").
    """
    root = sent.root
    heads = [root]
    joined = False
    for tok in sent:
        if tok is root or tok.pos_ not in ("VERB", "AUX"):
            continue
        subject = any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in tok.children)
        if tok.tag_ == "VBG" and not subject:
            continue
        subordinate = any(c.dep_ == "mark" or c.tag_ in ("WRB", "WDT") for c in tok.children)
        if tok.dep_ == "conj" and tok.head in heads:
            heads.append(tok)
            joined = joined or (subject and not subordinate)
        elif tok.dep_ in ("advcl", "parataxis") and tok.head in heads:
            heads.append(tok)
    return len(heads), joined


def _passive(sent) -> Optional[str]:
    for tok in sent:
        if tok.dep_ in ("nsubjpass", "auxpass", "csubjpass"):
            return tok.head.text
    return None


def explained(found: Found, text: str, sentences: Sequence[Tuple[int, int]]) -> bool:
    """Whether the first use of a term comes with an explanation (same sentence or the next)."""
    index = next((i for i, (s, e) in enumerate(sentences) if s <= found.start < e), None)
    if index is None:
        return False
    start, end = sentences[index]
    if _DEFINES_AFTER.match(text[found.end:end]) or _NAMING_BEFORE.search(text[start:found.start]):
        return True
    # "Choose a PIN. A PIN is 4 to 8 numbers.": the next sentence starts by defining it.
    if index + 1 < len(sentences):
        s2, e2 = sentences[index + 1]
        nxt = text[s2:e2]
        for other in default_glossary().find(nxt):
            if other.term.id == found.term.id and other.start <= 4 and _DEFINES_AFTER.match(nxt[other.end:]):
                return True
        if _DEFINES_NEXT.match(nxt):
            return True
    return False


def _sentence_spans(text: str) -> List[Tuple[int, int]]:
    spans, pos = [], 0
    for piece in re.split(r"(?<=[.!?])\s+|\n+", text):
        start = text.find(piece, pos)
        spans.append((start, start + len(piece)))
        pos = start + len(piece)
    return spans


def check(text: str, level: str, linked: bool = False, own_term: Optional[str] = None,
          glossary: Optional[Glossary] = None) -> List[Problem]:
    """What is wrong with one string, read at `level`.

    linked: the string is shown with glossary links (question messages), so terms need no
    explanation in the words. own_term: the glossary term this string explains.
    """
    if level not in MOST_WORDS:
        raise ValueError(f"unknown reading level {level!r}")
    glossary = glossary or default_glossary()
    easy = level == EASY_READ
    problems: List[Problem] = []
    found = glossary.find(text)
    term_words: Set[str] = {w.lower() for f in found for w in re.split(r"[\s-]+", f.text)}

    for sent in _sentences(text):
        words = words_of(sent.text)
        if len(words) > MOST_WORDS[level]:
            problems.append(Problem("long_sentence", sent.text,
                                    f"{len(words)} words in \"{sent.text}\" (at most {MOST_WORDS[level]})"))
        if not easy:
            continue
        clauses, joined = _verb_clauses(sent)
        if joined or clauses > 2 or ";" in sent.text:
            problems.append(Problem("one_idea", sent.text, f"more than one idea in \"{sent.text}\": split it"))
        verb = _passive(sent)
        if verb:
            problems.append(Problem("passive", sent.text, f"passive voice ('{verb}') in \"{sent.text}\": "
                                    "say who does it"))
        for tok in sent:
            lower = tok.lower_
            if lower in _NUMBER_WORDS and tok.pos_ == "NUM":
                problems.append(Problem("number_words", lower, f"'{tok.text}' in \"{sent.text}\": use digits"))
            elif (tok.is_alpha and tok.pos_ != "PROPN" and lower not in term_words
                  and lower not in familiar_words() and tok.lemma_.lower() not in familiar_words()
                  and (syllables(lower) >= HARD_SYLLABLES or len(lower) >= HARD_LETTERS)):
                problems.append(Problem("hard_word", lower, f"'{tok.text}' is a long or rare word: use an everyday "
                                        "word, or add it to the glossary"))

    for money in _MONEY.finditer(text):
        written = money.group(0).rstrip(".,")
        if not _GOOD_MONEY[level].match(written):
            problems.append(Problem("money", written, f"'{written}': write money like £4,200 "
                                    "(a £ sign, commas, no space" + (", no pence)" if easy else ")")))
    for money in _MONEY_WORDS.finditer(text):
        problems.append(Problem("money", money.group(0), f"'{money.group(0)}': write money like £4,200"))

    blame = _BLAME.search(text)
    if blame:
        problems.append(Problem("blame", blame.group(0), f"'{blame.group(0)}' can sound like blame: say what "
                                "happens next, kindly"))
    if easy:
        impersonal = _IMPERSONAL.search(text)
        if impersonal:
            problems.append(Problem("impersonal", impersonal.group(0), f"'{impersonal.group(0)}': speak to the "
                                    "person as 'you' (and Steer as 'I')"))
        if not linked:
            spans = _sentence_spans(text)
            seen: Set[str] = set()
            for f in found:
                if f.term.id in seen or f.term.id == own_term:
                    continue
                seen.add(f.term.id)
                if not explained(f, text, spans):
                    problems.append(Problem("unexplained_term", f.term.id, f"'{f.text}' is in the glossary: explain "
                                            "it the first time the message uses it"))

    if len(words_of(text)) >= EASE_FROM_WORDS:
        ease = reading_ease(text)
        if ease < LEAST_EASE[level]:
            problems.append(Problem("reading_ease", f"{ease:.0f}", f"reading ease {ease:.0f} (at least "
                                    f"{LEAST_EASE[level]:.0f}): use shorter sentences and shorter words"))
    return problems
