"""PINs that cannot be worked out: rests that grow, a limit over a code's whole life, one reply for
every refusal, and a bound on the argon2 work running at once. Real SQLite and real argon2id
(with less work); only the clock is fake."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from store import Busy, Locked, NotFoundOrWrongPin, SavedStore
from store.saved import SECONDS_A_DAY
from store.work import PROCESS, WorkLimit
from tests.store.test_store_saved import PIN, STATE, Clock

WRONG = "9047"
ALL_4_DIGIT_PINS = 10_000


class CountingHasher(PasswordHasher):
    """Real argon2id, counting what it checks and how many checks ran at the same moment."""

    def __init__(self, time_cost: int = 1, memory_cost: int = 1024) -> None:
        super().__init__(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
        self.checked: list = []  # (hash, right) for every verify
        self.hashed = 0
        self.most_at_once = 0
        self._running = 0
        self._guard = threading.Lock()

    def _start(self) -> None:
        with self._guard:
            self._running += 1
            self.most_at_once = max(self.most_at_once, self._running)

    def _end(self) -> None:
        with self._guard:
            self._running -= 1

    def verify(self, hash, password):  # noqa: A002 (argon2's own parameter name)
        self._start()
        try:
            try:
                ok = super().verify(hash, password)
            except VerifyMismatchError:
                self.checked.append((hash, False))
                raise
            self.checked.append((hash, True))
            return ok
        finally:
            self._end()

    def hash(self, password, **kwargs):
        self._start()
        try:
            self.hashed += 1
            return super().hash(password, **kwargs)
        finally:
            self._end()

    def wrong_checks_of(self, pin_hash: str) -> int:
        return sum(1 for h, right in self.checked if h == pin_hash and not right)


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture()
def store(tmp_path, clock, hasher):
    made = SavedStore(tmp_path / "saved.db", tmp_path / "secret.key", clock=clock, hasher=hasher)
    yield made
    made.close()


def rows(path):
    with sqlite3.connect(path) as db:
        return {r[0]: r[1:] for r in db.execute(
            "SELECT code, pin_hash, wrong_pins, locks, wrong_pins_ever FROM steer_saved_answers")}


def pin_hash_of(path, code) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT pin_hash FROM steer_saved_answers WHERE code = ?", (code,)).fetchone()[0]


def wrong_tries(store, code, n, pin=WRONG):
    for _ in range(n):
        with pytest.raises(NotFoundOrWrongPin) as caught:
            store.resume(code, pin)
        assert type(caught.value) is NotFoundOrWrongPin  # a real try, not a rest


def rest_minutes(store, code) -> int:
    with pytest.raises(Locked) as caught:
        store.resume(code, PIN)  # even the right PIN waits
    return caught.value.minutes_left


# ---- rests that grow ------------------------------------------------------------------------

def test_rests_grow_15_minutes_then_an_hour_then_a_day(store, clock):
    code = store.save(STATE, PIN)
    wrong_tries(store, code, 5)
    assert rest_minutes(store, code) == 15
    clock.forward(15 * 60)
    wrong_tries(store, code, 5)
    assert rest_minutes(store, code) == 60
    clock.forward(59 * 60)
    assert rest_minutes(store, code) == 1
    clock.forward(60)
    wrong_tries(store, code, 5)
    assert rest_minutes(store, code) == 24 * 60
    clock.forward(SECONDS_A_DAY - 1)
    assert rest_minutes(store, code) == 1
    clock.forward(1)
    assert store.resume(code, PIN) == STATE  # 15 wrong tries so far: the code still opens with its PIN


def test_a_right_pin_starts_the_rests_again_from_15_minutes(store, clock):
    code = store.save(STATE, PIN)
    wrong_tries(store, code, 5)
    clock.forward(15 * 60)
    assert store.resume(code, PIN) == STATE
    wrong_tries(store, code, 5)
    assert rest_minutes(store, code) == 15


# ---- a limit over the code's whole life -----------------------------------------------------

def test_the_20th_wrong_try_in_a_life_deletes_the_record(store, clock, tmp_path):
    code, kept = store.save(STATE, PIN), store.save({"x": 1}, PIN)
    for _ in range(3):
        wrong_tries(store, code, 5)
        clock.forward(rest_minutes(store, code) * 60)
    wrong_tries(store, code, 4)
    assert rows(tmp_path / "saved.db")[code][-1] == 19
    wrong_tries(store, code, 1)
    assert code not in rows(tmp_path / "saved.db")  # gone, not kept locked: nobody can open it any more
    with pytest.raises(NotFoundOrWrongPin) as caught:
        store.resume(code, PIN)
    assert type(caught.value) is NotFoundOrWrongPin
    assert store.resume(kept, PIN) == {"x": 1}  # other codes are untouched


def test_a_right_pin_gives_no_tries_back(store, tmp_path):
    code = store.save(STATE, PIN)
    for _ in range(4):  # never 5 in a row, so never a rest: the life limit still counts them all
        wrong_tries(store, code, 4)
        assert store.resume(code, PIN) == STATE
    assert rows(tmp_path / "saved.db")[code][-1] == 16
    wrong_tries(store, code, 4)
    assert code not in rows(tmp_path / "saved.db")


def test_saving_again_gives_no_tries_back(store, clock, tmp_path):
    code = store.save(STATE, PIN)
    wrong_tries(store, code, 4)
    clock.forward(25 * SECONDS_A_DAY)
    store.update(code, PIN, STATE)  # the 30 days start again, the wrong tries stay counted
    assert rows(tmp_path / "saved.db")[code][-1] == 4


def guess_for_a_whole_life(store, clock, code) -> None:
    """Wrong PINs as fast as the store lets anyone try, until the code expires or is gone."""
    end = clock.now + store.expiry_seconds
    guess = 0
    while clock.now < end:
        pin = f"{guess:04d}"
        guess += 1
        try:
            store.resume(code, pin if pin != PIN else "00000")
        except Locked as rest:
            clock.forward(rest.minutes_left * 60)
        except NotFoundOrWrongPin:
            pass
        with sqlite3.connect(store._engine.url.database) as db:
            if not db.execute("SELECT 1 FROM steer_saved_answers WHERE code = ?", (code,)).fetchone():
                return


def test_no_pin_can_be_worked_out_within_a_codes_life(store, clock, hasher, tmp_path):
    code = store.save(STATE, PIN)
    pin_hash = pin_hash_of(tmp_path / "saved.db", code)
    guess_for_a_whole_life(store, clock, code)
    tried = hasher.wrong_checks_of(pin_hash)
    assert tried == 20  # of 10,000 four-digit PINs: 0.2%
    assert store.max_life_tries == 20
    assert clock.now < 2 * SECONDS_A_DAY + 1_700_000_000  # used up in about a day, then deleted


@pytest.fixture()
def in_memory_folder(tmp_path):
    """/dev/shm when there is one: the same SQLite, without waiting for the disk 160 times."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="steer-test-", dir=shm))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_growing_rests_alone_allow_160_tries_in_30_days(in_memory_folder, clock):
    """Why the life limit is there: the rests alone are 5 tries at 0, 15 minutes and 1 h 15, then
    5 a day (32 windows in 30 days). The old fixed 15 minutes allowed 14,400, more than every PIN."""
    tmp_path = in_memory_folder
    hasher = CountingHasher()
    unlimited = SavedStore(tmp_path / "s.db", tmp_path / "k", clock=clock, hasher=hasher, max_life_tries=10**6)
    code = unlimited.save(STATE, PIN)
    pin_hash = pin_hash_of(tmp_path / "s.db", code)
    guess_for_a_whole_life(unlimited, clock, code)
    assert hasher.wrong_checks_of(pin_hash) == 160 < ALL_4_DIGIT_PINS
    assert 30 * 24 * 4 * 5 == 14_400 > ALL_4_DIGIT_PINS  # the old rule's worst case, for the record


