"""The web chat page in a real browser (Debian's Chromium, headless, driven by Playwright).

Against the real stack: a full assessment by keyboard alone, axe-core at each kind of screen,
screenshots at 320 px and at 200 % text (kept in test-artifacts/), and text that looks like HTML
shown as text. The kiosk has its own file (test_browser_kiosk.py), which uses the helpers here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bank import default_bank

pytestmark = pytest.mark.stack
BANK = default_bank()
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("STEER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's own browser download cannot work here: Debian's Chromium (debian-packages.txt).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Seen by the page's scripts' own event: every reply, for the tests to wait on (not to drive).
WATCH_REPLIES = """
window.__steer = {replies: 0, last: []};
document.addEventListener("steer:messages", function (e) {
  window.__steer.replies += 1; window.__steer.last = e.detail;
});
"""


# --- Helpers, also used by test_browser_kiosk.py ------------------------------------------------


def launch(playwright) -> Browser:
    assert Path(CHROMIUM).exists(), f"Chromium is not at {CHROMIUM}: `make test` installs it (debian-packages.txt)"
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def new_context(browser: Browser, base_url: str, **options: Any) -> BrowserContext:
    context = browser.new_context(base_url=base_url, **options)
    context.add_init_script(WATCH_REPLIES)
    return context


class Watch:
    """Everything a page asks for and every console error, to check nothing leaves the front door."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.base_url = base_url
        self.foreign: List[str] = []
        self.errors: List[str] = []
        page.on("request", self._request)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith(self.base_url + "/") or url.startswith("data:") or url == "about:blank"):
            self.foreign.append(url)

    def assert_clean(self) -> None:
        assert self.foreign == [], f"the page asked another host: {self.foreign}"
        assert self.errors == [], f"errors in the page (a CSP refusal shows here too): {self.errors}"


def replies(page: Page) -> int:
    return page.evaluate("window.__steer.replies")


def last_messages(page: Page) -> List[Dict[str, Any]]:
    return page.evaluate("window.__steer.last")


def wait_reply(page: Page, before: int) -> List[Dict[str, Any]]:
    page.wait_for_function("n => window.__steer.replies > n", arg=before, timeout=30_000)
    return last_messages(page)


def question(messages: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    found = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "question"]
    return found[-1] if found else None


def active(page: Page) -> Dict[str, Any]:
    return page.evaluate("""() => {
        const el = document.activeElement, r = el.getBoundingClientRect();
        const options = document.querySelectorAll('#options button');
        return {id: el.id, tag: el.tagName, text: el.textContent.trim(),
                firstOption: options.length > 0 && el === options[0],
                inOptions: !!el.closest('#options'), top: r.top, bottom: r.bottom,
                viewport: window.innerHeight};
    }""")


def assert_focus_on_first_option_or_text_box(page: Page) -> None:
    # Smooth scrolling (when motion is not reduced) takes a moment to bring it into view.
    with contextlib.suppress(PlaywrightTimeout):  # if never, the assertion below says where it is
        page.wait_for_function("""() => { const r = document.activeElement.getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight + 1; }""", timeout=3000)
    now = active(page)
    assert now["firstOption"] or now["id"] == "message", now
    assert now["top"] >= 0 and now["bottom"] <= now["viewport"] + 1, f"focus is out of view: {now}"
    covered = page.evaluate("""() => {
        const el = document.activeElement, r = el.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + Math.min(r.height / 2, 10);
        const top = document.elementFromPoint(x, y);
        return top === null ? 'nothing' : (el.contains(top) ? '' : top.outerHTML.slice(0, 80));
    }""")
    assert covered == "", f"the focused element is hidden behind: {covered}"


def press_tab_until(page: Page, condition: str, limit: int = 40) -> None:
    for _ in range(limit):
        if page.evaluate(condition):
            return
        page.keyboard.press("Tab")
    assert page.evaluate(condition), f"Tab never reached: {condition}"


