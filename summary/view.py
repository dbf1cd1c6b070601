"""What the summary says, as data for the templates: every sentence chosen here, none in the HTML.

The assessment (bot.assessment.assessment_from_slots) and the draft plan (dialogue.plan_flow.
plan_from_slots) come in as plain data and may be partial; anything missing is said kindly as
"Not answered", never as an error. Nothing here escapes text: the templates autoescape all of it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Dict, List, Mapping, Optional

from bank import QuestionBank
from bank.plan import ABOUT_KEYS, CHANGES_KEYS, SAFETY_KEYS, PlanBank, default_plan
from dialogue.content import say
from ras.money import WEEKS_IN_A_YEAR, pounds
from summary.symbols import symbol_uri
from summary.words import Words

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9£])")

Block = Dict[str, Any]


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _iso_date(text: Any) -> str:
    try:
        return long_date(date.fromisoformat(str(text)))
    except ValueError:
        return str(text)


def _text(value: Any) -> Optional[str]:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value >= 0 else None


class Summary:
    """Builds the template's data for one assessment and plan, in one reading level and voice."""

    def __init__(self, assessment: Mapping[str, Any], plan: Optional[Mapping[str, Any]], bank: QuestionBank,
                 today: date, plan_bank: Optional[PlanBank] = None) -> None:
        self.assessment = assessment or {}
        self.plan = plan if isinstance(plan, Mapping) else None
        self.bank = bank
        self.plan_bank = plan_bank
        self.today = today
        self.level = "easy_read" if self.assessment.get("reading_level") == "easy_read" else "plain"
        self.voice = "other" if self.assessment.get("answering_for") == "other" else "self"
        self.words = Words(self.level, self.voice, "")
        self.name = _text(self.assessment.get("person_name")) or self.words("someone")
        self.words.name = self.name
        ras = self.assessment.get("ras")
        self.ras: Optional[Mapping[str, Any]] = ras if isinstance(ras, Mapping) else None

    # -- words -------------------------------------------------------------------------------

    def w(self, key: str, **fields: Any) -> str:
        return self.words(key, **fields)

    def lines(self, key: str, **fields: Any) -> List[str]:
        return self.words.lines(key, **fields)

    def chat_lines(self, key: str, **fields: Any) -> List[str]:
        """Words the chat also says (data/content/), one sentence a line in easy read."""
        said = say(key, self.level, self.voice, name=self.name, **fields)
        said = said if isinstance(said, list) else [said]
        if self.level != "easy_read":
            return said
        return [part for line in said for part in SENTENCE_END.split(line)]

    def picture(self, symbol_id: str) -> Optional[Dict[str, str]]:
        src = symbol_uri(symbol_id)
        if src is None:
            return None
        area = next((a for a in self.bank.areas if a.id == symbol_id), None)
        alt = getattr(area.title, self.level) if area else self.w(f"symbol_{symbol_id}")
        return {"src": src, "alt": alt}

    def area_title(self, area_id: Any) -> Optional[str]:
        area = next((a for a in self.bank.areas if a.id == area_id), None)
        return getattr(area.title, self.level) if area else None

    def block(self, symbol_id: str, lines: List[str], heading: Optional[str] = None, **extra: Any) -> Block:
        return {"picture": self.picture(symbol_id), "heading": heading, "lines": lines, "figure": None, **extra}

    # -- the whole summary -------------------------------------------------------------------

    def build(self) -> Dict[str, Any]:
        made_on = long_date(self.today)
        return {
            "level": self.level,
            "voice": self.voice,
            "title": self.w("page_title"),
            "made_on": self.w("made_on", date=made_on),
            "intro": self.block("plan", self.lines("intro")),
            "controls": {"print": self.w("print_button"), "hint": self.w("print_hint"), "pdf": self.w("pdf_link")},
            "icons": {"who": self.picture("people"), "answers": self.picture("plan"), "budget": self.picture("money"),
                      "plan": self.picture("plan"), "next": self.picture("next-steps")},
            "who": {"heading": self.w("heading_who"), "blocks": [self.block("people", self.who())]},
            "answers": self.answers(),
            "budget": self.budget(),
            "plan": self.plan_section(),
            "next": self.next_steps(),
            "footer": self.lines("made_by", date=made_on),
        }

    def who(self) -> List[str]:
        if self.voice == "self":
            return self.lines("who_self")
        said = self.lines("who_other")
        relationship = _text(self.assessment.get("relationship"))
        if relationship:
            said += self.lines("who_relationship", relationship=relationship)
        return said

    # -- answers by area ---------------------------------------------------------------------

    def answers(self) -> Dict[str, Any]:
        given = self.assessment.get("answers") if isinstance(self.assessment.get("answers"), Mapping) else {}
        not_answered = self.w("not_answered")
        areas, missing = [], 0
        for area in self.bank.areas:
            rows = []
            for q in self.bank.in_area(area.id):
                if not self.bank.applies(q, given):
                    continue
                option = q.option(given.get(q.id)) if isinstance(given.get(q.id), str) else None
                missing += option is None
                rows.append({"question": getattr(q.title, self.level),
                             "answer": getattr(option.label, self.level) if option else not_answered,
                             "answered": option is not None})
            if rows:
                areas.append({"id": area.id, "title": getattr(area.title, self.level),
                              "picture": self.picture(area.id), "rows": rows})
        progress = self.assessment.get("progress") if isinstance(self.assessment.get("progress"), Mapping) else {}
        notes = []
        if isinstance(progress.get("done"), int) and isinstance(progress.get("total"), int) and progress["total"]:
            notes += self.lines("answers_progress", done=progress["done"], total=progress["total"])
        if missing:
            notes += self.lines("answers_later")
        return {"heading": self.w("heading_answers"), "notes": notes, "areas": areas,
                "columns": {"question": self.w("column_question"), "answer": self.w("column_answer")}}

    # -- the indicative budget ---------------------------------------------------------------

    def budget(self) -> Dict[str, Any]:
        section: Dict[str, Any] = {"heading": self.w("heading_budget"), "blocks": [], "figure": None}
        ras = self.ras
        if ras is None:
            section["blocks"].append(self.block("money", self.lines("budget_not_yet")))
            return section
        blocks = section["blocks"]
        annual, weekly = _number(ras.get("annual")), _number(ras.get("weekly"))
        if ras.get("status") == "below_floor" or annual is None:
            blocks.append(self.block("money", self.chat_lines("budget_below_floor")))
            blocks.append(self.block("council", self.chat_lines("budget_signpost")))
        else:
            weekly = weekly if weekly is not None else annual / WEEKS_IN_A_YEAR
            section["figure"] = {"year": self.w("a_year", amount=pounds(annual)),
                                 "week": self.w("a_week", amount=pounds(weekly))}
            blocks.append(self.block("money", self.chat_lines("budget_amount", annual=pounds(annual),
                                                              weekly=pounds(weekly)), figure=section["figure"]))
            honest = self.chat_lines("budget_indicative")
            if ras.get("status") == "above_ceiling":
                honest += self.chat_lines("budget_above_ceiling")
            blocks.append(self.block("council", honest))
            areas = [t for t in (self.area_title(o.get("area")) for o in ras.get("outcomes") or []
                                 if isinstance(o, Mapping)) if t]
            if areas:
                blocks.append(self.block("plan", self.chat_lines("budget_for", outcomes=", ".join(areas))))
        explanation = self.explanation(ras)
        # The scorer's plain explanation already says an unanswered question may keep the amount low.
        if ras.get("may_be_too_low") and not (self.level == "plain" and explanation):
            blocks.append(self.block("council", self.chat_lines("budget_unanswered")))
        if explanation:
            blocks.append(self.block("money", explanation, heading=self.w("heading_how_worked_out")))
        table = ras.get("table") if isinstance(ras.get("table"), Mapping) else None
        if table and _text(table.get("label")):
            blocks.append(self.block("council", self.lines(
                "table_used", label=table["label"], version=table.get("version") or "",
                date=_iso_date(table.get("effective_date") or ""))))
        return section

    def explanation(self, ras: Mapping[str, Any]) -> List[str]:
        if self.level == "plain":
            said = ras.get("explanation") or []
            return [said] if isinstance(said, str) else [s for s in said if isinstance(s, str)]
        total = _number(ras.get("points_total"))
        if total is None:
            return []
        said = self.lines("easy_points")
        reduction = _number(ras.get("unpaid_support_reduction")) or 0
        before = _number(ras.get("points_before_unpaid_support"))
        said += self.lines("easy_points_total", points=self.points(before if reduction and before else total))
        if reduction:
            said += self.lines("easy_points_reduced", reduction=self.points(reduction))
        if ras.get("annual") is not None:
            said += self.lines("easy_points_money")
        return said

    def points(self, n: float) -> str:
        return self.w("point_one") if n == 1 else self.w("point_many", n=f"{n:g}")

    # -- the draft support plan --------------------------------------------------------------

    def plan_section(self) -> Dict[str, Any]:
        section: Dict[str, Any] = {"heading": self.w("heading_plan"), "draft": self.w("draft_mark"),
                                   "started": self.plan is not None}
        if self.plan is None:
            section["blocks"] = [self.block("plan", self.lines("no_plan"))]
            return section
        plan = self.plan
        section["blocks"] = [self.block("plan", self.lines("draft_note"))]
        section["parts"] = [
            self.about(plan.get("about")),
            self.outcomes(plan.get("outcomes")),
            self.spending(plan.get("spending")),
            self.management(plan.get("management")),
            self.planning_help(plan.get("planning_help")),
            self.pairs("heading_safety", "safety", plan.get("safety"), SAFETY_KEYS, "safety_"),
            self.pairs("heading_changes", "changes", plan.get("changes"), CHANGES_KEYS, "changes_"),
        ]
        return section

    def _plan_bank(self) -> Optional[PlanBank]:
        if self.plan_bank is None:
            self.plan_bank = default_plan()
        return self.plan_bank

    def option_label(self, step_id: str, value: Any, explain: bool = False) -> Optional[str]:
        """A plan option's words from data/plan/plan.yml, or its value in words if the plan file lacks it."""
        if not _text(value):
            return None
        step = self._plan_bank().step(step_id)
        option = step.option(value) if step else None
        if option is None:
            return None if explain else str(value).replace("_", " ").capitalize()
        if explain:
            return getattr(option.explain, self.level) if option.explain else None
        return getattr(option.label, self.level)

    def pairs(self, heading: str, symbol: str, given: Any, keys: tuple, prefix: str) -> Dict[str, Any]:
        given = given if isinstance(given, Mapping) else {}
        items = [{"label": self.w(prefix + key), "text": _text(given.get(key)) or self.w("not_answered_yet"),
                  "answered": bool(_text(given.get(key)))} for key in keys]
        return {"kind": "pairs", "heading": self.w(heading), "picture": self.picture(symbol), "pairs": items}

    def about(self, given: Any) -> Dict[str, Any]:
        return self.pairs("heading_about", "people", given, ABOUT_KEYS, "about_")

    def outcomes(self, given: Any) -> Dict[str, Any]:
        goals = []
        for goal in given if isinstance(given, list) else []:
            if not isinstance(goal, Mapping) or not (_text(goal.get("want")) or _text(goal.get("why"))):
                continue
            area = self.area_title(goal.get("area"))
            goals.append({"title": area, "picture": self.picture(str(goal.get("area"))) if area else None,
                          "pairs": [{"label": self.w("outcome_want"),
                                     "text": _text(goal.get("want")) or self.w("not_answered_yet"),
                                     "answered": bool(_text(goal.get("want")))},
                                    {"label": self.w("outcome_why"),
                                     "text": _text(goal.get("why")) or self.w("not_answered_yet"),
                                     "answered": bool(_text(goal.get("why")))}]})
        return {"kind": "goals", "heading": self.w("heading_outcomes"), "picture": self.picture("plan"), "goals": goals,
                "empty": None if goals else self.w("no_outcomes")}

    def spending(self, given: Any) -> Dict[str, Any]:
        rows, running = [], 0.0
        for item in given if isinstance(given, list) else []:
            if not isinstance(item, Mapping):
                continue
            amount = _number(item.get("amount"))
            per = "week" if item.get("per") == "week" else "year"
            yearly = None if amount is None else amount * (WEEKS_IN_A_YEAR if per == "week" else 1)
            running += yearly or 0
            lines = []
            if amount is not None:
                lines.append(self.w(f"a_{per}", amount=pounds(amount)))
                if per == "week":
                    lines += self.lines("spend_weekly_as_yearly", yearly=pounds(yearly))
            reason = _text(item.get("reason"))
            goal = self.area_title(item.get("outcome_area"))
            missing = self.w("not_answered_yet")
            rows.append({
                "item": self.option_label("plan_spend_category", item.get("category")) or missing,
                "amount": self.w(f"a_{per}", amount=pounds(amount)) if amount is not None else missing,
                "yearly": pounds(yearly) if yearly is not None else "",
                "running": pounds(running),
                "money_lines": lines,
                "reason": self.w("spend_reason", reason=reason) if reason else None,
                "goal": self.w("spend_goal", area=goal) if goal else None,
            })
        budget = _number(self.ras.get("annual")) if self.ras else None
        if budget is not None:
            total = self.lines("planned_of_budget", planned=pounds(running), budget=pounds(budget))
            if running > budget:
                total += self.lines("over_budget", over=pounds(running - budget))
            elif running < budget:
                total += self.lines("left_to_plan", left=pounds(budget - running))
        else:
            total = self.lines("planned_no_budget", planned=pounds(running))
        return {"kind": "spending", "heading": self.w("heading_spending"), "picture": self.picture("money"),
                "rows": rows, "empty": None if rows else self.w("no_spending"), "total": total,
                "columns": {"item": self.w("column_item"), "amount": self.w("column_amount"),
                            "yearly": self.w("column_yearly"), "running": self.w("column_running")}}

    def management(self, value: Any) -> Dict[str, Any]:
        label = self.option_label("plan_management", value)
        lines = [label] if label else [self.w("not_answered_yet")]
        explained = self.option_label("plan_management", value, explain=True)
        if explained:
            lines.append(explained)
        return {"kind": "lines", "heading": self.w("heading_management"), "picture": self.picture("money"),
                "lines": lines, "answered": bool(label)}

    def planning_help(self, given: Any) -> Dict[str, Any]:
        values = given if isinstance(given, list) else [given] if _text(given) else []
        labels = [x for x in (self.option_label("plan_helpers", v) for v in values) if x]
        return {"kind": "lines", "heading": self.w("heading_planning_help"), "picture": self.picture("people"),
                "lines": labels or [self.w("not_answered_yet")], "answered": bool(labels)}

    # -- what happens next -------------------------------------------------------------------

    def next_steps(self) -> Dict[str, Any]:
        steps = say("next_steps", self.level, self.voice, name=self.name)
        steps = steps if isinstance(steps, list) else [steps]
        return {"heading": self.w("heading_next"),
                "blocks": [self.block("next-steps", self.lines("steps_intro") + steps)]}
