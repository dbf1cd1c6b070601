"""What the benchmark ran on and what the servers cost, read from /proc (psutil is not installed)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Dict, List, Set


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine() -> Dict[str, object]:
    return {"cores": os.cpu_count(), "cpu": cpu_model()}


def load_average() -> List[float]:
    return [round(x, 2) for x in os.getloadavg()]


def group_pids(pgid: int) -> List[int]:
    """Every process in a process group: the servers run in their own groups, some with children."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        # The command name is in brackets and may hold spaces: count fields after the last ")".
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[2]) == pgid:
            pids.append(int(entry.name))
    return pids


def rss_mb(pgid: int) -> float:
    total_kb = 0
    for pid in group_pids(pgid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return round(total_kb / 1024, 1)


class RssSampler:
    """Samples the RSS of named process groups once a second, keeping the last and the peak."""

    def __init__(self, groups: Dict[str, int], every: float = 1.0) -> None:
        self.groups = groups
        self.every = every
        self.last: Dict[str, float] = {}
        self.peak: Dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        for name, pgid in self.groups.items():
            mb = rss_mb(pgid)
            self.last[name] = mb
            self.peak[name] = max(mb, self.peak.get(name, 0.0))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def report(self) -> Dict[str, Dict[str, float]]:
        return {name: {"end_mb": self.last.get(name, 0.0), "peak_mb": self.peak.get(name, 0.0)} for name in self.groups}


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pgid: int) -> float:
    """User + system CPU time of a process group's living processes."""
    ticks = 0
    for pid in group_pids(pgid):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / TICK


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent not idle, summed over its cores."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


class CpuMeter:
    """CPU used by each server, by this benchmark client, and by everything else, over a `with` block.

    "Everything else" (other work on the machine, such as a test run) tells how far to trust
    the figures; the per-turn CPU of each server tells where a turn's time goes.
    """

    def __init__(self, groups: Dict[str, int]) -> None:
        self.groups = groups

    def _snapshot(self) -> Dict[str, float]:
        times = os.times()
        return {**{name: cpu_seconds(pgid) for name, pgid in self.groups.items()},
                "benchmark_client": times.user + times.system, "_busy": machine_busy_seconds(),
                "_wall": time.monotonic()}

    def __enter__(self) -> CpuMeter:
        self.start = self._snapshot()
        return self

    def __exit__(self, *_: object) -> None:
        self.end = self._snapshot()

    def report(self, turns: int) -> Dict[str, object]:
        used = {name: self.end[name] - self.start[name] for name in self.start if not name.startswith("_")}
        wall = self.end["_wall"] - self.start["_wall"]
        others = max(0.0, self.end["_busy"] - self.start["_busy"] - sum(used.values()))
        return {
            "ms_per_turn": {name: round(1000 * seconds / turns, 1) for name, seconds in used.items() if turns},
            "other_work_cores": round(others / wall, 2) if wall else None,
        }


def connections_with(port: int) -> Set[int]:
    """The far ends' ports of TCP connections to or from `port`, TIME_WAIT included.

    Rasa opens a new connection for every call to the action server (a fresh aiohttp session
    each time), and a closed connection stays listed for 60 s: the new ports seen across a turn
    are the number of action-server calls that turn made, without putting anything in the way.
    """
    others = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state = int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16), fields[3]
            if remote == port:
                others.add(local)
            elif local == port and state != "0A":  # 0A is the listening socket itself
                others.add(remote)
    return others
