"""Reading a cost back: "About how much would it cost?" in the support plan (dialogue/money.py).

Each cost is read back before it is recorded, and several numbers are never taken as the first.
The first three tests are the misreadings found in the old reader (all three failed on it).
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank import default_bank
from bank.plan import default_plan
from dialogue.money import MAX_YEARLY, count_of, money_of, period_of, pounds, read
from dialogue.plan_render import PlanAsker
from dialogue.plan_turn import handle_plan
from dialogue.understand import Parse

BANK, PLAN = default_bank(), default_plan()
RESULT = {"annual": 4200, "outcomes": [{"area": "looking_after_myself"}]}
SLOT = "plan_spend_amount"


def base(**extra):
    return {"answering_for": "self", "reading_level": "plain", "ras_result": RESULT, "plan_started": True,
            "plan_likes": "music", "plan_spend_category": "support_worker", **extra}


def turn(text, slots):
    """One message at the cost question; the slots after it, and what Steer says (its reply, then its question)."""
    out = handle_plan(SLOT, Parse(text), slots, BANK, PLAN)
    after = {**slots, **out.updates}
    asked = [] if after.get(SLOT) is not None else PlanAsker(after, BANK, PLAN).ask(SLOT)
    return after, " ".join(r.get("text", "") for r in out.replies + asked if r.get("text"))


def talk(*texts, **extra):
    slots, said = base(**extra), ""
    for text in texts:
        slots, said = turn(text, slots)
    return slots, said


# -- what was found --------------------------------------------------------------------------------

def test_sessions_times_a_price_is_worked_out_and_read_back_not_taken_as_the_count():
    slots, said = talk("2 sessions at £40 a week")
    assert slots[SLOT] is None  # the old reader recorded £2 a week here, with no read-back
    assert "You said 2 times £40 a week. That makes £80 a week. Is that right?" in said
    slots, _ = turn("yes", slots)
    assert slots[SLOT] == {"amount": 80.0, "per": "week"} and slots["pending"] is None


def test_millions_are_read_as_millions():
    assert read("£1.2m a year").amount == 1_200_000  # the old reader took £1.20 a year
    assert read("£1.2 million a year").amount == 1_200_000
    slots, said = talk("£1.2m a year")
    assert slots[SLOT] is None and slots.get("pending") is None
    assert "I heard £1,200,000 a year. That is more than £1,000,000 a year" in said


@pytest.mark.parametrize("correction,then,expected", [
    ("no, £60 a week", "yes", {"amount": 60.0, "per": "week"}),
    ("no, 60 a year", "yes", {"amount": 60.0, "per": "year"}),
    ("actually £60 a week", "yes", {"amount": 60.0, "per": "week"}),
])
def test_a_new_amount_with_its_period_at_week_or_year_replaces_the_old_one(correction, then, expected):
    check_a_correction(correction, then, expected)


@pytest.mark.parametrize("correction,then,expected", [
    ("actually 60", "a year", {"amount": 60.0, "per": "year"}),
    ("£60", "a week", {"amount": 60.0, "per": "week"}),
])
def test_a_new_bare_amount_at_week_or_year_asks_its_period_again(correction, then, expected):
    check_a_correction(correction, then, expected)  # the old reader got these right: a guard, not a finding


def check_a_correction(correction, then, expected):
    slots, said = talk("40")
    assert "Is that £40 a week or a year?" in said
    slots, said = turn(correction, slots)  # the old reader heard "week" and recorded £40
    assert slots[SLOT] is None and "£60" in said and "£40" not in said
    slots, _ = turn(then, slots)
    assert slots[SLOT] == expected
    assert slots["plan_likes"] == "music" and slots["plan_spend_category"] == "support_worker"


# -- amounts in many shapes ------------------------------------------------------------------------

@pytest.mark.parametrize("text,amount,per", [
    ("£40 a week", 40, "week"), ("40 pounds per week", 40, "week"), ("GBP 40 weekly", 40, "week"),
    ("£40pw", 40, "week"), ("£40 p/w", 40, "week"), ("40 quid each week", 40, "week"),
    ("£2,000 a year", 2000, "year"), ("2000 per annum", 2000, "year"), ("£2000 p.a.", 2000, "year"),
    ("£1,500 annually", 1500, "year"), ("3k a year", 3000, "year"), ("2 grand yearly", 2000, "year"),
    ("£1,000,000 a year", 1_000_000, "year"), ("£40.50 a week", 40.5, "week"), ("40 pounds 50 a week", 40.5, "week"),
    ("50p a week", 0.5, "week"), ("forty pounds a week", 40, "week"), ("two hundred and fifty a year", 250, "year"),
    ("a hundred pounds a week", 100, "week"), ("forty-five pounds a week", 45, "week"),
    ("about 40 per week please", 40, "week"), ("40", 40, None), ("forty pounds", 40, None),
    ("24 hour care at £1000 a week", 1000, "week"),
])
def test_one_amount_in_many_shapes(text, amount, per):
    reading = read(text)
    assert (reading.status, reading.amount, reading.per) == ("ok", amount, per)
    assert money_of(text) == (amount, per)


@pytest.mark.parametrize("text,amount,per,said", [
    ("£100 a month", 1200, "year", "You said £100 a month. That makes £1,200 a year."),  # x 12, exact
    ("£300 pcm", 3600, "year", "You said £300 a month. That makes £3,600 a year."),
    ("£80 a fortnight", 40, "week", "You said £80 a fortnight. That makes £40 a week."),  # / 2, exact
    ("twice a week at £25", 50, "week", "You said 2 times £25 a week. That makes £50 a week."),
    ("2 x £40 a week", 80, "week", "You said 2 times £40 a week. That makes £80 a week."),
    ("£40 a session, 2 sessions a week", 80, "week", "You said 2 times £40 a week. That makes £80 a week."),
    ("3 hours a week at £18 an hour", 54, "week", "You said 3 times £18 a week. That makes £54 a week."),
])
def test_months_fortnights_and_counts_are_worked_out_and_the_working_read_back(text, amount, per, said):
    slots, words = talk(text)
    assert slots[SLOT] is None and slots["pending"]["value"]["amount"] == amount
    assert said + " Is that right?" in words
    slots, _ = turn("yes", slots)
    assert slots[SLOT] == {"amount": amount, "per": per}


@pytest.mark.parametrize("text,heard", [
    ("£30 to £40", "£30 and £40"), ("between 30 and 40", "30 and 40"), ("£40 or £50", "£40 and £50"),
    ("£30-£40 a week", "£30 and £40"), ("£40 a week or £2,000 a year", "£40 and £2,000"),
    ("2 fifty", "2 and 50"), ("£40 and £20 a week", "£40 and £20"),
])
def test_several_amounts_ask_for_one_and_record_nothing(text, heard):
    assert read(text).status == "several" and money_of(text) is None
    slots, said = talk(text)
    assert slots[SLOT] is None and slots.get("pending") is None
    assert f"I heard more than one amount: {heard}. Please say one amount" in said


@pytest.mark.parametrize("text,reply", [
    ("£0", "That sounds like £0."), ("nothing, it is free", "That sounds like £0."),
    ("-40", "above £0"), ("minus £40 a week", "above £0"),
    ("£20,000 a week", "I heard £20,000 a week. That is more than £1,000,000 a year"),
    ("£99999999", "I heard £99,999,999."), ("quite a lot", "Sorry, I need an amount in pounds"),
])
def test_amounts_out_of_range_get_a_kind_clear_reply(text, reply):
    slots, said = talk(text)
    assert slots[SLOT] is None and slots.get("pending") is None and reply in said


# -- a price an hour, a day, a night: how many? ----------------------------------------------------

@pytest.mark.parametrize("text,question,count,amount,per", [
    ("£18 an hour", "£18 is the cost of 1 hour. About how many hours a week?", "3", 54, "week"),
    ("£40 a day", "£40 is the cost of 1 day. About how many days a week?", "every day", 280, "week"),
    ("£80 a night", "£80 is the cost of 1 night. About how many nights a year?", "6 nights", 480, "year"),
    ("£20 per visit", "£20 is the cost each time. About how many times a week?", "twice", 40, "week"),
])
def test_a_price_for_one_hour_or_day_asks_how_many_then_reads_back(text, question, count, amount, per):
    slots, said = talk(text)
    assert slots[SLOT] is None and question in said
    slots, said = turn(count, slots)
    assert slots[SLOT] is None and "Is that right?" in said and pounds(amount) in said
    slots, _ = turn("yes", slots)
    assert slots[SLOT] == {"amount": amount, "per": per}


def test_how_many_takes_a_new_amount_instead_and_asks_again_kindly():
    slots, _ = talk("£18 an hour")
    slots, said = turn("not sure", slots)
    assert slots[SLOT] is None and "Sorry, I need a number" in said and "About how many hours a week?" in said
    slots, said = turn("£60 a week", slots)
    assert "You said £60 a week. Is that right?" in said


# -- the read-back: yes records, no or a new amount replaces ----------------------------------------

def test_nothing_is_recorded_until_yes_and_no_asks_again_losing_nothing():
    slots, said = talk("£40 a week")
    assert slots[SLOT] is None and "You said £40 a week. Is that right?" in said
    slots, said = turn("no", slots)
    assert slots[SLOT] is None and slots["pending"] is None and "About how much would it cost?" in said
    slots, said = turn("£40 a week", slots)
    slots, said = turn("purple elephants", slots)
    assert slots[SLOT] is None and "Choose Yes or No, or say the amount again" in said
    slots, _ = turn("no, £35 a week", slots)
    slots, _ = turn("1", slots)  # the first button, Yes: not £1
    assert slots[SLOT] == {"amount": 35.0, "per": "week"}
    assert slots["plan_likes"] == "music" and slots["plan_spend_category"] == "support_worker"


def test_yes_with_the_same_amount_is_a_yes_and_with_another_is_a_new_amount():
    slots, _ = talk("£40 a week", "yes, £40 a week")
    assert slots[SLOT] == {"amount": 40.0, "per": "week"}
    slots, said = talk("£40 a week", "yes £45 a week")
    assert slots[SLOT] is None and "You said £45 a week." in said


def test_week_or_year_by_button_number_or_words_and_skip_still_works():
    slots, _ = talk("40")
    payload = PlanAsker(slots, BANK, PLAN).ask(SLOT)[1]["custom"]["options"][1]["payload"]  # "A year", as shown
    button = Parse(payload, "answer", 1.0, json.loads(payload[len("/answer"):]))
    out = handle_plan(SLOT, button, slots, BANK, PLAN)
    assert out.updates[SLOT] == {"amount": 40.0, "per": "year"}
    assert talk("40", "2")[0][SLOT] == {"amount": 40.0, "per": "year"}
    assert talk("40", "weekly")[0][SLOT] == {"amount": 40.0, "per": "week"}
    assert talk("40", "a month", "yes")[0][SLOT] == {"amount": 480.0, "per": "year"}
    assert talk("40", "skip")[0][SLOT] == "skipped"


@pytest.mark.parametrize("level,voice,words", [
    ("plain", "self", "You said £80 a week. Is that right?"),
    ("plain", "other", "You said £80 a week for Sam. Is that right?"),
    ("easy_read", "self", "You said £80 a week. Is that right?"),
    ("easy_read", "other", "You said £80 a week for Sam. Is that right?"),
])
def test_read_back_in_both_reading_levels_and_both_voices(level, voice, words):
    slots = base(reading_level=level, answering_for=voice, person_name="Sam",
                 pending={"slot": SLOT, "value": {"amount": 80.0, "per": "week"}})
    message, payload = PlanAsker(slots, BANK, PLAN).ask(SLOT)
    assert message["text"] == words
    assert [b["title"] for b in message["buttons"]] == ["Yes", "No"]
    assert [o["value"] for o in payload["custom"]["options"]] == ["yes", "no"]
    worked = {**slots, "pending": {"slot": SLOT, "value": {"amount": 1200.0, "per": "year", "price": 100.0,
                                                              "said_per": "month"}}}
    text = PlanAsker(worked, BANK, PLAN).ask(SLOT)[0]["text"]
    assert text.startswith("You said £100 a month. That ") and "£1,200 a year" in text
    assert ("for Sam" in text) == (voice == "other")


def test_period_and_count_words():
    assert period_of(Parse("per annum")) == "year" and period_of(Parse("the first one")) == "week"
    assert period_of(Parse("every 2 weeks")) == "fortnight" and period_of(Parse("purple")) is None
    assert count_of("about 10", "hour") == (10.0, None) and count_of("3 a month", "hour") == (3.0, "month")
    assert count_of("£3", "hour") is None and count_of("3 hours a day", "day") is None


# -- properties ------------------------------------------------------------------------------------

WEEK = ["a week", "per week", "weekly", "pw", "each week", "every week", "/week", "p/w"]
YEAR = ["a year", "per year", "per annum", "annually", "yearly", "pa", "each year", "p.a."]
ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def in_words(n: int) -> str:
    """Whole pounds as people say them: "two thousand five hundred and forty"."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    if n < 1000:
        return ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " and " + in_words(n % 100))
    rest = n % 1000
    return in_words(n // 1000) + " thousand" + ("" if rest == 0 else (" and " if rest < 100 else " ") + in_words(rest))


def shapes(amount: float) -> list:
    whole = float(amount).is_integer()
    out = [f"£{amount:,.2f}", f"£{amount:.2f}", f"{amount:.2f} pounds", f"GBP {amount:.2f}"]
    if whole:
        n = int(amount)
        out += [f"£{n:,}", f"{n}", f"{n} pounds", f"{n} quid", f"{in_words(n)} pounds", f"£{n}"]
        if n % 1000 == 0:
            out += [f"£{n // 1000}k", f"{n // 1000} grand"]
    return out


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.integers(1, 19_000), st.integers(100, 1_900_000).map(lambda p: p / 100)),
       st.sampled_from([("week", WEEK), ("year", YEAR)]), st.data())
