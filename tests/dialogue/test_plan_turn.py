"""The support-plan turn handler: read-back of free text, money, the spending loop, nothing lost."""

import json

import pytest

from bank import default_bank
from bank.plan import default_plan
from dialogue.money import money_of
from dialogue.plan_flow import PLAN_CHECK, plan_from_slots, planned_total, required_plan_slots
from dialogue.plan_render import PlanAsker
from dialogue.plan_turn import handle_plan
from dialogue.understand import Parse
from tests.conftest import answer_payload, button

BANK, PLAN = default_bank(), default_plan()
RESULT = {"annual": 4200, "outcomes": [{"area": "looking_after_myself"}, {"area": "community"}]}


def base(**extra):
    return {"answering_for": "self", "reading_level": "plain", "ras_result": RESULT, "plan_started": True, **extra}


def said(out):
    return " ".join(r.get("text", "") for r in out.replies)


@pytest.mark.parametrize("text,expected", [
    ("£40 a week", (40.0, "week")), ("2,000 a year", (2000.0, "year")), ("about 40 per week please", (40.0, "week")),
    ("£1,500 annually", (1500.0, "year")), ("40", (40.0, None)), ("3k a year", (3000.0, "year")),
    ("forty pounds", (40.0, None)), ("", None), ("0", None), ("£99999999", None), ("£30 to £40", None),
])
def test_money_of(text, expected):
    assert money_of(text) == expected


def test_free_text_is_read_back_then_recorded():
    out = handle_plan("plan_likes", Parse("Swimming and <b>bingo</b>", "need_none", 0.9), base(), BANK, PLAN)
    assert out.updates["plan_likes"] is None
    assert out.updates["pending"] == {"slot": "plan_likes", "value": "Swimming and <b>bingo</b>"}
    yes = handle_plan("plan_likes", Parse("yes"), base(pending=out.updates["pending"]), BANK, PLAN)
    assert yes.updates["plan_likes"] == "Swimming and <b>bingo</b>"
    no = handle_plan("plan_likes", Parse("no"), base(pending=out.updates["pending"]), BANK, PLAN)
    assert no.updates["plan_likes"] is None and "tell me again" in said(no)


def test_free_text_obeys_only_clear_commands():
    out = handle_plan("plan_likes", Parse("going back to my home town", "go_back", 0.99), base(), BANK, PLAN)
    assert out.updates["pending"]["value"] == "going back to my home town"


def test_per_area_outcomes_follow_the_budget():
    slots = required_plan_slots(base(), PLAN)
    assert "plan_outcome_want__looking_after_myself" in slots and "plan_outcome_want__community" in slots
    assert "plan_outcome_want__relationships" not in slots
    assert slots[-1] == PLAN_CHECK


def test_money_without_a_period_asks_week_or_year():
    out = handle_plan("plan_spend_amount", Parse("40"), base(), BANK, PLAN)
    assert out.updates["pending"] == {"slot": "plan_spend_amount", "value": {"amount": 40.0}}
    week = handle_plan("plan_spend_amount", Parse("a week"), base(pending=out.updates["pending"]), BANK, PLAN)
    assert week.updates["plan_spend_amount"] == {"amount": 40.0, "per": "week"}


def test_the_same_cost_said_again_while_it_is_read_back_is_a_yes():
    asked = handle_plan("plan_spend_amount", Parse("£40 a week"), base(), BANK, PLAN).updates["pending"]
    assert asked == {"slot": "plan_spend_amount", "value": {"amount": 40.0, "per": "week"}}
    again = handle_plan("plan_spend_amount", Parse("£40 a week"), base(pending=asked), BANK, PLAN)
    assert again.updates["plan_spend_amount"] == {"amount": 40.0, "per": "week"}
    other = handle_plan("plan_spend_amount", Parse("£60 a week"), base(pending=asked), BANK, PLAN)
    assert other.updates["pending"]["value"] == {"amount": 60.0, "per": "week"}  # a new amount is read back


def test_cost_that_is_not_a_number_is_asked_again():
    out = handle_plan("plan_spend_amount", Parse("quite a lot"), base(), BANK, PLAN)
    assert out.updates["plan_spend_amount"] is None and "amount in pounds" in said(out)


def test_spending_loop_keeps_items_and_says_the_total():
    item = base(plan_spend_category="support_worker", plan_spend_amount={"amount": 40.0, "per": "week"},
                plan_spend_reason="to go swimming", plan_spend_outcome="community")
    more = handle_plan("plan_spend_more", Parse("yes"), item, BANK, PLAN)
    assert more.updates["plan_items"] == [{"category": "support_worker", "amount": 40.0, "per": "week",
                                           "reason": "to go swimming", "outcome_area": "community"}]
    assert more.updates["plan_spend_category"] is None and more.updates["plan_spend_more"] is None
    assert "You have planned £2,080 a year of £4,200" in said(more)
    done = handle_plan("plan_spend_more", Parse("no"), {**item, **more.updates, **{
        "plan_spend_category": "gym_sport", "plan_spend_amount": {"amount": 300.0, "per": "year"},
        "plan_spend_reason": "fitness", "plan_spend_outcome": "none"}}, BANK, PLAN)
    assert done.updates["plan_spend_more"] == "no"
    assert planned_total({**item, **more.updates, **done.updates}) == 2080 + 300


