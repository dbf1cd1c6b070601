"""Kept no longer than needed: conversations with no activity for STEER_KEEP_DAYS days are purged.

The real SteerTrackerStore (Rasa's SQLTrackerStore code) on a real SQLite file, with a clock the
test moves on and a short purge interval where the period itself is tested. Then secure_delete: a
planted made-up string is looked for in the file's bytes after a delete and after a purge. Last, one
test on the real stack: a conversation aged by hand is purged while Rasa and the front door run.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import deletions
from bot.tracker_store import SteerTrackerStore
from bot.web import wording
from bot.web.trackers import TrackerStore as FrontDoorStore
from bot.web.trackers import database_url

DAY = 24 * 60 * 60.0
DOMAIN = Domain.from_dict({"slots": {"washing_dressing": {"type": "any", "mappings": [{"type": "custom"}]}}})


class Clock:
    """The store's clock, moved on by the test (Rasa's events carry their own timestamps)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def days_ago(self, days: float) -> float:
        return self.now - days * DAY


def conversation(sender_id: str, *at: float, said: str = "made-up answer") -> DialogueStateTracker:
    """A conversation with one turn at each of the times `at` (its events carry those timestamps)."""
    first = at[0]
    events = [ActionExecuted("action_session_start", timestamp=first), SessionStarted(timestamp=first),
              ActionExecuted("action_listen", timestamp=first)]
    for n, when in enumerate(at):
        events += [UserUttered(f"{said} {n}", timestamp=when),
                   SlotSet("washing_dressing", f"value-{n}", timestamp=when),
                   ActionExecuted("action_listen", timestamp=when)]
    return DialogueStateTracker.from_events(sender_id, events, slots=DOMAIN.slots)


def save(store, tracker: DialogueStateTracker) -> None:
    asyncio.run(store.save(tracker))


def rows_in(path, sender_id: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]


def tombstones(path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(f"SELECT COUNT(*) FROM {deletions.DELETED.name}").fetchone()[0]


@pytest.fixture()
def db_path(tmp_path):
    return tmp_path / "trackers.db"


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture()
def make_store(db_path, clock):
    """SteerTrackerStores on the test's file (each its own engine, as separate Rasa processes have)."""
    made = []

    def make(**options) -> SteerTrackerStore:
        options = {"keep_days": 30, "clock": clock, **options}
        store = SteerTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db_path), **options)
        made.append(store)
        return store

    yield make
    for store in made:
        store.stop_purging()
        store.engine.dispose()


@pytest.fixture()
def store(make_store):
    made = make_store()
    assert made.purger.wait_for_runs(1, timeout=10)  # the purge at start, on an empty file
    return made


def front_door(db_path) -> FrontDoorStore:
    return FrontDoorStore(database_url(None, str(db_path)))


# --- STEER_KEEP_DAYS --------------------------------------------------------------------------


def test_keep_days_is_30_unless_set():
    assert deletions.keep_days({}) == 30
    assert deletions.keep_days({"STEER_KEEP_DAYS": ""}) == 30
    assert deletions.keep_days({"STEER_KEEP_DAYS": " 7 "}) == 7
    assert deletions.keep_days({"STEER_KEEP_DAYS": "3650"}) == 3650


@pytest.mark.parametrize("bad", ["0", "-3", "abc", "1.5", "30d", "3_0", "1e3", "3651", "99999999"])
def test_a_bad_keep_days_is_a_clear_error_naming_the_variable(bad):
    with pytest.raises(ValueError, match="STEER_KEEP_DAYS must be a whole number of days from 1 to 3650"):
        deletions.keep_days({"STEER_KEEP_DAYS": bad})


def test_rasa_stops_on_a_bad_keep_days_rather_than_keep_conversations_for_ever(db_path, monkeypatch):
    """Through Rasa's own loader: a ValueError reaches Rasa (an AttributeError would quietly give
    Rasa's in-memory store instead)."""
    monkeypatch.setenv("STEER_KEEP_DAYS", "thirty")
    with pytest.raises(ValueError, match="STEER_KEEP_DAYS"):
        TrackerStore.create(EndpointConfig(type="bot.tracker_store.SteerTrackerStore", dialect="sqlite",
                                           db=str(db_path)), domain=DOMAIN)
    monkeypatch.setenv("STEER_KEEP_DAYS", "12")
    made = TrackerStore.create(EndpointConfig(type="bot.tracker_store.SteerTrackerStore", dialect="sqlite",
                                              db=str(db_path)), domain=DOMAIN)
    try:
        assert isinstance(made, SteerTrackerStore) and made.keep_seconds == 12 * DAY
        assert made.purger.every == DAY  # once a day
    finally:
        made.stop_purging()
        made.engine.dispose()


