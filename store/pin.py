"""PIN rules: 4 to 8 digits, not one digit over and over, not digits in a row.

The PIN is only ever stored as an argon2 hash.
"""

from __future__ import annotations

from itertools import pairwise

from store.errors import BadPin

MIN_DIGITS = 4
MAX_DIGITS = 8
DIGITS = "0123456789"


def _cleaned(pin: object) -> str:
    """The PIN without spaces (people type "4 7 1 9"); not checked."""
    return "".join(str(pin).split()) if isinstance(pin, str) else ""


def check_new_pin(pin: object) -> str:
    """The PIN to use, or BadPin saying exactly what is allowed."""
    cleaned = _cleaned(pin)
    if not (MIN_DIGITS <= len(cleaned) <= MAX_DIGITS) or any(c not in DIGITS for c in cleaned):
        raise BadPin("format", f"A PIN is {MIN_DIGITS} to {MAX_DIGITS} numbers, using only the digits 0 to 9.")
    if len(set(cleaned)) == 1:
        raise BadPin(
            "same", "Please choose a PIN that does not repeat one number (like 1111), so it is harder to guess."
        )
    steps = {int(b) - int(a) for a, b in pairwise(cleaned)}
    if steps in ({1}, {-1}):
        raise BadPin(
            "run", "Please choose a PIN that is not numbers in order (like 1234 or 4321), so it is harder to guess."
        )
    return cleaned


def pin_as_given(pin: object) -> str:
    """The PIN to check against a hash: cleaned the same way, not judged (a bad one simply fails)."""
    return _cleaned(pin)
