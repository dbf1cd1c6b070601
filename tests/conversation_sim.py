"""A conversation with Steer without the Rasa server: the front door, Rasa's glue and Steer's own code.

Used by tests/dialogue/test_conversation_model.py. Everything Steer decides runs for real (bot/payloads.py,
dialogue/turn.py, plan_turn.py, render.py, plan_render.py, flow.py, plan_flow.py, and the Rasa
actions in actions/actions.py through rasa_sdk's own Tracker and dispatcher); only what the Rasa
server does between them is copied here, as actions/actions.py and data/rules/route.yml rely on it:

- the front door (bot/web/api.py): over-long and empty messages get its own reply; clean_message;
- Rasa's RegexMessageHandler reads "/intent{json}" (its own code, with Steer's domain);
  typed text gets the intent a stand-in classifier gives it;
- inside a form, the from_text mapping puts the text in the requested slot, then the form's
  validation runs the turn handler (handle / handle_plan), then the form asks the first
  required slot that holds None (rasa_sdk's next_requested_slot), or ends;
- the rules: when saq_form ends, action_show_budget; when plan_form ends, action_plan_done;
  outside a form every message goes to action_route, whose FollowupAction starts a form.
"""

from __future__ import annotations

import asyncio
import copy
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionPlanDone, ActionRoute, ActionShowBudget
from bank import default_bank
from bank.plan import default_plan
from bot.payloads import clean_message
from bot.web import api, wording
from dialogue.flow import FORM, required_slots
from dialogue.plan_flow import PLAN_FORM, required_plan_slots
from dialogue.plan_render import PlanAsker
from dialogue.plan_turn import handle_plan
from dialogue.render import Asker
from dialogue.turn import handle
from dialogue.understand import Parse

MAX_MESSAGE_CHARS = api.MAX_MESSAGE_CHARS
ASK_KEY = getattr(api, "ASK_KEY", None)  # the front door passes the page's question on as metadata

ROOT = Path(__file__).resolve().parent.parent
BANK, PLAN = default_bank(), default_plan()
Reply = Dict[str, Any]
Nlu = Optional[Tuple[str, float]]

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    DOMAIN = Domain.load(str(ROOT / "bot" / "domain"))


def latest_message(text: str, nlu: Nlu = None, metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """What Rasa puts in tracker.latest_message for `text` (already through the front door)."""
    if text.startswith("/"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = YAMLStoryReader.unpack_regex_message(Message({"text": text}), DOMAIN)
        if parsed.get("intent"):
            return {"text": parsed.get("text"), "intent": dict(parsed.get("intent")),
                    "entities": [dict(e) for e in parsed.get("entities") or []], "metadata": metadata or {}}
    intent = {"name": nlu[0], "confidence": nlu[1]} if nlu else {}
    return {"text": text, "intent": intent, "entities": [], "metadata": metadata or {}}


def unguarded(action):
    """The action's own run, without actions/safety.py's net, so a failure shows as itself."""
    run = type(action).run
    return getattr(run, "__wrapped__", run)


def rest_shape(messages: List[Dict[str, Any]]) -> List[Reply]:
    """Dispatcher messages (or turn replies) as the REST channel sends them: text, buttons, custom."""
    out = []
    for m in messages:
        out.append({k: m[k] for k in ("text", "buttons", "custom") if m.get(k)})
    return out


class Sim:
    """One conversation. `slots` is the tracker's slots (missing = None); `loop` the active form."""

    def __init__(self, sender_id: str = "model-test") -> None:
        self.sender_id = sender_id
        self.slots: Dict[str, Any] = {}
        self.loop: Optional[str] = None
        self.requested: Optional[str] = None
        self.page_ask: Optional[str] = None  # as bot/web/static/chat.js: the last question's ask key
        self.turns = 0

    def copy(self) -> Sim:
        return copy.deepcopy(self)

    def send(self, raw: str, nlu: Nlu = None, seen: Optional[str] = "page") -> List[Reply]:
        """One message as the page sends it. seen: the ask key sent with it ("page": the page's own)."""
        self.turns += 1
        if len(raw.strip()) > MAX_MESSAGE_CHARS:
            return [{"text": wording.TOO_LONG}]
        text = clean_message(raw)
        if not text:
            return [{"text": wording.EMPTY_MESSAGE}]
        seen = self.page_ask if seen == "page" else seen
        ok = ASK_KEY is not None and isinstance(seen, str) and ASK_KEY.fullmatch(seen)
        latest = latest_message(text, nlu, {"question": seen} if ok else None)
        out: List[Reply] = []
        if self.loop is not None:
            self._form_turn(latest, out)
        else:
            self._run_action(ActionRoute(), latest, out)
        replies = rest_shape(out)
        asks = [m["custom"].get("ask") for m in replies if m.get("custom", {}).get("type") == "question"]
        if asks and isinstance(asks[-1], str):
            self.page_ask = asks[-1]
        return replies

    # -- forms ------------------------------------------------------------------------------

    def _form_turn(self, latest: Dict[str, Any], out: List[Reply]) -> None:
        slot = self.requested
        self.slots[slot] = latest["text"]  # from_text, conditioned on active_loop and requested_slot
        parse = Parse.from_latest_message(latest)
        if self.loop == FORM:
            outcome = handle(slot, parse, dict(self.slots), BANK)
        else:
            outcome = handle_plan(slot, parse, dict(self.slots), BANK, PLAN)
        out += outcome.replies
        self.slots.update(copy.deepcopy(outcome.updates))
        self._ask_next(latest, out)

    def _ask_next(self, latest: Dict[str, Any], out: List[Reply]) -> None:
        form = self.loop == FORM
        required = required_slots(self.slots, BANK) if form else required_plan_slots(self.slots, PLAN)
        missing = next((s for s in required if self.slots.get(s) is None), None)
        if missing is None:
            ended, self.loop, self.requested = self.loop, None, None
            self._run_action(ActionShowBudget() if ended == FORM else ActionPlanDone(), latest, out)
            return
        self.requested = missing
        self.slots["requested_slot"] = missing
        asker = Asker(dict(self.slots), BANK) if self.loop == FORM else PlanAsker(dict(self.slots), BANK, PLAN)
        out += asker.ask(missing)

    def _activate(self, form: str, latest: Dict[str, Any], out: List[Reply]) -> None:
        self.loop = form
        self._ask_next(latest, out)  # the validation finds nothing said for a slot

    # -- custom actions, through rasa_sdk -----------------------------------------------------

    def _run_action(self, action, latest: Dict[str, Any], out: List[Reply]) -> None:
        tracker = Tracker(self.sender_id, copy.deepcopy(self.slots), latest, [], False, None,
                          {"name": self.loop} if self.loop else {}, "action_listen")
        dispatcher = CollectingDispatcher()
        events = asyncio.run(unguarded(action)(action, dispatcher, tracker, {}))
        out += rest_shape(dispatcher.messages)
        follow = None
        for event in events:
            kind = event.get("event")
            if kind == "slot":
                self.slots[event["name"]] = copy.deepcopy(event["value"])
            elif kind == "reset_slots":
                self.slots = {}
                self.requested = None
            elif kind == "followup":
                follow = event["name"]
        if follow in (FORM, PLAN_FORM):
            self._activate(follow, latest, out)
