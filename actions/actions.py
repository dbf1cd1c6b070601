"""Rasa actions: thin adapters from a tracker to the pure modules (turn, render, budget, ras)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import ras
from actions.safety import guarded
from bank import default_bank
from bank.commands import default_registry
from bank.plan import default_plan
from dialogue.binding import bind
from dialogue.budget import budget_replies, finished_buttons
from dialogue.commands import Form, run_command
from dialogue.content import say, say_text
from dialogue.flow import FORM, REVIEW, REVIEW_DONE, all_form_slots, answers_of, counted_slots, required_slots
from dialogue.plan_flow import PLAN_CHECK, PLAN_DONE, PLAN_FORM, all_plan_slots, required_plan_slots
from dialogue.plan_render import PlanAsker, plan_done_replies
from dialogue.plan_turn import handle_plan
from dialogue.render import Asker
from dialogue.turn import Context, Outcome, handle
from dialogue.understand import Parse, command_of, glossary_term, yes_or_no

# Answers are special-category personal data: this module logs events, never their content.
logger = logging.getLogger(__name__)
START_AGAIN = "start_again"  # the `pending` confirmation of "Start again"


def send(dispatcher: CollectingDispatcher, replies: List[Dict[str, Any]]) -> None:
    for reply in replies:
        if "custom" in reply:
            dispatcher.utter_message(json_message=reply["custom"])
        else:
            dispatcher.utter_message(text=reply.get("text"), buttons=reply.get("buttons") or [])


class ValidateSaqForm(FormValidationAction):
    run = guarded(FormValidationAction.run)

    def name(self) -> str:
        return "validate_saq_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[str]:
        return required_slots(tracker.slots, default_bank())

    async def get_validation_events(self, dispatcher, tracker, domain) -> List[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested not in tracker.slots_to_validate():
            return []  # the form is (re)starting: nothing was said for a slot
        outcome = handle(requested, Parse.from_latest_message(tracker.latest_message), tracker.slots, default_bank())
        send(dispatcher, outcome.replies)
        return [SlotSet(k, v) for k, v in outcome.updates.items()]


class AskAction(Action):
    """action_ask_<slot>: one class per slot, made from the question bank below."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    @guarded
    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        send(dispatcher, Asker(tracker.slots, default_bank()).ask(self.slot))
        return []