def test_life_limit_holds_with_tries_at_the_same_time(store, hasher, tmp_path):
    code = store.save(STATE, PIN)
    pin_hash = pin_hash_of(tmp_path / "saved.db", code)
    with sqlite3.connect(tmp_path / "saved.db") as db:  # as if 18 wrong tries were made over many days
        db.execute("UPDATE steer_saved_answers SET wrong_pins_ever = 18 WHERE code = ?", (code,))
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda pin: _outcome(store, code, pin), [f"{n:04d}" for n in range(8)]))
    assert hasher.wrong_checks_of(pin_hash) == 2
    assert outcomes.count(NotFoundOrWrongPin) == 8
    assert code not in rows(tmp_path / "saved.db")


def _outcome(store, code, pin):
    try:
        store.resume(code, pin)
    except NotFoundOrWrongPin as err:
        return type(err)  # NotFoundOrWrongPin, or Locked
    return "opened"


# ---- the same reply, and the same work, for every refusal ------------------------------------

def refusals(store, clock):
    """Each kind of refusal once: (what, a call that is refused)."""
    code = store.save(STATE, PIN)
    resting = store.save(STATE, PIN)
    for _ in range(5):
        with pytest.raises(NotFoundOrWrongPin):
            store.resume(resting, WRONG)
    old = store.save(STATE, PIN)
    gone = store.save(STATE, PIN)
    store.delete(gone, PIN)
    unknown = "ACDE-FGHJ" if "ACDE-FGHJ" not in (code, resting, old, gone) else "ACDE-FGHK"
    return old, [
        ("wrong PIN", lambda: store.resume(code, WRONG)),
        ("unknown code", lambda: store.resume(unknown, PIN)),
        ("not a code", lambda: store.resume("not a code", PIN)),
        ("resting, right PIN", lambda: store.resume(resting, PIN)),
        ("resting, wrong PIN", lambda: store.delete(resting, WRONG)),
        ("deleted", lambda: store.resume(gone, PIN)),
        ("expired", lambda: (clock.forward(31 * SECONDS_A_DAY), store.resume(old, PIN))),
    ]


