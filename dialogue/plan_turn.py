"""One user turn inside the support-plan form: slot changes and replies, no Rasa (like turn.py).

Free-text answers are read back before they are recorded; money is an amount and "a week" or
"a year"; nothing already answered is lost by a command or a bad answer.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from bank import QuestionBank
from bank.plan import SECTIONS, PlanBank, PlanStep
from dialogue.binding import stale_for
from dialogue.changing import old_answer, with_change
from dialogue.commands import Form, run_command
from dialogue.content import say_text
from dialogue.flow import SKIPPED
from dialogue.money import MAX_YEARLY, completed, count_of, counted, period_of, pounds, recorded, too_much
from dialogue.money import read as read_money
from dialogue.plan_flow import (
    PLAN_CHECK,
    PLAN_DONE,
    SPENDING,
    category_label,
    need_areas,
    plan_slots,
    planned_total,
    previous_plan_slot,
    step_of,
    without_item,
)
from dialogue.turn import Context, Outcome, is_positional
from dialogue.understand import (
    Parse,
    command_in_own_words,
    command_of,
    normalise,
    number_of,
    term_to_explain,
    yes_or_no,
)

MAX_TEXT = 600


def handle_plan(slot: str, parse: Parse, slots: Dict[str, Any], bank: QuestionBank, plan: PlanBank) -> Outcome:
    ctx = Context(slot, parse, {**slots, slot: None}, bank, Outcome(), plan)
    ctx.set(**{slot: None})
    if ctx.slots.get("paused"):
        ctx.set(paused=False)
    step, _area = step_of(slot, plan)
    free_text = step is not None and step.kind in ("text", "money")  # words, not the classifier's guess of a command
    command = command_in_own_words(parse.text) if free_text and not parse.is_payload else command_of(parse)
    if stale_for(parse, slot, ctx.slots, is_positional(parse, command)) is not None:
        ctx.say("stale_button")  # meant for another question (a double tap, an old button): use nothing
        return ctx.out
    if _pending(ctx, step):
        return ctx.out
    if command is None and step is not None and _asks_about_an_option(parse, step):
        command = "explain"
    if command:
        if not run_command(ctx, command, PLAN):
            ctx.say("not_understood")  # a command of the assessment only ("I'm answering for my mum")
    elif slot == PLAN_CHECK:
        _check(ctx, plan)
    elif step.kind == "text":
        _text(ctx, parse)
    elif step.kind == "money":
        _money(ctx, parse)
    elif step.kind == "yes_no":
        _yes_no(ctx, parse)
    else:
        _choice(ctx, parse, step)
    return ctx.out


class PlanForm(Form):
    """The support plan's part of the command table (dialogue/commands.py)."""

    name = "plan"
    skipped = "skipped_plan"

    def explain(self, ctx: Context) -> None:
        ctx.out.replies.append({"text": _explanation(ctx, step_of(ctx.slot, ctx.plan)[0])})

    def previous(self, ctx: Context) -> Optional[str]:
        return previous_plan_slot(ctx.slot, ctx.slots, ctx.plan)

    def can_skip(self, ctx: Context) -> bool:
        return ctx.slot != PLAN_CHECK

    def skip_value(self, ctx: Context) -> Any:
        old = old_answer(ctx.slots, ctx.slot)
        if old is None and ctx.slot == "plan_spend_category":  # nothing to spend on: the rest of the item goes
            ctx.set(**{s: SKIPPED for s in SPENDING[:-1]}, plan_spend_more="no")
        return old if old is not None else ("no" if ctx.slot == "plan_spend_more" else SKIPPED)

    def accept(self, ctx: Context, value: Any) -> None:
        super().accept(ctx, value)
        if ctx.slot == "plan_spend_more":
            _item_done(ctx, more=value == "yes")


PLAN = PlanForm()


def _accept(ctx: Context, value: Any) -> None:
    PLAN.accept(ctx, value)


def _pending(ctx: Context, step: Optional[PlanStep]) -> bool:
    """Yes/no to a read-back ("You said: ... Is that right?") or the week/year of an amount."""
    pending = ctx.slots.get("pending")
    if not pending or pending.get("slot") != ctx.slot:
        return False
    if step is not None and step.kind == "money":
        return _money_pending(ctx, pending["value"])
    answer = yes_or_no(ctx.parse)
    if answer is None:
        return False  # new words: read them as a fresh answer
    ctx.set(pending=None)
    if answer:
        _accept(ctx, pending["value"])
    else:
        ctx.say("readback_denied")
    return True


def _text(ctx: Context, parse: Parse) -> None:
    words = " ".join(parse.text.split())[:MAX_TEXT]
    if parse.is_payload or not re.search(r"\w", words):  # a stray button is not an answer in words
        ctx.say("text_empty")
        return
    ctx.set(pending={"slot": ctx.slot, "value": words})


