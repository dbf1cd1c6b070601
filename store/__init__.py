"""Save for later: answers sealed at rest under a short code and a PIN, resumed or deleted later."""

from store.codes import ALPHABET, new_code, normalise_code
from store.config import from_environment
from store.errors import BadPin, Busy, KeyFileError, Locked, NotFoundOrWrongPin, StoreError, Unreadable
from store.pin import check_new_pin
from store.saved import SavedStore

__all__ = [
    "ALPHABET",
    "BadPin",
    "Busy",
    "KeyFileError",
    "Locked",
    "NotFoundOrWrongPin",
    "SavedStore",
    "StoreError",
    "Unreadable",
    "check_new_pin",
    "from_environment",
    "new_code",
    "normalise_code",
]
