"""The whole SAQ over HTTP, against the real Rasa server, action server and front door."""

import random

import pytest
import requests

import ras
from bank import default_bank
from tests.conftest import Chat

pytestmark = pytest.mark.stack
BANK = default_bank()


def finish_review(chat: Chat) -> dict:
    assert chat.question["id"] == "review", chat.last
    chat.send("/review_ok")
    budget = [m["custom"] for m in chat.last if m.get("custom", {}).get("type") == "budget"]
    assert budget, chat.last
    return budget[0]["result"]


def answer_all_by_buttons(chat: Chat, pick) -> dict:
    """Answer every question the bot asks with pick(question) -> option index; returns the answers."""
    given = {}
    while chat.question and chat.question["id"] != "review":
        payload = chat.question
        question = BANK.question(payload["id"])
        assert question is not None, payload
        assert [o["value"] for o in payload["options"]] == [o.value for o in question.options]
        option = question.options[pick(question)]
        given[question.id] = option.value
        chat.answer(option.value)
    return given


def test_full_saq_by_buttons_matches_the_scorer(chat):
    chat.start()
    rng = random.Random(7)
    given = answer_all_by_buttons(chat, lambda q: rng.randrange(len(q.options)))
    result = finish_review(chat)
    assert set(given) == {q.id for q in BANK.applicable(given)}
    expected = ras.score(given).to_dict()
    assert result["annual"] == expected["annual"] and result["weekly"] == expected["weekly"]
    recorded = chat.assessment()
    assert recorded["answers"] == given
    assert recorded["complete"] is True
    assert recorded["ras"]["annual"] == expected["annual"]
    over_http = requests.post(f"{chat.base_url}/api/ras/score", json={"answers": given}, timeout=30).json()
    assert over_http["annual"] == expected["annual"]
    if expected["annual"] is not None:
        assert f"£{expected['annual']:,.0f}" in chat.text or any(
            f"£{expected['annual']:,.0f}" in (m.get("text") or "") for m in chat.last)


def test_progress_counts_up(chat):
    first = chat.start()
    assert first["progress"] == {"done": 0, "total": len(BANK.questions)}
    assert "Question 1 of" in chat.text
    chat.send("1")
    assert chat.question["progress"]["done"] == 1
    assert "Question 2 of" in chat.text


# Several phrasings per need level: numbers, the option's own words, and people's own words.
PHRASINGS = {
    0: ["1", "I can do that myself", "no help needed", "she manages fine on her own"],
    1: ["2", "the second one", "just a little help sometimes", "now and then I need a reminder"],
    2: ["3", "my mum reminds me most days", "I need help with most of it", "a lot of help most days"],
    3: ["4", "all the time", "someone does it all for me", "every single day, he can't do any of it"],
}


def test_full_saq_by_typed_free_text(chat):
    chat.start()
    rng = random.Random(3)
    recorded = {}
    confirmations = 0
    while chat.question and chat.question["id"] != "review":
        question = BANK.question(chat.question["id"])
        if {o.value for o in question.options} == {"yes", "no"}:
            chat.send(rng.choice(["yes", "yes, my daughter helps"]))
            recorded[question.id] = "yes"
            continue
        need = rng.choice([o.need for o in question.options])
        target = next(o for o in question.options if o.need == need)
        phrase = rng.choice(PHRASINGS[need])
        number = {"1": 1, "2": 2, "3": 3, "4": 4, "the second one": 2}.get(phrase)
        if number:
            target = question.options[number - 1]
        chat.send(phrase)
        if chat.question and chat.question["id"] == question.id and "Is that right?" in chat.text:
            confirmations += 1
            understood = chat.text
            if target.label.plain in understood:
                chat.send("yes")
            else:
                chat.send("no")
                chat.answer(target.value)
        elif chat.question and chat.question["id"] == question.id:
            chat.answer(target.value)  # not mapped: never guessed, options offered again
        recorded[question.id] = target.value
    assert confirmations > 0, "free descriptions should be confirmed before they are recorded"
    assert chat.assessment()["answers"] == recorded
    finish_review(chat)


def test_carer_path_is_in_the_third_person_and_recorded(chat):
    chat.start(for_whom="other", name="ayesha", relationship="I'm her brother")
    first = BANK.questions[0]
    assert first.text.plain.other.format(name="Ayesha") in chat.text
    assert chat.question["answering_for"] == "other"
    recorded = chat.assessment()
    assert recorded["answering_for"] == "other"
    assert recorded["person_name"] == "Ayesha"
    assert recorded["relationship"] == "her brother"
    answer_all_by_buttons(chat, lambda q: 0)
    assert "Ayesha" in chat.text
    result = finish_review(chat)
    assert "Ayesha" in chat.text or result["status"] == "below_floor"


