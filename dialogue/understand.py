"""What a message means for the question being asked: a command, an answer, or neither.

Deterministic rules go first (button payloads, command phrases, numbers, the option's own
words) because they are predictable and testable; the NLU model's guess comes last and is
only ever used as an "unsure" answer that the person confirms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rapidfuzz import fuzz

from bank import Question, default_bank
from bank.commands import default_registry
from dialogue.need_cues import cue_text, need_from_cues
from easy_read.glossary import Term, default_glossary

NLU = Path(__file__).resolve().parent.parent / "data" / "nlu"

# Every command and its phrases come from the registry (data/commands/commands.yml).
COMMANDS = default_registry().names
# At a graded question, who is answering changes only on clear words ("I'm answering for my mum"),
# never on a guess: "no one, it's just me" answers the question.
CLASSIFIED_COMMANDS = tuple(c.name for c in default_registry().of_kind("command") if c.guess)
NEED_INTENTS = {"need_none": 0, "need_little": 1, "need_lots": 2, "need_all": 3}
COMMAND_CONFIDENCE = 0.85
NEED_CONFIDENCE = 0.55
SURE_SCORE = 90
UNSURE_SCORE = 75


def _patterns(kind: str, field: str) -> List[tuple]:
    return [(c.name, re.compile(rx, re.IGNORECASE)) for c in default_registry().of_kind(kind)
            for rx in getattr(c, field)]


# Phrases that are commands even when they contain option words ("what does most of the time
# mean", "go back to the second one"): checked before anything is read as an answer, in the
# registry's order, and its broad phrases ("easy read") only after all of them.
_COMMAND_RE = _patterns("command", "phrases") + _patterns("command", "broad_phrases")
_YES = [rx for name, rx in _patterns("reply", "phrases") if name == "affirm"]
_NO = [rx for name, rx in _patterns("reply", "phrases") if name == "deny"]

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
}
_FILLER = {
    "the", "a", "number", "no", "option", "answer", "choice", "one", "its", "it's", "it", "is", "i", "think",
    "please", "pick", "choose", "select", "want", "go", "for", "with", "that", "thats", "that's", "ok", "okay",
    "um", "er", "erm", "uh", "say", "id", "i'd", "like", "then", "i'll", "ill", "take",
    "down", "listed", "in", "on", "list", "very",  # "third one down", "the second one on the list"
    "probably", "suppose", "guess", "reckon", "maybe", "him", "her", "them", "me",  # "option 3 for him"
}


@dataclass
class Parse:
    """The latest user message as Rasa saw it."""

    text: str
    intent: Optional[str] = None
    confidence: float = 0.0
    entities: Dict[str, Any] = field(default_factory=dict)
    # The ask key (dialogue/binding.py) of the question the sender last showed the person, if it says.
    seen: Optional[str] = None

    @property
    def is_payload(self) -> bool:
        return self.text.startswith("/")

    @classmethod
    def from_latest_message(cls, latest: Dict[str, Any]) -> Parse:
        intent = latest.get("intent") or {}
        entities = {e.get("entity"): e.get("value") for e in latest.get("entities") or [] if e.get("entity")}
        seen = (latest.get("metadata") or {}).get("question")
        return cls(
            text=(latest.get("text") or "").strip(),
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            entities=entities,
            seen=seen if isinstance(seen, str) else None,
        )


@dataclass
class Match:
    value: str
    sure: bool


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[’‘`]", "'", text)
    return re.sub(r"[^\w' ]+", " ", text).strip()


def command_of(parse: Parse, answering: bool = False) -> Optional[str]:
    """A command, from a button payload, a known phrase, or a confident classifier. answering: a
    graded question is asked, where who is answering changes only on clear words."""
    return said_command(parse) or guessed_command(parse, answering)


def said_command(parse: Parse) -> Optional[str]:
    """A command from a button payload or a known phrase: never a guess."""
    if parse.is_payload:
        return parse.intent if parse.intent in COMMANDS else None
    if default_glossary().asked_about(parse.text) is not None:
        return "explain"  # "what's a support plan?", "explain indicative": never an answer
    return next((name for name, rx in _COMMAND_RE if rx.search(parse.text)), None)


def guessed_command(parse: Parse, answering: bool = False) -> Optional[str]:
    """The classifier's guess alone, only when the words are not an answer: "the last one" is not
    "go back", and "I keep on top of it myself" is not "stop"."""
    if parse.is_payload:
        return None
    guessable = CLASSIFIED_COMMANDS if answering else COMMANDS
    if (parse.intent in guessable and parse.confidence >= COMMAND_CONFIDENCE and not number_of(parse.text)
            and position_of(parse.text) is None and need_from_cues(cue_text(parse.text)) is None):
        return parse.intent
    return None


_POSITION = re.compile(r"^(?:i'?ll |i will |i'?d )?(?:go with |pick |choose |take |say )?(?:the )?(?:very )?"
                       r"(?:one (?:at|on) the )?(?:very )?(top|bottom|last|first|final)"
                       r"(?: one| option| answer| choice)?"
                       r"(?: please| for (?:me|him|her|them)| for (?:my|his|her) \w+)*\W*$")


_NEXT_TO_END = re.compile(r"^(?:(?:i'?ll|i'?d) (?:go with |pick |choose |take |say )?)?(?:the )?(?:one )?"
                          r"(before|above|after|below|under) the (top|bottom|last|first)(?: one)?\W*$")


def position_of(text: str) -> Optional[str]:
    """'the last one', 'top one', 'I'll go with the bottom one' -> 'last' or 'first'; 'the one before
    the last' -> 'next_to_last'; 'the one after the first' -> 'second'."""
    said = normalise(text)
    beside = _NEXT_TO_END.match(said)
    if beside is not None:
        towards_end = beside.group(2) in ("last", "bottom")
        if towards_end == (beside.group(1) in ("before", "above")):
            return "next_to_last" if towards_end else "second"
        return None  # "after the last": no such option
    found = _POSITION.match(said)
    if found is None:
        return None
    return "first" if found.group(1) in ("top", "first") else "last"


