"""The summary as a web page (HTML) and as a PDF (weasyprint), from the same template and CSS."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Mapping, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bank import QuestionBank, default_bank
from summary.view import Summary

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STYLESHEET = STATIC / "summary.css"
# Where the web page finds its own CSS and print button script (served by summary.web.blueprint).
STATIC_URL = "/summary/static"
STYLESHEET_URL = f"{STATIC_URL}/summary.css"
SCRIPT_URL = f"{STATIC_URL}/print.js"


@cache
def _environment() -> Environment:
    # Autoescape everything: people's own words, names and even the question bank are text, never HTML.
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _render(assessment: Mapping[str, Any], plan: Optional[Mapping[str, Any]], bank: Optional[QuestionBank],
            medium: str, printable: bool, today: Optional[date], **links: Any) -> str:
    bank = bank if bank is not None else default_bank()
    view = Summary(assessment, plan, bank, today or date.today()).build()
    return _environment().get_template("summary.html").render(
        s=view, medium=medium, printable=printable, **links).lstrip()


def render_html(assessment: Mapping[str, Any], plan: Optional[Mapping[str, Any]], bank: Optional[QuestionBank] = None,
                printable: bool = False, *, pdf_href: Optional[str] = None, today: Optional[date] = None,
                stylesheet_href: str = STYLESHEET_URL, script_href: str = SCRIPT_URL) -> str:
    """The summary page. `printable` drops the on-screen controls and opens the print dialog.

    The page links its CSS and its print button script (no inline style or script, for the CSP);
    register summary.web.blueprint() on the Flask app to serve them at STATIC_URL.
    """
    return _render(assessment, plan, bank, "web", printable, today, pdf_href=pdf_href,
                   stylesheet_href=stylesheet_href, script_href=script_href)


def render_pdf(assessment: Mapping[str, Any], plan: Optional[Mapping[str, Any]], bank: Optional[QuestionBank] = None,
               *, today: Optional[date] = None) -> bytes:
    """The summary as a tagged A4 PDF, pictures embedded, nothing fetched from anywhere."""
    from weasyprint import CSS, HTML, URLFetcher  # imported here: loading Pango takes a moment

    html = _render(assessment, plan, bank, "pdf", True, today)
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET), url_fetcher=fetcher)], pdf_tags=True)
