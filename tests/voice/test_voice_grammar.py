"""The voice layer without the stack: grammar from the question payload, spoken words, and the
turn logic (confirming, rate, silence) with a stand-in recogniser; then PocketSphinx on real
espeak-ng speech of every option and command."""

from __future__ import annotations

from typing import List

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank import default_bank
from dialogue.binding import bind
from dialogue.render import Asker, answer_payload
from tests.voice.test_voice_audio import espeak_wav
from voice import audio
from voice.conversation import BACK_TO_QUESTIONS, CONFIRM, DENIED, SILENCE, TYPE_CODE_AND_PIN, TYPE_PIN, VoiceLayer
from voice.grammar import COMMANDS, Expectation, Grammar, Option, expectation, normalise
from voice.recognise import Heard, PocketSphinx, Recogniser
from voice.speak import DEFAULT_RATE
from voice.spoken import spoken_parts, unscreen

BANK = default_bank()


def asked(slot: str, **slots) -> List[dict]:
    """The bot's real messages for a slot, as the action server makes them."""
    return Asker({"reading_level": "plain", "answering_for": "self", **slots}, BANK).ask(slot)


def test_grammar_comes_from_the_question_payload():
    question = BANK.questions[0]
    grammar = Grammar(expectation(asked(question.id)))
    for option in question.options:
        payload = grammar.meaning(option.label.plain).send
        assert payload == bind(answer_payload(option.value), question.id)
        assert grammar.meaning(option.label.easy_read).send == payload  # either reading level
    assert grammar.meaning("two").send == "2" and grammar.meaning("number four").send == "4"
    assert grammar.meaning("the second one").send == "2"
    for command in ("repeat", "explain", "stop", "affirm", "deny"):
        assert grammar.meaning(COMMANDS[command][1][0]).command == command
    for words in ("go back", "back", "previous", "previous question"):
        assert grammar.meaning(words).send == "go back"
    assert grammar.meaning("slower").kind == "rate" and grammar.meaning("slower").send is None
    assert grammar.meaning("purple elephants") is None


def test_a_phrase_two_options_share_is_sent_as_words():
    expect = Expectation(question_id=None, options=[Option("a", "Some help", "/a"), Option("b", "Some help", "/b")])
    assert Grammar(expect).meaning("some help").kind == "words"


def test_numbers_in_the_check_of_answers_pick_the_spoken_list_not_a_question():
    messages = asked("review", **{q.id: q.options[0].value for q in BANK.questions})
    grammar = Grammar(expectation(messages))
    assert grammar.meaning("one").send == '/review_ok{"q":"review"}'  # "1" there would mean "change question 1"


def test_yes_and_no_pick_the_confirmation_buttons():
    question = BANK.questions[0]
    messages = asked(question.id, pending={"slot": question.id, "value": question.options[2].value})
    grammar = Grammar(expectation(messages))
    yes, no = bind("/affirm", question.id), bind("/deny", question.id)  # bound to the question confirmed
    assert grammar.meaning("yes").send == yes and grammar.meaning("no").send == no


def test_free_text_questions_have_no_grammar():
    assert expectation(asked("person_name")).free


def test_normalise_spells_out_what_a_recogniser_hears():
    assert normalise("1. Washing & dressing: £40!") == "one washing and dressing forty pounds"


def test_spoken_replies_read_options_as_a_numbered_list_and_need_no_screen():
    question = BANK.questions[0]
    parts = spoken_parts(asked(question.id))
    words = " ".join(parts)
    for n, option in enumerate(question.options, start=1):
        assert f"{n}: {option.label.plain}." in words
    assert words.endswith("Say 1, 2, 3 or 4, or say the words.")
    assert "type" not in words.lower() and "button" not in words.lower()
    assert unscreen("Please choose one of the buttons, or type 1 or 2.") == \
        "Please choose one of the answers, or say 1 or 2."


def test_yes_no_questions_are_read_as_yes_or_no():
    question = BANK.questions[0]
    parts = spoken_parts(asked(question.id, pending={"slot": question.id, "value": question.options[1].value}))
    assert parts[-1].endswith("Say yes or no.")