def test_easy_read_path(chat):
    chat.start(level="easy_read")
    first = BANK.questions[0]
    assert first.text.easy_read.self in chat.text
    assert chat.question["reading_level"] == "easy_read"
    assert [o["label"] for o in chat.question["options"]] == [o.label.easy_read for o in first.options]
    answer_all_by_buttons(chat, lambda q: len(q.options) - 1)
    finish_review(chat)
    assert chat.assessment()["reading_level"] == "easy_read"


INTERJECTIONS = [
    ("repeat", None), ("can you say that again", None), ("what does that mean", "explain"),
    ("what does most of the time mean", "explain"), ("explain the second one", "explain"),
    ("easier words please", "easier"), ("plain english please", "plainer"), ("thank you", None),
    ("stop", "stop"), ("carry on", None),
]


@pytest.mark.parametrize("text,kind", INTERJECTIONS)
def test_interjections_inside_the_form_change_no_answer(chat, text, kind):
    chat.start()
    for _ in range(3):
        chat.send("2")
    before = chat.assessment()["answers"]
    asked = chat.question["id"]
    chat.send(text)
    after = chat.assessment()
    assert after["answers"] == before
    if kind == "explain":
        assert BANK.question(asked).explain.plain in chat.text
    if kind == "stop":
        assert "answers are kept" in chat.text
        chat.send("carry on")
    if kind == "easier":
        assert after["reading_level"] == "easy_read"
    assert chat.question["id"] == asked, chat.last


def test_go_back_skip_and_review_change(chat):
    chat.start()
    first, second, third = BANK.questions[:3]
    chat.send("1")
    chat.send("3")
    assert chat.question["id"] == third.id
    chat.send("go back")
    assert chat.question["id"] == second.id
    assert second.options[2].label.plain in chat.text  # "your answer now is ..."
    assert chat.assessment()["answers"] == {first.id: first.options[0].value}
    chat.send("skip")  # skipping the one being changed keeps its answer
    assert chat.assessment()["answers"][second.id] == second.options[2].value
    chat.send("skip")
    assert third.id in chat.assessment()["skipped"]
    answer_all_by_buttons(chat, lambda q: 1)
    chat.send("1")  # change question 1 from the check
    assert chat.question["id"] == first.id
    chat.answer(first.options[3].value)
    assert chat.question["id"] == "review"
    assert chat.assessment()["answers"][first.id] == first.options[3].value
    result = finish_review(chat)
    assert third.id in result["unanswered"] and result["may_be_too_low"] is True


def test_unmapped_answer_is_never_guessed(chat):
    chat.start()
    asked = chat.question["id"]
    chat.send("purple elephants on tuesday")
    assert chat.question["id"] == asked
    assert "did not understand" in chat.text
    chat.send("banana")
    assert "skip" in chat.text.lower()
    assert any(b["payload"] == "/explain" for b in chat.buttons)
    assert chat.assessment()["answers"] == {}


BAD_MESSAGES = ["", "   ", "x" * 10000, "🙂🙂🙂", "مرحبا", "我需要帮助", "<script>alert(1)</script>",
                '<img src=x onerror="alert(1)">', "/answer{bad", "/restart", "/answer{\"value\": 5}",
                "/session_start", "/nonsense_intent"]


@pytest.mark.parametrize("message", BAD_MESSAGES)
def test_bad_input_gets_a_kind_reply_and_loses_nothing(chat, message):
    chat.start()
    chat.send("2")
    chat.send("3")
    before = chat.assessment()
    asked = chat.question["id"]
    replies = chat.send(message)
    assert replies and all(m.get("text") or m.get("custom") for m in replies)
    after = chat.assessment()
    assert after["answers"] == before["answers"]
    assert chat.question is None or chat.question["id"] == asked
    assert all("<script>" not in (m.get("text") or "") for m in replies)