def test_any_amount_in_any_shape_is_read_as_that_amount(amount, period, data):
    per, phrases = period
    text = f"{data.draw(st.sampled_from(shapes(amount)))} {data.draw(st.sampled_from(phrases))}"
    reading = read(text)
    assert (reading.status, reading.amount, reading.per) == ("ok", amount, per), text
    assert reading.amount * (52 if per == "week" else 1) <= MAX_YEARLY


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 9), st.integers(1, 300), st.sampled_from(["sessions", "visits", "hours", "days", "times"]))
def test_a_count_times_a_price_is_their_product(count, price, unit):
    reading = read(f"{count} {unit} at £{price} a week")
    assert (reading.status, reading.amount, reading.count, reading.price) == ("ok", count * price, count, price)


JOINS = [" to ", " or ", "-", " and ", " or maybe ", ", or ", " up to "]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=2, max_size=3, unique=True), st.sampled_from(JOINS),
       st.booleans(), st.sampled_from(["", " a week", " a year", " a month"]))
def test_several_amounts_are_never_taken_as_the_first(amounts, join, with_pound, period):
    text = join.join(("£" if with_pound else "") + str(a) for a in amounts) + period
    reading = read(text)
    assert reading.status == "several", (text, reading)
    slots, _ = turn(text, base())
    assert slots[SLOT] is None and slots.get("pending") is None


