"""Load patterns over HTTP: people at human pace (open loop), clients as fast as replies come
(closed loop), and one person alone (the probe that also counts action-server calls)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
from dataclasses import dataclass, field
from typing import Callable, ContextManager, Dict, List, Optional

import aiohttp

from benchmarks.machine import connections_with
from benchmarks.walks import Replies, Walk

TIMEOUT = aiohttp.ClientTimeout(total=30)
EARLY_TURN, LATE_TURN = 10, 25  # turn numbers within a conversation, for the probe


@dataclass
class Target:
    """Where one bot takes a message: Steer's front door or a Rasa REST webhook."""

    name: str
    url: str
    front_door: bool  # {"sender_id", "message"} -> {"messages": [...]}, else Rasa's REST shape
    walk: Callable[[random.Random, str], Walk]
    headers: Dict[str, str] = field(default_factory=dict)  # e.g. the secret of Steer's Rasa channel

    def body(self, sender: str, text: str) -> Dict[str, str]:
        return {"sender_id": sender, "message": text} if self.front_door else {"sender": sender, "message": text}

    def replies(self, data: object) -> Optional[Replies]:
        replies = data.get("messages") if self.front_door and isinstance(data, dict) else data
        return replies if isinstance(replies, list) else None


@dataclass
class Sample:
    ms: float
    ok: bool
    kind: str
    turn: int
    calls: Optional[int] = None  # action-server calls, counted by the probe only


async def one_turn(session: aiohttp.ClientSession, target: Target, walk: Walk) -> Sample:
    kind, text = walk.next_message()
    turn = walk.turn
    started = time.perf_counter()
    replies = None
    try:
        async with session.post(target.url, json=target.body(walk.sender, text), headers=target.headers) as response:
            data = await response.json(content_type=None)
            replies = target.replies(data) if response.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        pass  # counted as an error; what went wrong is not the point here
    ms = (time.perf_counter() - started) * 1000
    walk.seen(replies)
    return Sample(ms, replies is not None, kind, turn)


def new_session() -> aiohttp.ClientSession:
    # Keep-alive connections, no cap: the web page and Steer's front door both reuse theirs.
    return aiohttp.ClientSession(timeout=TIMEOUT, connector=aiohttp.TCPConnector(limit=0))


def percentile(sorted_ms: List[float], p: float) -> Optional[float]:
    if not sorted_ms:
        return None
    return round(sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)], 1)


def summary(samples: List[Sample], seconds: float) -> Dict[str, object]:
    ok = sorted(s.ms for s in samples if s.ok)
    return {
        "turns": len(samples),
        "errors": sum(not s.ok for s in samples),
        "seconds": round(seconds, 1),
        "messages_per_s": round(len(ok) / seconds, 2) if seconds else None,
        "p50_ms": percentile(ok, 50),
        "p95_ms": percentile(ok, 95),
        "p99_ms": percentile(ok, 99),
        "max_ms": round(ok[-1], 1) if ok else None,
        "mean_ms": round(sum(ok) / len(ok), 1) if ok else None,
    }


def by_kind(samples: List[Sample]) -> Dict[str, Dict[str, object]]:
    kinds = sorted({s.kind for s in samples})
    return {kind: {k: v for k, v in summary([s for s in samples if s.kind == kind], 0).items()
                   if k in ("turns", "p50_ms", "p95_ms")} for kind in kinds}


async def human_pace(target: Target, conversations: int, interval: float, duration: float, seed: int,
                     clock: Optional[ContextManager] = None) -> Dict[str, object]:
    """Each conversation sends on a fixed schedule (every `interval` s), staggered evenly, so the
    offered load stays conversations/interval messages/s however slow the replies are.

    Before the clock starts, each conversation is walked (untimed) to a random point of its
    course, as people would be at any moment: otherwise a short run would only ever measure
    the first few turns, whose trackers are the smallest. `clock` is entered for the timed part.
    """
    samples: List[Sample] = []
    late = 0
    walks = [target.walk(random.Random(seed * 1000 + i), f"h{i}") for i in range(conversations)]

    async def head_start(walk: Walk, session: aiohttp.ClientSession) -> None:
        for _ in range(walk.rng.randrange(walk.length)):
            await one_turn(session, target, walk)

    async def person(i: int, session: aiohttp.ClientSession, start: float) -> None:
        nonlocal late
        due = start + i * interval / conversations
        while due < start + duration:
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                late += wait < -0.05  # the previous reply came after this message was due
            samples.append(await one_turn(session, target, walks[i]))
            due += interval

    async with new_session() as session:
        await asyncio.gather(*(head_start(walk, session) for walk in walks))
        with clock or contextlib.nullcontext():
            start = time.perf_counter()
            await asyncio.gather(*(person(i, session, start) for i in range(conversations)))
            elapsed = time.perf_counter() - start
    return {**summary(samples, elapsed), "late_sends": late, "by_kind": by_kind(samples)}