def test_skipping_spending_skips_the_whole_item():
    out = handle_plan("plan_spend_category", Parse("skip"), base(), BANK, PLAN)
    slots = base(**out.updates)
    assert slots["plan_spend_more"] == "no"
    assert "plan_spend_amount" not in required_plan_slots(slots, PLAN)


def test_explain_a_way_of_managing_money():
    out = handle_plan("plan_management", Parse("what is a direct payment?"), base(), BANK, PLAN)
    assert PLAN.step("plan_management").option("direct_payment").explain.plain in said(out)
    assert out.updates["plan_management"] is None


def test_choice_by_number_and_button():
    assert handle_plan("plan_management", Parse("2"), base(), BANK, PLAN).updates["plan_management"] == \
        "council_managed"
    pressed = button(answer_payload("mixture", "plan_management"))
    assert handle_plan("plan_management", pressed, base(), BANK, PLAN).updates["plan_management"] == "mixture"


def test_go_back_keeps_the_old_answer_on_skip():
    slots = base(plan_likes="music", plan_good_day="sunny walks")
    back = handle_plan("plan_bad_day", Parse("go back"), slots, BANK, PLAN)
    assert back.updates["plan_good_day"] is None
    slots.update(back.updates)
    keep = handle_plan("plan_good_day", Parse("skip"), slots, BANK, PLAN)
    assert keep.updates["plan_good_day"] == "sunny walks"


def test_save_for_later_asks_for_a_pin_on_the_page_and_loses_nothing():
    out = handle_plan("plan_important", Parse("save for later"), base(plan_likes="music"), BANK, PLAN)
    assert {"custom": {"type": "save_for_later"}} in out.replies
    assert set(out.updates) == {"plan_important"}


def test_check_change_section_reasks_it_and_confirm_finishes():
    slots = base(plan_likes="music", plan_good_day="walks", plan_bad_day="rain", plan_important="family",
                 plan_support_wanted="kindly")
    change = Parse('/change{"section":"about_me"}', "change", 1.0, {"section": "about_me"})
    out = handle_plan(PLAN_CHECK, change, slots, BANK, PLAN)
    assert out.updates["plan_likes"] is None and out.updates["changing"]["slots"]["plan_likes"] == "music"
    ok = handle_plan(PLAN_CHECK, Parse("/review_ok", "review_ok", 1.0), slots, BANK, PLAN)
    assert ok.updates[PLAN_CHECK] == "confirmed"


def test_check_removes_one_planned_item_and_a_stale_button_removes_nothing():
    items = [{"category": "support_worker", "amount": 40.0, "per": "week", "reason": "", "outcome_area": None},
             {"category": "gym_sport", "amount": 300.0, "per": "year", "reason": "", "outcome_area": None},
             {"category": "transport", "amount": 10.0, "per": "week", "reason": "", "outcome_area": None}]
    slots = base(plan_items=items)
    check = PlanAsker(slots, BANK, PLAN).ask(PLAN_CHECK)
    buttons = {b["title"]: b["payload"] for r in check for b in r.get("buttons") or []}
    assert "Remove Gym or sport, £300 a year" in buttons

    def press(payload, slots):
        entities = json.loads(payload[len("/change"):])
        return handle_plan(PLAN_CHECK, Parse(payload, "change", 1.0, entities), slots, BANK, PLAN)

    payload = buttons["Remove Gym or sport, £300 a year"]
    out = press(payload, slots)
    assert out.updates["plan_items"] == [items[0], items[2]]
    assert out.updates.get(PLAN_CHECK) is None  # still at the check step, which shows the plan again
    assert "I have taken Gym or sport out of the plan." in said(out)
    assert "You have planned £2,600 a year of £4,200" in said(out)
    # The same button again (an old message): the item now in that place is a different one.
    again = press(payload, {**slots, **out.updates})
    assert "plan_items" not in again.updates and "not in the plan any more" in said(again)


def test_plan_from_slots_is_the_shape_summary_and_export_read():
    slots = base(plan_likes="music", plan_outcome_want__community="go out weekly", plan_management="direct_payment",
                 plan_helpers="broker", plan_items=[{"category": "transport", "amount": 10, "per": "week",
                                                     "reason": "bus", "outcome_area": "community"}])
    plan = plan_from_slots(slots)
    assert plan["status"] == "draft" and plan["about"] == {"likes": "music"}
    assert plan["outcomes"] == [{"area": "community", "want": "go out weekly", "why": ""}]
    assert plan["planning_help"] == ["broker"] and plan["spending"][0]["category"] == "transport"
    assert plan_from_slots({}) is None
