"""Nothing about an assessment leaves the machine: Rasa's telemetry is off in every part Steer starts.

Rasa sends usage and error reports to its own servers unless told not to, and an error report can
quote a setting or a traceback. Checked in the real processes' environments.
"""

from pathlib import Path

import pytest

pytestmark = pytest.mark.stack


def environment(pid: int) -> dict:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def test_rasa_telemetry_is_off_in_every_part(stack):
    for name, child in stack.children.items():
        assert environment(child.pid).get("RASA_TELEMETRY_ENABLED") == "false", name
