"""What 16 resume tries at once cost the front door's process: memory, CPU, and how long each waits.

    .venv/bin/python -m benchmarks.pin_work                 # this working tree (argon2 work bounded)
    .venv/bin/python -m benchmarks.pin_work --rev 4cad59f   # the store as it was at a commit, to compare

Each run is a fresh process (so its peak memory is its own): a store with the real argon2id
settings (64 MiB, 3 passes, 4 lanes) in a temporary folder, 4 saved codes, then 16 threads (as
waitress's 16) each make one resume try at the same moment: half with a wrong PIN, half with a
code that does not exist (which costs an argon2 check too). Printed: the peak resident memory
during the burst above the memory before it, CPU seconds and wall time of the burst, each try's
time, how many were told "busy", and the latency of a cheap task (like a chat turn's own work)
run over and over beside the burst. Then each kind of refusal alone, 8 times each, to show that an
unknown code, a wrong PIN and a resting code take about the same time.

Made-up data only; no code, PIN or answer is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIES = 16
PIN = "4719"
WRONG = "9047"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def cheap_task() -> None:
    json.loads(json.dumps({"messages": [{"text": "How much help do you need with washing?" * 4}] * 20}))


def measure() -> dict:
    """One run, in this process, with whichever `store` package is first on sys.path."""
    import store
    from store import SavedStore, StoreError

    folder = Path(tempfile.mkdtemp(prefix="steer-pin-work-"))
    saved = SavedStore(folder / "saved.db", folder / "secret.key")
    codes = [saved.save({"n": n}, PIN) for n in range(4)]
    calls = [(codes[n % 4], WRONG) if n % 2 else ("ACDE-FGHJ", PIN) for n in range(TRIES)]

    peak = [rss_mib()]
    before = peak[0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mib())
            time.sleep(0.002)

    probe_times = []

    def probe() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            cheap_task()
            probe_times.append(time.perf_counter() - start)
            time.sleep(0.005)

    alone = []
    for _ in range(50):
        start = time.perf_counter()
        cheap_task()
        alone.append(time.perf_counter() - start)

    barrier = threading.Barrier(TRIES)
    outcomes, took = [], []
    guard = threading.Lock()

    def one(code: str, pin: str) -> None:
        barrier.wait()
        start = time.perf_counter()
        try:
            saved.resume(code, pin)
            what = "opened"
        except StoreError as err:
            what = type(err).__name__
        with guard:
            outcomes.append(what)
            took.append(time.perf_counter() - start)

    watchers = [threading.Thread(target=sample), threading.Thread(target=probe)]
    for w in watchers:
        w.start()
    threads = [threading.Thread(target=one, args=call) for call in calls]
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    stop.set()
    for w in watchers:
        w.join()

    # Each kind of refusal alone, one after another: the reply's time should not tell them apart.
    resting = saved.save({"n": "resting"}, PIN)
    for _ in range(5):
        with contextlib.suppress(StoreError):
            saved.resume(resting, WRONG)
    kinds = {"unknown code": ("ACDE-FGHK", PIN), "wrong PIN": (codes[0], WRONG), "resting code": (resting, PIN)}
    alone_ms = {}
    for kind, (code, pin) in kinds.items():
        times = []
        for _ in range(8):
            if kind == "wrong PIN":  # untimed: the right PIN first, so this code never rests
                saved.resume(code, PIN)
            start = time.perf_counter()
            with contextlib.suppress(StoreError):
                saved.resume(code, pin)
            times.append(time.perf_counter() - start)
        alone_ms[kind] = round(statistics.median(times) * 1000, 1)
    saved.close()

    return {
        "store": str(Path(store.__file__).parent),
        "cores": os.cpu_count(),
        "tries": TRIES,
        "outcomes": {k: outcomes.count(k) for k in sorted(set(outcomes))},
        "peak_memory_above_start_mib": round(peak[0] - before, 1),
        "burst_cpu_seconds": round(cpu, 2),
        "burst_wall_seconds": round(wall, 2),
        "cores_busy": round(cpu / wall, 2),
        "try_ms_p50": round(statistics.median(took) * 1000),
        "try_ms_max": round(max(took) * 1000),
        "cheap_task_ms_alone_p50": round(statistics.median(alone) * 1000, 2),
        "cheap_task_ms_during_p50": round(statistics.median(probe_times) * 1000, 2) if probe_times else None,
        "cheap_task_ms_during_max": round(max(probe_times) * 1000, 1) if probe_times else None,
        "one_refusal_alone_ms_median": alone_ms,
    }


def store_at(rev: str, into: Path) -> Path:
    """The store package as it was at a git commit, written out under `into`."""
    names = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{rev}:store"], check=True,
                           capture_output=True, text=True).stdout.split()
    (into / "store").mkdir(parents=True)
    for name in names:
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:store/{name}"], check=True,
                              capture_output=True, text=True).stdout
        (into / "store" / name).write_text(text)
    return into


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", help="measure the store package as it was at this git commit")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        print(json.dumps(measure()))
        return 0
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as old:
        first = str(store_at(args.rev, Path(old))) if args.rev else str(ROOT)
        env["PYTHONPATH"] = os.pathsep.join([first, str(ROOT)])
        run = subprocess.run([sys.executable, "-m", "benchmarks.pin_work", "--inner"], cwd=first, env=env,
                             capture_output=True, text=True)
    if run.returncode:
        sys.stderr.write(run.stderr)
        return run.returncode
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    figures["rev"] = args.rev or "working tree"
    for key, value in figures.items():
        print(f"{key:32} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
