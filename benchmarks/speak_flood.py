"""Can one client stall speech for everyone? A short /api/voice/speak request, timed while another
client floods the front door with the longest speak requests it accepts.

    .venv/bin/python -m benchmarks.speak_flood                      # this tree, limits on and off
    .venv/bin/python -m benchmarks.speak_flood --root /tmp/old      # another tree (e.g. before the fix)

It serves `--root`'s front door (create_app under waitress, no Rasa: speech needs none) on a free
loopback port, with the real espeak-ng worker. `--flooders` threads send distinct texts of the
tree's own MAX_TEXT characters as fast as they are answered, from one made-up client address; one
prober sends a distinct short question ("Question n of 26.") about once a second from another. Both
addresses are documentation ranges passed in X-Forwarded-For, believed because the front door is
told to trust its loopback proxy (STEER_TRUSTED_PROXIES); no traffic leaves the machine. Nothing
said is logged. Prints a table and writes the JSON to benchmarks/results/speak_flood.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
FLOODER, PROBER = "203.0.113.66", "198.51.100.20"
INTERVAL = 1.1  # seconds between probes: under speak.address (60 a minute), as any one client would be
SERVE = """
import sys
from waitress import serve
from bot.web import create_app
from bot.web.server_limits import server_limits
# X-Forwarded-For through to the app, which believes it only from STEER_TRUSTED_PROXIES.
limits = {**server_limits(), "clear_untrusted_proxy_headers": False}
serve(create_app(), host="127.0.0.1", port=int(sys.argv[1]), **limits)
"""
WORDS = ("support", "garden", "morning", "sister", "radio", "seaside", "friend", "allotment", "bus", "evening")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def max_text(root: Path) -> int:
    found = re.search(r"^MAX_TEXT\s*=\s*(\d+)", (root / "voice" / "speak.py").read_text(), re.M)
    return int(found.group(1)) if found else 4000


def long_text(n: int, size: int) -> str:
    words = [f"{WORDS[(n * 7 + i) % len(WORDS)]}" for i in range(size)]
    text = f"Plan {n}. " + " ".join(words) + "."
    return text[:size]


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def run(root: Path, seconds: float, flooders: int, limits: Optional[str]) -> Dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    var = tempfile.mkdtemp(prefix="steer-speak-flood-")
    env = {**os.environ, "STEER_WEB_SECRET": "made-up-benchmark-secret", "STEER_RASA_URL": "http://127.0.0.1:9",
           "STEER_ACTIONS_URL": "http://127.0.0.1:9", "STEER_LIMITS_DB": os.path.join(var, "limits.db"),
           "STEER_TRUSTED_PROXIES": "127.0.0.1", "PYTHONPATH": str(root)}
    if limits not in (None, "defaults"):
        env["STEER_LIMITS"] = limits
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{base}/api/csrf-token", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the front door did not start")
            time.sleep(0.2)
        requests.post(f"{base}/api/voice/speak", json={"text": "Hello."}, timeout=60)  # the worker is up
        size = max_text(root)
        stop = threading.Event()
        flood: Counter = Counter()
        probes: List[Dict[str, Any]] = []
        lock = threading.Lock()

        def flooder(k: int) -> None:
            n = 0
            with requests.Session() as http:
                while not stop.is_set():
                    n += 1
                    try:
                        r = http.post(f"{base}/api/voice/speak", json={"text": long_text(k * 100000 + n, size)},
                                      headers={"X-Forwarded-For": FLOODER}, timeout=120)
                        status = r.status_code
                    except requests.RequestException:
                        status = "error"
                    with lock:
                        flood[status] += 1

        def prober() -> None:
            n = 0
            with requests.Session() as http:
                while not stop.is_set():
                    n += 1
                    started = time.perf_counter()
                    try:
                        r = http.post(f"{base}/api/voice/speak", timeout=120, headers={"X-Forwarded-For": PROBER},
                                      json={"text": f"Question {n} of 26, take {time.time()}."})
                        status: Any = r.status_code
                    except requests.RequestException:
                        status = "error"
                    probes.append({"seconds": time.perf_counter() - started, "status": status,
                                   "retry_after": r.headers.get("Retry-After") if status != "error" else None})
                    stop.wait(max(0.0, INTERVAL - (time.perf_counter() - started)))

        threads = [threading.Thread(target=flooder, args=(k,), daemon=True) for k in range(flooders)]
        threads.append(threading.Thread(target=prober, daemon=True))
        load_before = os.getloadavg()[0]
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(180)
        ok = [p["seconds"] for p in probes if p["status"] == 200]
        every = [p["seconds"] for p in probes]
        return {
            "root": str(root), "limits": limits or "defaults", "text_cap": size, "flooders": flooders,
            "seconds": seconds, "load_average": round(load_before, 2),
            "probe": {"sent": len(probes), "statuses": dict(Counter(str(p["status"]) for p in probes)),
                      "p50_s": round(percentile(every, 0.5), 3), "p95_s": round(percentile(every, 0.95), 3),
                      "max_s": round(max(every), 3) if every else None,
                      "ok_p50_s": round(statistics.median(ok), 3) if ok else None,
                      "retry_after": sorted({p["retry_after"] for p in probes if p["retry_after"]})},
            "flood": {str(k): v for k, v in sorted(flood.items(), key=lambda kv: str(kv[0]))},
        }
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the source tree whose front door to serve")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument("--limits", action="append",
                        help="STEER_LIMITS for a run (repeat for several; default: the defaults, then off)")
    args = parser.parse_args(argv)
    settings = args.limits or ["defaults", "off"]
    results = [run(args.root.resolve(), args.seconds, args.flooders, limits) for limits in settings]
    print(f"{'tree':<28} {'limits':<9} {'cap':>5} {'probe p50':>10} {'p95':>8} {'max':>8}  probe statuses / flood")
    for r in results:
        p = r["probe"]
        print(f"{r['root'][-28:]:<28} {r['limits']:<9} {r['text_cap']:>5} {p['p50_s']:>9.2f}s {p['p95_s']:>7.2f}s "
              f"{p['max_s']:>7.2f}s  {p['statuses']} / {r['flood']}  (load {r['load_average']})")
    out = ROOT / "benchmarks" / "results" / "speak_flood.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
