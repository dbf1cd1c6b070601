"""The kiosk in a real browser: the idle warning, more time, the wipe, "Finish and clear" and print.

After a wipe, the conversation must be gone from Rasa's tracker store (asked through the front
door's API, and in the database itself) and the browser must hold nothing: no storage, no cookie,
no transcript. Time is moved on with Playwright's clock (run_for fires every timer on the way), so the real
default timings are tested.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
import requests
from playwright.sync_api import Page, sync_playwright

from bank import default_bank
from bot.web import wording
from tests.stack.test_delete_sticks import stopped
from tests.web.test_browser_chat import (
    Watch,
    answer_setup,
    assert_focus_on_first_option_or_text_box,
    assert_no_axe_violations,
    assessment,
    last_messages,
    launch,
    new_context,
    owner,
    page_conversation,
    question,
    replies,
    screenshot,
    wait_reply,
)

pytestmark = pytest.mark.stack
BANK = default_bank()
# Playwright's print() cannot be seen headless: count calls instead, in every frame.
COUNT_PRINTS = "window.print = function () { window.top.__printed = (window.top.__printed || 0) + 1; };"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        running = launch(playwright)
        yield running
        running.close()


@pytest.fixture()
def kiosk(browser, stack):
    context = new_context(browser, stack.settings.web_url, viewport={"width": 1080, "height": 1600})
    context.add_init_script(COUNT_PRINTS)
    page = context.new_page()
    page.watch = Watch(page, stack.settings.web_url)
    page.clock.install()
    yield page
    context.close()


def timings(page: Page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('steer-config').dataset.config)")


def start_and_answer(page: Page, answers: int = 2) -> str:
    page.goto("/kiosk")
    assert page.locator("#welcome").is_visible()
    assert page.evaluate("document.activeElement.id") == "start"
    n = replies(page)
    page.keyboard.press("Enter")  # Start
    wait_reply(page, n)
    assert page.locator("#finish-and-clear").is_visible()
    answer_setup(page)
    for _ in range(answers):
        n = replies(page)
        page.locator("#options button").nth(1).click()
        wait_reply(page, n)
        assert_focus_on_first_option_or_text_box(page)  # and not under the kiosk's sticky header
    return page_conversation(page)


def events_in_store(stack, sender_id: str) -> int:
    with sqlite3.connect(stack.settings.var_dir / "trackers.db") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]


def assert_wiped(page: Page, stack, sender_id: str) -> None:
    page.wait_for_selector("#cleared-note:visible", timeout=30_000)
    assert page.url.endswith("/kiosk")  # the note's ?cleared=1 is gone from the address too
    assert page.locator("#welcome").is_visible()
    assert page.locator("#chat-area").is_hidden()
    assert page.locator("#transcript .msg").count() == 0
    assert page.evaluate("SteerChat.senderId()") != sender_id
    # Nothing of the person in the browser: storage, cookies, databases.
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("indexedDB.databases().then(list => list.length)") == 0
    state = page.context.storage_state()
    assert state["cookies"] == [] and all(not o.get("localStorage") for o in state["origins"])
    # ... and nothing in the tracker store: the front door says so, and so does the database.
    assert events_in_store(stack, sender_id) == 0
    gone = assessment(stack.settings.web_url, sender_id)
    assert gone.status_code == 404, gone.text
    assert events_in_store(stack, sender_id) == 0  # asking did not make an empty one


def test_idle_warning_more_time_then_the_wipe(kiosk, stack):
    page = kiosk
    page.goto("/kiosk")
    assert_no_axe_violations(page, "kiosk-welcome")
    sender_id = start_and_answer(page)
    assert assessment(stack.settings.web_url, sender_id).status_code == 200
    assert events_in_store(stack, sender_id) > 0
    config = timings(page)
    assert config["idleSeconds"] == 120 and config["warningSeconds"] >= 20

    # Idle: the warning, with focus on "I need more time".
    page.clock.run_for(int(config["idleSeconds"] * 1000) - 2000)
    assert page.locator("#idle-warning").is_hidden()
    page.clock.run_for(3000)
    page.wait_for_selector("#idle-warning[open]")
    assert page.evaluate("document.activeElement.id") == "more-time"
    assert page.locator("#idle-countdown").inner_text().startswith("It will clear in")
    assert_no_axe_violations(page, "kiosk-warning")
    screenshot(page, "kiosk-warning", full_page=False)
    # At least 20 seconds to answer, then one tap gives more time and keeps everything.
    page.clock.run_for(19_000)
    assert page.locator("#idle-warning").is_visible()
    page.get_by_role("button", name="I need more time").click()
    assert page.locator("#idle-warning").is_hidden()
    assert page.locator("#transcript .msg").count() > 0
    assert assessment(stack.settings.web_url, sender_id).status_code == 200

    # Idle again, and no answer: the wipe.
    page.clock.run_for(int(config["idleSeconds"] * 1000) + 1000)
    page.wait_for_selector("#idle-warning[open]")
    page.clock.run_for(int(config["warningSeconds"] * 1000) + 1000)
    assert_wiped(page, stack, sender_id)
    page.watch.assert_clean()


def test_escape_in_the_warning_means_more_time(kiosk, stack):
    page = kiosk
    sender_id = start_and_answer(page, answers=0)
    page.clock.run_for(int(timings(page)["idleSeconds"] * 1000) + 1000)
    page.wait_for_selector("#idle-warning[open]")
    page.keyboard.press("Escape")
    assert page.locator("#idle-warning").is_hidden()
    assert assessment(stack.settings.web_url, sender_id).status_code == 200
    page.get_by_role("button", name="Finish and clear").click()
    assert_wiped(page, stack, sender_id)


def test_finish_and_clear_at_once(kiosk, stack):
    page = kiosk
    sender_id = start_and_answer(page, answers=3)
    assert events_in_store(stack, sender_id) > 0
    page.get_by_role("button", name="Finish and clear").click()
    assert_wiped(page, stack, sender_id)
    assert_no_axe_violations(page, "kiosk-welcome-after-clearing")
    # The next person starts a conversation of their own, from the beginning.
    n = replies(page)
    page.get_by_role("button", name="Start").click()
    messages = wait_reply(page, n)
    assert question(messages)["id"] == "answering_for"
    assert page.locator("#transcript .msg-user").count() == 0
    page.watch.assert_clean()


def test_print_when_the_budget_is_ready_then_clear(kiosk, stack):
    page = kiosk
    sender_id = start_and_answer(page, answers=0)
    assert page.locator("#print-summary").is_hidden()
    for _ in range(80):
        asked = question(last_messages(page))
        if asked is None or asked["id"] == "review":
            break
        n = replies(page)
        page.locator("#options button").first.click()
        wait_reply(page, n)
    n = replies(page)
    page.locator("#options button").first.click()  # the answers are right
    wait_reply(page, n)
    assert any((m.get("custom") or {}).get("type") == "budget" for m in last_messages(page))
    assert page.locator("#print-summary").is_visible()
    page.get_by_role("button", name="Print my answers").click()
    page.wait_for_function("() => window.__printed >= 1", timeout=30_000)
    frame = page.frame_locator("#print-frame")
    assert frame.locator("body").inner_text()
    screenshot(page, "kiosk-budget")
    page.get_by_role("button", name="Finish and clear").click()
    assert_wiped(page, stack, sender_id)
    assert page.locator("#print-frame").count() == 0
    summary = requests.get(f"{stack.settings.web_url}/api/assessments/{sender_id}/summary", headers=owner(sender_id),
                           timeout=30)
    assert summary.status_code == 404


class Traffic:
    """What the page sent and got back, in order: ("sent" or "got", method, path)."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.seen = []
        cut = len(base_url)
        page.on("request", lambda r: self.seen.append(("sent", r.method, r.url[cut:].split("?")[0])))
        page.on("response", lambda r: self.seen.append(("got", r.request.method, r.url[cut:].split("?")[0])))

    def index(self, kind: str, method: str, path: str) -> int:
        return next(i for i, seen in enumerate(self.seen) if seen == (kind, method, path))

    def deletes(self) -> int:
        return sum(1 for kind, method, _ in self.seen if kind == "sent" and method == "DELETE")