def _money_pending(ctx: Context, value: Dict[str, Any]) -> bool:
    """A cost being read back or completed: a yes records it, a new amount replaces it, and "a week"
    (or "3" to "how many hours?") completes it. False: the words are not about it (a command)."""
    parse = ctx.parse
    said = "" if parse.is_payload else parse.text
    reading = read_money(said)
    answer = yes_or_no(parse)
    if "rate" in value:  # "About how many hours a week?"
        found = None if reading.marked else count_of(said, value["rate"])
        if found is not None:
            _propose(ctx, counted(value, *found))
            return True
    else:
        button = None if reading.marked else number_of(said)
        if button in (1, 2):  # the first or second button here, not £1 or £2
            reading, answer = read_money(""), button == 1 if answer is None else answer
        if "per" in value:  # "You said £80 a week. Is that right?"
            same = reading.status == "ok" and reading.amount == value["amount"] and reading.per in (None, value["per"])
            # Saying the same cost again, period and all, is a yes too (a double tap, or "£40 a week!").
            if (answer is True and (reading.status == "none" or same)) or (same and reading.per == value["per"]):
                _accept(ctx, recorded(value))
                return True
        else:  # "Is that £40 a week or a year?"
            per = period_of(parse) if reading.status == "none" else None
            if per is not None:
                done = completed(value, per)
                if "per" in done and "price" not in done and not too_much(done):
                    _accept(ctx, recorded(done))  # the question named the amount: choosing its period is the yes
                else:
                    _propose(ctx, done)
                return True
    if reading.status != "none":
        _money(ctx, parse)  # a new amount ("no, £60 a week", "actually 60") replaces the one asked about
        return True
    if answer is False:
        ctx.set(pending=None)
        ctx.say("confirm_denied")
        return True
    return False


def _money(ctx: Context, parse: Parse) -> None:
    reading = read_money("" if parse.is_payload else parse.text)
    pending = ctx.slots.get("pending") or {}
    if reading.status == "none":
        if pending.get("slot") == ctx.slot:  # still waiting for a yes, a period or a number: say which, keep it
            value = pending["value"]
            ctx.say("money_count_again" if "rate" in value else "money_yes_or_no" if "per" in value
                    else "money_period_again")
        else:
            ctx.say("money_again")
        return
    ctx.set(pending=None)
    if reading.status in ("ok", "rate"):
        _propose(ctx, reading.value())
    elif reading.status == "several":  # never one of them silently: the person says which
        heard = list(reading.heard[:4])
        ctx.say("money_several", amounts=" and ".join([", ".join(heard[:-1]), heard[-1]]))
    elif reading.status == "too_much":
        ctx.say("money_too_much", amount=_cost_words(ctx, reading.amount, reading.per), cap=pounds(MAX_YEARLY))
    else:
        ctx.say(f"money_{reading.status}")  # zero, negative


def _propose(ctx: Context, value: Dict[str, Any]) -> None:
    """Keep a cost to read back (or to ask its period, or how many) before it is recorded."""
    if "rate" not in value and too_much(value):
        ctx.set(pending=None)
        ctx.say("money_too_much", amount=_cost_words(ctx, value["amount"], value.get("per")), cap=pounds(MAX_YEARLY))
        return
    ctx.set(pending={"slot": ctx.slot, "value": value})


def _cost_words(ctx: Context, amount: float, per: Optional[str]) -> str:
    return words(ctx, "amount_per", amount=pounds(amount), per=words(ctx, f"per_{per}")) if per else pounds(amount)


def _yes_no(ctx: Context, parse: Parse) -> None:
    answer = yes_or_no(parse)
    if answer is None and parse.intent == "answer":
        answer = {"yes": True, "no": False}.get(parse.entities.get("value"))
    if answer is None:
        ctx.say("setup_again")
    else:
        _accept(ctx, "yes" if answer else "no")


def choices(step: PlanStep, slots: Dict[str, Any], bank: QuestionBank) -> list:
    """(value, plain label, easy label) for a choice step; the goal step lists the areas with need."""
    out = [(o.value, o.label.plain, o.label.easy_read) for o in step.options]
    if step.area_options:
        areas = [(a, bank.area(a).title.plain, bank.area(a).title.easy_read) for a in need_areas(slots)]
        out = areas + out
    return out


def _choice(ctx: Context, parse: Parse, step: PlanStep) -> None:
    options = choices(step, ctx.slots, ctx.bank)
    value = parse.entities.get("value") if parse.intent == "answer" else None
    if value is None and not parse.is_payload:
        number = number_of(parse.text)
        if number and 1 <= number <= len(options):
            value = options[number - 1][0]
        else:
            said = normalise(parse.text)
            value = next((v for v, plain, easy in options if said in (normalise(plain), normalise(easy))), None)
    if value in [o[0] for o in options]:
        _accept(ctx, value)
    else:
        ctx.say("not_understood")


