"""The parts of saving a person sees: PIN rules, reference codes, and the secret key file."""

from __future__ import annotations

import base64
import os
import re

import pytest

from store import ALPHABET, BadPin, KeyFileError, check_new_pin, new_code, normalise_code
from store.sealing import load_key

CONFUSABLE = "0O1IL2Z5S8BUV"


@pytest.mark.parametrize("pin", ["4719", "47190", "90475", "0070", "13572468", "1357 2468", "2020", "1243"])
def test_pins_that_are_allowed(pin):
    assert check_new_pin(pin) == pin.replace(" ", "")


@pytest.mark.parametrize("pin", ["", "471", "123456789", "47a9", "47-19", "４７１９", None, 4719, "4719.0"])
def test_pin_format_says_what_is_allowed(pin):
    with pytest.raises(BadPin) as caught:
        check_new_pin(pin)
    assert caught.value.reason == "format"
    assert str(caught.value) == "A PIN is 4 to 8 numbers, using only the digits 0 to 9."


@pytest.mark.parametrize("pin", ["0000", "1111", "77777777"])
def test_pins_of_one_repeated_digit_are_refused(pin):
    with pytest.raises(BadPin) as caught:
        check_new_pin(pin)
    assert caught.value.reason == "same"
    assert "1111" in str(caught.value) and pin not in str(caught.value).replace("1111", "")


@pytest.mark.parametrize("pin", ["1234", "0123", "4321", "3456789", "98765", "12345678"])
def test_pins_in_a_row_are_refused(pin):
    with pytest.raises(BadPin) as caught:
        check_new_pin(pin)
    assert caught.value.reason == "run"
    assert "1234" in str(caught.value)


def test_store_refuses_a_bad_pin_before_saving(tmp_path):
    from store import SavedStore

    store = SavedStore(tmp_path / "saved.db", tmp_path / "k")
    with pytest.raises(BadPin):
        store.save({"x": 1}, "1111")


def test_codes_use_only_clear_characters():
    assert not set(ALPHABET) & set(CONFUSABLE)
    assert len(set(ALPHABET)) == len(ALPHABET) == 23
    codes = [new_code() for _ in range(500)]
    assert all(re.fullmatch(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", c) for c in codes)
    assert len(set(codes)) == 500
    assert set("".join(codes).replace("-", "")) == set(ALPHABET)  # every character gets used


@pytest.mark.parametrize("typed", ["KX7M-4PQR", "kx7m4pqr", " kx7m 4pqr ", "KX7M - 4PQR", "k-x-7-m-4-p-q-r",
                                   "KX7M.4PQR"])
def test_code_input_is_forgiving(typed):
    assert normalise_code(typed) == "KX7M-4PQR"


@pytest.mark.parametrize("typed", ["", "KX7M-4PQ", "KX7M-4PQRA", "KX7M-4PQ0", "KX7M-4PQS", None, 12345678, "K" * 100])
def test_impossible_codes_are_none(typed):
    assert normalise_code(typed) is None


def test_key_file_is_made_owner_only(tmp_path):
    path = tmp_path / "var" / "secret.key"
    key = load_key(path)
    assert len(key) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert base64.urlsafe_b64decode(path.read_text().strip()) == key
    assert load_key(path) == key  # made once, then read
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temporary file left behind


def test_an_existing_key_is_used(tmp_path):
    path = tmp_path / "given.key"
    path.write_text(base64.urlsafe_b64encode(bytes(range(32))).decode() + "\n")
    assert load_key(path) == bytes(range(32))


@pytest.mark.parametrize("content", [b"", b"not base64 at all!\n", base64.urlsafe_b64encode(b"x" * 16),
                                     base64.urlsafe_b64encode(b"x" * 32) * 2, b"\xff\xfe\x00binary"])
def test_malformed_key_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "secret.key"
    path.write_bytes(content)
    with pytest.raises(KeyFileError) as caught:
        load_key(path)
    message = str(caught.value)
    assert str(path) in message and "32-byte key" in message and "44 characters" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_key_file_is_a_clear_error(tmp_path):
    path = tmp_path / "secret.key"
    path.write_text(base64.urlsafe_b64encode(b"x" * 32).decode())
    path.chmod(0)
    with pytest.raises(KeyFileError, match="cannot be read"):
        load_key(path)


def test_key_path_that_is_a_folder_is_a_clear_error(tmp_path):
    with pytest.raises(KeyFileError, match="cannot be read"):
        load_key(tmp_path)
