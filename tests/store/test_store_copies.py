""""Delete my answers" deletes every copy saved from the conversation; deleted records are
overwritten in the SQLite file; a database made by the older store is brought up to date.
Real SQLite files and real argon2id (with less work)."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3

import pytest
from sqlalchemy import event

from store import NotFoundOrWrongPin, SavedStore, saved
from store.sealing import Sealer, load_key
from tests.store.test_store_saved import PIN, QUICK, STATE, Clock

OTHER_PIN = "3817"
TALK = "talk-Quillmere-5521"  # a made-up conversation id


@pytest.fixture()
def store(tmp_path):
    made = SavedStore(tmp_path / "saved.db", tmp_path / "secret.key", clock=Clock(), hasher=QUICK)
    yield made
    made.close()


def codes_in(path):
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT code FROM steer_saved_answers")}


def tags_in(path):
    with sqlite3.connect(path) as db:
        return {r[0]: r[1] for r in db.execute("SELECT code, conversation FROM steer_saved_answers")}


# ---- every copy from one conversation -------------------------------------------------------

def test_deleting_one_code_deletes_every_copy_saved_from_that_conversation(store, tmp_path):
    first = store.save(STATE, PIN, sender_id=TALK)
    later = store.save({**STATE, "washing_dressing": "help_all_the_time"}, OTHER_PIN, sender_id=TALK)
    elsewhere = store.save(STATE, PIN, sender_id="talk-someone-else")
    untagged = store.save(STATE, PIN)
    assert store.delete(later, OTHER_PIN) == 2  # the latest code, with its own PIN
    assert codes_in(tmp_path / "saved.db") == {elsewhere, untagged}
    for code, pin in ((first, PIN), (later, OTHER_PIN)):
        with pytest.raises(NotFoundOrWrongPin):
            store.resume(code, pin)
    assert store.resume(elsewhere, PIN) == STATE and store.resume(untagged, PIN) == STATE


def test_the_earliest_code_deletes_the_later_copies_too(store, tmp_path):
    first = store.save(STATE, PIN, sender_id=TALK)
    store.save(STATE, OTHER_PIN, sender_id=TALK)
    assert store.delete(first, PIN) == 2
    assert codes_in(tmp_path / "saved.db") == set()


def test_a_wrong_pin_deletes_no_copy(store, tmp_path):
    codes = {store.save(STATE, PIN, sender_id=TALK) for _ in range(2)}
    with pytest.raises(NotFoundOrWrongPin):
        store.delete(next(iter(codes)), OTHER_PIN)
    assert codes_in(tmp_path / "saved.db") == codes


def test_a_code_saved_without_a_conversation_deletes_only_itself(store, tmp_path):
    alone, other = store.save(STATE, PIN), store.save(STATE, PIN)
    assert store.delete(alone, PIN) == 1
    assert codes_in(tmp_path / "saved.db") == {other}


def test_saving_again_from_another_conversation_makes_it_a_copy_of_that_one(store, tmp_path):
    kiosk = store.save(STATE, PIN, sender_id="talk-at-the-kiosk")
    home = store.save(STATE, OTHER_PIN, sender_id="talk-at-home")
    store.update(kiosk, PIN, STATE, sender_id="talk-at-home")  # resumed at home, then saved again under the code
    assert store.delete(home, OTHER_PIN) == 2
    assert codes_in(tmp_path / "saved.db") == set()


def test_the_conversation_is_kept_only_as_a_keyed_hash(tmp_path):
    one = SavedStore(tmp_path / "one.db", tmp_path / "one.key", hasher=QUICK)
    two = SavedStore(tmp_path / "two.db", tmp_path / "two.key", hasher=QUICK)
    one.save(STATE, PIN, sender_id=TALK)
    two.save(STATE, PIN, sender_id=TALK)
    (tag_one,) = tags_in(tmp_path / "one.db").values()
    (tag_two,) = tags_in(tmp_path / "two.db").values()
    assert len(tag_one) == 64 and tag_one != tag_two  # an HMAC under each store's own key
    assert tag_one not in (TALK, hashlib.sha256(TALK.encode()).hexdigest())
    for path in (tmp_path / "one.db", tmp_path / "two.db"):
        assert TALK.encode() not in path.read_bytes()


def test_sender_id_must_be_text(store):
    for bad in (42, "", b"talk"):
        with pytest.raises(TypeError):
            store.save(STATE, PIN, sender_id=bad)


# ---- deleted records are overwritten in the file --------------------------------------------

def sealed_of(path, code):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT sealed, pin_hash FROM steer_saved_answers WHERE code = ?", (code,)).fetchone()


def file_bytes(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.glob("saved.db*")))


def test_every_connection_has_secure_delete_on(store):
    """Set by the store itself on each new connection, not left to how SQLite was built."""
    assert event.contains(store._engine, "connect", saved.overwrite_deleted)
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        conn.exec_driver_sql("PRAGMA secure_delete = OFF")  # as on a build where it is off by default
    store._engine.dispose()
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_the_file_search_would_see_a_record_deleted_without_secure_delete(tmp_path):
    """The search in the next test can tell: with secure_delete off, a deleted record stays in the file."""
    path = tmp_path / "plain.db"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA secure_delete = OFF")
        db.execute("CREATE TABLE t (code TEXT PRIMARY KEY, sealed BLOB)")
        db.execute("INSERT INTO t VALUES ('KX7M-4PQR', ?)", (b"sealed-bytes-7731" * 8,))
        db.execute("INSERT INTO t VALUES ('ACDE-FGHJ', ?)", (b"kept" * 8,))
        db.commit()
        db.execute("DELETE FROM t WHERE code = 'KX7M-4PQR'")
        db.commit()
    assert b"sealed-bytes-7731" in path.read_bytes()


def test_a_deleted_record_leaves_nothing_in_the_file(store, tmp_path):
    kept = store.save({"x": 1}, PIN)
    gone = store.save(STATE, OTHER_PIN)
    sealed, pin_hash = sealed_of(tmp_path / "saved.db", gone)
    traces = [gone.encode(), sealed[13:45], sealed[-32:], pin_hash.encode()]  # the code, runs of the sealed bytes
    assert all(t in file_bytes(tmp_path) for t in traces)  # the search would find them
    store.delete(gone, OTHER_PIN)
    store.close()
    after = file_bytes(tmp_path)
    assert [t for t in traces if t in after] == []
    assert kept.encode() in after


def test_deleted_copies_leave_no_conversation_tag_in_the_file(store, tmp_path):
    codes = [store.save(STATE, PIN, sender_id=TALK) for _ in range(2)]
    traces = [c.encode() for c in codes] + [t.encode() for t in tags_in(tmp_path / "saved.db").values()]
    store.delete(codes[0], PIN)
    store.close()
    assert [t for t in traces if t in file_bytes(tmp_path)] == []


def test_purged_records_leave_nothing_in_the_file_either(tmp_path):
    clock = Clock()
    store = SavedStore(tmp_path / "saved.db", tmp_path / "k", clock=clock, hasher=QUICK)
    old = store.save(STATE, PIN)
    sealed, _ = sealed_of(tmp_path / "saved.db", old)
    clock.forward(31 * 24 * 3600)
    assert store.purge_expired() == 1
    store.close()
    assert sealed[13:45] not in file_bytes(tmp_path)


# ---- a database made by the older store -----------------------------------------------------

OLD_TABLE = """CREATE TABLE steer_saved_answers (
    code VARCHAR(16) NOT NULL, pin_hash VARCHAR(255) NOT NULL, sealed BLOB NOT NULL,
    created_at FLOAT NOT NULL, updated_at FLOAT NOT NULL, expires_at FLOAT NOT NULL,
    wrong_pins INTEGER NOT NULL, locked_until FLOAT, PRIMARY KEY (code))"""


def test_an_older_database_gets_the_new_columns_and_keeps_its_records(tmp_path):
    path, key_path = tmp_path / "saved.db", tmp_path / "secret.key"
    clock = Clock()
    code = "KX7M-4PQR"
    with sqlite3.connect(path) as db:
        db.execute(OLD_TABLE)
        db.execute("INSERT INTO steer_saved_answers VALUES (?, ?, ?, ?, ?, ?, 3, NULL)",
                   (code, QUICK.hash(PIN), Sealer(load_key(key_path)).seal(code, STATE), clock.now, clock.now,
                    clock.now + 30 * 24 * 3600))
    store = SavedStore(path, key_path, clock=clock, hasher=QUICK)
    again = SavedStore(path, key_path, clock=clock, hasher=QUICK)  # a second start changes nothing
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT wrong_pins_ever, locks, conversation FROM steer_saved_answers").fetchall() == \
            [(3, 0, None)]  # the wrong tries known so far count towards the life limit
        indexes = {r[1] for r in db.execute("PRAGMA index_list(steer_saved_answers)")}
    assert any("conversation" in name for name in indexes)
    assert again.resume(code, PIN) == STATE
    new = store.save(STATE, PIN, sender_id=TALK)
    assert store.delete(new, PIN) == 1
    assert codes_in(path) == {code}