FREE_TEXT_COMMAND_WORDS = 6


def command_in_own_words(text: str) -> Optional[str]:
    """A command inside a free-text answer (a name, "What does a good day look like?"): a clear,
    short request only. "Stop people shouting at me on the bus" is an answer, not "stop"."""
    if len(normalise(text).split()) > FREE_TEXT_COMMAND_WORDS:  # only a question about a hard word
        return "explain" if default_glossary().asked_about(text) is not None else None
    return command_of(Parse(text))


def glossary_term(parse: Parse, bare: bool = False) -> Optional[Term]:
    """The glossary term a message asks about: a tapped hard word (/explain{"term": "<id>"}),
    or a question naming one ("what does direct payment mean?"). bare: a term on its own
    ("indicative?") counts too; only where no answer is expected."""
    glossary = default_glossary()
    if parse.is_payload:
        term_id = parse.entities.get("term")
        return glossary.term(term_id) if parse.intent == "explain" and isinstance(term_id, str) else None
    return glossary.asked_about(parse.text, bare=bare)


def term_to_explain(parse: Parse) -> Optional[Term]:
    """For an "explain" command: the term it names, if any ("explain indicative please");
    "what does that mean?" names none, so the question itself is explained."""
    term = glossary_term(parse, bare=True)
    if term is None and not parse.is_payload and len(normalise(parse.text).split()) <= 8:
        term = default_glossary().named_in(parse.text)
    return term


def yes_or_no(parse: Parse) -> Optional[bool]:
    if parse.intent in ("affirm", "deny") and (parse.is_payload or parse.confidence >= COMMAND_CONFIDENCE):
        return parse.intent == "affirm"
    text = normalise(parse.text)
    if any(rx.match(text) for rx in _YES):
        return True
    if any(rx.match(text) for rx in _NO):
        return False
    return None


def number_of(text: str) -> Optional[int]:
    """'2', 'number 2', 'the second one', 'two please' -> 2; anything else -> None."""
    said = normalise(text).split()
    words = [w for w in said if w not in _FILLER]
    if not words and "one" in said and "no" not in said:  # "one", "the one": but "no one" is nobody
        return 1
    if len(words) != 1:
        return None
    word = words[0]
    digits = [unicodedata.digit(ch, None) for ch in word]
    if len(word) <= 3 and None not in digits:  # any script's digits: "2", "٢", "⓶", "፪"
        return int("".join(map(str, digits)))
    return _NUMBER_WORDS.get(word)


def _yes_no_options(question: Question) -> Optional[Dict[bool, str]]:
    values = {o.value for o in question.options}
    if values == {"yes", "no"}:
        return {True: "yes", False: "no"}
    return None


def _phrases(question: Question) -> List[tuple]:
    out = []
    for option in question.options:
        for phrase in (option.label.plain, option.label.easy_read, *option.examples):
            out.append((normalise(phrase), option.value))
    return out


