"""Saves, resumes, deletes and wrong PINs in any order, checked against a small model of the rules
(store/saved.py): a right PIN never fails unless the code is resting, expired or deleted, and no
sequence of wrong tries within a code's life gets near 10,000. Real SQLite, real argon2id (quick)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from store import Locked, NotFoundOrWrongPin, SavedStore
from store.saved import SECONDS_A_DAY
from tests.store.test_store_pin_tries import CountingHasher
from tests.store.test_store_saved import Clock

PINS = ["4719", "9047", "3817", "5291", "80426", "13572468"]
TALKS = ["talk-a", "talk-b", "talk-c"]


@dataclass
class Record:
    pin: str
    pin_hash: str
    talk: str
    expires: float
    streak: int = 0
    rests: int = 0
    resting_until: Optional[float] = None
    wrong_ever: int = 0
    gone: bool = False


class SavedAnswers(RuleBasedStateMachine):
    codes = Bundle("codes")

    def __init__(self) -> None:
        super().__init__()
        # In memory-backed /dev/shm when there is one: the same SQLite, without waiting on the disk.
        shm = Path("/dev/shm")
        self.folder = Path(tempfile.mkdtemp(prefix="steer-stateful-", dir=shm if shm.is_dir() else None))
        self.clock = Clock()
        self.hasher = CountingHasher()
        self.store = SavedStore(self.folder / "saved.db", self.folder / "secret.key", clock=self.clock,
                                hasher=self.hasher)
        self.model: Dict[str, Record] = {}

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---- the model: what the rules say should happen to one try ----

    def expect(self, code: str, right: bool) -> str:
        rec = self.model[code]
        now = self.clock.now
        if rec.gone or rec.expires <= now:
            rec.gone = True
            return "refused"
        if rec.resting_until is not None and rec.resting_until > now:
            return "resting"
        rec.streak = (0 if rec.resting_until is not None else rec.streak) + 1
        rec.wrong_ever += 1
        rec.resting_until = None
        if rec.streak >= self.store.max_wrong_pins:
            rec.resting_until = now + self.store.lock_seconds[min(rec.rests, len(self.store.lock_seconds) - 1)]
            rec.rests += 1
        if right:
            rec.streak, rec.rests, rec.resting_until = 0, 0, None
            rec.wrong_ever -= 1
            return "ok"
        if rec.wrong_ever >= self.store.max_life_tries:
            rec.gone = True
        return "refused"

    def attempt(self, call) -> str:
        try:
            call()
        except Locked:
            return "resting"
        except NotFoundOrWrongPin:
            return "refused"
        return "ok"

    def pin_for(self, code: str, right: bool, wrong: str) -> str:
        pin = self.model[code].pin
        return pin if right else (wrong if wrong != pin else "00000")

    # ---- the rules ----

    @rule(target=codes, pin=st.sampled_from(PINS), talk=st.sampled_from(TALKS))
    def save(self, pin, talk):
        code = self.store.save({"saved": len(self.model)}, pin, sender_id=talk)
        with sqlite3.connect(self.folder / "saved.db") as db:
            (pin_hash,) = db.execute("SELECT pin_hash FROM steer_saved_answers WHERE code = ?", (code,)).fetchone()
        self.model[code] = Record(pin, pin_hash, talk, self.clock.now + self.store.expiry_seconds)
        return code

    @rule(code=codes, right=st.booleans(), wrong=st.sampled_from(PINS))
    def resume(self, code, right, wrong):
        pin = self.pin_for(code, right, wrong)
        got = self.attempt(lambda: self.store.resume(code, pin))
        expected = self.expect(code, right)
        assert got == expected, (got, expected)
        if right and got != "ok":  # a right PIN fails only when the code rests or is gone
            assert self.model[code].gone or got == "resting"

    @rule(code=codes, wrong=st.sampled_from(PINS))
    def five_wrong_in_a_row(self, code, wrong):
        for _ in range(5):
            self.resume(code, False, wrong)

    @rule(code=codes, right=st.booleans(), wrong=st.sampled_from(PINS), talk=st.sampled_from(TALKS))
    def save_again(self, code, right, wrong, talk):
        pin = self.pin_for(code, right, wrong)
        got = self.attempt(lambda: self.store.update(code, pin, {"again": True}, sender_id=talk))
        assert got == self.expect(code, right)
        if got == "ok":
            rec = self.model[code]
            rec.talk, rec.expires = talk, self.clock.now + self.store.expiry_seconds

    @rule(code=codes, right=st.booleans(), wrong=st.sampled_from(PINS))
    def delete(self, code, right, wrong):
        pin = self.pin_for(code, right, wrong)
        got = self.attempt(lambda: self.store.delete(code, pin))
        assert got == self.expect(code, right)
        if got == "ok":
            talk = self.model[code].talk
            for rec in self.model.values():
                if rec.talk == talk:
                    rec.gone = True
            self.model[code].gone = True

    @rule(seconds=st.sampled_from([60, 15 * 60, 3600, 6 * 3600, SECONDS_A_DAY, 7 * SECONDS_A_DAY]))
    def wait(self, seconds):
        self.clock.forward(seconds)

    # ---- what must always hold ----

    @invariant()
    def no_code_takes_more_than_its_life_limit(self):
        for rec in self.model.values():
            assert self.hasher.wrong_checks_of(rec.pin_hash) <= self.store.max_life_tries < 10_000

    @invariant()
    def records_in_the_file_are_the_ones_not_gone(self):
        with sqlite3.connect(self.folder / "saved.db") as db:
            stored = {r[0] for r in db.execute("SELECT code FROM steer_saved_answers")}
        live = {code for code, rec in self.model.items() if not rec.gone and rec.expires > self.clock.now}
        assert live <= stored  # (expired ones may wait for the next purge)
        assert {code for code, rec in self.model.items() if rec.gone} & stored == set()


SavedAnswers.TestCase.settings = settings(max_examples=20, stateful_step_count=30, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
TestSavedAnswers = SavedAnswers.TestCase