def test_unknown_sender_and_wrong_json(stack):
    base = stack.settings.web_url
    assert requests.get(f"{base}/api/assessments/nobody-{random.randrange(10**9)}", timeout=10).status_code == 404
    for body in (b"not json", b"[1,2]", b'{"message": 5}', b'{"sender_id": 5, "message": "hi"}'):
        response = requests.post(f"{base}/api/chat", data=body, headers={"Content-Type": "application/json"},
                                 timeout=10)
        assert response.status_code == 400 and response.json()["error"], body
    # A well-formed id the front door never issued is unknown (bot/web/access.py): never "it exists".
    for body in (b'{"sender_id": "a", "message": "hi"}', b'{"sender_id": "a", "message": 5}'):
        response = requests.post(f"{base}/api/chat", data=body, headers={"Content-Type": "application/json"},
                                 timeout=10)
        assert response.status_code == 404 and response.json()["conversation"] == "unknown", body
    bad_score = requests.post(f"{base}/api/ras/score", json={"answers": {"no_such_question": "x"}}, timeout=10)
    assert bad_score.status_code == 400 and "no_such_question" in bad_score.json()["error"]


def test_healthz(stack):
    response = requests.get(f"{stack.settings.web_url}/healthz", timeout=10)
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_finished_conversation_can_repeat_change_and_restart(chat):
    chat.start()
    answer_all_by_buttons(chat, lambda q: 0)
    first = finish_review(chat)
    chat.send("repeat")
    assert any(m.get("custom", {}).get("type") == "budget" for m in chat.last)
    chat.send("/change")
    assert chat.question["id"] == "review"
    second = finish_review(chat)
    assert second["annual"] == first["annual"]
    given = chat.assessment()["answers"]
    chat.send("/restart_assessment")  # every answer would go: it says so and waits for a yes
    assert f"all {len(given)} answers" in chat.text and chat.assessment()["answers"] == given
    chat.press("No, keep")
    assert chat.assessment()["answers"] == given
    chat.send("/restart_assessment")
    chat.send("yes")  # an unbound "yes" can also say it, but only straight after the question
    assert chat.question["id"] == "answering_for"
    assert chat.assessment()["answers"] == {}


def test_a_yes_long_after_start_again_was_asked_clears_nothing(chat):
    chat.start()
    answer_all_by_buttons(chat, lambda q: 0)
    finish_review(chat)
    given = chat.assessment()["answers"]
    chat.send("/restart_assessment")
    clear = next(b["payload"] for b in chat.buttons if "clear" in b["title"].lower())
    chat.send("repeat")
    chat.send(clear)  # the old "Yes, clear my answers" button, pressed after something else
    chat.send("yes")
    assert chat.assessment()["answers"] == given


def test_answers_never_reach_the_logs(stack, chat):
    chat.start(for_whom="other", name="Zebedee", relationship="neighbour from Quillport")
    chat.send("my aunt Philippa reminds me most mornings")
    chat.send("purple xylophone")
    logs = "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in (stack.settings.var_dir / "logs").glob("*.log"))
    assert logs, "the three processes should have written logs"
    for secret in ("Zebedee", "Quillport", "Philippa", "xylophone"):
        assert secret not in logs


def test_a_double_tap_or_an_old_button_never_answers_the_next_question(chat):
    first = chat.start()
    options = first["options"]
    chat.send(options[0]["payload"])
    second = chat.question
    assert any(o["value"] == options[0]["value"] for o in second["options"])  # the same value: the old trap
    chat.send(options[0]["payload"])  # a double tap
    assert chat.question["id"] == second["id"] and "already has that answer" in chat.text
    chat.send(options[2]["payload"])  # an old button with another answer: offered as a change
    assert chat.question["id"] == second["id"] and "That answer was for question 1" in chat.text
    chat.press("Change question 1")
    assert chat.assessment()["answers"] == {first["id"]: options[2]["value"]}
    chat.send("2", question=first["ask"])  # typed on the first question's screen, arriving late
    assert chat.assessment()["answers"] == {first["id"]: options[2]["value"]}
    chat.send("2", question=second["ask"])
    answers = chat.assessment()["answers"]
    assert answers == {first["id"]: options[2]["value"], second["id"]: second["options"][1]["value"]}


@pytest.mark.parametrize("text", ["⓶", "፪", "/change{\"item\":\"²\"}", "/answer{\"value\":\"no_help\"}"])
def test_odd_digits_and_unbound_payloads_get_a_reply_and_lose_nothing(chat, text):
    chat.start()
    chat.send("1")
    before = chat.assessment()["answers"]
    chat.send(text)
    assert chat.text.strip() and chat.question is not None
    after = chat.assessment()["answers"]
    assert {k: v for k, v in after.items() if k in before} == before