async def closed_loop(target: Target, clients: int, seconds: float, seed: int) -> Dict[str, object]:
    """`clients` people each sending the next message as soon as the reply comes."""
    samples: List[Sample] = []

    async def client(i: int, session: aiohttp.ClientSession, end: float) -> None:
        walk = target.walk(random.Random(seed * 1000 + 500 + i), f"c{clients}x{i}")
        while time.perf_counter() < end:
            samples.append(await one_turn(session, target, walk))

    async with new_session() as session:
        start = time.perf_counter()
        await asyncio.gather(*(client(i, session, start + seconds) for i in range(clients)))
        elapsed = time.perf_counter() - start
    return {"clients": clients, **summary(samples, elapsed)}


async def probe(target: Target, turns: int, seed: int, actions_port: Optional[int] = None):
    """One conversation alone, turn after turn: sequential latency, and (given the action server's
    port) how many calls Rasa made to it for each turn. Also warms the bot up.
    Returns the samples and the first conversation's sender id."""
    walk = target.walk(random.Random(seed), "probe")
    first_sender = walk.sender
    samples = []
    async with new_session() as session:
        for _ in range(turns):
            before = connections_with(actions_port) if actions_port else set()
            sample = await one_turn(session, target, walk)
            if actions_port:
                await asyncio.sleep(0.02)  # let the last connection's close show up
                sample.calls = len(connections_with(actions_port) - before)
            samples.append(sample)
    return samples, first_sender


async def action_call_kb(rasa_url: str, token: str, sender: str) -> Dict[str, float]:
    """The two big parts of every call Rasa makes to the action server: the conversation's whole
    tracker (all events) and the domain, as JSON."""
    async with new_session() as session:
        async with session.get(f"{rasa_url}/conversations/{sender}/tracker",
                               params={"token": token, "include_events": "ALL"}) as response:
            tracker = await response.read()
        async with session.get(f"{rasa_url}/domain", params={"token": token},
                               headers={"Accept": "application/json"}) as response:
            domain = await response.read()
    events: Dict[str, List[float]] = {}
    for event in json.loads(tracker).get("events") or []:
        count_kb = events.setdefault(event.get("event", "?"), [0, 0.0])
        count_kb[0] += 1
        count_kb[1] += len(json.dumps(event)) / 1024
    return {"tracker_kb": round(len(tracker) / 1024, 1), "domain_kb": round(len(domain) / 1024, 1),
            "tracker_events": {name: {"count": n, "kb": round(kb, 1)}
                               for name, (n, kb) in sorted(events.items(), key=lambda item: -item[1][1])}}


def probe_summary(samples: List[Sample]) -> Dict[str, object]:
    result: Dict[str, object] = {**summary(samples, 0), "by_kind": by_kind(samples)}
    for key in ("seconds", "messages_per_s"):
        result.pop(key)
    counted = [s for s in samples if s.calls is not None]
    if counted:
        result["action_calls"] = {
            "per_turn_mean": round(sum(s.calls for s in counted) / len(counted), 2),
            "by_kind": {kind: sorted({s.calls for s in counted if s.kind == kind}) for kind in
                        sorted({s.kind for s in counted})},
            "first_greet": counted[0].calls,
        }
    # Rasa sends the whole tracker to the action server: later turns of a conversation carry more.
    early = [s.ms for s in samples if s.ok and s.kind == "button" and s.turn <= EARLY_TURN]
    late = [s.ms for s in samples if s.ok and s.kind == "button" and s.turn >= LATE_TURN]
    if early and late:
        result["button_turn_mean_ms"] = {f"turns_1_to_{EARLY_TURN}": round(sum(early) / len(early), 1),
                                         f"turns_{LATE_TURN}_on": round(sum(late) / len(late), 1)}
    return result
