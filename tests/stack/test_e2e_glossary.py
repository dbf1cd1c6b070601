"""'What does X mean?' through the real stack: inside a question, by a tapped word, and outside the form."""

import pytest

from bank import default_bank
from easy_read.glossary import default_glossary
from tests.conftest import Chat

pytestmark = pytest.mark.stack
BANK, GLOSSARY = default_bank(), default_glossary()


def test_inside_a_question_the_word_is_explained_and_the_answers_stay(chat: Chat):
    first = chat.start(level="easy_read")
    assert isinstance(first["terms"], list)
    question = BANK.question(first["id"])
    chat.answer(question.options[1].value)
    asked = chat.question["id"]
    before = chat.assessment()["answers"]

    chat.send("what does direct payment mean?")
    assert GLOSSARY.term("direct_payment").easy_read in chat.text
    assert chat.question["id"] == asked  # the same question again, nothing recorded
    chat.send('/explain{"term":"indicative"}')  # a tapped hard word
    assert GLOSSARY.term("indicative").easy_read in chat.text
    assert chat.question["id"] == asked
    chat.send("what's a support plan")
    assert GLOSSARY.term("support_plan").easy_read in chat.text
    assert chat.assessment()["answers"] == before == {question.id: question.options[1].value}


def test_before_the_start_a_glossary_question_is_answered_after_the_welcome(chat: Chat):
    chat.send("what is a personal budget?")
    assert GLOSSARY.term("personal_budget").plain in chat.text
    assert chat.question["id"] == "answering_for"
