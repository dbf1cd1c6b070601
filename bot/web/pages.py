"""The pages people see: the web chat at / and the kiosk at /kiosk (with KIOSK_ONLY, the only page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from flask import Blueprint, current_app, redirect, render_template, url_for

from bank.commands import default_registry
from bot.web import wording

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def words():
    """Every page (also the error pages) says things in the front door's own words."""
    return {"w": wording}
STATIC = Path(__file__).resolve().parent / "static"
TEMPLATES = Path(__file__).resolve().parent / "templates"

# Words the page's scripts show or say, handed to them in the page (static/chat.js reads them).
SCRIPT_WORDS = (
    "YOU_SAID", "STEER_SAID", "WHAT_DOES_IT_MEAN", "PROGRESS", "PROGRESS_DONE", "NETWORK_ERROR", "WAITING",
    "USE_EASY_READ", "USE_PLAIN_WORDS", "PRINT_SUMMARY", "IDLE_COUNTDOWN", "CLEARING", "CANNOT_DELETE",
    # static/saved.js
    "SAVE_HEADING", "PIN_CHOOSE", "PIN_LABEL", "CODE_LABEL", "CODE_LABEL_EXAMPLE", "SAVE_BUTTON", "CONTINUE",
    "DELETE_NOW", "CANCEL", "SAVED_CODE", "SAVED_WRITE_DOWN", "SAVED_KEPT", "SAVED_DELETED", "SAVED_FAILED",
    "RESUME_SAVED", "DELETE_SAVED", "SUMMARY_HEADING", "SUMMARY_PAGE", "SUMMARY_PDF", "SUMMARY_DATA",
    "REPLACE_THEM",
    # static/voice.js
    "PRESS_TO_SPEAK", "LISTENING_BUTTON", "LISTENING", "THINKING", "NO_MICROPHONE", "MICROPHONE_BLOCKED",
)
# The pictures, by file name in static/symbols/, with their alt text.
SYMBOLS = {
    "looking_after_myself": wording.SYMBOL_LOOKING_AFTER_MYSELF,
    "relationships": wording.SYMBOL_RELATIONSHIPS,
    "community": wording.SYMBOL_COMMUNITY,
    "work_learning_leisure": wording.SYMBOL_WORK_LEARNING_LEISURE,
    "making_decisions": wording.SYMBOL_MAKING_DECISIONS,
    "staying_safe": wording.SYMBOL_STAYING_SAFE,
    "complex_needs_risk": wording.SYMBOL_COMPLEX_NEEDS_RISK,
    "family_carer_support": wording.SYMBOL_FAMILY_CARER_SUPPORT,
    "amount-none": wording.SYMBOL_AMOUNT_NONE,
    "amount-little": wording.SYMBOL_AMOUNT_LITTLE,
    "amount-most": wording.SYMBOL_AMOUNT_MOST,
    "amount-all": wording.SYMBOL_AMOUNT_ALL,
    "yes": wording.SYMBOL_YES,
    "no": wording.SYMBOL_NO,
    "me": wording.SYMBOL_ME,
    "someone-else": wording.SYMBOL_SOMEONE_ELSE,
    "plain-words": wording.SYMBOL_PLAIN_WORDS,
    "easy-read": wording.SYMBOL_EASY_READ,
    "check": wording.SYMBOL_CHECK,
    "change": wording.SYMBOL_CHANGE,
    "question": wording.SYMBOL_QUESTION,
}


def _page_config(mode: str) -> Dict[str, Any]:
    """What the scripts need: the mode, the kiosk's timings, the words and the pictures."""
    config = current_app.config
    return {
        "mode": mode,
        "idleSeconds": config["KIOSK_IDLE_SECONDS"],
        "warningSeconds": config["KIOSK_WARNING_SECONDS"],
        "words": {name: getattr(wording, name) for name in SCRIPT_WORDS},
        "symbols": {name: {"src": url_for("static", filename=f"symbols/{name}.svg"), "alt": alt}
                    for name, alt in SYMBOLS.items()},
    }


def command_buttons() -> List[Dict[str, str]]:
    """The command bar under the chat: every command of the registry that has a button."""
    return [{"payload": f"/{c.name}", "label": c.button.plain, "icon": c.button.icon}
            for c in default_registry().of_kind("command") if c.button is not None]


def _render(template: str, mode: str):
    return render_template(
        template,
        mode=mode,
        page_config=_page_config(mode),
        command_buttons=command_buttons(),
        # Speech in and out (another part of Steer) adds static/voice.js. Its partial, voice_controls.html,
        # loads the script itself; without the partial the page loads it, when it is there.
        voice_js=(STATIC / "voice.js").is_file() and not (TEMPLATES / "voice_controls.html").is_file(),
    )


@bp.get("/")
def chat_page():
    if current_app.config["KIOSK_ONLY"]:
        return redirect(url_for("pages.kiosk_page"))
    return _render("chat.html", "chat")


@bp.get("/kiosk")
def kiosk_page():
    return _render("kiosk.html", "kiosk")
