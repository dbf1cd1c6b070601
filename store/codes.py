"""Reference codes people can read out and type: 8 characters, like KX7M-4PQR.

The alphabet leaves out characters that are easy to confuse (0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V),
so a code read aloud or copied by hand still works.
"""

from __future__ import annotations

import secrets
from typing import Optional

ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
LENGTH = 8
GROUP = 4
_SEPARATORS = " -_.\t"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def normalise_code(text: object) -> Optional[str]:
    """The code in its stored form ("KX7M-4PQR"), or None if it cannot be a code.

    Case does not matter, and spaces, dashes, dots and underscores anywhere are ignored.
    """
    if not isinstance(text, str) or len(text) > 40:
        return None
    raw = "".join(c for c in text.upper() if c not in _SEPARATORS)
    if len(raw) != LENGTH or any(c not in ALPHABET for c in raw):
        return None
    return f"{raw[:GROUP]}-{raw[GROUP:]}"
