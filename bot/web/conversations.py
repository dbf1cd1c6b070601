"""Conversations the front door issues: only the device that started one can open it.

`POST /api/chat` with no `sender_id` starts a conversation: the server makes the id (128 random
bits) and its token, an HMAC of the id under the conversation key. Every later call about it sends
`Authorization: Bearer <token>`. Nothing is stored: any front-door process with the same key can
check a token, a restart loses nothing, and an id the server never made has no token that fits.

A document opened in a new tab (the summary page, its PDF, the exports) cannot send a header, so
it gets a short-lived link instead: a ticket holding the id and an expiry time, sealed with AES-GCM.
The browser's history then holds neither the id nor anything that opens the answers for long.

Every refusal is the same 404, so nobody can learn whether a conversation exists.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
import time
from pathlib import Path
from typing import Callable, Optional, Tuple, Union

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from store.sealing import load_key

TOKEN_PREFIX = "v1."
BEARER = re.compile(r"Bearer\s+(v1\.[A-Za-z0-9_-]{43})", re.IGNORECASE)
TICKET = re.compile(r"[A-Za-z0-9_-]{40,200}")
DEFAULT_LINK_SECONDS = 10 * 60  # long enough to open and print; short on a shared PC's history
_LINK_CONTEXT = b"steer-document-link:v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _subkey(key: bytes, purpose: bytes) -> bytes:
    """One key per use, so a token can never be read as a ticket or the other way round."""
    return hmac.new(key, purpose, hashlib.sha256).digest()


class Conversations:
    """Issues conversation ids and tokens, checks them, and makes and opens document tickets."""

    def __init__(self, key: bytes, link_seconds: float = DEFAULT_LINK_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        if len(key) < 32:
            raise ValueError("The conversation key must be at least 32 bytes.")
        self._token_key = _subkey(key, b"steer-conversation-token:v1")
        self._link = AESGCM(_subkey(key, b"steer-document-link:v1"))
        self.link_seconds = float(link_seconds)
        self._clock = clock

    @classmethod
    def from_key_file(cls, path: Union[str, Path, None], **kwargs) -> Conversations:
        """The key in `path` (made on first use, owner-only), or a new key for this process only."""
        return cls(load_key(path) if path else secrets.token_bytes(32), **kwargs)

    def issue(self) -> Tuple[str, str]:
        sender_id = secrets.token_hex(16)
        return sender_id, self.token_for(sender_id)

    def token_for(self, sender_id: str) -> str:
        return TOKEN_PREFIX + _b64(hmac.new(self._token_key, sender_id.encode("utf-8"), hashlib.sha256).digest())

    def allows(self, sender_id: str, authorization: Optional[str]) -> bool:
        """True only for `Authorization: Bearer <the token this front door made for sender_id>`."""
        found = BEARER.fullmatch((authorization or "").strip())
        return bool(found) and hmac.compare_digest(found.group(1), self.token_for(sender_id))

    def ticket(self, sender_id: str) -> str:
        """A document link's ticket for this conversation, good for link_seconds."""
        expires = int(self._clock() + self.link_seconds)
        nonce = secrets.token_bytes(12)
        sealed = self._link.encrypt(nonce, struct.pack(">Q", expires) + sender_id.encode("utf-8"), _LINK_CONTEXT)
        return _b64(nonce + sealed)

    def open_ticket(self, ticket: str) -> Optional[str]:
        """The conversation a ticket is for, or None if it is not one of ours or has run out."""
        if not TICKET.fullmatch(ticket or ""):
            return None
        try:
            raw = _unb64(ticket)
            plain = self._link.decrypt(raw[:12], raw[12:], _LINK_CONTEXT)
        except (InvalidTag, ValueError, binascii.Error):
            return None
        (expires,) = struct.unpack(">Q", plain[:8])
        if self._clock() > expires:
            return None
        return plain[8:].decode("utf-8", errors="replace")
