"""What can go wrong with saved answers, in words a person can read.

Every message is safe to show as it is: none names a PIN, an answer or the key. A wrong code, a
wrong PIN and a locked code get the same error, so nobody learns which codes exist.
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
    """Unknown code, wrong PIN, locked, expired or deleted: the same error (and words) for all, on purpose.

    A caller that shows `str(err)` never tells anyone whether the code exists or is locked.
    """

    def __init__(self) -> None:
        super().__init__(
            "Sorry, that code or PIN is not right. Or the code is resting after too many tries. "
            "Please check both, or try again later."
        )


class Locked(NotFoundOrWrongPin):
    """Too many wrong PINs for this code just now. A NotFoundOrWrongPin with the very same words, so
    nobody learns that the code exists; `minutes_left` (at least 1) is for the store's own tests only."""

    def __init__(self, minutes_left: int) -> None:
        super().__init__()
        self.minutes_left = minutes_left


class Busy(StoreError):
    """Too many PIN checks running at once in this process; nothing was looked at or counted.

    `retry_after` is the seconds to suggest (an HTTP Retry-After)."""

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__("Sorry, I am busy just now. Please try again in a moment. Your answers are safe.")
        self.retry_after = retry_after


class Unreadable(StoreError):
    """The stored record was changed or damaged and cannot be read; nothing of it is returned."""

    def __init__(self) -> None:
        super().__init__(
            "These saved answers cannot be read, because the saved copy has been damaged. "
            "Nothing has been lost from this conversation. Please start again, or ask for help."
        )


class KeyFileError(StoreError):
    """The secret key file cannot be used (a set-up problem, raised when the store is opened)."""
