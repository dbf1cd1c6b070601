"""Starts and stops Steer's three real processes: the action server, Rasa, and the front door.

Each child gets its own process group and a log file under var/logs; the supervisor waits
until the front door's /healthz says all three are ready, and stops them all on Ctrl-C.
A child that stops by itself is started again after a growing pause (RestartPolicy); one that
keeps stopping makes the supervisor give up, say why, and stop the others.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, TextIO

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LABELS = {"actions": "action server", "rasa": "Rasa server", "web": "front door"}


@dataclass
class RestartPolicy:
    """When to restart a part that stopped, and when to give up. Fed crash times; no clock, no processes.

    The pause doubles with each crash still inside the window (1 s, 2 s, 4 s ... up to max_delay);
    the limit-th crash inside the window means giving up: restarting again would only hide a fault.
    """

    limit: int = 5
    window: float = 300.0
    first_delay: float = 1.0
    max_delay: float = 30.0
    crashes: List[float] = field(default_factory=list)

    def crashed(self, now: float) -> Optional[float]:
        """Record a crash at `now` (seconds); the pause before restarting, or None to give up."""
        self.crashes = [t for t in self.crashes if now - t < self.window] + [now]
        if len(self.crashes) >= self.limit:
            return None
        return min(self.max_delay, self.first_delay * 2 ** (len(self.crashes) - 1))


@dataclass
class Settings:
    web_port: int = int(os.environ.get("STEER_PORT", "8000"))
    rasa_port: int = int(os.environ.get("STEER_RASA_PORT", "5005"))
    actions_port: int = int(os.environ.get("STEER_ACTIONS_PORT", "5055"))
    var_dir: Path = Path(os.environ.get("STEER_VAR_DIR", str(ROOT / "var")))
    model: Path = ROOT / "models" / "steer.tar.gz"
    token: str = field(default_factory=lambda: os.environ.get("STEER_RASA_TOKEN") or secrets.token_urlsafe(24))
    # Rasa sends it to the action server with every call (bot/endpoints.yml); the server refuses calls without it.
    actions_token: str = field(
        default_factory=lambda: os.environ.get("STEER_ACTIONS_TOKEN") or secrets.token_urlsafe(24))
    # Kept for the whole run, so a restarted front door still accepts the page's CSRF token.
    web_secret: str = field(default_factory=lambda: os.environ.get("STEER_WEB_SECRET") or secrets.token_urlsafe(32))
    # Supervision (RestartPolicy): give up at the restart_limit-th crash of a part within restart_window s.
    restart_limit: int = int(os.environ.get("STEER_RESTART_LIMIT", "5"))
    restart_window: float = float(os.environ.get("STEER_RESTART_WINDOW", "300"))
    restart_delay: float = float(os.environ.get("STEER_RESTART_DELAY", "1"))
    restart_max_delay: float = float(os.environ.get("STEER_RESTART_MAX_DELAY", "30"))

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def restart_policy(self) -> RestartPolicy:
        return RestartPolicy(self.restart_limit, self.restart_window, self.restart_delay, self.restart_max_delay)

    def env(self) -> Dict[str, str]:
        return {
            **os.environ,
            "STEER_RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "STEER_ACTIONS_URL": f"http://127.0.0.1:{self.actions_port}",
            "STEER_RASA_TOKEN": self.token,
            "STEER_ACTIONS_TOKEN": self.actions_token,
            "STEER_WEB_SECRET": self.web_secret,
            "STEER_TRACKER_DB": str(self.var_dir / "trackers.db"),
            "STEER_SAVED_DB": os.environ.get("STEER_SAVED_DB") or str(self.var_dir / "saved.db"),
            "STEER_SECRET_KEY_FILE": os.environ.get("STEER_SECRET_KEY_FILE") or str(self.var_dir / "secret.key"),
            # Signs the tokens of conversations the front door issues (bot/web/conversations.py).
            "STEER_CONVERSATION_KEY_FILE": os.environ.get("STEER_CONVERSATION_KEY_FILE")
            or str(self.var_dir / "conversation.key"),
            # Request counts every front-door process shares (bot/web/limits.py).
            "STEER_LIMITS_DB": os.environ.get("STEER_LIMITS_DB") or str(self.var_dir / "limits.db"),
            "STEER_VAR_DIR": str(self.var_dir),
            "STEER_PORT": str(self.web_port),
            "SANIC_HOST": "127.0.0.1",  # the action server binds to loopback only
            "PYTHONUNBUFFERED": "1",
            # Rasa's telemetry would send usage and error reports (which can quote a setting or a
            # traceback) to Rasa's servers: nothing about an assessment leaves the machine.
            "RASA_TELEMETRY_ENABLED": "false",
        }


class StackError(RuntimeError):
    pass


class Stack:
    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or Settings()
        self.children: Dict[str, subprocess.Popen] = {}
        self.policies: Dict[str, RestartPolicy] = {}
        self.restarts: Dict[str, int] = {}  # how often each part was started again
        self.gave_up: Optional[str] = None  # why the supervisor stopped everything, once it has
        self._restart_at: Dict[str, float] = {}  # parts that stopped: when to start them again
        self._logs: Dict[str, TextIO] = {}
        self._stopping = threading.Event()
        self._monitor: Optional[threading.Thread] = None

    def commands(self) -> Dict[str, List[str]]:
        s = self.settings
        return {
            # rasa-sdk's server, taking calls only from Rasa and putting nothing personal in a reply or log.
            "actions": [str(BIN / "python"), "-m", "bot.action_server", "--actions", "actions",
                        "--port", str(s.actions_port)],
            "rasa": [  # "--auth-token=...": a token may start with "-"
                str(BIN / "python"), "-m", "bot.rasa_main", "run", "--enable-api", f"--auth-token={s.token}",
                "--interface", "127.0.0.1", "--port", str(s.rasa_port), "--model", str(s.model),
                "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
            ],
            "web": [str(BIN / "python"), "-m", "bot.cli", "web"],
        }

    def log_path(self, name: str) -> Path:
        return self.settings.var_dir / "logs" / f"{name}.log"

    def start(self) -> None:
        if not self.settings.model.exists():
            raise StackError(f"No trained model at {self.settings.model}: run `make run` (it trains first).")
        logs = self.log_path("web").parent
        logs.mkdir(mode=0o700, parents=True, exist_ok=True)
        # var/ holds the conversations, saved answers, keys and logs: only Steer's own user reads them.
        for folder in (self.settings.var_dir, logs):
            folder.chmod(0o700)
        for name in self.commands():
            self.policies[name] = self.settings.restart_policy()
            self.restarts[name] = 0
            self._spawn(name, "w")
        self._stopping.clear()
        self._monitor = threading.Thread(target=self._supervise, name="steer-supervisor", daemon=True)
        self._monitor.start()

    def _spawn(self, name: str, mode: str, note: str = "") -> None:
        old = self._logs.pop(name, None)
        if old is not None:
            old.close()
        path = self.log_path(name)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
        fd = os.open(path, flags, 0o600)
        os.fchmod(fd, 0o600)  # also a log made before, with looser rights
        log = open(fd, mode, encoding="utf-8")  # noqa: SIM115 (kept open for the child)
        if note:
            log.write(f"\n--- {note} ---\n")
            log.flush()
        self._logs[name] = log
        self.children[name] = subprocess.Popen(
            self.commands()[name], cwd=ROOT, env=self.settings.env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, umask=0o077,  # whatever a part makes (Rasa's trackers.db too) is owner-only
        )

    def _supervise(self) -> None:
        while not self._stopping.wait(0.2) and self.gave_up is None:
            self.supervise_once()

    def supervise_once(self, now: Optional[float] = None) -> None:
        """One look at the children: note any that stopped, restart those whose pause is over, or give up."""
        now = time.monotonic() if now is None else now
        for name, child in list(self.children.items()):
            if child.poll() is None:
                continue
            label, how = LABELS.get(name, name), _how_it_stopped(child.returncode)
            if name not in self._restart_at:
                delay = self.policies[name].crashed(now)
                if delay is None:
                    self._give_up(name, how)
                    return
                self._restart_at[name] = now + delay
                _say(f"The {label} stopped ({how}). Starting it again in {delay:g} s.")
            elif now >= self._restart_at[name]:
                del self._restart_at[name]
                self._spawn(name, "a", f"Steer started the {label} again (it had stopped: {how})")
                self.restarts[name] += 1  # after the new child is in place: tests wait on this count
                _say(f"Started the {label} again (restart {self.restarts[name]}). Its log: {self.log_path(name)}")

    def _give_up(self, name: str, how: str) -> None:
        policy = self.policies[name]
        self.gave_up = (
            f"Steer stopped: the {LABELS.get(name, name)} ({name}) stopped {len(policy.crashes)} times "
            f"in {policy.window:g} s (last: {how}), so it was not started again. "
            f"Read its log: {self.log_path(name)}\n{self.log_tail(name)}"
        )
        _say(self.gave_up)
        self._stop_children()

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.gave_up:
                raise StackError(self.gave_up)
            try:
                if requests.get(f"{self.settings.web_url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise StackError(f"Steer was not ready after {timeout:.0f} s. {self.log_tail('rasa')}")

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.log_path(name)
        try:
            tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"Last lines of {path}:\n" + "\n".join(tail)

    def stop(self) -> None:
        # The monitor first: a part stopped on purpose must not be started again.
        self._stopping.set()
        if self._monitor is not None:
            self._monitor.join()
        self._monitor = None
        self._stop_children()

    def _stop_children(self) -> None:
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
        self._restart_at.clear()
        for log in self._logs.values():
            log.close()
        self._logs.clear()


def _how_it_stopped(code: Optional[int]) -> str:
    return f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
        while not stack.gave_up:  # the supervisor has already said why on stderr
            time.sleep(1)
        return 1
    except StackError as err:
        if not stack.gave_up:  # if it gave up, the supervisor has said so
            print(str(err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Steer...", flush=True)
        return 0
    finally:
        stack.stop()
