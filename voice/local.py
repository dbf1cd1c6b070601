"""`steer voice`: a conversation by microphone and speaker on this machine, no screen needed.

It talks to a running Steer front door (the same voice endpoint the web page uses) and uses
sounddevice (PortAudio) for the microphone and speaker, imported only here so a machine
without PortAudio still runs everything else. Listening starts by itself after each reply and
ends after END_SILENCE seconds of quiet; saying "stop" pauses, Ctrl-C ends.

`steer voice get-model` downloads the official small English Vosk model (on a machine with
internet), checks its SHA-256 and unpacks it; then set STEER_VOSK_MODEL to the folder it prints.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import io
import os
import shutil
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Callable, List, Optional
from urllib.parse import quote

import numpy as np
import requests

from voice import audio

ROOT = Path(__file__).resolve().parent.parent
MODEL_NAME = "vosk-model-small-en-us-0.15"
MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
MODEL_SHA256 = "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
END_SILENCE = 0.8
MAX_SECONDS = 20.0
BLOCK = 1600  # 0.1 s at 16 kHz

# What the person reads on the terminal (a screen reader may say it), checked by `steer check-text`.
NOT_RUNNING = "Steer is not running at {url}. Start it with make run, then try again."
WELCOME = "Talk with Steer. Speak after each reply. A short pause sends your answer. Press Ctrl-C to end."
GOODBYE = "Goodbye. Thank you for talking with Steer."
# A code and PIN are typed, never spoken (voice/grammar.py KEYBOARD_STEPS), and never shown as typed.
ASK_SAVED_CODE = "Did you save answers before? Type your code, then press Enter. To start new, just press Enter."
ASK_PIN = "Now type your PIN (your secret number). Then press Enter."
ASK_NEW_PIN = ("Type a PIN (a secret number) of 4 to 8 numbers. Then press Enter. "
               "To go back without saving, just press Enter.")
ASK_DELETE_CODE = "Type the code of the answers to delete. Then press Enter. To go back, just press Enter."
SAVED_CODE = "I have saved your answers. Your code is: {code}. I will say it again: {code}."
WRITE_CODE_DOWN = "Please write the code down, or ask someone to write it for you. You need it to come back."
DELETED = "I have removed your saved answers."
NOT_DONE = "Sorry, that did not work. Your answers so far are safe."


class ModelError(RuntimeError):
    pass


def install_model_zip(zip_path: Path, target_dir: Path, sha256: str = MODEL_SHA256) -> Path:
    """Check the zip's SHA-256, then unpack it under target_dir; the model folder's path."""
    digest = hashlib.sha256()
    with open(zip_path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise ModelError(f"{zip_path.name} does not match its checksum: it was not unpacked. Please download it again.")
    target_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            resolved = (target_dir / name).resolve()
            if not str(resolved).startswith(str(target_dir.resolve())):
                raise ModelError(f"{zip_path.name} holds a path outside its folder ({name}); it was not unpacked.")
        archive.extractall(target_dir)
    model = target_dir / MODEL_NAME
    if not (model / "am").is_dir():
        raise ModelError(f"{zip_path.name} did not hold a Vosk model folder named {MODEL_NAME}.")
    return model


def get_model(target_dir: Path) -> int:
    """Download (needs the internet; never run by tests), check and unpack the English model."""
    print(f"Downloading {MODEL_URL} (about 40 MB)...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / f"{MODEL_NAME}.zip"
        try:
            with urllib.request.urlopen(MODEL_URL, timeout=60) as response, open(zip_path, "wb") as out:  # noqa: S310
                shutil.copyfileobj(response, out)
        except OSError as err:
            print(f"The download failed ({err}). This needs a machine with internet.", file=sys.stderr)
            return 1
        try:
            model = install_model_zip(zip_path, target_dir)
        except ModelError as err:
            print(str(err), file=sys.stderr)
            return 1
    print(f"The English Vosk model is in {model}.\nTo use it: export STEER_VOSK_MODEL={model}")
    return 0


# ---------------------------------------------------------------------------- the conversation

def _sounddevice():
    try:
        import sounddevice
    except OSError as err:  # PortAudio missing
        raise SystemExit(f"Cannot use the microphone or speaker: {err}. Install the Debian package "
                         "libportaudio2 (make does this).") from None
    return sounddevice


def play_wav(data: bytes) -> None:
    sd = _sounddevice()
    import wave

    with wave.open(io.BytesIO(data)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        sd.play(samples, w.getframerate(), blocking=True)


def record_answer() -> bytes:
    """Listen until a pause after speech (or the cap); a WAV at 16 kHz."""
    sd = _sounddevice()
    blocks: List[np.ndarray] = []
    heard, quiet = False, 0.0
    with sd.InputStream(samplerate=audio.RATE, channels=1, dtype="int16", blocksize=BLOCK) as stream:
        while len(blocks) * BLOCK / audio.RATE < MAX_SECONDS:
            block, _ = stream.read(BLOCK)
            block = block[:, 0].copy()
            blocks.append(block)
            loud = audio.has_speech(block) if block.size else False
            if loud:
                heard, quiet = True, 0.0
            elif heard:
                quiet += BLOCK / audio.RATE
                if quiet >= END_SILENCE:
                    break
    return audio.wav_bytes(np.concatenate(blocks) if blocks else np.zeros(0, np.int16), audio.RATE)


class LocalConversation:
    """Speech in and out around the front door's voice endpoint; record and play are swappable."""

    def __init__(self, base_url: str, record: Callable[[], bytes] = record_answer,
                 play: Callable[[bytes], None] = play_wav, sender_id: Optional[str] = None,
                 show: Callable[[str], None] = print, ask: Callable[[str], str] = input,
                 ask_secret: Callable[[str], str] = getpass.getpass) -> None:
        self.base_url = base_url.rstrip("/")
        self.record, self.play, self.show = record, play, show
        self.ask, self.ask_secret = ask, ask_secret  # the keyboard, for a code and a PIN
        self.http = requests.Session()
        self.http.trust_env = False
        self.sender_id = sender_id  # None until the front door starts the conversation and says its id

    def _keep(self, reply: dict) -> dict:
        """The id and token of a conversation the front door has just started for us."""
        if isinstance(reply.get("sender_id"), str) and isinstance(reply.get("token"), str):
            self.sender_id = reply["sender_id"]
            self.http.headers["Authorization"] = f"Bearer {reply['token']}"
        return reply

    def _say(self, urls: List[str]) -> None:
        for url in urls:
            wav = self.http.get(self.base_url + url, timeout=30)
            if wav.status_code == 200:
                self.play(wav.content)

    def _show(self, messages) -> None:
        for m in messages:
            if m.get("text"):
                self.show(f"Steer: {m['text']}")

    def _reply(self, messages: List[dict]) -> None:
        """Show and say messages that did not come from a spoken turn."""
        self._show(messages)
        spoken = self.http.post(f"{self.base_url}/api/voice/reply",
                                json={"sender_id": self.sender_id, "messages": messages}, timeout=60).json()
        self._say(spoken.get("audio", []))

    def _chat(self, message: str) -> List[dict]:
        body = {"message": message, **({"sender_id": self.sender_id} if self.sender_id else {})}
        reply = self._keep(self.http.post(f"{self.base_url}/api/chat", json=body, timeout=60).json())
        return reply.get("messages", [])

    def _typed(self, prompt: str, secret: bool = False) -> str:
        self._reply([{"text": prompt}])
        return (self.ask_secret("> ") if secret else self.ask("> ")).strip()

    def _error(self, response: requests.Response) -> str:
        try:
            return response.json().get("error") or NOT_DONE
        except ValueError:
            return NOT_DONE

    def begin(self) -> None:
        """A code and PIN from before bring the saved answers back; otherwise a new start."""
        code = self._typed(ASK_SAVED_CODE)
        while code:
            pin = self._typed(ASK_PIN, secret=True)
            body = {"code": code, "pin": pin, **({"sender_id": self.sender_id} if self.sender_id else {})}
            r = self.http.post(f"{self.base_url}/api/resume", timeout=60, json=body)
            if r.ok:
                self._reply(self._keep(r.json()).get("messages", []))
                return
            self._reply([{"text": self._error(r)}])
            code = self._typed(ASK_SAVED_CODE)
        self._reply(self._chat("/greet"))

    def _save(self) -> None:
        for _ in range(3):
            pin = self._typed(ASK_NEW_PIN, secret=True)
            if not pin:
                break
            r = self.http.post(f"{self.base_url}/api/assessments/{self.sender_id}/save", json={"pin": pin},
                               timeout=60)
            if r.ok:
                code = r.json()["code"]
                # Said one character at a time: "K X 7 M, 4 P Q R".
                spelled = ", ".join(" ".join(part) for part in code.split("-"))
                self._reply([{"text": SAVED_CODE.format(code=spelled)}, {"text": WRITE_CODE_DOWN}])
                break
            self._reply([{"text": self._error(r)}])
        self._reply(self._chat("repeat"))

    def _delete(self) -> None:
        code = self._typed(ASK_DELETE_CODE)
        if code:
            pin = self._typed(ASK_PIN, secret=True)
            r = self.http.delete(f"{self.base_url}/api/saved/{quote(code, safe='')}", json={"pin": pin}, timeout=60)
            self._reply([{"text": DELETED if r.ok else self._error(r)}])
        self._reply(self._chat("repeat"))

    def turn(self) -> dict:
        wav = self.record()
        reply = self.http.post(f"{self.base_url}/api/voice/turn", params={"sender_id": self.sender_id}, data=wav,
                               headers={"Content-Type": "audio/wav"}, timeout=60).json()
        if reply.get("heard"):
            self.show(f"You: {reply['heard']}")
        self._show(reply.get("messages", []))
        self._say(reply.get("audio", []))
        steps = [(m.get("custom") or {}).get("type") for m in reply.get("messages", []) if isinstance(m, dict)]
        if "save_for_later" in steps:
            self._save()
        elif "delete_saved" in steps:
            self._delete()
        return reply

    def run(self, turns: Optional[int] = None) -> None:
        self.begin()
        count = 0
        while turns is None or count < turns:
            self.turn()
            count += 1


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="steer voice", description="Talk with Steer by microphone and speaker.")
    parser.add_argument("action", nargs="?", choices=["talk", "get-model"], default="talk")
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('STEER_PORT', '8000')}",
                        help="the running Steer front door (start it with `make run`)")
    parser.add_argument("--dir", default=str(ROOT / "var" / "models"), help="where get-model unpacks the model")
    args = parser.parse_args(argv)
    if args.action == "get-model":
        return get_model(Path(args.dir))
    try:
        requests.get(f"{args.url}/healthz", timeout=5).raise_for_status()
    except requests.RequestException:
        print(NOT_RUNNING.format(url=args.url), file=sys.stderr)
        return 1
    print(WELCOME)
    try:
        LocalConversation(args.url).run()
    except KeyboardInterrupt:
        print("\n" + GOODBYE)
    return 0
