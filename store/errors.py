"""What can go wrong with saved answers, in words a person can read.

Every message is safe to show as it is: none names a PIN, an answer or the key. A wrong code and
a wrong PIN get the same error, so nobody learns which codes exist.
"""

from __future__ import annotations


class StoreError(ValueError):
    """Base of every saved-answers error; `str(err)` is a kind, plain message."""


class BadPin(StoreError):
    """A PIN that cannot be used; `reason` is "format", "same" or "run" (for other wording)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotFoundOrWrongPin(StoreError):
    """Unknown code, wrong PIN, expired or deleted: the same error for all, on purpose."""

    def __init__(self) -> None:
        super().__init__(
            "We could not find saved answers with that code and PIN. Please check both and try again."
        )


class Locked(StoreError):
    """Too many wrong PINs for this code; `minutes_left` until it opens again (at least 1)."""

    def __init__(self, minutes_left: int) -> None:
        unit = "minute" if minutes_left == 1 else "minutes"
        super().__init__(
            f"This code is locked for {minutes_left} {unit}, because the wrong PIN was given too many times. "
            "Your answers are safe. Please try again after that."
        )
        self.minutes_left = minutes_left


class Unreadable(StoreError):
    """The stored record was changed or damaged and cannot be read; nothing of it is returned."""

    def __init__(self) -> None:
        super().__init__(
            "These saved answers cannot be read, because the saved copy has been damaged. "
            "Nothing has been lost from this conversation. Please start again, or ask for help."
        )


class KeyFileError(StoreError):
    """The secret key file cannot be used (a set-up problem, raised when the store is opened)."""