PENDING = [None, {"amount": 40.0}, {"amount": 40.0, "per": "week"}, {"amount": 18.0, "rate": "hour", "over": "week"},
           {"amount": 80.0, "per": "week", "count": 2.0, "price": 40.0, "said_per": "week"}]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), st.sampled_from(["£", "1e400", "9" * 400, "£.5", "-", "0.001", "1,00",
                                                         "\ud800£40", "£40\x00a week", "½", "٤٠"])),
       st.sampled_from(PENDING), st.sampled_from(["plain", "easy_read"]))
def test_no_words_raise_and_nothing_is_recorded_without_a_yes(text, pending, level):
    reading = read(text)
    assert reading.status in ("ok", "rate", "several", "none", "zero", "negative", "too_much")
    slots = base(reading_level=level, pending={"slot": SLOT, "value": pending} if pending else None)
    after, said = turn(text, slots)
    assert said or after[SLOT] is not None  # a kind reply or the question again, unless it was recorded
    value = after[SLOT]
    if value not in (None, "skipped"):  # recorded: only a yes, or a period chosen for the amount it named
        assert pending is not None and "rate" not in pending and value["amount"] in (40.0, 80.0)
        assert set(value) == {"amount", "per"} and value["per"] in ("week", "year")
    kept = {**after, **((after.get("changing") or {}).get("slots") or {})}  # "go back" keeps it to change
    assert kept["plan_likes"] == "music" and after["plan_spend_category"] == "support_worker"


def test_one_way_of_writing_money_everywhere():
    """The chat, the plan, the summary and the exports all write money with ras.money.pounds."""
    import dialogue.budget
    import dialogue.plan_render
    import dialogue.plan_turn
    import ras.money
    import summary.view

    assert pounds is ras.money.pounds
    for module in (dialogue.budget, dialogue.plan_render, dialogue.plan_turn, summary.view):
        assert module.pounds is ras.money.pounds, module.__name__
        assert not hasattr(module, "money"), module.__name__
    assert [pounds(x) for x in (4200, 4199.9999, 59.5, 0.125, 1234567.891)] == [
        "£4,200", "£4,200", "£59.50", "£0.13", "£1,234,567.89"]