class Scripted(Recogniser):
    """Hears what the test says it hears."""

    name = "scripted"

    def __init__(self) -> None:
        self.next: List[Heard] = []
        self.phrases = None

    def recognise(self, samples, phrases):
        self.phrases = phrases
        return self.next.pop(0)


class Layer:
    def __init__(self) -> None:
        self.recogniser = Scripted()
        self.sent: List[str] = []
        self.messages = asked(BANK.questions[0].id)
        self.layer = VoiceLayer(lambda: self.recogniser, self.chat, lambda _: expectation(self.messages))

    def chat(self, sender_id: str, text: str):
        self.sent.append(text)
        return [{"text": "next"}]

    def hears(self, text: str, sure: bool):
        self.recogniser.next.append(Heard(text, sure, 0.0, "scripted"))
        return self.layer.turn("s1", SPEECH)


SPEECH = audio.Speech(np.full(16000, 3000, dtype=np.int16), 16000, 1.0, True)
SILENT = audio.Speech(np.zeros(16000, dtype=np.int16), 16000, 1.0, False)


def test_a_sure_answer_is_sent_and_said_back():
    t = Layer()
    turn = t.hears("two", sure=True)
    # "two" goes as the option's own button, which names its question (a repeat cannot answer the next)
    assert t.sent == ['/answer{"value":"a_little_help","q":"washing_dressing"}']
    assert turn.messages[0]["text"].startswith("You chose: ")
    assert "two" in t.recogniser.phrases and "go back" in t.recogniser.phrases


def test_an_unsure_answer_is_confirmed_before_it_is_sent():
    t = Layer()
    label = BANK.questions[0].options[2].label.plain
    turn = t.hears(label, sure=False)
    assert t.sent == [] and turn.messages == [{"text": CONFIRM.format(said=normalise(label))}]
    t.hears("yes", sure=False)
    assert t.sent == ['/answer{"value":"help_most_days","q":"washing_dressing"}']


def test_no_to_a_confirmation_sends_nothing_and_asks_again():
    t = Layer()
    t.hears("three", sure=False)
    turn = t.hears("no", sure=True)
    assert t.sent == [] and turn.messages == [{"text": DENIED}]
    t.hears("four", sure=True)
    assert t.sent == ['/answer{"value":"help_all_the_time","q":"washing_dressing"}']


def test_slower_and_faster_stay_in_the_voice_layer():
    t = Layer()
    turn = t.hears("slower", sure=True)
    assert turn.rate < DEFAULT_RATE and t.sent == ["repeat"]  # the question again, at the new rate
    assert t.layer.rate("s1") == turn.rate
    t.hears("faster", sure=True)
    assert t.layer.rate("s1") == DEFAULT_RATE


def test_silence_gets_one_gentle_prompt_then_waits():
    t = Layer()
    first = t.layer.turn("s1", SILENT)
    second = t.layer.turn("s1", SILENT)
    assert first.messages == [{"text": SILENCE}] and second.messages == [] and t.sent == []
    t.hears("one", sure=True)
    assert t.layer.turn("s1", SILENT).messages == [{"text": SILENCE}]  # after speech, one prompt again


def test_a_confirmation_is_dropped_when_the_question_changed_by_a_typed_turn():
    t = Layer()
    t.hears("three", sure=False)
    t.messages = asked(BANK.questions[1].id)  # the person typed an answer meanwhile
    t.hears("yes", sure=True)
    assert t.sent == ["yes"]  # "yes" is now just a word for the new question, not the old "3"


# -- save for later and delete: a code and PIN are typed, never spoken

SAVE_TURN = [{"text": "To save your answers, choose a PIN of 4 to 8 numbers. Type it in the box."},
             {"custom": {"type": "save_for_later"}}]


def test_save_for_later_and_delete_can_be_said_at_any_question():
    grammar = Grammar(expectation(asked(BANK.questions[3].id)))
    assert grammar.meaning("save for later").send == "save for later"
    assert grammar.meaning("delete my answers").send == "delete my answers"


