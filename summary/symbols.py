"""The pictures beside easy-read blocks: simple SVG symbols, embedded as data: URIs.

Area symbols drawn for the web page (bot/web/static/symbols/<area_id>.svg) are used when they
are there, so the page, the chat and the summary show the same picture; ours fill any gap.
Nothing is fetched: the page's CSP allows images from 'self' and data: only, and the PDF must
carry its own pictures.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
OURS = HERE / "symbols"
WEB = HERE.parent / "bot" / "web" / "static" / "symbols"
BIGGEST = 200_000  # bytes: a symbol is a small drawing, not a photograph
OTHER_SYMBOLS = ("money", "plan", "safety", "changes", "people", "next-steps", "council")
SYMBOL_ID = re.compile(r"^[a-z][a-z0-9_-]{0,60}$")  # a file name, never a path


def _usable(path: Path) -> Optional[bytes]:
    try:
        if not path.is_file() or path.stat().st_size > BIGGEST:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return data if b"<svg" in data[:2000] else None


def symbol_file(symbol_id: str) -> Optional[Path]:
    """The web page's drawing if it has one, else ours; None for an unknown symbol."""
    if not isinstance(symbol_id, str) or not SYMBOL_ID.match(symbol_id):
        return None
    for folder in (WEB, OURS):
        path = folder / f"{symbol_id}.svg"
        if _usable(path) is not None:
            return path
    return None


@lru_cache(maxsize=64)
def _data_uri(path: str, mtime: float) -> str:
    data = Path(path).read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def symbol_uri(symbol_id: str) -> Optional[str]:
    """The symbol as a data: URI, read at render time (a new drawing shows without a restart)."""
    path = symbol_file(symbol_id)
    if path is None:
        return None
    return _data_uri(str(path), path.stat().st_mtime)
