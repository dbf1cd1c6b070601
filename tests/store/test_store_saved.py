"""Save for later, resume and delete, on real SQLite files; only the clock is fake."""

from __future__ import annotations

import os
import sqlite3
import threading

import pytest
from argon2 import PasswordHasher

from store import KeyFileError, Locked, NotFoundOrWrongPin, SavedStore, StoreError, Unreadable, from_environment
from store.saved import SECONDS_A_DAY

STATE = {"answering_for": "other", "person_name": "Zebedee-Marker-7731", "washing_dressing": "help_most_days",
         "plan": {"likes": "Feeding the ducks at Quillmere pond", "spending": [{"amount": 40.5, "per": "week"}]}}
PIN = "4719"
# Real argon2id with less work, so the tests run fast; test_default_pin_hash_is_argon2id checks the real settings.
QUICK = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def forward(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def store(tmp_path, clock) -> SavedStore:
    made = SavedStore(tmp_path / "saved.db", tmp_path / "secret.key", clock=clock, hasher=QUICK)
    yield made
    made.close()


def raw_rows(path):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT code, sealed, pin_hash, wrong_pins, locked_until FROM steer_saved_answers").fetchall()


def test_save_and_resume_round_trip(store):
    code = store.save(STATE, PIN)
    assert store.resume(code, PIN) == STATE


def test_resume_tolerates_case_spaces_and_dashes(store):
    code = store.save(STATE, PIN)
    typed = " " + code.lower().replace("-", " ") + " "
    assert store.resume(typed, "47 19") == STATE
    assert store.resume(code.replace("-", ""), PIN) == STATE


def test_update_keeps_the_code_and_needs_the_pin(store):
    code = store.save(STATE, PIN)
    store.update(code, PIN, {**STATE, "washing_dressing": "help_all_the_time"})
    assert store.resume(code, PIN)["washing_dressing"] == "help_all_the_time"
    with pytest.raises(NotFoundOrWrongPin):
        store.update(code, "9047", {})
    assert store.resume(code, PIN)["washing_dressing"] == "help_all_the_time"


def test_a_new_code_each_save(store):
    codes = {store.save(STATE, PIN) for _ in range(3)}
    assert len(codes) == 3


def test_wrong_pin_and_wrong_code_get_the_same_error(store):
    code = store.save(STATE, PIN)
    other = "ACDE-FGHJ" if code != "ACDE-FGHJ" else "ACDE-FGHK"
    errors = []
    for args in [(code, "9047"), (other, PIN), ("not a code", PIN), (code, "")]:
        with pytest.raises(NotFoundOrWrongPin) as caught:
            store.resume(*args)
        errors.append(str(caught.value))
    assert len(set(errors)) == 1
    assert PIN not in errors[0] and code not in errors[0]


def test_five_wrong_pins_lock_the_code_for_fifteen_minutes(store, clock):
    code = store.save(STATE, PIN)
    for _ in range(5):
        with pytest.raises(NotFoundOrWrongPin):
            store.resume(code, "9047")
    with pytest.raises(Locked) as caught:
        store.resume(code, PIN)  # even the right PIN waits
    assert caught.value.minutes_left == 15
    assert str(caught.value) == str(NotFoundOrWrongPin())  # the words do not tell that the code exists
    clock.forward(14 * 60 + 30)
    with pytest.raises(Locked) as caught:
        store.delete(code, PIN)
    assert caught.value.minutes_left == 1
    clock.forward(31)
    assert store.resume(code, PIN) == STATE


def test_a_right_pin_resets_the_count(store):
    code = store.save(STATE, PIN)
    for _ in range(4):
        with pytest.raises(NotFoundOrWrongPin):
            store.resume(code, "9047")
    assert store.resume(code, PIN) == STATE
    for _ in range(4):
        with pytest.raises(NotFoundOrWrongPin):
            store.resume(code, "9047")
    assert store.resume(code, PIN) == STATE


def test_after_a_lock_runs_out_the_count_starts_again(store, clock):
    code = store.save(STATE, PIN)
    for _ in range(5):
        with pytest.raises(NotFoundOrWrongPin):
            store.resume(code, "9047")
    clock.forward(15 * 60)
    with pytest.raises(NotFoundOrWrongPin):
        store.resume(code, "9047")  # one wrong try after the lock does not lock again
    assert store.resume(code, PIN) == STATE


def test_the_lock_is_per_code(store):
    locked, other = store.save(STATE, PIN), store.save({"x": 1}, PIN)
    for _ in range(5):
        with pytest.raises(NotFoundOrWrongPin):
            store.resume(locked, "9047")
    assert store.resume(other, PIN) == {"x": 1}


def test_tries_at_the_same_time_cannot_pass_the_limit(store):
    code = store.save(STATE, PIN)
    outcomes = []

    def guess() -> None:
        try:
            store.resume(code, "9047")
        except StoreError as err:
            outcomes.append(type(err))

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(NotFoundOrWrongPin) == 5
    assert outcomes.count(Locked) == 3


def test_saved_answers_expire_after_30_days(store, clock, tmp_path):
    code = store.save(STATE, PIN)
    clock.forward(30 * SECONDS_A_DAY - 1)
    assert store.resume(code, PIN) == STATE
    clock.forward(1)
    with pytest.raises(NotFoundOrWrongPin):
        store.resume(code, PIN)
    assert raw_rows(tmp_path / "saved.db") == []  # deleted when found expired


def test_purge_deletes_only_expired_records(store, clock, tmp_path):
    old = store.save(STATE, PIN)
    clock.forward(20 * SECONDS_A_DAY)
    new = store.save(STATE, PIN)
    clock.forward(10 * SECONDS_A_DAY)
    assert store.purge_expired() == 1
    assert [r[0] for r in raw_rows(tmp_path / "saved.db")] == [new]
    with pytest.raises(NotFoundOrWrongPin):
        store.resume(old, PIN)
    assert store.resume(new, PIN) == STATE


def test_saving_purges_expired_records(store, clock, tmp_path):
    store.save(STATE, PIN)
    clock.forward(31 * SECONDS_A_DAY)
    fresh = store.save(STATE, PIN)
    assert [r[0] for r in raw_rows(tmp_path / "saved.db")] == [fresh]


def test_update_starts_the_30_days_again(store, clock):
    code = store.save(STATE, PIN)
    clock.forward(25 * SECONDS_A_DAY)
    store.update(code, PIN, STATE)
    clock.forward(25 * SECONDS_A_DAY)
    assert store.resume(code, PIN) == STATE


def test_expiry_is_configurable(tmp_path, clock):
    short = SavedStore(tmp_path / "s.db", tmp_path / "k", expiry_days=1, clock=clock, hasher=QUICK)
    code = short.save(STATE, PIN)
    clock.forward(SECONDS_A_DAY)
    with pytest.raises(NotFoundOrWrongPin):
        short.resume(code, PIN)


def test_delete_removes_everything_at_once(store, tmp_path):
    code = store.save(STATE, PIN)
    kept = store.save({"x": 1}, PIN)
    store.delete(code.lower(), PIN)
    assert [r[0] for r in raw_rows(tmp_path / "saved.db")] == [kept]
    with pytest.raises(NotFoundOrWrongPin):
        store.resume(code, PIN)
    with pytest.raises(NotFoundOrWrongPin):
        store.delete(code, PIN)


def test_delete_needs_the_right_pin(store):
    code = store.save(STATE, PIN)
    with pytest.raises(NotFoundOrWrongPin):
        store.delete(code, "9047")
    assert store.resume(code, PIN) == STATE


def tamper(path, code, sealed):
    with sqlite3.connect(path) as db:
        db.execute("UPDATE steer_saved_answers SET sealed = ? WHERE code = ?", (sealed, code))


def test_tampered_record_is_unreadable_not_a_crash(store, tmp_path):
    code = store.save(STATE, PIN)
    sealed = dict((r[0], r[1]) for r in raw_rows(tmp_path / "saved.db"))[code]
    flipped = sealed[:-5] + bytes([sealed[-5] ^ 0x01]) + sealed[-4:]
    for bad in [flipped, sealed[:20], b"", b"\x00" * 64, "text, not bytes"]:
        tamper(tmp_path / "saved.db", code, bad)
        with pytest.raises(Unreadable) as caught:
            store.resume(code, PIN)
        assert "damaged" in str(caught.value)
    store.delete(code, PIN)  # an unreadable record can still be deleted
    assert raw_rows(tmp_path / "saved.db") == []


def test_record_moved_to_another_code_is_unreadable(store, tmp_path):
    first = store.save(STATE, PIN)
    second = store.save({"nothing": "here"}, PIN)
    sealed = dict((r[0], r[1]) for r in raw_rows(tmp_path / "saved.db"))
    tamper(tmp_path / "saved.db", second, sealed[first])
    with pytest.raises(Unreadable):
        store.resume(second, PIN)


def test_tampered_pin_hash_is_unreadable(store, tmp_path):
    code = store.save(STATE, PIN)
    with sqlite3.connect(tmp_path / "saved.db") as db:
        db.execute("UPDATE steer_saved_answers SET pin_hash = 'not-a-hash' WHERE code = ?", (code,))
    with pytest.raises(Unreadable):
        store.resume(code, PIN)


def test_records_need_the_key_they_were_saved_with(tmp_path, clock):
    first = SavedStore(tmp_path / "saved.db", tmp_path / "one.key", clock=clock, hasher=QUICK)
    code = first.save(STATE, PIN)
    second = SavedStore(tmp_path / "saved.db", tmp_path / "two.key", clock=clock, hasher=QUICK)
    with pytest.raises(Unreadable):
        second.resume(code, PIN)
    # a restart reads the same key
    again = SavedStore(tmp_path / "saved.db", tmp_path / "one.key", clock=clock, hasher=QUICK)
    assert again.resume(code, PIN) == STATE


def test_nothing_readable_in_the_database_file(store, tmp_path):
    store.save(STATE, PIN)
    store.update(store.save(STATE, PIN), PIN, STATE)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("saved.db*"))
    for marker in ["Zebedee-Marker-7731", "Quillmere", "help_most_days", "washing_dressing", "person_name"]:
        assert marker.encode() not in raw
        assert marker.encode("utf-16-le") not in raw
    assert PIN.encode() not in raw.replace(b"$argon2", b"")  # the PIN only as its hash
    assert b"$argon2id$" in raw