def _shares_words(words: List[str], phrase: str) -> bool:
    """Most of the message's own words (allowing a typo) are in the phrase: fuzzy scores alone
    find "purple elephants on tuesday" in "... a tube feed in the day"."""
    theirs = phrase.split()
    shared = sum(1 for w in words if any(fuzz.ratio(w, t) >= 80 for t in theirs))
    return shared * 2 > len(words)


def words_match(text: str, question: Question) -> Optional[Match]:
    """The option whose own words (label or example) the message matches."""
    said = normalise(text)
    if not said:
        return None
    own = [w for w in said.split() if w not in _STOPWORDS] or said.split()
    best: Dict[str, float] = {}
    whole: Dict[str, float] = {}  # how nearly the message is a whole phrase (a typo of it), per option
    for phrase, value in _phrases(question):
        if said == phrase:
            return Match(value, sure=True)
        score = fuzz.WRatio(said, phrase) if len(said) > 3 and _shares_words(own, phrase) else 0.0
        best[value] = max(best.get(value, 0.0), score)
        whole[value] = max(whole.get(value, 0.0), fuzz.ratio(said, phrase) if score else 0.0)
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
    top_value, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    # Sure only for a phrase as a whole, typos allowed; a part of one ("a week" in "a few nights
    # a week") is asked about first.
    if top >= SURE_SCORE and top - runner_up >= 8 and whole[top_value] >= SURE_SCORE:
        return Match(top_value, sure=True)
    if top >= UNSURE_SCORE and top - runner_up >= 5:
        return Match(top_value, sure=False)
    return None


_STOPWORDS = {
    "a", "an", "and", "are", "at", "be", "but", "by", "do", "does", "for", "from", "has", "have", "he",
    "her", "him", "his", "i", "i'm", "in", "is", "it", "it's", "its", "me", "my", "of", "on", "or", "our",
    "she", "so", "that", "the", "their", "them", "they", "this", "to", "was", "we", "with", "you", "your",
}


@cache
def need_vocabulary() -> frozenset:
    """Words people use to describe need: from the bank's options and the need-level examples."""
    phrases = [p for q in default_bank().questions for o in q.options
               for p in (o.label.plain, o.label.easy_read, *o.examples)]
    # The core need examples only: the everyday ones (need_levels_everyday.yml) use so many
    # ordinary words that "the weather is nice in Leeds" would sound like need.
    for path in [NLU / "need_levels.yml"]:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            phrases += [line.lstrip("- ") for line in str(block.get("examples", "")).splitlines()]
    return frozenset(w for p in phrases for w in normalise(p).split())


def sounds_like_need(text: str) -> bool:
    """A guard against the classifier's confident guesses on unrelated words ("purple elephants")."""
    words = [w for w in normalise(text).split() if w not in _STOPWORDS]
    known = [w for w in words if w in need_vocabulary()]
    return bool(known) and len(known) * 2 >= len(words)


def need_match(parse: Parse, question: Question) -> Optional[Match]:
    """The classifier's guess of how much help the words describe, as an option to confirm."""
    need = NEED_INTENTS.get(parse.intent or "")
    # Only where the options are how much help is needed: for "how much can your carers keep
    # giving", "she needs me for everything" is not the answer "none of it".
    if need is None or parse.confidence < NEED_CONFIDENCE or _yes_no_options(question) or (
            question.scale != "help_needed"):
        return None
    if not sounds_like_need(parse.text):
        return None
    return Match(_nearest(question, need).value, sure=False)


def match_option(parse: Parse, question: Question) -> Optional[Match]:
    """Map a message to one of the question's options, or None if it cannot be mapped."""
    if parse.is_payload:
        value = parse.entities.get("value")
        if parse.intent == "answer" and isinstance(value, str) and question.option(value):
            return Match(value, sure=True)
        yn = _yes_no_options(question)
        if yn and parse.intent in ("affirm", "deny"):
            return Match(yn[parse.intent == "affirm"], sure=True)
        return None
    yn = _yes_no_options(question)
    if yn:
        answer = yes_or_no(parse)
        if answer is not None:
            return Match(yn[answer], sure=True)
    return words_match(parse.text, question) or need_match(parse, question)


@dataclass(frozen=True)
class Reading:
    """What a message at a graded question means: a command, an option (recorded when sure,
    else offered as "It sounds like ... Is that right?"), a number with no option, or nothing."""

    command: Optional[str] = None
    value: Optional[str] = None
    sure: bool = False
    out_of_range: bool = False


