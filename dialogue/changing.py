"""Answers being changed: one shape for both forms, `{"slots": {slot: the answer it had}}`.

"Go back", "change" on the check step and a section change in the plan all clear the slots to
ask them again and keep each one's old answer here, so leaving a change undone (skipping it,
or going back past it) puts the old answer back rather than losing it.
"""

from __future__ import annotations

from typing import Any, Dict, Optional


def changing_slots(slots: Dict[str, Any]) -> Dict[str, Any]:
    """Slot -> its answer before the change. Also reads the older one-slot shape {"slot", "old"},
    which conversations saved before this change may still hold."""
    changing = slots.get("changing") or {}
    if not isinstance(changing, dict):
        return {}
    if "slot" in changing:
        return {changing["slot"]: changing.get("old")}
    return dict(changing.get("slots") or {})


def old_answer(slots: Dict[str, Any], slot: str) -> Optional[Any]:
    return changing_slots(slots).get(slot)


def with_change(slots: Dict[str, Any], **olds: Any) -> Optional[Dict[str, Any]]:
    """The `changing` slot's new value with these slots being changed too."""
    return {"slots": {**changing_slots(slots), **olds}}


def without_change(slots: Dict[str, Any], slot: str) -> Optional[Dict[str, Any]]:
    """The `changing` slot's new value once `slot` is answered (None when nothing else is open)."""
    rest = changing_slots(slots)
    rest.pop(slot, None)
    return {"slots": rest} if rest else None