def assert_the_wipe_waits(page: Page, stack, sender_id: str, part: str, method: str, path: str, start,
                          seconds: float = 2.5) -> None:
    """With `part` stopped, `start` sends a request that waits there; the wipe must wait for it."""
    traffic = Traffic(page, stack.settings.web_url)
    with stopped(stack, part) as go_on:
        start()
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Finish and clear").click()
        page.wait_for_timeout(seconds * 1000)  # real time: the request is still on its way
        assert traffic.deletes() == 0, traffic.seen
        assert page.locator("#clearing").inner_text() == wording.CLEARING
        go_on()
        page.wait_for_selector("#cleared-note:visible", timeout=30_000)
    # The request landed first, then the delete went.
    assert traffic.index("got", method, path) < traffic.index("sent", "DELETE", f"/api/assessments/{sender_id}")
    assert_wiped(page, stack, sender_id)


def test_the_wipe_waits_for_a_turn_on_its_way(kiosk, stack):
    page = kiosk
    sender_id = start_and_answer(page, answers=1)
    # Rasa waits for the actions; longer than the 10 s the kiosk used to wait at most.
    assert_the_wipe_waits(page, stack, sender_id, "actions", "POST", "/api/chat",
                          lambda: page.locator("#options button").nth(1).click(), seconds=11)


