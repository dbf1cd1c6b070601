"""The whole SAQ by voice alone, through the front door's voice endpoint and the real stack.

espeak-ng speaks the person's answers into WAV files; the recogniser is the configured one
(PocketSphinx unless STEER_VOSK_MODEL names an English Vosk model).
"""

from __future__ import annotations

import random
import re
from typing import Any, Dict

import pytest
import requests

from bank import default_bank
from tests.conftest import Chat
from tests.voice.test_voice_audio import espeak_wav
from voice.conversation import BACK_TO_QUESTIONS, TYPE_PIN
from voice.spoken import spoken_parts

pytestmark = pytest.mark.stack
BANK = default_bank()
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


class VoiceChat(Chat):
    """A conversation through the voice endpoint, with typed turns still possible."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self.turns = 0
        self.heard: list = []
        self.reply: Dict[str, Any] = {}

    def say(self, words: str) -> Dict[str, Any]:
        response = requests.post(f"{self.base_url}/api/voice/turn", params={"sender_id": self.begin()},
                                  data=espeak_wav(words), headers={"Content-Type": "audio/wav", **self.auth},
                                  timeout=60)
        assert response.status_code == 200, response.text
        self.turns += 1
        self.reply = response.json()
        self.heard.append(self.reply["heard"])
        if any(m.get("custom") or m.get("buttons") for m in self.reply["messages"]):
            self.last = self.reply["messages"]  # the bot's own turn (voice-layer words have text only)
        else:
            self.last = [*self.last, *self.reply["messages"]]
        return self.reply

    @property
    def said_text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.reply.get("messages", []))

    def answer(self, words, means, tries: int = 5) -> None:
        """Say `words` (or, when not understood, the next way of saying it); confirm when asked if
        what was heard means the same, else say no and say it again."""
        ways = [words] if isinstance(words, str) else list(words)
        asked = self.question["id"]
        self.say(ways[0])
        for attempt in range(1, tries + 1):
            text = self.said_text
            again = ways[attempt % len(ways)]
            if "I heard:" in text:  # the voice layer is not sure
                heard = re.search(r"I heard: (.*?)\. Is that right", text).group(1)
                self.say("yes" if means(heard) else "no")
                if "Please say your answer again" in self.said_text:
                    self.say(again)
                continue
            if "Is that right?" in text and self.question and self.question["id"] == asked:  # the bot's own check
                self.say("yes" if means(text) else "no")
                continue
            if self.question and self.question["id"] == asked and "Sorry" in text:
                self.say(again)
                continue
            return
        raise AssertionError(f"could not answer {asked} by voice: {self.reply}")


def test_full_saq_by_voice_reaches_the_budget_and_records_what_was_said(stack):
    chat = VoiceChat(stack.settings.web_url)
    chat.send("/greet")  # the web page does this on load; everything after it is spoken
    chat.answer("for myself", lambda heard: "myself" in heard.lower())
    assert chat.question["id"] == "reading_level", chat.reply
    chat.answer("plain english", lambda heard: "plain" in heard.lower())
    rng = random.Random(11)
    intended: Dict[str, str] = {}
    styles = {"label": 0, "number": 0, "number words": 0}
    while chat.question and chat.question["id"] != "review":
        payload = chat.question
        question = BANK.question(payload["id"])
        assert question is not None, payload
        index = rng.randrange(len(question.options))
        option = question.options[index]
        style = rng.choice(list(styles))
        styles[style] += 1
        ways = {"label": option.label.plain, "number": WORDS[index + 1],
                "number words": f"number {WORDS[index + 1]}"}
        words = [ways[style], *[w for k, w in ways.items() if k != style]]
        label = option.label.plain.lower()

        def means(heard: str, label=label, index=index) -> bool:
            heard = heard.lower()
            return label in heard or WORDS[index + 1] in heard or label[:20] in heard

        chat.answer(words, means)
        intended[question.id] = option.value
        assert chat.question is None or chat.question["id"] != question.id, chat.reply
        # What Steer understood is said before the next question.
        assert chat.reply["audio"], chat.reply
    assert chat.question["id"] == "review", chat.reply
    chat.answer("yes, these are right", lambda heard: "right" in heard.lower() or "one" in heard.lower())
    budget = [m["custom"] for m in chat.reply["messages"] if (m.get("custom") or {}).get("type") == "budget"]
    assert budget, chat.reply
    recorded = chat.assessment()
    assert recorded["answers"] == intended
    assert recorded["complete"] is True
    assert all(styles.values()), styles
    # The budget is read out too, and its audio is served from the front door.
    audio = chat.reply["audio"]
    assert audio and all(url.startswith("/api/voice/audio/") for url in audio)
    wav = requests.get(stack.settings.web_url + audio[0], timeout=10)
    assert wav.status_code == 200 and wav.headers["Content-Type"] == "audio/wav" and wav.content[:4] == b"RIFF"
    # Most answers go through with no extra turn; count the ones that needed a confirmation.
    assert chat.turns <= 2 * (len(intended) + 3), chat.turns


def test_typed_and_spoken_turns_mix(stack):
    chat = VoiceChat(stack.settings.web_url)
    chat.start()
    first, second, third = BANK.questions[:3]
    chat.send("2")  # typed
    assert chat.question["id"] == second.id
    chat.answer(second.options[3].label.plain, lambda heard: "every time" in heard.lower())  # spoken
    assert chat.question["id"] == third.id
    assert chat.assessment()["answers"] == {first.id: first.options[1].value, second.id: second.options[3].value}
    chat.say("go back")
    assert chat.question["id"] == second.id, chat.reply
    chat.say("repeat")
    assert chat.question["id"] == second.id
    spoken = " ".join(spoken_parts(chat.reply["messages"]))
    assert f"1: {second.options[0].label.plain}." in spoken  # the options are read as a numbered list
    assert "Say 1, 2, 3 or 4, or say the words." in spoken and "type" not in spoken
    assert len(chat.reply["audio"]) == len(spoken_parts(chat.reply["messages"]))


def test_voice_replies_read_options_as_a_numbered_list(stack):
    chat = VoiceChat(stack.settings.web_url)
    chat.start()
    response = requests.post(f"{chat.base_url}/api/voice/reply",
                             json={"sender_id": chat.sender_id, "messages": chat.last}, headers=chat.auth, timeout=30)
    assert response.status_code == 200
    urls = response.json()["audio"]
    assert urls and all(requests.get(chat.base_url + u, timeout=10).status_code == 200 for u in urls)


def test_slower_and_faster_are_remembered_for_the_conversation(stack):
    chat = VoiceChat(stack.settings.web_url)
    chat.start()
    asked = chat.question["id"]
    start_rate = chat.say("repeat")["rate"]
    chat.say("slower")
    assert chat.reply["rate"] < start_rate and "more slowly" in chat.said_text
    assert chat.question["id"] == asked  # the question is asked again, at the new rate
    assert chat.say("repeat")["rate"] == chat.reply["rate"] < start_rate
    chat.say("faster")
    chat.say("faster")
    assert chat.reply["rate"] > start_rate
    assert chat.assessment()["answers"] == {}


def test_silence_gets_one_gentle_prompt_then_waits(stack):
    chat = VoiceChat(stack.settings.web_url)
    chat.start()
    before = chat.assessment()
    silence = b"RIFF" + (36 + 32000).to_bytes(4, "little") + b"WAVEfmt " + bytes.fromhex(
        "1000000001000100803e0000007d00000200100064617461") + (32000).to_bytes(4, "little") + bytes(32000)
    for expected_words in (True, False):
        reply = requests.post(f"{chat.base_url}/api/voice/turn", params={"sender_id": chat.sender_id},
                              data=silence, headers={"Content-Type": "audio/wav", **chat.auth}, timeout=30).json()
        assert reply["heard"] == ""
        assert bool(reply["messages"]) is expected_words
        assert bool(reply["audio"]) is expected_words
    assert chat.assessment() == before


@pytest.mark.parametrize("body,content_type,status", [
    (b"", "audio/wav", 400),
    (b"not audio at all" * 20, "audio/wav", 400),
    (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x03\x00\x01\x00\x80\x3e\x00\x00" + bytes(40), "audio/wav", 400),
    (b'{"text": "hello"}', "application/json", 415),
])
def test_bad_audio_through_the_front_door_loses_nothing(stack, body, content_type, status):
    chat = Chat(stack.settings.web_url)
    chat.start()
    chat.send("2")
    before = chat.assessment()
    response = requests.post(f"{chat.base_url}/api/voice/turn", params={"sender_id": chat.sender_id}, data=body,
                             headers={"Content-Type": content_type, **chat.auth}, timeout=30)
    assert response.status_code == status
    assert response.json()["error"].endswith(".")
    assert chat.assessment()["answers"] == before["answers"]


def test_too_long_audio_is_refused_kindly(stack):
    long_wav = b"RIFF" + bytes(4) + b"WAVE" + bytes(4 * 1024 * 1024)
    chat = Chat(stack.settings.web_url)
    response = requests.post(f"{stack.settings.web_url}/api/voice/turn", params={"sender_id": chat.begin()},
                             data=long_wav, headers={"Content-Type": "audio/wav", **chat.auth}, timeout=30)
    assert response.status_code in (400, 413)
    assert response.json()["error"]


def test_speak_endpoint_returns_wav_and_checks_its_input(stack):
    base = stack.settings.web_url
    ok = requests.post(f"{base}/api/voice/speak", json={"text": "Question 1 of 26.", "rate": 140}, timeout=30)
    assert ok.status_code == 200 and ok.headers["Content-Type"] == "audio/wav" and ok.content[:4] == b"RIFF"
    again = requests.post(f"{base}/api/voice/speak", json={"text": "Question 1 of 26.", "rate": 140}, timeout=30)
    assert again.content == ok.content and again.headers["X-Steer-Audio"] == ok.headers["X-Steer-Audio"]
    for bad in ({"text": ""}, {"text": 5}, {"rate": 100}, [1]):
        response = requests.post(f"{base}/api/voice/speak", json=bad, timeout=30)
        assert response.status_code == 400 and response.json()["error"]
    assert requests.get(f"{base}/api/voice/audio/{'0' * 40}.wav", timeout=10).status_code == 404


def test_what_was_heard_never_reaches_the_logs(stack):
    chat = VoiceChat(stack.settings.web_url)
    chat.start()
    chat.say("someone does all of it every day")
    chat.say("yes")
    logs = "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in (stack.settings.var_dir / "logs").glob("*.log"))
    assert "someone does all of it" not in logs.lower()


def _user_texts(stack, sender_id: str) -> str:
    """Everything the tracker store holds as said by the person in this conversation."""
    import json
    import sqlite3

    with sqlite3.connect(stack.settings.var_dir / "trackers.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender_id,))
        return " ".join(json.loads(data).get("text") or "" for (data,) in rows)


def test_save_for_later_by_voice_asks_for_the_pin_on_the_keyboard_and_never_records_a_spoken_one(stack):
    chat = VoiceChat(stack.settings.web_url)
    chat.start()
    asked = chat.question["id"]
    chat.say("save for later")
    assert any((m.get("custom") or {}).get("type") == "save_for_later" for m in chat.reply["messages"]), chat.reply
    chat.say("four eight two nine")  # a PIN said out loud: not heard back, not sent on
    assert chat.reply["heard"] == "" and chat.said_text == TYPE_PIN
    said = _user_texts(stack, chat.sender_id)
    assert "save for later" in said and not re.search(r"\b(?:four|eight|nine|4|8|9)\b", said)
    chat.say("carry on")
    assert chat.said_text.startswith(BACK_TO_QUESTIONS) and chat.question["id"] == asked
    assert chat.assessment()["answers"] == {}
