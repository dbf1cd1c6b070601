"""The one table of commands, for both forms and for after the budget.

What each command is (its words, its forms, what it does when that is simple) is data, in the
registry (data/commands/commands.yml). Here are the handlers named by `does:` there; each
form (dialogue/turn.py, dialogue/plan_turn.py, actions/actions.py once finished) supplies only
what differs: how it explains, which step is before this one, and what a skip records.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from bank.commands import CommandError, Effect, Registry, default_registry
from dialogue.changing import changing_slots, old_answer, with_change, without_change
from dialogue.content import messages, say_text
from dialogue.flow import SKIPPED


class Form:
    """What differs between the forms; the defaults are the assessment's."""

    name = "saq"
    skipped = "skipped"  # the words said after a skip

    def explain(self, ctx) -> None:
        raise NotImplementedError

    def previous(self, ctx) -> Optional[str]:
        """The step before this one, for "go back"; None at the first."""
        raise NotImplementedError

    def can_skip(self, ctx) -> bool:
        return True

    def skip_value(self, ctx) -> Any:
        """What a skip records: a question being changed keeps the answer it had."""
        old = old_answer(ctx.slots, ctx.slot)
        return old if old is not None else SKIPPED

    def accept(self, ctx, value: Any) -> None:
        ctx.set(**{ctx.slot: value}, tries=0.0, pending=None)
        if ctx.slot in changing_slots(ctx.slots):  # only this one's change is done; another's stays open
            ctx.set(changing=without_change(ctx.slots, ctx.slot))

    # Commands this form does its own way (after the budget, "go back" reopens the check).
    overrides: Dict[str, Callable[[Any], None]] = {}


def _repeat(ctx, form: Form) -> None:
    """Nothing to say: the form asks its question again by itself."""


def _explain(ctx, form: Form) -> None:
    form.explain(ctx)


def _go_back(ctx, form: Form) -> None:
    old = old_answer(ctx.slots, ctx.slot)
    if old is not None:  # leaving a change undone keeps its answer
        ctx.set(**{ctx.slot: old}, changing=without_change(ctx.slots, ctx.slot))
    previous = form.previous(ctx)
    if previous is None:
        ctx.say("nothing_to_go_back_to")
        return
    ctx.set(**{previous: None}, changing=with_change(ctx.slots, **{previous: ctx.slots.get(previous)}),
            tries=0.0, pending=None)
    ctx.say("went_back")


def _skip(ctx, form: Form) -> None:
    if not form.can_skip(ctx):
        ctx.say("cannot_skip")
        return
    form.accept(ctx, form.skip_value(ctx))
    ctx.say(form.skipped)


def _help(ctx, form: Form) -> None:
    lines = [getattr(c.help, ctx.level) for c in default_registry().in_form(form.name) if c.help is not None]
    ctx.out.replies.append({"text": " ".join([say_text("help_intro", ctx.level, ctx.voice), *lines])})


HANDLERS: Dict[str, Callable[[Any, Form], None]] = {
    "repeat": _repeat, "explain": _explain, "go_back": _go_back, "skip": _skip, "help": _help,
}


def _effect(ctx, effect: Effect) -> None:
    if effect.set:
        ctx.set(**effect.set)
    if effect.say:
        ctx.say(effect.say)
    if effect.show:
        ctx.out.replies.append({"custom": {"type": effect.show}})


def run_command(ctx, command: str, form: Form) -> bool:
    """Do `command` in `form`; False when it does not apply there (the form says so its own way)."""
    found = default_registry().get(command)
    if found is None or form.name not in found.forms:
        return False
    if command in form.overrides:
        form.overrides[command](ctx)
    elif isinstance(found.does, Effect):
        _effect(ctx, found.does)
    else:
        HANDLERS[found.does](ctx, form)
    return True


def check_registry(registry: Optional[Registry] = None) -> None:
    """Every `does:` names a handler here and every word it says exists: checked once, at import."""
    registry, words = registry or default_registry(), messages()
    for command in registry.of_kind("command"):
        where = f"data/commands/commands.yml: command '{command.name}', field 'does'"
        if command.does is None or (isinstance(command.does, str) and command.does not in HANDLERS):
            raise CommandError(f"{where}: must name one of {', '.join(sorted(HANDLERS))}, or say what it sets and says")
        if isinstance(command.does, Effect) and command.does.say and command.does.say not in words:
            raise CommandError(f"{where}: says '{command.does.say}', which no words file has")


check_registry()