def test_the_wipe_waits_for_a_save_on_its_way(kiosk, stack):
    page = kiosk
    sender_id = start_and_answer(page, answers=1)
    n = replies(page)
    page.fill("#message", "save for later")
    page.press("#message", "Enter")
    wait_reply(page, n)
    page.get_by_label(wording.PIN_CHOOSE).fill("4829")
    assert_the_wipe_waits(page, stack, sender_id, "rasa", "POST", f"/api/assessments/{sender_id}/save",
                          lambda: page.locator("#saved-pin").press("Enter"))  # the save asks Rasa for the answers


def test_leaving_while_the_wipe_waits_still_deletes(kiosk, stack):
    """pagehide cannot wait: the delete goes at once with keepalive, and the turn still on its way
    inside Rasa writes nothing back when it ends."""
    page = kiosk
    sender_id = start_and_answer(page, answers=1)
    traffic = Traffic(page, stack.settings.web_url)
    log = stack.settings.var_dir / "logs" / "rasa.log"
    refused_before = log.read_text(errors="replace").count("A turn of a deleted conversation was not saved.")
    with stopped(stack, "actions") as go_on:
        page.locator("#options button").nth(1).click()
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Finish and clear").click()
        page.wait_for_timeout(1000)
        assert traffic.deletes() == 0
        page.goto("about:blank")  # the page goes away while the wipe still waits
        deadline = time.monotonic() + 30
        while events_in_store(stack, sender_id) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert events_in_store(stack, sender_id) == 0  # (Playwright does not report a request sent on unload)
        go_on()
        while time.monotonic() < deadline and log.read_text(errors="replace").count(
                "A turn of a deleted conversation was not saved.") == refused_before:
            time.sleep(0.2)  # until the turn has ended inside Rasa
    assert events_in_store(stack, sender_id) == 0
    assert assessment(stack.settings.web_url, sender_id).status_code == 404


def test_save_for_later_shows_a_code_that_the_browser_never_keeps(kiosk, stack):
    page = kiosk
    sender_id = start_and_answer(page, answers=2)
    kept = assessment(stack.settings.web_url, sender_id).json()["answers"]
    n = replies(page)
    page.fill("#message", "save for later")
    page.press("#message", "Enter")
    wait_reply(page, n)
    # The form's words come from bot/web/wording.py, through the page (saved.js asks chat.js).
    page.get_by_label(wording.PIN_CHOOSE).fill("4829")
    page.locator("#saved-pin").press("Enter")
    code_box = page.locator("#saved-panel .code")
    code_box.wait_for()
    code = code_box.inner_text().strip()
    assert code
    assert wording.SAVED_WRITE_DOWN in page.locator("#saved-panel").inner_text()
    page.get_by_role("button", name="Finish and clear").click()
    assert_wiped(page, stack, sender_id)
    assert code not in page.content()
    # The next visit: the code and PIN bring the answers back, into a new conversation.
    page.get_by_role("button", name=wording.RESUME_SAVED).click()
    page.locator("#saved-code").fill(code)
    page.locator("#saved-pin").fill("4829")
    n = replies(page)
    page.locator("#saved-pin").press("Enter")
    wait_reply(page, n)
    assert page.locator("#chat-area").is_visible() and page.locator("#finish-and-clear").is_visible()
    new_id = page_conversation(page)
    assert new_id != sender_id
    assert assessment(stack.settings.web_url, new_id).json()["answers"] == kept
    page.get_by_role("button", name="Finish and clear").click()
    assert_wiped(page, stack, new_id)
    page.watch.assert_clean()
