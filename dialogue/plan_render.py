"""How Steer asks each support-plan step: words, buttons, and the question payload (as render.py)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

from bank import QuestionBank
from bank.plan import SECTIONS, PlanBank, PlanStep
from dialogue.binding import ask_key, bind
from dialogue.changing import old_answer
from dialogue.content import say_text
from dialogue.flow import SKIPPED, progress_in
from dialogue.money import pounds
from dialogue.plan_flow import PLAN_CHECK, category_label, item_key, need_areas, plan_slots, planned_total, step_of
from dialogue.plan_turn import choices
from dialogue.render import Asker, answer_payload

Reply = Dict[str, Any]


class PlanAsker(Asker):
    def __init__(self, slots: Dict[str, Any], bank: QuestionBank, plan: PlanBank) -> None:
        super().__init__(slots, bank)
        self.plan = plan

    def ask(self, slot: str) -> List[Reply]:
        if self.slots.get("paused"):
            return super().ask(slot)
        if slot == PLAN_CHECK:
            return self.check()
        step, area = step_of(slot, self.plan)
        pending = self.slots.get("pending") or {}
        if pending.get("slot") == slot:
            return self.pending(slot, step, pending["value"])
        return self.step(slot, step, area)

    def progress(self, slot: str) -> Dict[str, int]:
        return progress_in(plan_slots(self.slots, self.plan), slot, self.slots)

    def step(self, slot: str, step: PlanStep, area: str) -> List[Reply]:
        replies: List[Reply] = []
        order = plan_slots(self.slots, self.plan)
        if order and order[0] == slot and not any(self.slots.get(s) is not None for s in order):
            replies.append({"text": getattr(self.plan.intro, self.level)})
        words = getattr(getattr(step.text, self.level), self.voice)
        area_title = getattr(self.bank.area(area).title, self.level) if area else ""
        lines = [words.format(name=self.name, area=area_title)]
        old = old_answer(self.slots, slot)
        if old not in (None, SKIPPED):
            lines.append(self.say("plan_current_answer", answer=self.answer_words(step, old)))
        options = self.options(step)
        if step.kind == "text":
            lines.append(self.say("plan_text_hint"))
        key = ask_key(slot, self.slots)
        options = [(v, label, bind(payload, key)) for v, label, payload in options]
        buttons = [{"title": label, "payload": payload} for _, label, payload in options]
        if step.kind in ("text", "money"):
            buttons.append({"title": self.say("option_skip"), "payload": bind("/skip", key)})
        message: Reply = {"text": "\n".join(lines)}
        if buttons:
            message["buttons"] = buttons
        prog = self.progress(slot)
        return replies + [message, self.payload(slot, step.section, [
            {"value": v, "label": label, "payload": p} for v, label, p in options], prog, text=message["text"])]

    def options(self, step: PlanStep) -> List[tuple]:
        if step.kind == "yes_no":
            return [("yes", self.say("option_yes"), "/affirm"), ("no", self.say("option_no"), "/deny")]
        if step.kind != "choice":
            return []
        return [(v, easy if self.level == "easy_read" else plain, answer_payload(v))
                for v, plain, easy in choices(step, self.slots, self.bank)]

    def answer_words(self, step: PlanStep, value: Any) -> str:
        if isinstance(value, dict):
            per = self.say(f"per_{value.get('per', 'year')}")
            return self.say("amount_per", amount=pounds(value["amount"]), per=per)
        for v, plain, easy in choices(step, self.slots, self.bank) if step.kind == "choice" else []:
            if v == value:
                return easy if self.level == "easy_read" else plain
        return str(value)

    def pending(self, slot: str, step: PlanStep, value: Any) -> List[Reply]:
        if step.kind == "money":
            text, options = self.money_pending(value)
        else:
            text = self.say("readback", text=value)
            options = [("yes", self.say("option_yes"), "/affirm"), ("no", self.say("option_no"), "/deny")]
        return self._choices(slot, step.section, text, options, self.progress(slot))

    def money_pending(self, value: Dict[str, Any]) -> Tuple[str, List[tuple]]:
        """A cost said back before it is recorded, with the working when Steer did sums (dialogue/money.py)."""
        amount = pounds(value["amount"])
        if "rate" in value:  # a price for 1 hour, day, night or time: how many?
            return self.say(f"money_how_many_{value['rate']}", amount=amount, per=self.say(f"per_{value['over']}")), []
        said = pounds(value.get("price", value["amount"]))
        if value.get("count") is not None:
            said = self.say("money_times", count=f"{value['count']:g}", price=said)
        if value.get("said_per"):
            said = self.say("amount_per", amount=said, per=self.say(f"per_{value['said_per']}"))
        worked = "price" in value
        if "per" not in value:
            text = (self.say("money_period_worked", said=said, amount=amount) if worked
                    else self.say("money_period", amount=amount))
            return text, [("week", self.say("option_week"), answer_payload("week")),
                          ("year", self.say("option_year"), answer_payload("year"))]
        total = self.say("amount_per", amount=amount, per=self.say(f"per_{value['per']}"))
        text = (self.say("money_readback_worked", said=said, amount=total) if worked
                else self.say("money_readback", amount=total))
        return text, [("yes", self.say("option_yes"), "/affirm"), ("no", self.say("option_no"), "/deny")]

    def check(self) -> List[Reply]:
        lines = [self.say("plan_check_intro")]
        for slot in plan_slots(self.slots, self.plan):
            step, area = step_of(slot, self.plan)
            value = self.slots.get(slot)
            if step.section == "spending" or value in (None, SKIPPED):
                continue
            title = getattr(getattr(step.text, self.level), self.voice).format(
                name=self.name, area=getattr(self.bank.area(area).title, self.level) if area else "")
            lines.append(f"{title} {self.answer_words(step, value)}")
        items = self.slots.get("plan_items") or []
        for item in items:
            lines.append(self.say("plan_item_line", **self._item_words(item)))
        budget = (self.slots.get("ras_result") or {}).get("annual")
        total = pounds(planned_total(self.slots))
        lines.append(self.say("planned_of_budget", planned=total, budget=pounds(budget)) if budget
                     else self.say("planned_total", planned=total))
        choices_ = [("confirmed", self.say("option_plan_ok"), "/review_ok")]
        for section in SECTIONS:
            if section == "outcomes" and not need_areas(self.slots):
                continue
            choices_.append((section, self.say("option_change_section", section=self.say(f"section_{section}")),
                             "/change" + json.dumps({"section": section}, separators=(",", ":"))))
        for index, item in enumerate(items):
            key = item_key(index, item)
            choices_.append((f"remove_{index}", self.say("option_remove_item", **self._item_words(item)),
                             "/change" + json.dumps({"section": "spending", "item": key}, separators=(",", ":"))))
        return [{"text": "\n".join(lines)}] + self._choices(
            PLAN_CHECK, "plan_check", self.say("plan_check_question"), choices_, self.progress(PLAN_CHECK))

    def _item_words(self, item: Dict[str, Any]) -> Dict[str, str]:
        return {"item": category_label(self.plan, item["category"], self.level),
                "amount": pounds(item["amount"]), "per": self.say(f"per_{item.get('per', 'year')}")}


def plan_done_replies(slots: Dict[str, Any], sender_id: str) -> List[Reply]:
    level = slots.get("reading_level") or "plain"
    voice = "other" if slots.get("answering_for") == "other" else "self"
    name = slots.get("person_name") or ""
    base = f"/api/assessments/{sender_id}"
    return [
        {"text": say_text("plan_done", level, voice, name=name),
         "buttons": [{"title": say_text("option_save_later", level, voice), "payload": "/save"},
                     {"title": say_text("option_change_answer", level, voice), "payload": "/change"}]},
        {"custom": {"type": "summary", "html": f"{base}/summary", "pdf": f"{base}/summary.pdf",
                    "json": f"{base}/export.json", "fhir": f"{base}/fhir"}},
    ]
