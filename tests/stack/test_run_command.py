"""`steer run` (what `make run` calls): prints the address when all three parts answer; Ctrl-C stops them all."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
PORTS = {"STEER_PORT": free_port(), "STEER_RASA_PORT": free_port(), "STEER_ACTIONS_PORT": free_port()}


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_run_prints_the_address_and_ctrl_c_stops_everything(tmp_path):
    env = {**os.environ, **{k: str(v) for k, v in PORTS.items()}, "STEER_VAR_DIR": str(tmp_path)}
    steer = Path(sys.executable).parent / "steer"
    run = subprocess.Popen([str(steer), "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        deadline, seen = time.monotonic() + 420, []
        while time.monotonic() < deadline:
            line = run.stdout.readline()
            seen.append(line)
            if "Steer is ready" in line or run.poll() is not None:
                break
        assert f"http://127.0.0.1:{PORTS['STEER_PORT']}" in "".join(seen), "".join(seen)
        assert requests.get(f"http://127.0.0.1:{PORTS['STEER_PORT']}/healthz", timeout=5).json() == {"ok": True}
        assert all(listening(p) for p in PORTS.values())
        run.send_signal(signal.SIGINT)
        assert run.wait(timeout=60) == 0
        time.sleep(1)
        assert not any(listening(p) for p in PORTS.values())
    finally:
        if run.poll() is None:
            run.kill()