def _item_done(ctx: Context, more: bool) -> None:
    """A spending item is complete: move it into plan_items and say the running total."""
    slots = ctx.slots
    cost = slots.get("plan_spend_amount")
    cost = cost if isinstance(cost, dict) else {}  # a skipped amount holds SKIPPED, not an amount
    if slots.get("plan_spend_category") not in (None, SKIPPED) and not cost.get("amount"):
        ctx.say("item_not_added", item=category_label(ctx.plan, slots["plan_spend_category"], ctx.level))
    elif slots.get("plan_spend_category") not in (None, SKIPPED):
        item = {"category": slots["plan_spend_category"], "amount": cost["amount"], "per": cost.get("per", "year"),
                "reason": slots.get("plan_spend_reason") if slots.get("plan_spend_reason") != SKIPPED else "",
                "outcome_area": slots.get("plan_spend_outcome") if slots.get("plan_spend_outcome") not in
                (None, SKIPPED, "none") else None}
        ctx.set(plan_items=[*(slots.get("plan_items") or []), item])
    if more:
        ctx.set(**{s: None for s in SPENDING})
    _say_total(ctx)


def _say_total(ctx: Context) -> None:
    budget = (ctx.slots.get("ras_result") or {}).get("annual")
    planned = pounds(planned_total(ctx.slots))
    if budget:
        ctx.say("planned_of_budget", planned=planned, budget=pounds(budget))
    else:
        ctx.say("planned_total", planned=planned)


def words(ctx: Context, key: str, **fields: Any) -> str:
    return say_text(key, ctx.level, ctx.voice, name=ctx.slots.get("person_name") or "", **fields)


def save_replies(ctx: Context) -> list:
    """The page shows a PIN box for this payload; the PIN goes to the front door, never to Rasa."""
    return [{"text": words(ctx, "save_for_later")}, {"custom": {"type": "save_for_later"}}]


_QUESTION = re.compile(r"^(?:what|whats|tell me|explain|how does|how do|is it|which is)\b")


def _asks_about_an_option(parse: Parse, step: PlanStep) -> bool:
    """'what is a direct payment?' on the money question: explain that option, don't pick it."""
    said = normalise(parse.text)
    return bool(_QUESTION.match(said)) and any(
        o.explain and normalise(o.label.plain) in said for o in step.options)


def _explanation(ctx: Context, step: Optional[PlanStep]) -> str:
    said = normalise(ctx.parse.text)
    for option in step.options if step is not None else []:  # "what is a direct payment?" on this question
        if option.explain and any(normalise(x) in said for x in (option.label.plain, option.label.easy_read)):
            return getattr(option.explain, ctx.level)
    term = term_to_explain(ctx.parse)
    if term is not None:  # any other hard word, from the glossary
        return term.explanation(ctx.level)
    if step is None:
        return words(ctx, "plan_check_question")
    text = getattr(step.explain, ctx.level)
    if step.id == "plan_management":
        text += "\n" + "\n".join(f"{getattr(o.label, ctx.level)}: {getattr(o.explain, ctx.level)}"
                                 for o in step.options if o.explain)
    return text


def _check(ctx: Context, plan: PlanBank) -> None:
    parse = ctx.parse
    section = parse.entities.get("section") if parse.intent == "change" else None
    if section in SECTIONS:
        order = [s for s in plan_slots(ctx.slots, plan) if step_of(s, plan)[0].section == section]
        if section == "spending" and parse.entities.get("item") is not None:
            _remove_item(ctx, parse.entities["item"], plan)
            return
        if section == "spending":
            ctx.set(**{s: None for s in SPENDING})  # add more things; what is planned stays
            return
        ctx.set(**{s: None for s in order}, changing=with_change(ctx.slots, **{s: ctx.slots.get(s) for s in order}))
        return
    if parse.intent == "review_ok" or yes_or_no(parse) is True:
        ctx.set(**{PLAN_CHECK: PLAN_DONE})
    else:
        ctx.say("plan_check_again")


def _remove_item(ctx: Context, key: Any, plan: PlanBank) -> None:
    """"Remove" on the check step: that one item goes, the rest stay, and the new total is said."""
    found = without_item(list(ctx.slots.get("plan_items") or []), key)
    if found is None:  # a button from an older list: remove nothing rather than the wrong thing
        ctx.say("item_not_there")
        return
    items, removed = found
    ctx.set(plan_items=items)
    ctx.say("item_removed", item=category_label(plan, removed["category"], ctx.level))
    _say_total(ctx)