# --- The purge --------------------------------------------------------------------------------


def test_old_conversations_go_recent_and_mixed_ones_stay(store, db_path, clock):
    save(store, conversation("old-1", clock.days_ago(40), clock.days_ago(31)))
    save(store, conversation("just-over", clock.days_ago(30) - 60))
    save(store, conversation("just-under", clock.days_ago(30) + 60))
    save(store, conversation("recent-1", clock.days_ago(1)))
    save(store, conversation("mixed-1", clock.days_ago(90), clock.days_ago(45), clock.days_ago(2)))
    kept = {sender_id: rows_in(db_path, sender_id) for sender_id in ("just-under", "recent-1", "mixed-1")}
    assert store.purge() == (2, 0)
    assert rows_in(db_path, "old-1") == rows_in(db_path, "just-over") == 0
    assert {sender_id: rows_in(db_path, sender_id) for sender_id in kept} == kept  # every event of them
    assert asyncio.run(store.retrieve("mixed-1")).get_slot("washing_dressing") == "value-2"
    # Purged like a deleted one: the front door says so (410), and nothing is written for it again.
    door = front_door(db_path)
    assert door.is_deleted("old-1") and not door.exists("old-1") and door.exists("recent-1")
    assert asyncio.run(store.retrieve("old-1")) is None
    save(store, conversation("old-1", clock.now))
    assert rows_in(db_path, "old-1") == 0
    assert store.purge() == (0, 0)  # again: nothing more to do
    door.engine.dispose()


def test_the_purge_runs_at_start(make_store, db_path, clock):
    """Conversations left from before (written by Rasa's plain store) go as soon as the store starts."""
    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db_path))
    save(plain, conversation("left-from-before", clock.days_ago(45)))
    save(plain, conversation("still-going", clock.days_ago(45), clock.days_ago(3)))
    plain.engine.dispose()
    store = make_store(purge_every=DAY)
    assert store.purger.wait_for_runs(1, timeout=10)
    assert rows_in(db_path, "left-from-before") == 0 and rows_in(db_path, "still-going") > 0


@pytest.mark.slow  # waits on the real purge timer
def test_it_purges_again_every_period_and_not_between(make_store, db_path, clock):
    often = make_store(purge_every=0.2)
    assert often.purger.wait_for_runs(1, timeout=10)
    save(often, conversation("ageing", clock.days_ago(29)))
    runs = often.purger.runs
    assert often.purger.wait_for_runs(runs + 2, timeout=10)
    assert rows_in(db_path, "ageing") > 0  # purged again and again, but not old yet
    clock.now += 2 * DAY
    runs = often.purger.runs
    assert often.purger.wait_for_runs(runs + 2, timeout=10)  # the next period's purge takes it
    assert rows_in(db_path, "ageing") == 0
    often.stop_purging()

    daily = make_store()  # the default period: a day
    assert daily.purger.every == DAY and daily.purger.wait_for_runs(1, timeout=10)
    save(daily, conversation("ageing-2", clock.days_ago(29)))
    clock.now += 2 * DAY
    time.sleep(0.6)
    assert daily.purger.runs == 1 and rows_in(db_path, "ageing-2") > 0  # the next one is a day away


def test_a_failed_purge_is_tried_again_and_names_nothing(clock, caplog):
    calls = []

    def purge_now():
        calls.append(clock.now)
        if len(calls) == 1:
            raise sa.exc.OperationalError("DELETE ... WHERE sender_id = ?", ("secret-sender",), Exception("locked"))
        return (0, 0)

    purger = deletions.Purger(purge_now, every=DAY, retry_after=0.1).start()
    try:
        assert purger.wait_for_runs(2, timeout=10)
    finally:
        purger.stop()
    assert purger.failures == 1 and "OperationalError" in caplog.text and "secret-sender" not in caplog.text


