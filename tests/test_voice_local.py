"""`steer voice`: the screenless conversation loop (with espeak-ng for a microphone) and the model installer."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from bot.cli import main as steer
from tests.conftest import free_port
from tests.test_voice_audio import espeak_wav
from voice.local import MODEL_NAME, LocalConversation, ModelError, install_model_zip


@pytest.mark.stack
def test_a_conversation_by_microphone_and_speaker(stack):
    said = iter(["for myself", "plain english", "two"])
    played, shown = [], []
    talk = LocalConversation(stack.settings.web_url, record=lambda: espeak_wav(next(said)), play=played.append,
                             show=shown.append)
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