def axe_violations(page: Page, name: str) -> List[Dict[str, Any]]:
    """axe-core (from axe-playwright-python) with the WCAG 2.0, 2.1 and 2.2 A and AA rules."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(results.response, indent=1), encoding="utf-8")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in violations]


def assert_no_axe_violations(page: Page, name: str) -> None:
    found = axe_violations(page, name)
    assert found == [], f"axe-core at {name}: {found}"


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def nothing_cut_off(page: Page) -> List[str]:
    """Elements wider than the page, or whose text overflows their box sideways."""
    return page.evaluate("""() => {
        const problems = [], width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth > width + 1) problems.push('page scrolls sideways');
        for (const el of document.querySelectorAll('button, .msg, input, progress, p, h1, h2, label, a')) {
            if (!el.getClientRects().length || el.closest('.visually-hidden, .skip-link')) continue;
            const r = el.getBoundingClientRect();
            if (r.right > width + 1 || r.left < -1) problems.push('outside: ' + el.outerHTML.slice(0, 60));
            if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
                problems.push('overflows: ' + el.outerHTML.slice(0, 60));
        }
        return problems;
    }""")


def answer_setup(page: Page, level: str = "plain") -> List[Dict[str, Any]]:
    """Answer 'who is answering' (me) and 'which words' by clicking, as a mouse user would."""
    page.wait_for_selector("#options button")
    n = replies(page)
    page.locator("#options button").first.click()
    messages = wait_reply(page, n)
    assert question(messages)["id"] == "reading_level", messages
    n = replies(page)
    page.locator("#options button").nth(0 if level == "plain" else 1).click()
    messages = wait_reply(page, n)
    assert question(messages)["id"] == BANK.questions[0].id, messages
    return messages


# The token of each conversation a page was given, as the page had it (the page is the one holder).
TOKENS: Dict[str, str] = {}


def page_conversation(page: Page) -> str:
    """The page's conversation id, noting its token (read from the page, which holds it)."""
    sender_id = page.evaluate("SteerChat.senderId()")
    if sender_id:
        TOKENS[sender_id] = page.evaluate("SteerChat.authHeaders().Authorization").split(" ", 1)[1]
    return sender_id


def owner(sender_id: str) -> Dict[str, str]:
    """The header the page that started `sender_id` sends."""
    return {"Authorization": f"Bearer {TOKENS[sender_id]}"} if sender_id in TOKENS else {}


def assessment(base_url: str, sender_id: str) -> requests.Response:
    return requests.get(f"{base_url}/api/assessments/{sender_id}", headers=owner(sender_id), timeout=30)


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        running = launch(playwright)
        yield running
        running.close()


@pytest.fixture()
def page(browser, stack):
    context = new_context(browser, stack.settings.web_url, reduced_motion="reduce")
    page = context.new_page()
    page.watch = Watch(page, stack.settings.web_url)
    yield page
    context.close()


# --- Tests --------------------------------------------------------------------------------------


def test_a_full_assessment_by_keyboard_alone(page, stack):
    base = stack.settings.web_url
    page.goto("/")
    page.wait_for_selector("#options button")
    assert_no_axe_violations(page, "welcome")
    # The greeting does not take focus on load; Tab from the top reaches the first answer.
    press_tab_until(page, "document.querySelector('#options button') === document.activeElement")
    sender_id = page_conversation(page)

    chosen: Dict[str, str] = {}
    typed = 0
    for turn in range(60):
        messages = last_messages(page)
        asked = question(messages)
        assert asked is not None, messages
        if asked["id"] == "review":
            break
        options = asked["options"]
        if asked["id"] == "answering_for":
            index = 0  # for myself
        elif asked["id"] == "reading_level":
            index = 0  # plain words
        else:
            index = turn % len(options)
        n = replies(page)
        if asked["id"] in chosen or turn % 5 == 4:
            # Sometimes type the option's number in the text box instead.
            press_tab_until(page, "document.activeElement.id === 'message'")
            page.keyboard.type(str(index + 1))
            page.keyboard.press("Enter")
            typed += 1
        else:
            for _ in range(index):
                page.keyboard.press("Tab")
            assert active(page)["text"].startswith(options[index]["label"]), (active(page), options[index])
            page.keyboard.press("Enter" if turn % 2 else "Space")
        wait_reply(page, n)
        if BANK.question(asked["id"]) is not None:
            chosen[asked["id"]] = options[index]["value"]
        assert_focus_on_first_option_or_text_box(page)
        if asked["id"] == BANK.questions[1].id:
            assert_no_axe_violations(page, "question")
            assert page.locator("#progress-text").inner_text() == f"Question 3 of {len(BANK.questions)}"
    else:
        pytest.fail("never reached the check of answers")

    assert typed > 0
    assert active(page)["text"].startswith(question(last_messages(page))["options"][0]["label"])
    n = replies(page)
    page.keyboard.press("Enter")  # "these are right"
    wait_reply(page, n)
    budget = [m["custom"] for m in last_messages(page) if (m.get("custom") or {}).get("type") == "budget"]
    assert budget, last_messages(page)
    assert_focus_on_first_option_or_text_box(page)
    if budget[0]["result"]["annual"] is not None:
        assert "£" in page.locator("#transcript").inner_text()
    total = len(BANK.applicable(chosen))  # a question whose gate rules it out is not counted
    assert page.locator("#progress-text").inner_text() == f"All {total} questions answered"
    assert_no_axe_violations(page, "budget")

    recorded = assessment(base, sender_id).json()
    assert recorded["complete"] is True
    assert recorded["answers"] == chosen
    page.watch.assert_clean()


