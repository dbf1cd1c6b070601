"""Every message gets a reply: an action that fails says sorry kindly and changes nothing.

An exception that escaped an action would reach Rasa as the SDK's error reply (which carries
the whole tracker), and the person would get no answer at all. Instead the action's own
replies so far are dropped, the person is told their answers are safe, and the slot the form
was filling is put back as it was (Rasa has already copied the raw message into it).

The log says which action failed, the exception's type and where: never the exception's
message or anything from the tracker, because those can hold what the person said.
"""

from __future__ import annotations

import functools
import logging
import traceback
from typing import Any, Awaitable, Callable, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from dialogue.content import say_text

logger = logging.getLogger(__name__)

Run = Callable[[Any, CollectingDispatcher, Tracker, Any], Awaitable[List[EventType]]]


def where(err: BaseException) -> str:
    """'dialogue/turn.py:120 in _question <- ...': file, line and function of each frame, innermost first."""
    frames = traceback.extract_tb(err.__traceback__)[::-1][:6]
    # "/".join(...[-2:]): also for generated code, whose file name has no folder ("<string>")
    return " <- ".join(f"{'/'.join(f.filename.split('/')[-2:])}:{f.lineno} in {f.name}" for f in frames)


def sorry(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    level = tracker.get_slot("reading_level") or "plain"
    voice = "other" if tracker.get_slot("answering_for") == "other" else "self"
    dispatcher.messages.clear()  # half a turn's replies would say something that did not happen
    dispatcher.utter_message(text=say_text("something_went_wrong", level, voice))
    requested = tracker.get_slot("requested_slot")
    # The form copied the message into the slot being asked; put the slot back to unanswered.
    return [SlotSet(requested, None)] if tracker.active_loop.get("name") and requested else []


def guarded(run: Run) -> Run:
    @functools.wraps(run)
    async def safe_run(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any) -> List[EventType]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception as err:  # noqa: BLE001 (the point: nothing may escape to Rasa)
            logger.error("Action %s failed: %s at %s", self.name(), type(err).__name__, where(err))
            try:
                return sorry(dispatcher, tracker)
            except Exception as again:  # noqa: BLE001 (even the words could not be read)
                logger.error("Action %s could not say sorry: %s", self.name(), type(again).__name__)
                dispatcher.messages.clear()
                dispatcher.utter_message(text="Sorry, something went wrong. Your answers are safe. Please try again.")
                return []

    return safe_run
