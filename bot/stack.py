"""Starts and stops Steer's three real processes: the action server, Rasa, and the front door.

Each child gets its own process group and a log file under var/logs; the supervisor waits
until the front door's /healthz says all three are ready, and stops them all on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Settings:
    web_port: int = int(os.environ.get("STEER_PORT", "8000"))
    rasa_port: int = int(os.environ.get("STEER_RASA_PORT", "5005"))
    actions_port: int = int(os.environ.get("STEER_ACTIONS_PORT", "5055"))
    var_dir: Path = Path(os.environ.get("STEER_VAR_DIR", str(ROOT / "var")))
    model: Path = ROOT / "models" / "steer.tar.gz"
    token: str = field(default_factory=lambda: os.environ.get("STEER_RASA_TOKEN") or secrets.token_urlsafe(24))

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> Dict[str, str]:
        return {
            **os.environ,
            "STEER_RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "STEER_ACTIONS_URL": f"http://127.0.0.1:{self.actions_port}",
            "STEER_RASA_TOKEN": self.token,
            "STEER_TRACKER_DB": str(self.var_dir / "trackers.db"),
            "STEER_SAVED_DB": os.environ.get("STEER_SAVED_DB") or str(self.var_dir / "saved.db"),
            "STEER_SECRET_KEY_FILE": os.environ.get("STEER_SECRET_KEY_FILE") or str(self.var_dir / "secret.key"),
            "STEER_PORT": str(self.web_port),
            "SANIC_HOST": "127.0.0.1",  # the action server binds to loopback only
            "PYTHONUNBUFFERED": "1",
        }


class StackError(RuntimeError):
    pass


class Stack:
    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or Settings()
        self.children: Dict[str, subprocess.Popen] = {}

    def commands(self) -> Dict[str, List[str]]:
        s = self.settings
        return {
            "actions": [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(s.actions_port)],
            "rasa": [  # "--auth-token=...": a token may start with "-"
                str(BIN / "python"), "-m", "bot.rasa_main", "run", "--enable-api", f"--auth-token={s.token}",
                "--interface", "127.0.0.1", "--port", str(s.rasa_port), "--model", str(s.model),
                "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
            ],
            "web": [str(BIN / "python"), "-m", "bot.cli", "web"],
        }

    def start(self) -> None:
        if not self.settings.model.exists():
            raise StackError(f"No trained model at {self.settings.model}: run `make run` (it trains first).")
        logs = self.settings.var_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for name, command in self.commands().items():
            log = open(logs / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 (kept open for the child)
            self.children[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.settings.env(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, child in self.children.items():
                if child.poll() is not None:
                    raise StackError(f"The {name} process stopped (exit {child.returncode}). {self.log_tail(name)}")
            try:
                if requests.get(f"{self.settings.web_url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise StackError(f"Steer was not ready after {timeout:.0f} s. {self.log_tail('rasa')}")

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.settings.var_dir / "logs" / f"{name}.log"
        try:
            tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"Last lines of {path}:\n" + "\n".join(tail)

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.children.clear()


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def run_forever() -> int:
    stack = Stack()
    # Set both explicitly: a shell that starts us in the background leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    print("Starting Steer: the action server, Rasa and the front door (about a minute)...", flush=True)
    try:
        stack.start()
        stack.wait_ready()
        print(f"\nSteer is ready: open {stack.settings.web_url} in a browser.\nPress Ctrl-C to stop.", flush=True)
        while all(child.poll() is None for child in stack.children.values()):
            time.sleep(1)
        stopped = [n for n, c in stack.children.items() if c.poll() is not None]
        print(f"A part of Steer stopped ({', '.join(stopped)}). {stack.log_tail(stopped[0])}", file=sys.stderr)
        return 1
    except StackError as err:
        print(str(err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Steer...", flush=True)
        return 0
    finally:
        stack.stop()