def test_state_must_be_json_data(store):
    with pytest.raises(TypeError):
        store.save(["not", "a", "dict"], PIN)
    with pytest.raises(TypeError):
        store.save({"when": object()}, PIN)
    with pytest.raises(TypeError):
        store.save({"x": float("nan")}, PIN)


def test_from_environment(tmp_path, monkeypatch, clock):
    monkeypatch.setenv("STEER_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("STEER_SAVED_DAYS", "7")
    made = from_environment()
    assert made.expiry_days == 7
    assert made.resume(made.save(STATE, PIN), PIN) == STATE
    assert (tmp_path / "var" / "saved.db").exists() and (tmp_path / "var" / "secret.key").exists()

    chosen = from_environment({"STEER_SAVED_DB": f"sqlite:///{tmp_path / 'other.db'}",
                               "STEER_SECRET_KEY_FILE": str(tmp_path / "other.key")})
    assert chosen.expiry_days == 30
    assert chosen.resume(chosen.save(STATE, PIN), PIN) == STATE
    assert (tmp_path / "other.db").exists() and (tmp_path / "other.key").exists()


@pytest.mark.parametrize("days", ["soon", "0", "-3", "99999"])
def test_from_environment_refuses_bad_days(tmp_path, days):
    with pytest.raises(StoreError, match="STEER_SAVED_DAYS"):
        from_environment({"STEER_VAR_DIR": str(tmp_path), "STEER_SAVED_DAYS": days})


def test_database_file_is_owner_only(tmp_path):
    SavedStore(tmp_path / "new" / "saved.db", tmp_path / "k", hasher=QUICK)
    assert (tmp_path / "new" / "saved.db").stat().st_mode & 0o077 == 0


def test_key_file_errors_are_not_store_crashes(tmp_path):
    (tmp_path / "bad.key").write_text("short\n")
    with pytest.raises(KeyFileError):
        SavedStore(tmp_path / "saved.db", tmp_path / "bad.key")


def test_default_pin_hash_is_argon2id_with_real_work(tmp_path):
    store = SavedStore(tmp_path / "saved.db", tmp_path / "k")
    code = store.save(STATE, PIN)
    (pin_hash,) = [r[2] for r in raw_rows(tmp_path / "saved.db")]
    assert pin_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert store.resume(code, PIN) == STATE


def test_old_pin_hashes_are_brought_up_to_date(tmp_path, clock):
    old = SavedStore(tmp_path / "saved.db", tmp_path / "k", clock=clock, hasher=QUICK)
    code = old.save(STATE, PIN)
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    new = SavedStore(tmp_path / "saved.db", tmp_path / "k", clock=clock, hasher=stronger)
    assert new.resume(code, PIN) == STATE
    (pin_hash,) = [r[2] for r in raw_rows(tmp_path / "saved.db")]
    assert "m=2048,t=2,p=1" in pin_hash
    assert new.resume(code, PIN) == STATE


@pytest.mark.skipif(not os.environ.get("STEER_TEST_POSTGRES_URL"),
                    reason="set STEER_TEST_POSTGRES_URL to try PostgreSQL")
def test_postgresql_works_the_same(tmp_path, clock):
    store = SavedStore(os.environ["STEER_TEST_POSTGRES_URL"], tmp_path / "k", clock=clock, hasher=QUICK)
    code = store.save(STATE, PIN)
    assert store.resume(code, PIN) == STATE
    for _ in range(5):
        with pytest.raises(NotFoundOrWrongPin):
            store.resume(code, "9047")
    with pytest.raises(Locked):
        store.resume(code, PIN)
    clock.forward(15 * 60)
    store.delete(code, PIN)
    with pytest.raises(NotFoundOrWrongPin):
        store.resume(code, PIN)
