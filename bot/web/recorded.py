"""What a conversation has recorded so far, read from Rasa's tracker: its slots, or a 404 when it holds nothing.

Read by the assessment, the documents and saving for later alike, so a cleared conversation stays
cleared for every one of them.
"""

from __future__ import annotations

from typing import Any, Dict

from bank import QuestionBank
from bot.web import wording
from bot.web.errors import ApiError
from bot.web.inputs import check_sender_id
from bot.web.services import rasa, tracker_store
from bot.web.trackers import TrackerStoreError
from dialogue.flow import answers_of

# Rasa sets this one itself when a session starts; it says nothing about the assessment.
RASA_OWN_SLOTS = frozenset({"session_started_metadata"})


def has_set_slots(tracker: Dict[str, Any]) -> bool:
    events = tracker.get("events")
    if isinstance(events, list):
        return any(
            isinstance(e, dict) and e.get("event") == "slot" and e.get("name") not in RASA_OWN_SLOTS for e in events
        )
    # Without events, fall back on slots that hold something.
    slots = tracker.get("slots") or {}
    return any(value is not None for name, value in slots.items() if name not in RASA_OWN_SLOTS)


def known_to_store(sender_id: str) -> bool:
    """False only when the tracker store surely holds nothing for this conversation.

    Asking Rasa for an unknown conversation makes Rasa save an empty one; asking the store first
    keeps a deleted conversation deleted.
    """
    store = tracker_store()
    if store is None:
        return True
    try:
        return store.exists(sender_id)
    except TrackerStoreError:
        return True  # Rasa can still answer


def recorded_slots(sender_id: str) -> Dict[str, Any]:
    """The conversation's slots; a 404 (ApiError) if it has recorded nothing, or is not known at all."""
    if not known_to_store(check_sender_id(sender_id)):  # a cleared conversation stays cleared
        raise ApiError(wording.NO_ASSESSMENT, 404)
    tracker = rasa().tracker(sender_id)
    if not has_set_slots(tracker):
        raise ApiError(wording.NO_ASSESSMENT, 404)
    slots = tracker.get("slots")
    return slots if isinstance(slots, dict) else {}


def answers_here(sender_id: str, bank: QuestionBank) -> int:
    """How many SAQ answers this conversation holds now (a resume would replace them)."""
    if not known_to_store(sender_id):
        return 0
    return len(answers_of(rasa().tracker(sender_id).get("slots") or {}, bank))
