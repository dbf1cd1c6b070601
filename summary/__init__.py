"""The summary people take away: a web page and a PDF, in the person's reading level and voice.

render_html(assessment, plan, bank=None, printable=False) -> str
render_pdf(assessment, plan, bank=None) -> bytes

`assessment` is bot.assessment.assessment_from_slots(...); `plan` is the draft support plan
(dialogue.plan_flow.plan_from_slots(...)), which may be partial or None.
"""

from summary.render import SCRIPT_URL, STATIC, STATIC_URL, STYLESHEET, STYLESHEET_URL, render_html, render_pdf

__all__ = ["render_html", "render_pdf", "STATIC", "STATIC_URL", "STYLESHEET", "STYLESHEET_URL", "SCRIPT_URL"]
