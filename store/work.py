"""A bound on the argon2 work running at once in this process.

Every PIN check (resume, delete, save again) and every new PIN runs argon2id with 64 MiB and 4
lanes, even for a code that does not exist (so a wrong code takes as long as a wrong PIN). Without
a bound, 16 waitress threads doing it together take every core and a gigabyte of memory. With it,
at most `at_once` run together; a request waits a short while for its turn and is then told
"busy, try again in a moment" (Busy), before anything about its code is looked at or counted.
"""

from __future__ import annotations

import contextlib
import math
import threading
from typing import Iterator

from store.errors import Busy

AT_ONCE = 2  # 2 x 64 MiB, and 2 x 4 lanes: enough to keep 2 cores busy, not more
WAIT_SECONDS = 2.0  # 16 checks queued at 2 at once take about 1.3 s here (benchmarks/pin_work.py)


class WorkLimit:
    """At most `at_once` holders at a time; `slot()` waits up to `wait_seconds`, then raises Busy."""

    def __init__(self, at_once: int = AT_ONCE, wait_seconds: float = WAIT_SECONDS) -> None:
        if at_once < 1 or wait_seconds < 0:
            raise ValueError("at_once must be at least 1 and wait_seconds at least 0")
        self.at_once = at_once
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(at_once)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.wait_seconds):
            raise Busy(retry_after=max(1, math.ceil(self.wait_seconds)))
        try:
            yield
        finally:
            self._slots.release()


# Shared by every SavedStore in the process (the front door keeps one), so the bound is per process.
PROCESS = WorkLimit()
