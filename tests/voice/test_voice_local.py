"""`steer voice`: the screenless conversation loop (with espeak-ng for a microphone) and the model installer."""

from __future__ import annotations

import hashlib
import re
import zipfile

import pytest
import requests

from bot.cli import main as steer
from bot.web import wording
from tests.conftest import free_port
from tests.voice.test_voice_audio import espeak_wav
from voice.local import DELETED, MODEL_NAME, SAVED_CODE, LocalConversation, ModelError, install_model_zip


@pytest.mark.stack
def test_a_conversation_by_microphone_and_speaker(stack):
    said = iter(["for myself", "plain english", "two"])
    played, shown = [], []
    talk = LocalConversation(stack.settings.web_url, record=lambda: espeak_wav(next(said)), play=played.append,
                             show=shown.append, ask=lambda _: "")
    talk.begin()
    assert played and all(w[:4] == b"RIFF" for w in played)
    for _ in range(3):
        reply = talk.turn()
        if "I heard:" in " ".join(m.get("text", "") for m in reply["messages"]):
            talk.record = lambda: espeak_wav("yes")
            talk.turn()
            talk.record = lambda: espeak_wav(next(said))
    assert any(line.startswith("You: ") for line in shown)
    assert any("Question 2 of" in line for line in shown), shown


def _answer_by_voice(talk, words):
    """Say `words`; when the voice layer asks "I heard: ... Is that right?", say yes."""
    talk.record = lambda: espeak_wav(words)
    reply = talk.turn()
    if "I heard:" in " ".join(m.get("text", "") for m in reply["messages"]):
        talk.record = lambda: espeak_wav("yes")
        reply = talk.turn()
    return reply


@pytest.mark.stack
def test_save_and_resume_with_no_screen_the_pin_typed_and_never_shown(stack):
    shown, typed = [], []

    def secret(prompt):
        typed.append(prompt)
        return "4829"

    talk = LocalConversation(stack.settings.web_url, play=lambda wav: None, show=shown.append, ask=lambda _: "",
                             ask_secret=secret)
    talk.begin()
    for words in ("for myself", "plain english", "two"):
        _answer_by_voice(talk, words)
    answers = talk.http.get(f"{stack.settings.web_url}/api/assessments/{talk.sender_id}", timeout=30).json()["answers"]
    assert answers
    _answer_by_voice(talk, "save for later")
    assert typed, "the PIN was not asked for on the keyboard"
    line = next(line for line in shown if "Your code is:" in line)
    spelled = re.search(r"Your code is: (.*?)\. I will say it again", line).group(1)
    code = "-".join(part.replace(" ", "") for part in spelled.split(", "))
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), line
    assert not any("4829" in line for line in shown)
    assert any(SAVED_CODE.split(":")[0] in line for line in shown)

    # Another day, no screen: the code is typed at the start, then the PIN; every answer is back.
    codes = iter([code])
    again = LocalConversation(stack.settings.web_url, play=lambda wav: None, show=shown.append,
                              ask=lambda _: next(codes, ""), ask_secret=lambda _: "4829")
    again.begin()
    assert again.sender_id != talk.sender_id
    back = again.http.get(f"{stack.settings.web_url}/api/assessments/{again.sender_id}", timeout=30).json()["answers"]
    assert back == answers

    # "Delete my answers", said: the code and PIN typed, and the saved answers are gone.
    again.ask = lambda _: code
    _answer_by_voice(again, "delete my answers")
    assert any(DELETED in line for line in shown)
    gone = requests.post(f"{stack.settings.web_url}/api/resume", timeout=30,
                         json={"code": code, "pin": "4829"})  # into a new conversation
    assert gone.status_code == 403


@pytest.mark.stack
def test_a_wrong_pin_at_the_start_is_said_kindly_and_a_new_start_follows(stack):
    shown = []
    codes = iter(["ZZZZ-ZZZZ"])
    talk = LocalConversation(stack.settings.web_url, play=lambda wav: None, show=shown.append,
                             ask=lambda _: next(codes, ""), ask_secret=lambda _: "1111")
    talk.begin()
    assert any(wording.CODE_OR_PIN_WRONG in line for line in shown)
    # Then a new start: the greeting makes the conversation (before it there is no assessment).
    assert talk.http.get(f"{stack.settings.web_url}/api/assessments/{talk.sender_id}", timeout=30).status_code == 200
    assert "1111" not in " ".join(shown)


def test_steer_voice_says_when_steer_is_not_running(capsys):
    assert steer(["voice", "--url", f"http://127.0.0.1:{free_port()}"]) == 1
    assert "make run" in capsys.readouterr().err


def _zip(path, names):
    with zipfile.ZipFile(path, "w") as z:
        for name in names:
            z.writestr(name, "x")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_model_zip_is_unpacked_only_when_its_checksum_matches(tmp_path):
    archive = tmp_path / "model.zip"
    digest = _zip(archive, [f"{MODEL_NAME}/am/final.mdl", f"{MODEL_NAME}/conf/model.conf"])
    with pytest.raises(ModelError, match="checksum"):
        install_model_zip(archive, tmp_path / "out")  # the official checksum: not this file
    assert not (tmp_path / "out").exists()
    model = install_model_zip(archive, tmp_path / "out", sha256=digest)
    assert (model / "am" / "final.mdl").exists()


def test_model_zip_with_a_path_outside_its_folder_is_refused(tmp_path):
    archive = tmp_path / "bad.zip"
    digest = _zip(archive, ["../escaped.txt"])
    with pytest.raises(ModelError, match="outside"):
        install_model_zip(archive, tmp_path / "out", sha256=digest)
    assert not (tmp_path / "escaped.txt").exists()