def test_a_turn_in_flight_cannot_write_a_purged_conversation_back(store, db_path, clock):
    """The turn read the old conversation just before the purge and saves just after it: Rasa's save
    would append everything beyond the (now zero) stored count, i.e. the whole conversation."""
    save(store, conversation("returning", clock.days_ago(31)))
    in_flight = asyncio.run(store.retrieve("returning"))
    assert store.purge() == (1, 0)
    in_flight.update(UserUttered("a made-up answer, sent at the very moment of the purge"))
    save(store, in_flight)
    assert rows_in(db_path, "returning") == 0
    assert asyncio.run(store.retrieve("returning")) is None


def test_a_conversation_active_again_after_the_purge_looked_is_kept(store, db_path, clock):
    """The purge's scan found it old; a turn's save committed before the purge's own step for it."""
    save(store, conversation("back-again", clock.days_ago(40)))
    events = store.SQLEvent.__table__
    save(store, conversation("back-again", clock.days_ago(40), clock.now))  # the turn's save lands first
    with store.engine.begin() as connection:
        assert deletions.purge_one(connection, "back-again", events, clock.days_ago(30), clock.now) == 0
    assert rows_in(db_path, "back-again") > 0 and not front_door(db_path).is_deleted("back-again")


@pytest.mark.slow  # waits on real purge threads
def test_purges_at_once_from_several_stores_and_threads_are_safe(make_store, db_path, clock):
    """As several Rasa processes on one database would: each old conversation is purged exactly once,
    none active is touched, and turns go on meanwhile."""
    stores = [make_store(purge_every=DAY) for _ in range(3)]
    for each in stores:
        assert each.purger.wait_for_runs(1, timeout=10)
    for n in range(60):
        save(stores[0], conversation(f"old-{n}", clock.days_ago(31 + n % 5)))
    for n in range(10):
        save(stores[0], conversation(f"active-{n}", clock.days_ago(60), clock.days_ago(1)))
    start = threading.Barrier(7)

    def purge(store) -> int:
        start.wait()
        return store.purge()[0]

    def turns(n: int) -> None:
        start.wait()
        for more in range(6):
            save(stores[n % 3], conversation(f"active-{n}", clock.days_ago(60), clock.days_ago(1),
                                             *[clock.now] * (more + 1)))

    with ThreadPoolExecutor(7) as pool:
        purges = [pool.submit(purge, stores[n % 3]) for n in range(5)]
        going = [pool.submit(turns, n) for n in range(2)]
        purged = sum(done.result(timeout=120) for done in purges)
        for done in going:
            done.result(timeout=120)
    assert purged == 60
    assert all(rows_in(db_path, f"old-{n}") == 0 for n in range(60))
    assert all(rows_in(db_path, f"active-{n}") > 0 for n in range(10))
    assert tombstones(db_path) == 60
    assert stores[1].purge() == (0, 0)


def test_tombstones_are_kept_for_the_kept_days_then_dropped(store, db_path, clock):
    save(store, conversation("deleted-1", clock.now))
    store.forget("deleted-1")
    clock.now += 29 * DAY
    assert store.purge() == (0, 0)
    save(store, conversation("deleted-1", clock.now))
    assert rows_in(db_path, "deleted-1") == 0  # still deleted: nothing written
    clock.now += 2 * DAY
    assert store.purge() == (0, 1) and tombstones(db_path) == 0
    # A long-gone id may start afresh, with nothing of the old conversation.
    save(store, conversation("deleted-1", clock.now, said="a new made-up answer"))
    assert asyncio.run(store.retrieve("deleted-1")).latest_message.text == "a new made-up answer 0"


# --- secure_delete: nothing left in the file ----------------------------------------------------

PLANTED = "Zqvorthine Plumwick-8841"  # made up, found nowhere else


