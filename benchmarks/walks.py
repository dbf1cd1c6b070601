"""Made-up people walking through a bot: which message they send next, from what the bot last said.

Mostly button presses, some typed answers, the odd "repeat". A walk starts again under a new
sender id when the conversation reaches its end (Steer: the review; the baseline: the thanks).
No real person's words: every answer here is made up.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

REPEAT_SHARE = 0.05
TYPED_SHARE = 0.20
TYPED_NEEDS = ("2", "a little help sometimes", "I can do that myself", "help most days", "3")
TYPED_YES_NO = ("yes", "no")
MAX_SAME_QUESTION = 4  # asked this often in a row: the walk is stuck, start again

Replies = List[Dict[str, Any]]


@dataclass
class Asked:
    id: str
    payloads: List[str]
    values: List[str]


END = Asked("<end>", [], [])


class Walk:
    setup: Sequence[str] = ("/greet",)
    length = 6  # about how many turns one whole conversation takes

    def __init__(self, rng: random.Random, prefix: str) -> None:
        self.rng = rng
        self.prefix = prefix
        self.finished = 0  # conversations that reached the end
        self.abandoned = 0  # conversations dropped on an unexpected reply
        self._restart()

    def _restart(self) -> None:
        self.sender = f"bench-{self.prefix}-{uuid.uuid4().hex[:12]}"
        self.queue = list(self.setup)
        self.asked: Optional[Asked] = None
        self.same = 0
        self.last_kind = ""
        self.turn = 0

    def read(self, replies: Replies) -> Optional[Asked]:
        raise NotImplementedError

    def next_message(self) -> Tuple[str, str]:
        """(kind, text) of the next message; kind is setup, button, typed, confirm or repeat."""
        if not self.queue:
            if self.asked is END:
                self.finished += 1
                self._restart()
            elif self.asked is None or self.same >= MAX_SAME_QUESTION:
                self.abandoned += 1
                self._restart()
        if self.queue:
            return self._sent("setup", self.queue.pop(0))
        return self._sent(*self._answer(self.asked))

    def _answer(self, asked: Asked) -> Tuple[str, str]:
        if self.same and self.last_kind == "typed":
            return "confirm", "yes"  # "It sounds like ... Is that right?"
        if self.same:
            return "button", self.rng.choice(asked.payloads)
        roll = self.rng.random()
        if roll < REPEAT_SHARE:
            return "repeat", "repeat"
        if roll < REPEAT_SHARE + TYPED_SHARE:
            yes_no = set(asked.values) == {"yes", "no"}
            return "typed", self.rng.choice(TYPED_YES_NO if yes_no else TYPED_NEEDS)
        return "button", self.rng.choice(asked.payloads)

    def _sent(self, kind: str, text: str) -> Tuple[str, str]:
        self.last_kind = kind
        self.turn += 1
        return kind, text

    def seen(self, replies: Optional[Replies]) -> None:
        """What the bot answered (None when the request failed)."""
        asked = self.read(replies) if replies is not None else None
        again = asked is not None and self.asked is not None and asked.id == self.asked.id and asked is not END
        self.same = self.same + 1 if again and self.last_kind != "setup" else 0
        self.asked = asked


class SteerWalk(Walk):
    """Answering for oneself in plain words; the questions come in the `custom` question payloads."""

    setup = ("/greet", "/for_self", "/choose_plain")
    length = 32  # 3 to set up, 26 questions, a few repeats and confirmations

    def read(self, replies: Replies) -> Optional[Asked]:
        questions = [r["custom"] for r in replies if isinstance(r.get("custom"), dict)
                     and r["custom"].get("type") == "question"]
        if not questions:
            return None
        question = questions[-1]
        if question.get("id") == "review":
            return END
        options = question.get("options") or []
        if not options:
            return None  # a free-text question: not on the answering-for-oneself path
        return Asked(question["id"], [o["payload"] for o in options], [o["value"] for o in options])


class BaselineWalk(Walk):
    """The plain bot's questions are domain responses with buttons; the last reply has none."""

    def read(self, replies: Replies) -> Optional[Asked]:
        with_buttons = [r for r in replies if r.get("buttons")]
        if with_buttons:
            last = with_buttons[-1]
            return Asked(last.get("text") or "", [b["payload"] for b in last["buttons"]], [])
        return END if replies else None