def test_easy_read_pictures_and_the_page_switches(page, stack):
    page.goto("/")
    answer_setup(page)
    # Plain words: the area's picture is beside the question, and options have pictures too.
    area = BANK.area_of[BANK.questions[0].id]
    picture = page.locator(f"#transcript .msg-symbol[src$='/symbols/{area}.svg']").last
    assert picture.get_attribute("alt").startswith("Picture of")
    # The reading level switch asks the bot, which answers in easy read.
    n = replies(page)
    page.locator("#reading-level").click()
    messages = wait_reply(page, n)
    asked = question(messages)
    assert asked["reading_level"] == "easy_read", messages
    assert page.locator("#reading-level").inner_text() == "Use plain words"
    assert page.locator("body.level-easy_read").count() == 1
    labels = [o["label"] for o in asked["options"]]
    assert labels == [o.label.easy_read for o in BANK.questions[0].options]
    buttons = page.locator("#options button")
    assert buttons.count() == len(labels)
    for i in range(buttons.count()):
        button = buttons.nth(i)
        image = button.locator("img.option-symbol")
        assert image.count() == 1, button.inner_html()
        assert image.get_attribute("alt").startswith("Picture of")
        assert image.bounding_box()["x"] < button.locator(".option-label").bounding_box()["x"], "picture on the left"
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
    message = page.locator("#transcript .msg.has-symbol").last
    assert (message.locator(".msg-symbol").bounding_box()["x"]
            < message.locator(".msg-words").bounding_box()["x"]), "easy read: the picture is left of the words"
    for src in page.eval_on_selector_all("img", "els => els.map(e => e.src)"):
        assert requests.get(src, timeout=10).status_code == 200, src
    assert_no_axe_violations(page, "question-easy-read")

    # Text size and high contrast: the page's own switches, pressed state announced.
    page.locator("[data-text-size=larger]").click()
    assert page.locator("html.text-larger").count() == 1
    assert page.locator("[data-text-size=larger]").get_attribute("aria-pressed") == "true"
    page.locator("#high-contrast").click()
    assert page.locator("html.contrast-high").count() == 1
    assert page.locator("#high-contrast").get_attribute("aria-pressed") == "true"
    assert nothing_cut_off(page) == [], nothing_cut_off(page)
    assert_no_axe_violations(page, "question-high-contrast-larger-text")
    screenshot(page, "chat-easy-read-high-contrast")

    # Repeat, go back and stop are always there, and send the conversation's own commands.
    first_id = asked["id"]
    n = replies(page)
    page.locator("#options button").first.click()
    wait_reply(page, n)
    n = replies(page)
    page.get_by_role("button", name="Go back").click()
    assert question(wait_reply(page, n))["id"] == first_id
    n = replies(page)
    page.get_by_role("button", name="Repeat").click()
    assert question(wait_reply(page, n))["id"] == first_id
    n = replies(page)
    page.get_by_role("button", name="Stop for now").click()
    wait_reply(page, n)
    assert "/resume" in json.dumps(last_messages(page))
    page.watch.assert_clean()


def test_glossary_words_become_what_does_it_mean_buttons(page, stack):
    """When a question names hard words ("terms"), each gets a button that asks about it."""
    page.goto("/")
    answer_setup(page)
    asked = question(last_messages(page))
    real = asked.get("terms") or []
    assert page.locator("#terms button").count() == len(real)
    for term in real:
        assert page.get_by_role("button", name=f"What does {term['term']} mean?").count() == 1
    # A term with the bot's own payload sends that; one without is asked in words.
    forged = [{"text": "Question 1 of 26.\nDo you want a direct payment from an advocate?",
               "buttons": [{"title": o["label"], "payload": o["payload"]} for o in asked["options"]]},
              {"custom": {**asked, "terms": [
                  {"term": "direct payment", "explanation": "Money paid to you."},
                  {"id": "advocate", "term": "advocate", "explanation": "Someone on your side.",
                   "payload": '/explain{"term":"advocate"}'}]}}]
    page.evaluate("messages => SteerChat.render(messages)", forged)
    sent = []
    page.on("request", lambda r: r.url.endswith("/api/chat") and sent.append(r.post_data_json["message"]))
    for name in ("direct payment", "advocate"):
        button = page.get_by_role("button", name=f"What does {name} mean?")
        assert button.count() == 1
        n = replies(page)
        button.click()
        wait_reply(page, n)
        assert page.locator("#transcript .msg-user").last.inner_text().endswith(f"What does {name} mean?")
        assert_focus_on_first_option_or_text_box(page)
        page.evaluate("messages => SteerChat.render(messages)", forged)
    assert sent == ["what does direct payment mean", '/explain{"term":"advocate"}']


