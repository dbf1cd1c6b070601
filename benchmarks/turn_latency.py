"""Chat-turn latency and throughput of the whole Steer stack, next to a plain Rasa bot, in one run.

    .venv/bin/python -m benchmarks.turn_latency [--duration 90] [--conversations 20] ...

Starts Steer's three processes and the plain bot on their own ports (not the tests' nor
`make run`'s), then for each bot: one conversation alone (warm-up; counts action-server calls),
people at human pace (the DESIGN.md quality bar), and closed-loop clients for the saturation
throughput. Prints a table and writes results/latest.json. Never logs what is said.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from benchmarks import baseline, load, machine, report
from benchmarks.walks import BaselineWalk, SteerWalk
from bot.stack import Settings, Stack, StackError

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
P95_LIMIT_MS = 150  # DESIGN.md, "Quality bars"


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.turn_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=90, help="seconds of human-pace load per bot (90)")
    parser.add_argument("--conversations", type=int, default=20, help="conversations at human pace (20)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between one person's messages (5)")
    parser.add_argument("--clients", default="1,2,4,8,16", help="closed-loop client counts (1,2,4,8,16)")
    parser.add_argument("--level-seconds", type=float, default=15, help="seconds per saturation level (15)")
    parser.add_argument("--probe-turns", type=int, default=40, help="turns of the lone conversation (40)")
    parser.add_argument("--steer-ports", default="28000,25005,25055", help="front door, Rasa, actions")
    parser.add_argument("--baseline-port", type=int, default=26005)
    parser.add_argument("--no-baseline", action="store_true", help="measure Steer only")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.clients = [int(n) for n in args.clients.split(",")]
    args.steer_ports = [int(n) for n in args.steer_ports.split(",")]
    return args


def ports_in_use(ports: List[int]) -> List[int]:
    busy = []
    for port in ports:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT leftovers are fine
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                busy.append(port)
    return busy


def targets(settings: Settings, baseline_url: Optional[str]) -> List[load.Target]:
    found = [
        load.Target("steer_front_door", f"{settings.web_url}/api/chat", True, SteerWalk),
        load.Target("steer_rasa_direct", f"http://127.0.0.1:{settings.rasa_port}/webhooks/steer/webhook", False,
                    SteerWalk, {"Authorization": f"Bearer {settings.token}"}),  # Steer's channel (bot/rasa_channel.py)
    ]
    if baseline_url:
        found.append(load.Target("baseline", f"{baseline_url}/webhooks/rest/webhook", False, BaselineWalk))
    return found


async def measure(bots: List[load.Target], args: argparse.Namespace, settings: Settings, groups: Dict[str, int],
                  loads: Dict) -> Dict:
    out: Dict[str, Dict] = {bot.name: {"saturation": []} for bot in bots}
    for bot in bots:
        steer = bot.name.startswith("steer")
        samples, sender = await load.probe(bot, args.probe_turns, args.seed, settings.actions_port if steer else None)
        out[bot.name]["probe"] = load.probe_summary(samples)
        if steer:
            rasa_url = f"http://127.0.0.1:{settings.rasa_port}"
            kb = await load.action_call_kb(rasa_url, settings.token, sender)
            # The first conversation's length: turn numbers start again at 1 with the next one.
            kb["after_turns"] = next((i for i, s in enumerate(samples) if i and s.turn == 1), len(samples))
            out[bot.name]["probe"]["action_call_payload"] = kb
    loads["before_human_pace"] = machine.load_average()
    for bot in bots:
        print(f"  human pace, {report.LABELS[bot.name]} ({args.duration:g} s)...", flush=True)
        cpu = machine.CpuMeter(groups)  # the timed part only, not the untimed head start
        result = await load.human_pace(bot, args.conversations, args.interval, args.duration, args.seed, cpu)
        out[bot.name]["human_pace"] = {**result, "cpu": cpu.report(result["turns"])}
    loads["after_human_pace"] = machine.load_average()
    print(f"  saturation, {len(args.clients)} levels x {len(bots)} bots x {args.level_seconds:g} s...", flush=True)
    # Levels outside, bots inside: other work on the machine then weighs on every bot alike.
    for clients in args.clients:
        for bot in bots:
            with machine.CpuMeter(groups) as cpu:
                result = await load.closed_loop(bot, clients, args.level_seconds, args.seed)
            out[bot.name]["saturation"].append({**result, "cpu": cpu.report(result["turns"])})
    return out


def run(args: argparse.Namespace, var_dir: Path) -> Dict:
    web, rasa, actions = args.steer_ports
    settings = Settings(web_port=web, rasa_port=rasa, actions_port=actions, var_dir=var_dir / "steer")
    stack = Stack(settings)
    plain: Optional[baseline.BaselineServer] = None
    loads = {"start": machine.load_average()}
    try:
        print("Starting Steer (action server, Rasa, front door)...", flush=True)
        stack.start()
        if not args.no_baseline:
            plain = baseline.BaselineServer(baseline.trained_model(), args.baseline_port, var_dir / "baseline")
            print("Starting the plain Rasa bot...", flush=True)
            plain.start()
        stack.wait_ready(timeout=420)
        if plain:
            plain.wait_ready(timeout=420)
        groups = {f"steer_{name}": child.pid for name, child in stack.children.items()}
        if plain:
            groups["baseline_rasa"] = plain.process.pid
        print("Measuring...", flush=True)
        with machine.RssSampler(groups) as rss:
            measured = asyncio.run(measure(targets(settings, plain and plain.url), args, settings, groups, loads))
        loads["end"] = machine.load_average()
    finally:
        stack.stop()
        if plain:
            plain.stop()
    front = measured["steer_front_door"]["human_pace"]["p95_ms"]
    return {
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "rasa_version": baseline.RASA_VERSION,
        "machine": machine.machine(),
        "load_average": loads,
        "settings": {"conversations": args.conversations, "interval_s": args.interval, "duration_s": args.duration,
                     "clients": args.clients, "level_seconds": args.level_seconds, "probe_turns": args.probe_turns,
                     "seed": args.seed},
        "quality_bar": {"p95_limit_ms": P95_LIMIT_MS, "steer_front_door_p95_ms": front,
                        "met": front is not None and front < P95_LIMIT_MS},
        "targets": measured,
        "memory_mb": rss.report(),
    }


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if not Settings().model.exists():
        print("No trained Steer model: run `make train` first.", file=sys.stderr)
        return 1
    busy = ports_in_use([*args.steer_ports] + ([] if args.no_baseline else [args.baseline_port]))
    if busy:
        print(f"Port(s) {busy} in use: pick others with --steer-ports / --baseline-port.", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _interrupt)  # stop the servers on `kill` too, not only on Ctrl-C
    try:
        with tempfile.TemporaryDirectory(prefix="steer-benchmark-") as tmp:
            results = run(args, Path(tmp))
    except (StackError, RuntimeError) as err:
        print(str(err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    report.write_json(results, args.out)  # first: the figures survive a fault in the table
    print()
    print(report.table(results))
    print(f"\nWrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