def test_every_refusal_has_the_same_words(store, clock):
    _, calls = refusals(store, clock)
    words = set()
    for _what, call in calls:
        with pytest.raises(NotFoundOrWrongPin) as caught:
            call()
        words.add(str(caught.value))
    assert len(words) == 1, words
    (said,) = words
    assert "resting" in said and "try again later" in said and "minute" not in said


def test_every_refusal_costs_one_argon2_check(store, clock, hasher):
    """So the time of the reply does not tell an unknown or resting code from a wrong PIN either."""
    _, calls = refusals(store, clock)
    for what, call in calls:
        before, hashed = len(hasher.checked), hasher.hashed
        with pytest.raises(NotFoundOrWrongPin):
            call()
        assert (len(hasher.checked) - before, hasher.hashed - hashed) == (1, 0), what


# ---- a bound on the argon2 work running at once ---------------------------------------------

def test_16_tries_at_once_run_at_most_2_argon2_checks_at_once(tmp_path):
    """Real threads, the store's default bound (the one the process shares), real argon2 with 8 MiB."""
    slower = CountingHasher(time_cost=2, memory_cost=8 * 1024)
    shared = SavedStore(tmp_path / "saved.db", tmp_path / "k", hasher=slower)
    assert PROCESS.at_once == 2
    codes = [shared.save({"n": n}, PIN) for n in range(4)]
    calls = [codes[n % 4] if n % 2 else "ACDE-FGHJ" for n in range(16)]
    start = threading.Barrier(16)

    def one(code):
        start.wait()
        return _outcome(shared, code, WRONG)

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(one, calls))
    assert outcomes == [NotFoundOrWrongPin] * 16  # each waited its turn; none was refused as busy
    assert slower.most_at_once == 2


def test_busy_is_said_before_the_code_is_looked_at(tmp_path, clock, hasher):
    work = WorkLimit(at_once=1, wait_seconds=0.05)
    store = SavedStore(tmp_path / "saved.db", tmp_path / "k", clock=clock, hasher=hasher, work=work)
    code = store.save(STATE, PIN)
    checks = len(hasher.checked)
    with work.slot():  # another PIN check is running
        for call in (lambda: store.resume(code, WRONG), lambda: store.delete("ACDE-FGHJ", PIN),
                     lambda: store.save(STATE, PIN), lambda: store.update(code, PIN, STATE)):
            with pytest.raises(Busy) as caught:
                call()
            assert caught.value.retry_after == 1
            assert "try again in a moment" in str(caught.value)
    assert len(hasher.checked) == checks
    assert rows(tmp_path / "saved.db")[code][1:] == (0, 0, 0)  # no try was counted
    assert store.resume(code, PIN) == STATE


def test_when_busy_the_rest_are_refused_not_queued_for_long(tmp_path):
    slower = CountingHasher(time_cost=3, memory_cost=16 * 1024)
    work = WorkLimit(at_once=2, wait_seconds=0)
    store = SavedStore(tmp_path / "saved.db", tmp_path / "k", hasher=slower, work=work)
    start = threading.Barrier(8)

    def one(_):
        start.wait()
        try:
            return _outcome(store, "ACDE-FGHJ", PIN)
        except Busy:
            return Busy

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(one, range(8)))
    assert Busy in outcomes and NotFoundOrWrongPin in outcomes
    assert slower.most_at_once <= 2
