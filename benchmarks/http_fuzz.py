"""Fuzzing the front door (issue 12): generated requests across the whole HTTP API, against a real Steer.

    .venv/bin/python -m benchmarks.http_fuzz                  # 10,000 requests, seed 0
    .venv/bin/python -m benchmarks.http_fuzz --requests 500 --seed 7

Starts its own stack (action server, Rasa, front door) in a temporary var folder, sends the
requests one after another (tests/http_strategies.py: the same strategies as tests/web/test_http_fuzz.py),
and prints the figures: requests by method, endpoint group and status, replies of 500 or more (must
be 0), new error lines in the stack's logs (must be 0), requests a second and time taken.
Exits 1 if any request found a problem. No request holds anything a person typed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from bot.stack import Settings, Stack
from tests.conftest import free_port
from tests.http_strategies import Fuzzer, FuzzRequest, LogWatch, Tally, run_examples, shares


def run(requests: int, seed_value: int, url: str, var_dir: Path, stack: Optional[Stack] = None) -> Dict[str, object]:
    before = dict(stack.restarts) if stack else {}
    fuzzer = Fuzzer(url, outage=lambda: stack is not None and _outage(stack, before))
    fuzzer.setup()
    logs = LogWatch(var_dir / "logs")
    logs.mark()
    tally = Tally()
    started = time.monotonic()

    def send(request: FuzzRequest) -> None:
        tally.add(fuzzer.send(request))
        if tally.total % 500 == 0:
            rate = tally.total / (time.monotonic() - started)
            print(f"  {tally.total} requests, {rate:.1f}/s, {len(tally.problems)} with problems", file=sys.stderr)

    for _, strategy, count in shares(requests):
        run_examples(strategy, count, send, seed_value)
    elapsed = time.monotonic() - started
    return {"tally": tally, "elapsed": elapsed, "log_lines": logs.new_lines(), "started": fuzzer.started,
            "restarts": {k: v - before.get(k, 0) for k, v in (stack.restarts if stack else {}).items()
                         if v != before.get(k, 0)}}


def _outage(stack: Stack, before: Dict[str, int]) -> bool:
    return stack.restarts != before or any(child.poll() is not None for child in stack.children.values())


def table(title: str, counts, total: int) -> List[str]:
    lines = [f"| {title} | requests | share |", "|---|---:|---:|"]
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        lines.append(f"| {key} | {n:,} | {100 * n / total:.1f} % |")
    return lines


def by_group(tally: Tally) -> List[str]:
    """Statuses per endpoint group: 2xx means the request went all the way (Rasa, the actions, the PDF ...)."""
    statuses = sorted(tally.statuses, key=lambda s: (not s[0].isdigit(), s))
    lines = ["| endpoint group | " + " | ".join(statuses) + " |", "|---|" + "---:|" * len(statuses)]
    for group in sorted(tally.groups, key=lambda g: -tally.groups[g]):
        lines.append(f"| {group} | " + " | ".join(str(tally.group_statuses[group, s] or "")
                                                   for s in statuses) + " |")
    return lines


def report(found: Dict[str, object], requests: int, seed_value: int) -> str:
    tally: Tally = found["tally"]  # type: ignore[assignment]
    total = tally.total
    elapsed: float = found["elapsed"]  # type: ignore[assignment]
    lines = [
        f"requests: {total:,} (asked for {requests:,}, seed {seed_value}); time {elapsed:.0f} s; "
        f"{total / elapsed:.1f} requests/s (one client, one request at a time)",
        f"replies of 500 or more: {tally.server_errors}",
        f"new Traceback / Unexpected / ERROR lines in the stack's logs: {len(found['log_lines'])}",
        f"requests with any problem: {len(tally.problems)}",
        f"refused by waitress itself before the app (its own text reply): {tally.by_server}",
        f"real conversations started for the fuzz: {found['started']}; parts restarted: {found['restarts'] or 'none'}",
        "",
        *table("method", tally.methods, total), "",
        *table("endpoint group", tally.groups, total), "",
        *table("status", tally.statuses, total), "",
        *by_group(tally),
    ]
    if tally.problems:
        lines += ["", "problems (first 30):"]
        lines += [f"- {request!r}: {'; '.join(problems)}" for request, problems in tally.problems[:30]]
    if found["log_lines"]:
        lines += ["", "log lines (first 30):", *[f"- {line}" for line in found["log_lines"][:30]]]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--url", help="fuzz a Steer already running here instead of starting one")
    parser.add_argument("--var-dir", type=Path, help="with --url: that Steer's var folder (its logs are read)")
    args = parser.parse_args(argv)
    if args.url:
        found = run(args.requests, args.seed, args.url, args.var_dir or Path("var"))
        print(report(found, args.requests, args.seed))
        return 1 if found["tally"].problems or found["log_lines"] else 0
    with tempfile.TemporaryDirectory(prefix="steer-fuzz-") as var:
        settings_ = Settings(web_port=free_port(), rasa_port=free_port(), actions_port=free_port(),
                             var_dir=Path(var))
        stack = Stack(settings_)
        stack.start()
        try:
            stack.wait_ready(timeout=420)
            found = run(args.requests, args.seed, settings_.web_url, settings_.var_dir, stack)
        finally:
            stack.stop()
    text = report(found, args.requests, args.seed)
    print(text)
    tally: Tally = found["tally"]  # type: ignore[assignment]
    return 1 if tally.problems or found["log_lines"] or found["restarts"] else 0


if __name__ == "__main__":
    sys.exit(main())
