"""The printed table and the JSON file of one benchmark run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional

LABELS = {
    "steer_front_door": "Steer, front door (Flask > Rasa > actions)",
    "steer_rasa_direct": "Steer, Rasa direct (no Flask)",
    "baseline": "Plain Rasa bot (5-question form)",
}


def _ms(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.0f}"


def _loads(results: Dict) -> str:
    return "; ".join(f"{when} {' '.join(f'{x:.2f}' for x in load)}" for when, load in results["load_average"].items())


def _human_pace(results: Dict) -> List[str]:
    s = results["settings"]
    offered = s["conversations"] / s["interval_s"]
    lines = [f"Human pace: {s['conversations']} conversations, each sending a message every {s['interval_s']:g} s, "
             f"for {s['duration_s']:g} s ({offered:.1f} messages/s offered)",
             f"  {'':44} {'turns':>6} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}  ms"]
    for key, target in results["targets"].items():
        h = target["human_pace"]
        lines.append(f"  {LABELS[key]:44} {h['turns']:>6} {h['errors']:>6} {_ms(h['p50_ms']):>6} "
                     f"{_ms(h['p95_ms']):>6} {_ms(h['p99_ms']):>6} {_ms(h['max_ms']):>6}")
    bar = results["quality_bar"]
    verdict = "met" if bar["met"] else "NOT met"
    lines.append(f"  Quality bar (DESIGN.md): Steer front door p95 under {bar['p95_limit_ms']} ms: {verdict} "
                 f"({_ms(bar['steer_front_door_p95_ms'])} ms)")
    return lines


def _saturation(results: Dict) -> List[str]:
    keys = list(results["targets"])
    lines = [f"Saturation: closed-loop clients, each sending as soon as the reply comes, "
             f"{results['settings']['level_seconds']:g} s per level: messages/s, p95 ms",
             "  clients " + "".join(f"{LABELS[k].split(' (')[0]:>32}" for k in keys)]
    levels = [level["clients"] for level in results["targets"][keys[0]]["saturation"]]
    for i, clients in enumerate(levels):
        cells = []
        for key in keys:
            level = results["targets"][key]["saturation"][i]
            errors = f" ({level['errors']} errors)" if level["errors"] else ""
            cells.append(f"{level['messages_per_s']:7.1f}/s  p95 {_ms(level['p95_ms']):>5} ms{errors}")
        lines.append(f"  {clients:>7} " + "".join(f"{c:>32}" for c in cells))
    return lines


def _cpu(ms_per_turn: Dict[str, float]) -> str:
    names = {"steer_web": "Flask", "steer_rasa": "Rasa", "steer_actions": "actions", "baseline_rasa": "Rasa",
             "benchmark_client": "client"}
    return ", ".join(f"{names.get(k, k)} {v:.0f}" for k, v in ms_per_turn.items() if v >= 0.5)


def _where_time_goes(results: Dict) -> List[str]:
    targets = results["targets"]
    lines = ["CPU per turn at human pace, ms: " + "; ".join(
        f"{LABELS[k].split(' (')[0]}: {_cpu(t['human_pace']['cpu']['ms_per_turn'])}" for k, t in targets.items()),
        "One conversation alone (sequential, warm), p50 ms: " + ", ".join(
        f"{LABELS[k].split(' (')[0]} {_ms(t['probe']['p50_ms'])}" for k, t in targets.items())]
    probe = targets.get("steer_rasa_direct", targets["steer_front_door"])["probe"]
    calls = probe.get("action_calls")
    if calls:
        kinds = ", ".join(f"{kind} {'/'.join(map(str, n))}" for kind, n in calls["by_kind"].items())
        lines.append(f"Steer's Rasa calls the action server {calls['per_turn_mean']:.2f} times a turn "
                     f"(the first /greet {calls['first_greet']}; by message kind: {kinds}).")
    size = probe.get("action_call_payload")
    if size:
        events = ", ".join(f"{name} {e['count']} ({e['kb']:.0f} KB)" for name, e in size["tracker_events"].items())
        lines.append(f"Each call carries the whole tracker ({size['tracker_kb']:.0f} KB after "
                     f"{size['after_turns']} turns) and the domain ({size['domain_kb']:.0f} KB) as JSON.")
        lines.append(f"  Its events: {events}.")
    growth = probe.get("button_turn_mean_ms")
    if growth:
        early, late = growth.items()
        lines.append(f"Steer button answers, sequential mean: {early[1]:.0f} ms in {early[0].replace('_', ' ')}, "
                     f"{late[1]:.0f} ms in {late[0].replace('_', ' ')} (the tracker sent to the actions grows).")
    return lines


def other_work(results: Dict) -> List[float]:
    """Cores used by everything but this benchmark, in each measured phase."""
    phases = [t["human_pace"] for t in results["targets"].values()]
    phases += [level for t in results["targets"].values() for level in t["saturation"]]
    return [p["cpu"]["other_work_cores"] for p in phases if p["cpu"]["other_work_cores"] is not None]


def _memory(results: Dict) -> List[str]:
    memory = results["memory_mb"]
    steer = {k: v for k, v in memory.items() if k.startswith("steer_")}
    parts = [f"{k.removeprefix('steer_')} {v['end_mb']:.0f}/{v['peak_mb']:.0f}" for k, v in steer.items()]
    total = sum(v["end_mb"] for v in steer.values())
    lines = [f"Memory, RSS MB now/peak: Steer {', '.join(parts)} (total {total:.0f})"]
    if "baseline_rasa" in memory:
        b = memory["baseline_rasa"]
        lines[0] += f"; plain Rasa bot {b['end_mb']:.0f}/{b['peak_mb']:.0f}"
    return lines


def table(results: Dict) -> str:
    m = results["machine"]
    head = [f"Steer chat-turn benchmark, {results['when']}, Rasa {results['rasa_version']}",
            f"Machine: {m['cores']} cores, {m['cpu']}. Load average (1/5/15 min): {_loads(results)}"]
    others = other_work(results)
    if others:
        mean = sum(others) / len(others)
        head.append(f"Other work on the machine (not this benchmark) used {mean:.2f} cores on average, "
                    f"{max(others):.2f} at most, over the measured phases.")
        if max(others) > 0.2:
            head.append("  Note: the machine was not quiet: figures are worse than on an idle machine.")
    sections = [head, _human_pace(results), _saturation(results), _where_time_goes(results), _memory(results)]
    return "\n\n".join("\n".join(lines) for lines in sections)


def write_json(results: Dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