@pytest.mark.parametrize("width,font_size,name", [(320, None, "chat-320px"), (1280, 32, "chat-200pc-text")])
def test_small_screens_and_big_text_lose_nothing(browser, stack, width, font_size, name):
    context = new_context(browser, stack.settings.web_url, viewport={"width": width, "height": 720})
    page = context.new_page()
    try:
        if font_size:
            # 200 % text: the browser's own default font size doubled (16 px to 32 px).
            page.context.new_cdp_session(page).send("Page.setFontSizes",
                                                    {"fontSizes": {"standard": font_size, "fixed": font_size}})
        page.goto("/")
        answer_setup(page)
        assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == (
            36 if font_size else 18)
        assert nothing_cut_off(page) == []
        for selector in ("#progress-text", "#options button", "#message", ".button-send", "[data-command]",
                         "#reading-level", "#high-contrast"):
            assert page.locator(selector).first.is_visible(), selector
        shot = screenshot(page, name)
        assert shot.stat().st_size > 1000
        page.locator("[data-text-size=larger]").click()
        assert nothing_cut_off(page) == []
        screenshot(page, name + "-very-large")
    finally:
        context.close()


def test_html_in_messages_is_shown_as_text_and_runs_nothing(page, stack):
    page.goto("/")
    answer_setup(page)
    attacks = ['<script>window.__pwned = "script"</script>', '<img src=x onerror="window.__pwned = \'img\'">']
    for attack in attacks:
        n = replies(page)
        page.fill("#message", attack)
        page.press("#message", "Enter")
        wait_reply(page, n)
        assert page.locator("#transcript .msg-user .msg-text").last.text_content() == attack
    # A reply that itself holds HTML (as if Rasa were tricked into echoing it) is text too.
    forged = [{"text": attacks[1], "buttons": [{"title": attacks[0], "payload": "/repeat"}]},
              {"custom": {"type": "question", "id": "x", "section": "<b>x</b>", "reading_level": "plain",
                          "options": [{"value": "<i>", "label": attacks[0], "payload": "/repeat"}],
                          "progress": {"done": "<b>1</b>", "total": 26},
                          "terms": [{"term": attacks[1], "explanation": attacks[0]}]}}]
    page.evaluate("messages => SteerChat.render(messages)", forged)
    page.wait_for_timeout(300)
    assert page.locator("#transcript .msg-bot .msg-text").last.text_content() == attacks[1]
    assert page.locator("#options button").first.text_content() == attacks[0]
    assert page.locator("img:not(.symbol):not(.icon)").count() == 0
    assert page.locator("#transcript script, #options script, #transcript b, #transcript i").count() == 0
    assert page.evaluate("window.__pwned") is None
    page.watch.assert_clean()


def test_the_page_keeps_its_security_headers(stack):
    response = requests.get(stack.settings.web_url + "/", timeout=10)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert 'name="csrf-token"' in response.text


def test_the_tab_keeps_the_conversation_the_front_door_issued_and_links_hide_it(page, stack):
    """Issue 12: the id and token come from the server, live in this tab only, and no link shows the id."""
    base = stack.settings.web_url
    page.goto("/")
    answer_setup(page)
    n = replies(page)
    page.locator("#options button").first.click()
    wait_reply(page, n)
    sender_id = page_conversation(page)
    kept = page.evaluate("[sessionStorage.getItem('steer.sender_id'), sessionStorage.getItem('steer.token')]")
    assert kept == [sender_id, TOKENS[sender_id]] and len(sender_id) == 32
    assert page.evaluate("localStorage.length") == 0
    assert assessment(base, sender_id).json()["answers"]
    assert requests.get(f"{base}/api/assessments/{sender_id}", timeout=30).status_code == 404  # no token, no answers
    # Loading the page again in the same tab carries on with the same conversation.
    page.reload()
    page.wait_for_selector("#options button")
    assert page.evaluate("SteerChat.senderId()") == sender_id
    # The summary links (shown when the plan is done) are short-lived tickets, never the bare id.
    page.evaluate("""() => document.dispatchEvent(new CustomEvent("steer:messages",
        {detail: [{custom: {type: "summary"}}]}))""")
    page.wait_for_selector(".summary-links a")
    hrefs = page.eval_on_selector_all(".summary-links a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("/api/documents/") and sender_id not in h for h in hrefs)
    opened = requests.get(base + hrefs[0], timeout=60)  # as a new tab would: no token
    assert opened.status_code == 200 and "text/html" in opened.headers["Content-Type"]
    # Another tab is another conversation.
    other = page.context.new_page()
    other.goto(base + "/")
    other.wait_for_selector("#options button")
    assert other.evaluate("SteerChat.senderId()") not in (None, sender_id)
    other.close()
    page.watch.assert_clean()
