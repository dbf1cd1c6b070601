"""The summary people take away: the page (HTML) and the PDF, rendered for real (Jinja2, weasyprint, pdftotext).

The assessment and the plan are made the way the conversation makes them (assessment_from_slots,
plan_from_slots), from made-up answers, and scored by the real scorer with the example table.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
import statistics
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

import summary
import summary.symbols
import summary.web
from bank import default_bank
from bank.plan import default_plan
from bot.assessment import assessment_from_slots
from dialogue.content import say
from dialogue.plan_flow import plan_from_slots
from ras.money import pounds
from ras.score import score

BANK = default_bank()
PLAN = default_plan()
TODAY = date(2025, 5, 12)
SCRIPT = "<script>alert('hi')</script>"
SKIPPED_QID = "medicines"


def answers():
    """The second option of every question that is asked (a little help), one question skipped."""
    given = {}
    for q in BANK.questions:
        if q.id != SKIPPED_QID and BANK.applies(q, given):
            given[q.id] = q.options[1].value
    return given


def slots(level="plain", voice="self", plan=True, partial=False):
    given = answers()
    result = score(given).to_dict()
    s = {"answering_for": voice, "reading_level": level, "review": "confirmed", "ras_result": result,
         **given, SKIPPED_QID: "skipped"}
    if voice == "other":
        s.update(person_name="Sam", relationship="her brother")
    if plan:
        s.update(plan_started=True, plan_likes=f"Swimming {SCRIPT}", plan_good_day="A swim, then tea with Jo")
        if not partial:
            area = result["outcomes"][0]["area"]
            s.update({
                f"plan_outcome_want__{area}": "Cook my own tea", f"plan_outcome_why__{area}": "I want to choose",
                "plan_items": [
                    {"category": "support_worker", "amount": 40, "per": "week", "reason": "Help to cook",
                     "outcome_area": area},
                    {"category": "gym_sport", "amount": 500, "per": "year", "reason": "Swim pass",
                     "outcome_area": None},
                ],
                "plan_management": "direct_payment", "plan_helpers": "family_friends",
                "plan_safety_risks": "My worker does not come", "plan_safety_then": "Ring my brother",
                "plan_changes_who": "The council", "plan_changes_how": "By phone",
            })
    return s


def made(level="plain", voice="self", plan=True, partial=False):
    s = slots(level, voice, plan, partial)
    return assessment_from_slots(s, BANK), plan_from_slots(s)


def page(level="plain", voice="self", plan=True, partial=False, **kw):
    assessment, the_plan = made(level, voice, plan, partial)
    return summary.render_html(assessment, the_plan, today=TODAY, **kw)


def text_of(html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def pdf_text(pdf: bytes, tmp_path: Path, layout: bool = False) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: run scripts/install-debian-packages (Debian package poppler-utils)")
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def option_label(step_id, value, level):
    return getattr(PLAN.step(step_id).option(value).label, level)


# -- the page --------------------------------------------------------------------------------

LEVELS_AND_VOICES = [(lv, v) for lv in ("plain", "easy_read") for v in ("self", "other")]


@pytest.mark.parametrize("level,voice", LEVELS_AND_VOICES)
def test_page_says_everything_in_the_chosen_level(level, voice):
    assessment, _ = made(level, voice)
    html = page(level, voice)
    text = text_of(html)
    ras = assessment["ras"]
    assert html.startswith("<!doctype html>") and '<html lang="en-GB">' in html
    # answers by area: the bank's titles and option labels at this level; the skipped one kindly
    for q in BANK.applicable(assessment["answers"]):
        if q.id == SKIPPED_QID:
            continue
        assert getattr(q.title, level) in text
        assert getattr(q.option(assessment["answers"][q.id]).label, level) in text
    for area in BANK.areas:
        assert getattr(area.title, level) in text
    skipped = htmllib.escape(getattr(BANK.question(SKIPPED_QID).title, level))
    assert re.search(rf'{skipped}(:</span> <span class="answer not-answered">|</th><td class="not-answered">)'
                     r"Not answered<", html)
    # the budget, honestly, with the council table
    assert pounds(ras["annual"]) in text and pounds(ras["weekly"]) in text
    assert ("estimate" in text) if level == "plain" else ("guess" in text)
    assert ras["table"]["label"] in text and ras["table"]["version"] in text and "1 April 2025" in text
    if level == "plain":
        for sentence in ras["explanation"]:
            assert sentence in text
    else:
        assert "The answers add up to" in text
    assert ras["may_be_too_low"] and "may be too low" in text
    # the draft plan and what happens next, from messages.yml
    assert "DRAFT" in text
    for step in say("next_steps", level, voice):
        assert step in text
    assert "Made on 12 May 2025." in text


def test_carer_voice_names_the_person_and_records_who_answered():
    for level in ("plain", "easy_read"):
        text = text_of(page(level, "other"))
        assert "Sam" in text and "her brother" in text
        assert ("Summary for Sam" in text) if level == "easy_read" else ("Steer summary for Sam" in text)
        assert "Someone who knows Sam gave" in text
    own = text_of(page("plain", "self"))
    assert "You answered the questions yourself." in own and "Sam" not in own


def test_typed_html_is_shown_as_text_never_run():
    for level in ("plain", "easy_read"):
        html = page(level, "other")
        assert SCRIPT not in html
        assert "Swimming &lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;" in html
    assessment, plan = made("plain", "other")
    assessment["person_name"] = '<b onmouseover="x()">Sam</b>'
    assessment["relationship"] = "<img src=x onerror=alert(1)>"
    html = summary.render_html(assessment, plan, today=TODAY)
    assert "<b onmouseover" not in html and "<img src=x" not in html and "&lt;b onmouseover=" in html


def test_page_obeys_the_strict_csp():
    for level in ("plain", "easy_read"):
        html = page(level, "other", pdf_href="summary.pdf")
        assert " style=" not in html and "<style" not in html
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        assert scripts
        assert all('src="/summary/static/print.js"' in attrs and not body.strip() for attrs, body in scripts)
        assert re.search(r" on[a-z]+=", html) is None
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert url.startswith(("data:", "/summary/static/", "summary.pdf")), url
        assert '<link rel="stylesheet" href="/summary/static/summary.css">' in html


def test_the_page_can_be_printed():
    html = page("easy_read", "self", pdf_href="/api/assessments/x/summary.pdf")
    assert 'id="print-summary"' in html and 'href="/api/assessments/x/summary.pdf"' in html
    assert "Print this page" in html and "press the Ctrl key and the P key" in html
    printable = page("easy_read", "self", printable=True)
    assert 'data-autoprint="true"' in printable and 'id="print-summary"' not in printable
    css = summary.STYLESHEET.read_text(encoding="utf-8")
    assert "@media print" in css and ".controls" in css


def test_blueprint_serves_the_css_and_the_print_script():
    app = Flask(__name__)
    app.register_blueprint(summary.web.blueprint())
    client = app.test_client()
    css = client.get(summary.STYLESHEET_URL)
    js = client.get(summary.SCRIPT_URL)
    assert css.status_code == 200 and "text/css" in css.content_type and b".level-easy_read" in css.data
    assert js.status_code == 200 and b"window.print()" in js.data
    css.close()
    js.close()


def test_easy_read_has_a_picture_left_of_every_block():
    html = page("easy_read", "other")
    blocks = re.findall(r'<div class="block[^"]*">\s*<div class="pic">(.*?)</div>\s*<div class="words">', html, re.S)
    assert len(blocks) >= 20
    assert html.count('<div class="block') == len(blocks)
    for pic in blocks:
        picture = r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="[^"]+" width="80" height="80">'
        assert re.fullmatch(picture, pic.strip()), pic
    # each area has its own picture, named by its title
    for area in BANK.areas:
        assert f'alt="{htmllib.escape(area.title.easy_read)}"' in html


def test_plain_page_keeps_pictures_as_heading_decoration_only():
    html = page("plain", "self")
    assert '<div class="pic">' not in html
    assert re.search(r'<img class="icon" src="data:image/svg\+xml;base64,[^"]+" alt=""', html)


def test_spending_shows_weekly_as_yearly_and_the_running_total_against_the_budget():
    assessment, _ = made("plain", "self")
    budget = assessment["ras"]["annual"]
    planned = 40 * 52 + 500
    text = text_of(page("plain", "self"))
    assert option_label("plan_spend_category", "support_worker", "plain") in text
    assert "£40 a week" in text and "£2,080" in text and "£500 a year" in text
    assert f"{pounds(planned)} planned of {pounds(budget)} a year." in text
    assert f"{pounds(budget - planned)} a year is not planned yet." in text
    assert "Why: Help to cook" in text and "Swim pass" in text
    assert option_label("plan_management", "direct_payment", "plain") in text
    assert option_label("plan_helpers", "family_friends", "plain") in text
    for typed in ("Cook my own tea", "I want to choose", "My worker does not come", "Ring my brother", "By phone"):
        assert typed in text
    easy = text_of(page("easy_read", "self"))
    assert option_label("plan_spend_category", "support_worker", "easy_read") in easy
    assert "That is £2,080 a year." in easy and f"You have planned {pounds(planned)} a year." in easy


def test_over_budget_is_said_without_blame():
    assessment, plan = made("plain", "self")
    plan["spending"].append({"category": "short_breaks", "amount": 9000, "per": "year", "reason": "",
                             "outcome_area": None})
    text = text_of(summary.render_html(assessment, plan, today=TODAY))
    over = 40 * 52 + 500 + 9000 - assessment["ras"]["annual"]
    assert f"This is {pounds(over)} a year more than the indicative budget." in text


def test_partial_plan_and_no_plan_both_render():
    partial = text_of(page("easy_read", "other", partial=True))
    assert "DRAFT" in partial and "Not answered yet" in partial and "Nothing planned yet." in partial
    assert "No goals yet." in partial
    none = text_of(page("plain", "self", plan=False))
    assert "You have not started a support plan yet." in none and "DRAFT" not in none
    # a plan with only its status, and parts of the wrong shape, still render
    assessment, _ = made("plain", "self")
    odd = {"status": "draft", "about": None, "outcomes": "x", "spending": [{"category": "nonsense"}, 5],
           "management": "unknown_way", "planning_help": None, "safety": [], "changes": {"how": 7}}
    text = text_of(summary.render_html(assessment, odd, today=TODAY))
    assert "DRAFT" in text and "Unknown way" in text and "Nonsense" in text


def test_no_budget_yet_and_below_the_floor_render_kindly():
    assessment, plan = made("plain", "self")
    assessment["ras"] = None
    assert "Your budget has not been worked out yet." in text_of(summary.render_html(assessment, plan, today=TODAY))
    low = score({q.id: q.options[0].value for q in BANK.questions}).to_dict()
    assert low["status"] == "below_floor"
    assessment["ras"] = low
    html = summary.render_html(assessment, None, today=TODAY)
    assert "may not need a Personal Budget" in text_of(html) and 'class="figure"' not in html
    empty = summary.render_html({}, None, today=TODAY)
    assert "Your Steer summary" in empty


def test_web_page_symbols_are_used_when_the_web_page_has_them(tmp_path, monkeypatch):
    theirs = tmp_path / "symbols"
    theirs.mkdir()
    (theirs / "community.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">'
                                          '<title>Theirs</title><rect width="8" height="8"/></svg>')
    (theirs / "staying_safe.svg").write_text("not a drawing")
    monkeypatch.setattr(summary.symbols, "WEB", theirs)
    assert summary.symbols.symbol_file("community") == theirs / "community.svg"
    assert summary.symbols.symbol_file("staying_safe") == summary.symbols.OURS / "staying_safe.svg"
    assert summary.symbols.symbol_file("money") == summary.symbols.OURS / "money.svg"
    assert summary.symbols.symbol_file("no_such_symbol") is None
    assert summary.symbols.symbol_file("../symbols/money") is None


def test_every_symbol_is_drawn_with_a_title():
    for symbol_id in [a.id for a in BANK.areas] + list(summary.symbols.OTHER_SYMBOLS):
        svg = (summary.symbols.OURS / f"{symbol_id}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "<title>" in svg and "http" not in svg.replace(
            'xmlns="http://www.w3.org/2000/svg"', "")


# -- the PDF -----------------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["plain", "easy_read"])
def test_pdf_has_the_budget_the_plan_items_and_the_draft_mark(level, tmp_path):
    assessment, plan = made(level, "other")
    started = time.perf_counter()
    pdf = summary.render_pdf(assessment, plan, today=TODAY)
    took = time.perf_counter() - started
    print(f"\n{level} PDF: {len(pdf) // 1024} KiB in {took:.2f} s")
    assert pdf.startswith(b"%PDF-")
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert pounds(assessment["ras"]["annual"]) in text and pounds(assessment["ras"]["weekly"]) in text
    assert "DRAFT" in text
    assert option_label("plan_spend_category", "support_worker", level) in text
    assert option_label("plan_spend_category", "gym_sport", level) in text
    assert "£40 a week" in text and "£2,080" in text and pounds(40 * 52 + 500) in text
    assert "Help to cook" in text and "Swim pass" in text and "Ring my brother" in text
    assert "Sam" in text and "her brother" in text
    assert SCRIPT in text  # shown as the words typed, not lost and not run
    assert say("next_steps", level, "other")[-1] in text


def test_pdf_text_size_is_16pt_for_easy_read_and_12pt_for_plain(tmp_path):
    for level, body_pt, smallest_pt in (("easy_read", 16, 14), ("plain", 12, 9)):
        assessment, plan = made(level, "self")
        pdf = summary.render_pdf(assessment, plan, today=TODAY)
        path = tmp_path / f"{level}.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True,
                             text=True).stdout
        # A word's box is about 1.16 times the font size for DejaVu Sans.
        heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', out)]
        assert statistics.median(heights) / 1.164 == pytest.approx(body_pt, abs=0.3), level
        assert min(heights) / 1.164 >= smallest_pt - 0.3, level


def test_pdf_renders_a_partial_plan_and_no_plan(tmp_path):
    for plan_kind in ("partial", "none"):
        assessment, plan = made("easy_read", "self", plan=plan_kind == "partial", partial=True)
        text = pdf_text(summary.render_pdf(assessment, plan, today=TODAY), tmp_path)
        assert pounds(assessment["ras"]["annual"]) in text
        assert ("DRAFT" in text) == (plan_kind == "partial")
    assert summary.render_pdf({}, None).startswith(b"%PDF-")