class ValidatePlanForm(FormValidationAction):
    run = guarded(FormValidationAction.run)

    def name(self) -> str:
        return "validate_plan_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[str]:
        return required_plan_slots(tracker.slots, default_plan())

    async def get_validation_events(self, dispatcher, tracker, domain) -> List[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested not in tracker.slots_to_validate():
            return []
        parse = Parse.from_latest_message(tracker.latest_message)
        outcome = handle_plan(requested, parse, tracker.slots, default_bank(), default_plan())
        send(dispatcher, outcome.replies)
        return [SlotSet(k, v) for k, v in outcome.updates.items()]


class PlanAskAction(AskAction):
    @guarded
    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        send(dispatcher, PlanAsker(tracker.slots, default_bank(), default_plan()).ask(self.slot))
        return []


# The SDK finds actions through Action.__subclasses__(), which holds weak references:
# keep every generated class alive here (see RASA_NOTES.md).
ASK_ACTIONS = [type(f"Ask_{slot}", (AskAction,), {"slot": slot}) for slot in all_form_slots(default_bank())]
ASK_ACTIONS += [type(f"AskPlan_{slot}", (PlanAskAction,), {"slot": slot})
                for slot in all_plan_slots(default_plan(), default_bank())]


class ActionShowBudget(Action):
    def name(self) -> str:
        return "action_show_budget"

    @guarded
    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        bank = default_bank()
        result = ras.score(answers_of(tracker.slots, bank)).to_dict()
        send(dispatcher, budget_replies(result, tracker.slots, bank))
        return [SlotSet("ras_result", result)]


class ActionPlanDone(Action):
    def name(self) -> str:
        return "action_plan_done"

    @guarded
    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        send(dispatcher, plan_done_replies(tracker.slots, tracker.sender_id))
        return []


class FinishedForm(Form):
    """After the budget (no form is active): the commands of the table that apply then. "Go back"
    and "repeat" are ActionRoute's own (they reopen the check, or say the budget again)."""

    name = "finished"
    overrides = {"goodbye": lambda ctx: ctx.say("goodbye")}  # no question to come back to

    @property
    def commands(self) -> List[str]:
        return [c.name for c in default_registry().in_form(self.name)]


FINISHED = FinishedForm()


def _run_finished(dispatcher, tracker: Tracker, parse: Parse, command: str) -> List[EventType]:
    ctx = Context("", parse, dict(tracker.slots), default_bank(), Outcome())
    run_command(ctx, command, FINISHED)
    send(dispatcher, ctx.out.replies)
    return [SlotSet(k, v) for k, v in ctx.out.updates.items()]


class ActionRoute(Action):
    """Every message outside the form: welcome, resume, or what to do once finished.

    A question about a hard word ("what is a personal budget?") is answered from the glossary
    at any of these points, and the conversation carries on where it was."""

    def name(self) -> str:
        return "action_route"

    @guarded
    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = self._route(dispatcher, tracker)
        asked = (tracker.get_slot("pending") or {}).get("slot") == START_AGAIN
        if asked and not any(isinstance(e, dict) and e.get("name") == "pending" for e in events):
            events.append(SlotSet("pending", None))  # a yes later on must not clear the answers
        return events

    def _route(self, dispatcher, tracker: Tracker) -> List[EventType]:
        bank, slots = default_bank(), tracker.slots
        parse = Parse.from_latest_message(tracker.latest_message)
        level = slots.get("reading_level") or "plain"
        voice = "other" if slots.get("answering_for") == "other" else "self"
        term = glossary_term(parse, bare=True)  # no question is waiting here, so "indicative?" is asking
        meaning = [{"text": term.explanation(level)}] if term is not None else []
        if not slots.get("welcomed"):
            total = len(counted_slots(slots, bank))
            send(dispatcher, [{"text": line} for line in say("welcome", total=total)] + meaning)
            events: List[EventType] = [SlotSet("welcomed", True)]
            command = command_of(parse)
            if command in ("for_self", "for_other"):
                events.append(SlotSet("answering_for", "self" if command == "for_self" else "other"))
            return [*events, FollowupAction(FORM)]
        if slots.get(REVIEW) != REVIEW_DONE or slots.get("ras_result") is None:
            send(dispatcher, meaning or [{"text": say_text("welcome_back", level, voice)}])
            return [SlotSet("paused", False), FollowupAction(FORM)]
        if meaning:
            send(dispatcher, meaning)
            if slots.get("plan_started") and slots.get(PLAN_CHECK) != PLAN_DONE:
                return [SlotSet("paused", False), FollowupAction(PLAN_FORM)]
            return []
        command = command_of(parse)
        if command in ("save", "delete_saved"):  # the PIN box, whether or not a plan is under way
            return _run_finished(dispatcher, tracker, parse, command)
        if parse.intent == "start_plan" or (slots.get("plan_started") and slots.get(PLAN_CHECK) != PLAN_DONE
                                            and parse.intent != "restart_assessment"):
            return [SlotSet("plan_started", True), SlotSet("paused", False), FollowupAction(PLAN_FORM)]
        if slots.get(PLAN_CHECK) == PLAN_DONE and parse.intent == "change":
            return [SlotSet(PLAN_CHECK, None), FollowupAction(PLAN_FORM)]
        return self._finished(dispatcher, tracker, parse, level, voice)

    def _finished(self, dispatcher, tracker, parse: Parse, level: str, voice: str) -> List[EventType]:
        command = command_of(parse)
        if (tracker.get_slot("pending") or {}).get("slot") == START_AGAIN:
            return self._start_again_answered(dispatcher, tracker, parse, level, voice)
        if parse.intent == "restart_assessment":
            # Every answer would go at once: say so, and wait for a yes.
            name = tracker.get_slot("person_name") or ""
            count = len(answers_of(tracker.slots, default_bank()))
            dispatcher.utter_message(
                text=say_text("confirm_start_again", level, voice, name=name, count=count),
                buttons=[{"title": say_text("option_start_again_yes", level, voice),
                          "payload": bind("/affirm", START_AGAIN)},
                         {"title": say_text("option_start_again_no", level, voice),
                          "payload": bind("/deny", START_AGAIN)}])
            return [SlotSet("pending", {"slot": START_AGAIN})]
        if parse.intent == "change" or command == "go_back":
            return [SlotSet(REVIEW, None), SlotSet("ras_result", None), FollowupAction(FORM)]
        if command == "repeat":
            send(dispatcher, budget_replies(tracker.get_slot("ras_result"), tracker.slots, default_bank()))
            return []
        if command is not None and command in FINISHED.commands:
            return _run_finished(dispatcher, tracker, parse, command)
        dispatcher.utter_message(text=say_text("finished", level, voice), buttons=finished_buttons(level, voice))
        return []

    def _start_again_answered(self, dispatcher, tracker, parse: Parse, level: str, voice: str) -> List[EventType]:
        named = parse.entities.get("q") if parse.is_payload else None
        answer = yes_or_no(parse) if named in (None, START_AGAIN) else None
        if answer is True:
            dispatcher.utter_message(text=say_text("started_again", level, voice))
            return [AllSlotsReset(), SlotSet("welcomed", True), FollowupAction(FORM)]
        if answer is False:
            dispatcher.utter_message(text=say_text("kept_answers", level, voice),
                                     buttons=finished_buttons(level, voice))
            return [SlotSet("pending", None)]
        # Anything else: nothing is cleared, and the message is read as it would be otherwise.
        slots = {**tracker.slots, "pending": None}
        events = self._finished(dispatcher, Tracker.from_dict({**tracker.current_state(), "slots": slots}),
                                parse, level, voice)
        return [SlotSet("pending", None), *events]

