"""Every word a person sees goes through the easy-read checker: the page's templates and scripts
take their words from bot/web/wording.py, and every module that keeps sentences is registered.

These guards fail when someone types words straight into a template, a script or a module.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.web import pages, wording
from easy_read.sources import VOICE_MODULES, _constants
from tests.web_helpers import make_app

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "bot" / "web"
SCRIPTS = sorted((WEB / "static").glob("*.js"))

# Names, not words: the brand, shown as it is.
NAMES = {"Steer"}
SPOKEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "value")
# Modules whose sentences are for developers and the command line, not for the person.
NOT_FOR_PEOPLE = {"bot/cli.py", "bot/rasa_files.py", "bot/web/security.py"}
# ras/explain.py is checked through the explanations it makes (easy_read/sources.py _scorer).
WORD_MODULES = {"bot/web/wording.py", "ras/explain.py", *VOICE_MODULES}


class _Words(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.found += [value for name, value in attrs if name in SPOKEN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def _typed_words(html: str):
    """Words in a page that did not come from wording.py (all of whose words are blanked here)."""
    parser = _Words()
    parser.feed(html)
    names = re.compile(r"\b(?:" + "|".join(NAMES) + r")\b")
    left = [names.sub("", w).strip() for w in parser.found]
    return [w for w in left if re.search(r"[A-Za-z]", w)]


@pytest.fixture
def blank_client(monkeypatch):
    for name in dir(wording):
        if name.isupper() and isinstance(getattr(wording, name), str):
            monkeypatch.setattr(wording, name, "")
    # The command bar's labels come from the command registry (checked there: easy_read/sources.py).
    buttons = [{**b, "label": ""} for b in pages.command_buttons()]
    monkeypatch.setattr(pages, "command_buttons", lambda: buttons)
    return make_app().test_client()


@pytest.mark.parametrize("page", ["/", "/kiosk", "/no-such-page"])
def test_pages_take_their_words_from_wording(blank_client, page):
    """Every template is in one of these pages (chat and kiosk include the partials; a 404 shows error.html)."""
    html = blank_client.get(page).get_data(as_text=True)
    assert "<main" in html
    assert _typed_words(html) == []


def test_the_page_guard_finds_typed_words():
    html = '<title> - Steer</title><p></p><button aria-label="Close it">x</button><script>var a = "b c";</script>'
    assert _typed_words(html) == ["Close it", "x"]


def _code_only(script: str) -> str:
    return re.sub(r"/\*.*?\*/|^\s*//.*$|\s//\s.*$", "", script, flags=re.S | re.M)


def _sentences_in(script: str):
    """String literals that read as words for a person: a capital, then a space and more words."""
    return [m.group(2) for m in re.finditer(r"([\"'])([A-Z][a-z]+[ ,.][^\"'\n]*)\1", _code_only(script))]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_take_their_words_from_the_page(path):
    assert _sentences_in(path.read_text(encoding="utf-8")) == []


def test_the_script_guard_finds_typed_words():
    code = 'el("p", {}, "Your code is:"); word("SAVED_CODE"); // "A comment is fine."\n'
    assert _sentences_in(code) == ["Your code is:"]


def test_every_word_a_script_asks_for_is_handed_to_it():
    asked = set()
    for path in SCRIPTS:
        asked |= set(re.findall(r"\bword\(\s*\"([A-Z_]+)\"", path.read_text(encoding="utf-8")))
    assert asked, "the scripts ask for no words: the pattern above is out of date"
    assert asked - set(pages.SCRIPT_WORDS) == set()
    assert [name for name in pages.SCRIPT_WORDS if not isinstance(getattr(wording, name, None), str)] == []


def test_every_module_with_sentences_is_checked():
    unchecked = []
    for folder in ("actions", "bot", "ras", "store", "summary", "voice", "easy_read"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            sentences = [name for name, words in _constants(path) if re.search(r"\w \w+.*[.?:]$", words)]
            if sentences and where not in WORD_MODULES | NOT_FOR_PEOPLE:
                unchecked.append((where, sentences))
    assert unchecked == []
