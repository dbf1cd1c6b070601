"""The plain Rasa bot in baseline_bot/: trained once into a temporary folder (the model is cached in
.cache/ under a hash of its files and Rasa's version) and served by `rasa run` on its own port."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Dict, Optional

import requests

HERE = Path(__file__).resolve().parent
BOT = HERE / "baseline_bot"
CACHE = HERE / ".cache"
BIN = Path(sys.executable).parent
RASA_VERSION = version("rasa")


def _bot_files():
    return sorted(p for p in BOT.rglob("*") if p.is_file())


def model_key() -> str:
    digest = hashlib.sha256(RASA_VERSION.encode())
    for path in _bot_files():
        digest.update(str(path.relative_to(BOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _quiet_env(**extra: str) -> Dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1", **extra}


def trained_model() -> Path:
    """The cached model for the bot's current files, training it first when there is none."""
    cached = CACHE / f"baseline-{model_key()}.tar.gz"
    if cached.exists():
        return cached
    print("Training the plain Rasa baseline bot (about a minute, once)...", flush=True)
    with tempfile.TemporaryDirectory(prefix="steer-baseline-train-") as tmp:
        log = Path(tmp) / "train.log"
        with open(log, "w", encoding="utf-8") as out:
            # cwd=tmp: Rasa's own training cache (.rasa/) goes there and is thrown away with it.
            done = subprocess.run(
                [str(BIN / "rasa"), "train", "--config", str(BOT / "config.yml"), "--domain", str(BOT / "domain.yml"),
                 "--data", str(BOT / "data"), "--out", tmp, "--fixed-model-name", "baseline"],
                cwd=tmp, env=_quiet_env(), stdout=out, stderr=subprocess.STDOUT, check=False,
            )
        if done.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise RuntimeError(f"Training the baseline bot failed (exit {done.returncode}):\n{tail}")
        CACHE.mkdir(exist_ok=True)
        partial = cached.with_suffix(".part")
        shutil.copy(Path(tmp) / "baseline.tar.gz", partial)
        partial.replace(cached)  # whole or not at all, should a run be stopped half-way
    return cached


class BaselineServer:
    """`rasa run` with the REST channel and a SQLite tracker store, like Steer's Rasa server."""

    def __init__(self, model: Path, port: int, var_dir: Path) -> None:
        self.model = model
        self.port = port
        self.var_dir = var_dir
        self.token = secrets.token_urlsafe(16)
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.var_dir / "baseline-rasa.log", "w", encoding="utf-8")  # noqa: SIM115 (the child's)
        self.process = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--enable-api", f"--auth-token={self.token}", "--interface", "127.0.0.1",
             "--port", str(self.port), "--model", str(self.model), "--endpoints", str(BOT / "endpoints.yml"),
             "--credentials", str(BOT / "credentials.yml")],
            cwd=self.var_dir, env=_quiet_env(BASELINE_TRACKER_DB=str(self.var_dir / "baseline-trackers.db")),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"The baseline Rasa server stopped (exit {code}). {self.log_tail()}")
            with contextlib.suppress(requests.RequestException, ValueError):
                status = requests.get(f"{self.url}/status", params={"token": self.token}, timeout=2)
                if status.status_code == 200 and status.json().get("model_id"):
                    return
            time.sleep(0.5)
        raise RuntimeError(f"The baseline Rasa server was not ready after {timeout:.0f} s. {self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            tail = (self.var_dir / "baseline-rasa.log").read_text(errors="replace").splitlines()[-lines:]
            return "Last lines of its log:\n" + "\n".join(tail)
        return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