def read_at_question(parse: Parse, question: Question) -> Reading:
    """The one reading of a message at a graded question (dialogue/turn.py acts on it; the
    understanding check in tests/understanding_eval.py measures it)."""
    command = said_command(parse)
    if command == "explain" and not parse.is_payload and _describes_need(parse.text):
        command = None  # "every day I need help, I just don't understand people": an answer
    if command is not None:
        return Reading(command=command)
    if parse.is_payload:
        return _as_reading(match_option(parse, question))
    reading = _answer(parse, question)
    if reading.value is None and not reading.out_of_range:
        # The classifier's guess of a command, only when the words are no answer at all: "I can
        # carry on with the bulk of it, I've got to stop soon" answers how much a carer can give.
        command = guessed_command(parse, answering=True)
        return Reading(command=command) if command is not None else reading
    return reading


EXPLAIN_WORDS = 8


def _describes_need(text: str) -> bool:
    """A long reply whose words say how much help: its "understand" or "confused" is about the person."""
    return len(normalise(text).split()) > EXPLAIN_WORDS and need_from_cues(cue_text(text)) is not None


def _answer(parse: Parse, question: Question) -> Reading:
    number = number_of(parse.text)
    position = position_of(parse.text)
    if position is not None:
        count = len(question.options)
        number = {"first": 1, "second": 2, "next_to_last": count - 1, "last": count}[position]
    if number is not None:
        if 1 <= number <= len(question.options):
            return Reading(value=question.options[number - 1].value, sure=True)
        return Reading(out_of_range=True)
    match = match_option(parse, question)
    said = normalise(parse.text)
    if question.scale != "help_needed" or _yes_no_options(question):
        value = other_scale_value(said, question) if match is None else None
        return Reading(value=value) if value is not None else _as_reading(match)
    cue = need_from_cues(cue_text(parse.text))
    if cue is not None:
        need = question.option(match.value).need if match is not None else None
        # The option's own words, or one level off if they were sure; else the cues' level, offered
        # to confirm: never the other end of the scale.
        if need != cue and not (match is not None and match.sure and abs(need - cue) == 1):
            return Reading(value=_nearest(question, cue).value, sure=False)
    return _as_reading(match)


def _as_reading(match: Optional[Match]) -> Reading:
    return Reading() if match is None else Reading(value=match.value, sure=match.sure)


_NOBODY = re.compile(r"\b(?:no ?one|nobody|no-one|none|not anyone|not anybody)\b(?! (?:pays|paid|gets paid))|"
                     r"\bjust me\b|\bon (?:my|his|her|their) own\b")
_SOMEBODY = re.compile(r"\b(?:helps?|helping|helped|do it|does it|do everything|does everything|looks? after|"
                       r"for nothing|for free|unpaid|not paid|doesn'?t get paid|nobody pays)\b|"
                       r"\b(?:won'?t|doesn'?t|does not|will not) take (?:anything|a penny|money|any money|a thing)\b|"
                       r"\b(?:does|do) (?:my|his|her|their) (?:shopping|cleaning|washing|cooking|garden|ironing)\b")
_NO_AT_START = re.compile(r"^(?:no|nope|nah)\b")
# The words of "how much of it", as in the options' own labels ("All of it"), most telling first.
_AMOUNTS = [
    ("most", re.compile(r"\bmost\b|\bthe bulk\b|\bthe majority\b")),
    ("some", re.compile(r"\bsome\b|\bpart of\b|\bbits\b|\ba (?:bit|little) of it\b")),
    ("none", re.compile(r"\b(?:can'?t|cannot|won'?t|not able to|unable to) (?:\w+ )?(?:keep|carry on|go on|continue)\b|"
                        r"\bnone\b|\bnothing left\b|\bno longer\b|\banymore\b|\bburn(?:t|ed)? out\b")),
    ("all", re.compile(r"\ball\b|\beverything\b|\bthe lot\b")),
]


def other_scale_value(said: str, question: Question) -> Optional[str]:
    """For a yes/no question ("Does anyone help you without being paid?") or one whose options are
    amounts ("All of it" ... "None of it"): the option the words point to, to offer."""
    yn = _yes_no_options(question)
    if yn:
        if _NOBODY.search(said):
            return yn[False]
        if _SOMEBODY.search(said):
            return yn[True]
        return yn[False] if _NO_AT_START.search(said) else None
    for amount, pattern in _AMOUNTS:
        if pattern.search(said):
            found = [o for o in question.options if normalise(o.label.easy_read).split()[:1] == [amount]]
            if found:
                return found[0].value
    return None


def _nearest(question: Question, need: int):
    return min(question.options, key=lambda o: (abs(o.need - need), -o.need))

