"""Encryption at rest: AES-256-GCM with the record's code as associated data.

The key lives in a file of its own (one line, URL-safe base64 of 32 bytes), made on first use
with owner-only permissions. Binding each record to its code means a record copied to another
code fails to open instead of giving someone else's answers.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any, Dict, Union

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from store.errors import KeyFileError, Unreadable

KEY_BYTES = 32
NONCE_BYTES = 12
FORMAT = b"\x01"  # first byte of every sealed record: lets a later format (or key) be told apart
_CONTEXT = b"steer-saved-answers:v1:"
_TAG_CONTEXT = b"steer-saved-conversation:v1"
_KEY_TEXT = re.compile(r"[A-Za-z0-9_-]{43}=")  # 32 bytes in URL-safe base64


def _key_help(path: Path) -> str:
    return (
        f"It must hold one line: a {KEY_BYTES}-byte key in URL-safe base64 ({len(_encode(bytes(KEY_BYTES)))} "
        f"characters). If you remove the file, a new key is made at the next start, and answers saved "
        f"with the old key can no longer be opened."
    )


def _encode(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def _create_key_file(path: Path) -> None:
    """Write a new key without ever leaving a half-written or world-readable key file.

    The key goes to a private temporary file first and is linked into place; if another process
    made the key meanwhile, theirs wins and ours is thrown away.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".steer-key-")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(_encode(secrets.token_bytes(KEY_BYTES)) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def load_key(key_path: Union[str, Path]) -> bytes:
    """The key in `key_path`, made first if the file does not exist; KeyFileError if unusable."""
    path = Path(key_path)
    try:
        if not path.exists():
            _create_key_file(path)
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else "it is not plain text"
        raise KeyFileError(f"The secret key file {path} cannot be read ({reason}). {_key_help(path)}") from None
    key = base64.urlsafe_b64decode(text.strip()) if _KEY_TEXT.fullmatch(text.strip()) else b""
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"The secret key file {path} does not hold a usable key. {_key_help(path)}")
    return key


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, code: str, state: Dict[str, Any]) -> bytes:
        try:
            plain = json.dumps(state, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        except ValueError as err:  # NaN or a loop: a programming error, like a value json cannot write
            raise TypeError(f"the state to save must be plain JSON data: {err}") from None
        nonce = secrets.token_bytes(NONCE_BYTES)
        return FORMAT + nonce + self._aead.encrypt(nonce, plain, _CONTEXT + code.encode("ascii"))

    def open(self, code: str, sealed: Any) -> Dict[str, Any]:
        """The saved state, or Unreadable if the record was changed, moved or made with another key."""
        if not isinstance(sealed, (bytes, bytearray, memoryview)):
            raise Unreadable()
        sealed = bytes(sealed)
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT:
            raise Unreadable()
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, body, _CONTEXT + code.encode("ascii"))
            state = json.loads(plain.decode("utf-8"))
        except (InvalidTag, UnicodeDecodeError, ValueError):
            raise Unreadable() from None
        if not isinstance(state, dict):
            raise Unreadable()
        return state


class ConversationTags:
    """A keyed hash (HMAC-SHA256) of the conversation a record was saved from, so every copy made
    from one conversation can be found and deleted together, while the database never holds the
    conversation's id: without the key file a tag cannot be matched to a conversation.

    The HMAC key is derived from the store's key, so the sealing key itself is used for nothing else.
    """

    def __init__(self, key: bytes) -> None:
        self._key = hmac.new(key, _TAG_CONTEXT, hashlib.sha256).digest()

    def of(self, sender_id: str) -> str:
        return hmac.new(self._key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
