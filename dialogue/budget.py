"""The indicative budget, said in the person's reading level and voice, from the scorer's result."""

from __future__ import annotations

from typing import Any, Dict, List

from bank import QuestionBank
from dialogue.content import say, say_text
from ras.money import pounds

Reply = Dict[str, Any]


def budget_replies(result: Dict[str, Any], slots: Dict[str, Any], bank: QuestionBank) -> List[Reply]:
    level = slots.get("reading_level") or "plain"
    voice = "other" if slots.get("answering_for") == "other" else "self"
    name = slots.get("person_name") or ""

    def line(key: str, **fields: Any) -> str:
        return say_text(key, level, voice, name=name, **fields)

    first: List[str] = []
    if result.get("status") == "below_floor" or result.get("annual") is None:
        first += [line("budget_below_floor"), line("budget_signpost")]
    else:
        first += [line("budget_amount", annual=pounds(result["annual"]), weekly=pounds(result["weekly"])),
                  line("budget_indicative")]
        if result.get("status") == "above_ceiling":
            first.append(line("budget_above_ceiling"))
        areas = [getattr(bank.area(o["area"]).title, level) for o in result.get("outcomes") or []]
        if areas:
            # Easy read keeps each area on a line of its own, so the sentence stays short.
            outcomes = ", ".join(areas) if level == "plain" else "\n" + "\n".join(areas)
            first.append(line("budget_for", outcomes=outcomes).replace(": \n", ":\n"))
    if result.get("may_be_too_low"):
        first.append(line("budget_unanswered"))
    replies: List[Reply] = [{"text": ("\n" if level == "easy_read" else " ").join(first)}]
    explanation = result.get("explanation")
    if level == "plain" and explanation:
        replies.append({"text": " ".join(explanation) if isinstance(explanation, list) else explanation})
    steps = say("next_steps", level, voice)
    replies.append({"text": "\n".join([line("next_steps_title"), *steps])})
    replies.append({"text": line("finished") + " " + line("plan_offer"), "buttons": finished_buttons(level, voice)})
    replies.append({"custom": {"type": "budget", "reading_level": level, "answering_for": voice, "result": result}})
    return replies


def finished_buttons(level: str, voice: str) -> List[Dict[str, str]]:
    return [
        {"title": say_text("option_start_plan", level, voice), "payload": "/start_plan"},
        {"title": say_text("option_repeat_budget", level, voice), "payload": "/repeat"},
        {"title": say_text("option_change_answer", level, voice), "payload": "/change"},
        {"title": say_text("option_start_again", level, voice), "payload": "/restart_assessment"},
    ]
