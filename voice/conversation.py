"""The voice layer over a text conversation (Rhasspy style): speech in -> a text turn -> words out.

Per conversation it remembers only the speaking rate, a phrase waiting to be confirmed, and
whether the last turn was silent; never audio, and nothing is logged about what was heard.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from voice.audio import Speech
from voice.grammar import COMMANDS, Expectation, Grammar, Meaning, free_meaning, normalise
from voice.recognise import Recogniser
from voice.speak import DEFAULT_RATE, MAX_RATE, MIN_RATE, RATE_STEP

Messages = List[Dict[str, Any]]

SILENCE = "I did not hear anything. Take your time. When you are ready, press the button. Then say your answer."
NOT_HEARD = "Sorry, I did not catch that. Please say it again, or say repeat to hear the question."
CONFIRM = "I heard: {said}. Is that right? Say yes or no."
CONFIRM_AGAIN = "Sorry. Please say yes if I heard you right, or no if I did not."
DENIED = "Sorry about that. Please say your answer again."
SLOWER = "OK, I will speak more slowly."
FASTER = "OK, I will speak faster."
SLOWEST = "This is as slow as I can speak."
FASTEST = "This is as fast as I can speak."
YOU_CHOSE = "You chose: {label}."
TYPE_PIN = ("Please type your PIN (your secret number) on the keyboard. Then press Enter. "
            "Or say carry on to go back to the questions.")
TYPE_CODE_AND_PIN = ("Please type your code and your PIN (your secret number) on the keyboard. "
                     "Or say carry on to go back to the questions.")
BACK_TO_QUESTIONS = "OK. Back to the questions."
PENDING_SECONDS = 600.0  # a confirmation left this long is forgotten
_CARRY_ON = tuple(normalise(p) for p in COMMANDS["resume"][1])
_REPEAT = tuple(normalise(p) for p in COMMANDS["repeat"][1])


@dataclass
class VoiceState:
    rate: int = DEFAULT_RATE
    pending: Optional[Meaning] = None
    pending_question: Optional[str] = None
    pending_at: float = 0.0
    silent_turns: int = 0


@dataclass
class Turn:
    """The result of one spoken turn."""

    heard: str
    messages: Messages
    rate: int
    said: List[str] = field(default_factory=list)  # the voice layer's own words, first in `messages`
    sent: Optional[str] = None  # what went to the text conversation, if anything
    confident: bool = False


class VoiceLayer:
    def __init__(self, recogniser: Callable[[], Recogniser], chat: Callable[[str, str], Messages],
                 expected: Callable[[str], Expectation], max_conversations: int = 5000) -> None:
        self.recogniser = recogniser
        self.chat = chat
        self.expected = expected
        self.max_conversations = max_conversations
        self._states: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def state(self, sender_id: str) -> VoiceState:
        with self._lock:
            state = self._states.get(sender_id)
            if state is None:
                state = self._states[sender_id] = VoiceState()
                while len(self._states) > self.max_conversations:
                    self._states.popitem(last=False)
            else:
                self._states.move_to_end(sender_id)
            return state

    def rate(self, sender_id: str) -> int:
        return self.state(sender_id).rate

    def forget(self, sender_id: str) -> None:
        with self._lock:
            self._states.pop(sender_id, None)

    # -- one spoken turn
    def turn(self, sender_id: str, speech: Speech) -> Turn:
        state = self.state(sender_id)
        if not speech.has_speech:
            return self._silence(state)
        state.silent_turns = 0
        expect = self.expected(sender_id)
        if state.pending is not None and (state.pending_question != expect.question_id
                                          or time.monotonic() - state.pending_at > PENDING_SECONDS):
            state.pending = None  # the conversation moved on (a typed answer, or a long pause)
        if expect.keyboard is not None:
            return self._keyboard(sender_id, state, speech, expect.keyboard)
        grammar = None if expect.free and state.pending is None else Grammar(expect)
        heard = self.recogniser().recognise(speech.samples, grammar.phrases if grammar else None)
        meaning = grammar.meaning(heard.text) if grammar else free_meaning(heard.text)
        if meaning is None:
            return self._own(state, heard.text, [NOT_HEARD])
        if state.pending is not None:
            return self._confirming(sender_id, state, meaning, heard.confident, expect)
        if meaning.kind == "rate":
            return self._rate(sender_id, state, meaning)
        # Free words are sent as they are: the text conversation reads them back before it records them.
        unsure = grammar is not None and not heard.confident and meaning.command != "repeat"
        if unsure:
            state.pending, state.pending_question, state.pending_at = meaning, expect.question_id, time.monotonic()
            return self._own(state, meaning.said, [CONFIRM.format(said=meaning.said)])
        return self._send(sender_id, state, meaning, expect, confident=True)

    def _silence(self, state: VoiceState) -> Turn:
        state.silent_turns += 1
        words = [SILENCE] if state.silent_turns == 1 else []  # one gentle prompt, then wait
        return self._own(state, "", words)

    def _keyboard(self, sender_id: str, state: VoiceState, speech: Speech, step: str) -> Turn:
        """A code and PIN are typed, never spoken: only "carry on" is listened for, and nothing
        heard here goes to the conversation or back to the screen (it may have been a PIN)."""
        state.pending = None
        heard = self.recogniser().recognise(speech.samples, [*_CARRY_ON, *_REPEAT])
        if heard.confident and normalise(heard.text) in _CARRY_ON:
            replies = self.chat(sender_id, "repeat")
            return Turn(heard=heard.text, messages=[{"text": BACK_TO_QUESTIONS}, *replies], rate=state.rate,
                        said=[BACK_TO_QUESTIONS], sent="repeat", confident=True)
        return self._own(state, "", [TYPE_PIN if step == "save_for_later" else TYPE_CODE_AND_PIN])

    def _own(self, state: VoiceState, heard: str, words: List[str]) -> Turn:
        return Turn(heard=heard, messages=[{"text": w} for w in words], rate=state.rate, said=list(words))

    def _confirming(self, sender_id: str, state: VoiceState, meaning: Meaning, confident: bool,
                    expect: Expectation) -> Turn:
        pending = state.pending
        assert pending is not None
        if meaning.command == "affirm" or (meaning.kind == "option" and meaning.send == "/affirm"):
            state.pending = None
            return self._send(sender_id, state, pending, expect, confident=False, heard=meaning.said)
        if meaning.command == "deny" or (meaning.kind == "option" and meaning.send == "/deny"):
            state.pending = None
            return self._own(state, meaning.said, [DENIED])
        if meaning.kind in ("option", "number") or (meaning.kind == "command" and meaning.command != "repeat"):
            # A new answer instead of yes or no: it is what is confirmed now.
            state.pending = None
            if confident:
                return self._send(sender_id, state, meaning, expect, confident=True)
            state.pending, state.pending_at = meaning, time.monotonic()
            return self._own(state, meaning.said, [CONFIRM.format(said=meaning.said)])
        return self._own(state, meaning.said, [CONFIRM_AGAIN, CONFIRM.format(said=pending.said)])

    def _rate(self, sender_id: str, state: VoiceState, meaning: Meaning) -> Turn:
        if meaning.command == "slower":
            words = SLOWER if state.rate > MIN_RATE else SLOWEST
            state.rate = max(MIN_RATE, state.rate - RATE_STEP)
        else:
            words = FASTER if state.rate < MAX_RATE else FASTEST
            state.rate = min(MAX_RATE, state.rate + RATE_STEP)
        # Then the question again, at the new rate: "repeat" is the text conversation's own command.
        replies = self.chat(sender_id, "repeat")
        return Turn(heard=meaning.said, messages=[{"text": words}, *replies], rate=state.rate, said=[words],
                    sent="repeat", confident=True)

    def _send(self, sender_id: str, state: VoiceState, meaning: Meaning, expect: Expectation, confident: bool,
              heard: Optional[str] = None) -> Turn:
        assert meaning.send is not None
        send = meaning.send
        if meaning.kind == "number" and expect.options and send.isdecimal() and 1 <= int(send) <= len(expect.options):
            # "two" is sent as that option's own button, which names its question: said twice
            # (or heard after a typed answer), it is not taken as the answer to the next one.
            send = expect.options[int(send) - 1].payload
        replies = self.chat(sender_id, send)
        said: List[str] = []
        if meaning.kind in ("option", "number") and expect.options and not expect.yes_no:
            said = [YOU_CHOSE.format(label=meaning.understood.rstrip("."))]
        messages = [{"text": w} for w in said] + list(replies)
        return Turn(heard=heard or meaning.said, messages=messages, rate=state.rate, said=said, sent=send,
                    confident=confident)