@pytest.fixture(params=["this SQLite build", "a build without secure_delete"])
def sqlite_default(request):
    """Debian's SQLite is built with secure_delete on; most builds (python.org's, Homebrew's) are not.
    The second case turns it off on each new connection, before Steer's own setting, as those have it."""
    if request.param == "this SQLite build":
        yield
        return

    def off(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA secure_delete = OFF")
        cursor.close()

    sa.event.listen(sa.pool.Pool, "connect", off)
    yield
    sa.event.remove(sa.pool.Pool, "connect", off)


def file_bytes(db_path) -> bytes:
    """The database file and any journal beside it."""
    return b"".join(path.read_bytes() for path in db_path.parent.glob(db_path.name + "*"))


def plant(store, db_path, sender_id: str, at: float) -> None:
    save(store, conversation(sender_id, at, said=PLANTED))
    save(store, conversation("someone-else-entirely", time.time()))
    assert PLANTED.encode() in file_bytes(db_path) and sender_id.encode() in file_bytes(db_path)


def assert_gone_from_the_file(db_path, sender_id: str) -> None:
    data = file_bytes(db_path)
    assert PLANTED.encode() not in data and sender_id.encode() not in data
    assert b"someone-else-entirely" in data  # the file itself is still read as it should be


def secure_delete_on(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA secure_delete").scalar()


def test_every_connection_overwrites_what_it_deletes(sqlite_default, make_store, db_path):
    store = make_store()
    door = front_door(db_path)
    assert secure_delete_on(store.engine) == 1 and secure_delete_on(door.engine) == 1
    door.engine.dispose()


def test_a_deleted_conversation_is_gone_from_the_file(sqlite_default, make_store, db_path, clock):
    store = make_store()
    plant(store, db_path, "sender-Xyloquent-3310", clock.now)
    store.forget("sender-Xyloquent-3310")
    assert_gone_from_the_file(db_path, "sender-Xyloquent-3310")


def test_a_purged_conversation_is_gone_from_the_file(sqlite_default, make_store, db_path, clock):
    store = make_store()
    plant(store, db_path, "sender-Brimvalent-5527", clock.days_ago(45))
    assert store.purge() == (1, 0)
    assert_gone_from_the_file(db_path, "sender-Brimvalent-5527")


def test_the_front_doors_delete_is_gone_from_the_file(sqlite_default, make_store, db_path, clock):
    store = make_store()
    plant(store, db_path, "sender-Quorrindle-7046", clock.now)
    door = front_door(db_path)
    assert door.delete("sender-Quorrindle-7046") > 0
    door.engine.dispose()
    assert_gone_from_the_file(db_path, "sender-Quorrindle-7046")


# --- The real stack ---------------------------------------------------------------------------


@pytest.mark.stack
def test_on_the_real_stack_an_idle_conversation_is_purged_for_good(stack, chat):
    """A conversation through the front door, aged 40 days by hand, then a purge on the same database
    (as a second Rasa process would run it): gone from the file, and the running Rasa and front door
    treat it as cleared."""
    name = "Vextrilda"  # made up, letters only (a name's rule)
    chat.start(for_whom="other", name=name)
    path = stack.settings.var_dir / "trackers.db"
    assert rows_in(path, chat.sender_id) > 0 and name.encode() in file_bytes(path)
    with contextlib.closing(sqlite3.connect(path, timeout=15)) as db, db:
        db.execute("UPDATE events SET timestamp = timestamp - ? WHERE sender_id = ?", (40 * DAY, chat.sender_id))
    purging = SteerTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path), keep_days=30)
    try:
        assert purging.purger.wait_for_runs(1, timeout=30) and purging.purger.failures == 0
    finally:
        purging.stop_purging()
        purging.engine.dispose()
    assert rows_in(path, chat.sender_id) == 0
    assert name.encode() not in file_bytes(path) and chat.sender_id.encode() not in file_bytes(path)
    headers = {**chat.browser_headers, **chat.auth}
    again = requests.post(f"{chat.base_url}/api/chat", json={"sender_id": chat.sender_id, "message": "2"},
                          headers=headers, timeout=60)
    assert again.status_code == 410 and again.json()["messages"] == [{"text": wording.CONVERSATION_CLEARED}]
    gone = requests.get(f"{chat.base_url}/api/assessments/{chat.sender_id}", headers=chat.auth, timeout=30)
    assert gone.status_code == 404
    assert rows_in(path, chat.sender_id) == 0
