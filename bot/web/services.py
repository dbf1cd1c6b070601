"""The front door's services: made once per app, kept in one place, and looked up by one function each.

create_app makes the ones every request may need (register); the rest are made on first use, once
even when many threads ask at the same moment, because making them costs something: the question
bank is read from disk, the saved-answers store makes its key file, the voice starts a speech worker.

Everything is kept in `app.extensions["steer"]` as one `Services`; a view asks for what it needs with
the functions below (`rasa()`, `question_bank()`, `voice_service()`, ...). A test may put its own in before the first
request: `services.of(app).saved = store`.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, TypeVar

from flask import Flask, current_app

from bank import BankError, QuestionBank, default_bank, load_bank
from bot.web import wording
from bot.web.conversations import Conversations
from bot.web.errors import ApiError
from bot.web.rasa_client import RasaClient
from bot.web.trackers import TrackerStore, database_url

if TYPE_CHECKING:  # made on first use; their modules are imported then
    from bot.web.limits import Limiter
    from bot.web.voice import VoiceService
    from store import SavedStore

log = logging.getLogger(__name__)
KEY = "steer"
T = TypeVar("T")


@dataclass
class Services:
    rasa: RasaClient  # the Rasa server and the action server
    conversations: Conversations  # issues conversation ids and tokens, and document links
    trackers: Optional[TrackerStore]  # Rasa's SQL tracker store, read directly; None: not told where it is
    limiter: Optional[Limiter] = None  # request limits (bot/web/limits.py registers it)
    # Made on first use:
    bank: Optional[QuestionBank] = None
    saved: Optional[SavedStore] = None
    voice: Optional[VoiceService] = None
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def made(self, name: str, make: Callable[[], T]) -> T:
        """The service called `name`, made with `make()` the first time it is asked for."""
        found = getattr(self, name)
        if found is None:
            with self._lock:
                found = getattr(self, name)
                if found is None:
                    found = make()
                    setattr(self, name, found)
        return found


def register(app: Flask) -> Services:
    """Make the services every request may need, from the app's settings (bot/web/__init__.py)."""
    config = app.config
    url = database_url(config["TRACKER_URL"], config["TRACKER_DB"])
    found = Services(
        rasa=RasaClient(rasa_url=config["RASA_URL"], token=config["RASA_TOKEN"], actions_url=config["ACTIONS_URL"],
                        timeout=config["RASA_TIMEOUT"], health_timeout=config["HEALTH_TIMEOUT"]),
        conversations=Conversations.from_key_file(config.get("CONVERSATION_KEY_FILE"),
                                                  link_seconds=float(config["LINK_SECONDS"])),
        trackers=TrackerStore(url) if url else None,
    )
    app.extensions[KEY] = found
    return found


def of(app: Flask) -> Services:
    return app.extensions[KEY]


def services() -> Services:
    """This app's services (in a request or an app context)."""
    return of(current_app)


def rasa() -> RasaClient:
    return services().rasa


def conversations() -> Conversations:
    return services().conversations


def tracker_store() -> Optional[TrackerStore]:
    """Rasa's SQL tracker store, read directly; None when the front door is not told where it is."""
    return services().trackers


def limiter() -> Limiter:
    found = services().limiter
    if found is None:
        raise RuntimeError("No request limiter: bot.web.limits.register(app) was not called")
    return found


def question_bank() -> QuestionBank:
    """The bank named by BANK_DIR (read once per app), else the shipped one; a kind 503 if it is broken."""
    return services().made("bank", _read_bank)


def _read_bank() -> QuestionBank:
    directory = current_app.config.get("BANK_DIR")
    try:
        return load_bank(Path(directory)) if directory else default_bank()
    except BankError as err:
        log.error("The question bank cannot be loaded:\n%s", err)
        raise ApiError(wording.BANK_BROKEN, 503) from None


def saved_store() -> SavedStore:
    """The store for answers saved for later, made on first use (it creates its key file if absent)."""
    return services().made("saved", _open_saved_store)


def _open_saved_store() -> SavedStore:
    from store import from_environment

    store = from_environment()
    store.purge_expired()  # saved work older than its days is deleted, not just hidden
    return store


def voice_service() -> VoiceService:
    """Speech in and out for this app: the synthesiser, the voice layer (bot/web/voice.py)."""
    return services().made("voice", _start_voice)


def _start_voice() -> VoiceService:
    from bot.web.voice import VoiceService
    from voice.speak import BRITISH_VOICE

    config = current_app.config
    return VoiceService(model_path=config.get("VOSK_MODEL") or os.environ.get("STEER_VOSK_MODEL"),
                        voice=config.get("VOICE") or os.environ.get("STEER_VOICE") or BRITISH_VOICE)
