"""How Steer asks for the next slot: the words, the buttons and the machine-readable payload.

Every message that asks something carries {"type": "question", ...} (DESIGN.md) so the web
page can draw buttons and the voice layer can build its grammar from the same options. Its
"terms" list the glossary's hard words in the question and its options, each with its
explanation at the person's reading level, so the page can make them tappable.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from bank import Question, QuestionBank
from dialogue.binding import ask_key, bind
from dialogue.changing import old_answer
from dialogue.content import say_text
from dialogue.flow import REVIEW, SKIPPED, progress, question_slots
from easy_read.glossary import default_glossary

Reply = Dict[str, Any]


def answer_payload(value: str) -> str:
    return "/answer" + json.dumps({"value": value}, separators=(",", ":"))


def _payload(intent: str, **entities: str) -> str:
    return f"/{intent}" + (json.dumps(entities, separators=(",", ":")) if entities else "")


def terms_payload(texts: List[str], level: str) -> List[Dict[str, Any]]:
    """[{"id", "term", "found", "explanation", "payload"}] for each glossary term in the texts:
    "found" is the words as written there (to mark them), "payload" the message that asks."""
    glossary = default_glossary()
    out: Dict[str, Dict[str, Any]] = {}
    for text in texts:
        for found in glossary.find(text or ""):
            entry = out.setdefault(found.term.id, {
                "id": found.term.id, "term": found.term.term, "found": [],
                "explanation": found.term.explanation(level), "payload": found.term.payload()})
            if found.text not in entry["found"]:
                entry["found"].append(found.text)
    return list(out.values())


class Asker:
    def __init__(self, slots: Dict[str, Any], bank: QuestionBank) -> None:
        self.slots, self.bank = slots, bank
        self.level = slots.get("reading_level") or "plain"
        self.voice = "other" if slots.get("answering_for") == "other" else "self"
        self.name = slots.get("person_name") or ""

    def say(self, key: str, **fields: Any) -> str:
        return say_text(key, self.level, self.voice, name=self.name, **fields)

    def payload(self, qid: str, section: str, options: List[Dict[str, str]], prog: Optional[dict] = None,
                text: str = "") -> Reply:
        return {"custom": {
            "type": "question", "id": qid, "ask": ask_key(qid, self.slots), "section": section,
            "reading_level": self.level, "answering_for": self.voice,
            "options": options,
            "progress": {"done": prog["done"], "total": prog["total"]} if prog else None,
            "terms": terms_payload([text, *(o["label"] for o in options)], self.level),
        }}

    def ask(self, slot: str) -> List[Reply]:
        if self.slots.get("paused"):
            resume = {"title": self.say("option_resume"), "payload": "/resume"}
            return [{"text": self.say("paused"), "buttons": [resume]}]
        pending = self.slots.get("pending") or {}
        if pending.get("slot") == slot:
            return self.confirm(slot, pending["value"])
        question = self.bank.question(slot)
        if question is not None:
            return self.question(question)
        if slot == REVIEW:
            return self.review()
        return self.setup(slot)

    def _choices(self, slot: str, section: str, text: str, choices: List[tuple], prog=None) -> List[Reply]:
        key = ask_key(slot, self.slots)  # every button names its question (dialogue/binding.py)
        options = [{"value": v, "label": label, "payload": bind(p, key)} for v, label, p in choices]
        buttons = [{"title": o["label"], "payload": o["payload"]} for o in options]
        message: Reply = {"text": text}
        if buttons:
            message["buttons"] = buttons
        return [message, self.payload(slot, section, options, prog, text=text)]

    def setup(self, slot: str) -> List[Reply]:
        if slot == "answering_for":
            return self._choices(slot, "setup", self.say("ask_answering_for"), [
                ("self", self.say("option_for_self"), "/for_self"),
                ("other", self.say("option_for_other"), "/for_other"),
            ])
        if slot == "reading_level":
            return self._choices(slot, "setup", self.say("ask_reading_level"), [
                ("plain", self.say("option_plain"), "/choose_plain"),
                ("easy_read", self.say("option_easy_read"), "/choose_easy_read"),
            ])
        # person_name, relationship: free text, no options
        return self._choices(slot, "setup", self.say(f"ask_{slot}"), [])

    def question_text(self, question: Question) -> str:
        words = getattr(getattr(question.text, self.level), self.voice)
        return words.format(name=self.name)

    def label(self, question: Question, value: Any) -> str:
        option = question.option(value) if isinstance(value, str) else None
        return getattr(option.label, self.level) if option else self.say("review_skipped")

    def question(self, question: Question) -> List[Reply]:
        replies: List[Reply] = []
        area_id = self.bank.area_of[question.id]
        in_area = [q for q in question_slots(self.slots, self.bank) if self.bank.area_of[q] == area_id]
        if in_area and in_area[0] == question.id and all(self.slots.get(q) is None for q in in_area):
            area = self.bank.area(area_id)
            replies.append({"text": self.say(
                "area_start", area=getattr(area.title, self.level), intro=getattr(area.intro, self.level))})
        prog = progress(question.id, self.slots, self.bank)
        lines = [self.say("progress", n=prog["number"], total=prog["total"]), self.question_text(question)]
        old = old_answer(self.slots, question.id)
        if old not in (None, SKIPPED):
            lines.append(self.say("current_answer", label=self.label(question, old)))
        lines.append(self.say("answer_hint"))
        choices = [(o.value, getattr(o.label, self.level), answer_payload(o.value)) for o in question.options]
        replies += self._choices(question.id, area_id, "\n".join(lines), choices, prog)
        if float(self.slots.get("tries") or 0) >= 2:
            replies[-2].setdefault("buttons", []).extend([
                {"title": self.say("option_explain"), "payload": "/explain"},
                {"title": self.say("option_skip"), "payload": bind("/skip", question.id)},
            ])
        return replies

    def confirm(self, slot: str, value: str) -> List[Reply]:
        question = self.bank.question(slot)
        text = self.say("confirm", label=self.label(question, value))
        return self._choices(slot, self.bank.area_of[slot], text, [
            ("yes", self.say("option_yes"), "/affirm"),
            ("no", self.say("option_no"), "/deny"),
        ], progress(slot, self.slots, self.bank))

    def review(self) -> List[Reply]:
        order = question_slots(self.slots, self.bank)
        area_id = self.slots.get("review_area")
        if area_id:
            area = self.bank.area(area_id)
            choices = [
                (q, self.say("option_change_question", n=order.index(q) + 1,
                             title=getattr(self.bank.question(q).title, self.level)), _payload("change", question=q))
                for q in order if self.bank.area_of[q] == area_id
            ]
            choices.append(("back", self.say("option_back_to_check"), "/change"))
            return self._choices(REVIEW, "review", self.say(
                "review_choose_question", area=getattr(area.title, self.level)), choices)
        replies: List[Reply] = [{"text": self.say("review_intro")}]
        for area in self.bank.areas:
            lines = [getattr(area.title, self.level) + ":"]
            for q in order:
                if self.bank.area_of[q] == area.id:
                    question = self.bank.question(q)
                    lines.append(self.say("review_line", n=order.index(q) + 1,
                                          title=getattr(question.title, self.level),
                                          answer=self.label(question, self.slots.get(q))))
            replies.append({"text": "\n".join(lines)})
        choices = [("confirmed", self.say("option_review_ok"), "/review_ok")]
        choices += [(a.id, self.say("option_change_area", area=getattr(a.title, self.level)),
                     _payload("change", area=a.id)) for a in self.bank.areas]
        prog = progress(REVIEW, self.slots, self.bank)
        return replies + self._choices(REVIEW, "review", self.say("review_question"), choices, prog)