def test_after_save_for_later_nothing_heard_reaches_the_conversation():
    t = Layer()
    t.messages = SAVE_TURN
    turn = t.hears("four eight two nine", sure=True)  # a PIN said out loud
    assert t.sent == [] and turn.heard == "" and turn.messages == [{"text": TYPE_PIN}]
    assert "four" not in (t.recogniser.phrases or []) and "carry on" in t.recogniser.phrases
    t.messages = [{"text": "To delete them, type your code and PIN."}, {"custom": {"type": "delete_saved"}}]
    turn = t.hears("carry on", sure=False)  # unsure: not taken as leaving
    assert t.sent == [] and turn.messages == [{"text": TYPE_CODE_AND_PIN}]


def test_carry_on_goes_back_to_the_question():
    t = Layer()
    t.messages = SAVE_TURN
    turn = t.hears("carry on", sure=True)
    assert t.sent == ["repeat"] and turn.messages[0] == {"text": BACK_TO_QUESTIONS}


def test_the_save_step_is_read_out_with_type_kept_as_type():
    assert "Type it in the box" in " ".join(spoken_parts(SAVE_TURN))


@pytest.fixture(scope="module")
def sphinx() -> PocketSphinx:
    return PocketSphinx()


# The tests below run PocketSphinx on real speech: slow, so `make unit` leaves them to `make test`.
@pytest.mark.slow
@pytest.mark.parametrize("words,send", [
    ("go back", "go back"), ("back", "go back"), ("previous question", "go back"), ("repeat", "repeat"),
    ("say that again", "repeat"), ("what does that mean", "what does that mean"), ("explain", "what does that mean"),
    ("stop", "stop"), ("yes", "yes"), ("no", "no"), ("slower", None), ("faster", None), ("skip", "skip"),
])
def test_commands_are_heard_in_british_english(sphinx, words, send):
    grammar = Grammar(expectation(asked(BANK.questions[4].id)))
    heard = sphinx.recognise(audio.read_wav(espeak_wav(words)).samples, grammar.phrases)
    meaning = grammar.meaning(heard.text)
    assert meaning is not None and meaning.send == send, heard


@pytest.mark.slow
def test_every_option_of_a_question_is_heard_by_its_words(sphinx):
    question = BANK.questions[1]
    grammar = Grammar(expectation(asked(question.id)))
    for option in question.options:
        heard = sphinx.recognise(audio.read_wav(espeak_wav(option.label.plain)).samples, grammar.phrases)
        assert grammar.meaning(heard.text).send == bind(answer_payload(option.value), question.id), heard


@pytest.mark.slow
def test_out_of_grammar_speech_is_not_sure(sphinx):
    # Known limit (README, Voice): some sentences score like a short phrase ("my mum helps me in
    # the morning" as "number one"); "You chose: ..." says what was recorded, and "go back" undoes it.
    grammar = Grammar(expectation(asked(BANK.questions[0].id)))
    for words in ("purple elephants on tuesday", "the weather is nice today"):
        heard = sphinx.recognise(audio.read_wav(espeak_wav(words)).samples, grammar.phrases)
        assert not heard.confident, heard


@pytest.mark.slow
def test_free_dictation_returns_words(sphinx):
    heard = sphinx.recognise(audio.read_wav(espeak_wav("I like going to the park", voice="en-us")).samples, None)
    assert heard.text and not heard.confident


# POST /api/voice/reply takes the messages from the client: whatever their shape, they are words or nothing.
_JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.sampled_from(["text", "buttons", "custom", "type", "options", "payload", "title", "id"]),
                         inner, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["text", "buttons", "custom"]), _JUNK, max_size=3), max_size=4))
def test_any_shape_of_messages_is_words_or_nothing(messages):
    parts = spoken_parts(messages)
    assert all(isinstance(p, str) for p in parts)
    Grammar(expectation(messages))


def test_buttons_that_are_not_a_list_are_no_buttons():
    assert spoken_parts([{"buttons": 164307, "text": "Hello"}, {"custom": {"type": "question", "options": 5}}]) == [
        "Hello"]
