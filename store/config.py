"""The store as configured by the environment (the same var/ folder as the rest of Steer)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

from store.errors import StoreError
from store.saved import SavedStore

ROOT = Path(__file__).resolve().parent.parent


def from_environment(environ: Optional[Mapping[str, str]] = None) -> SavedStore:
    """STEER_SAVED_DB (a path or an SQLAlchemy URL; default var/saved.db), STEER_SECRET_KEY_FILE
    (default var/secret.key) and STEER_SAVED_DAYS (default 30). var/ is STEER_VAR_DIR if set."""
    env = os.environ if environ is None else environ
    var = Path(env.get("STEER_VAR_DIR") or ROOT / "var")
    days_text = env.get("STEER_SAVED_DAYS") or "30"
    try:
        days = float(days_text)
    except ValueError:
        days = -1.0
    if not 0 < days <= 3650:
        raise StoreError(f"STEER_SAVED_DAYS must be a number of days from 1 to 3650, not '{days_text}'.")
    return SavedStore(
        env.get("STEER_SAVED_DB") or var / "saved.db",
        env.get("STEER_SECRET_KEY_FILE") or var / "secret.key",
        expiry_days=days,
    )
