"""The page's voice controls: a big push-to-talk button and its script, no inline code."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("path", ["/", "/kiosk"])
def test_pages_carry_the_push_to_talk_button_and_script(client, path):
    html = client.get(path).get_data(as_text=True)
    assert 'id="voice-talk"' in html and 'aria-pressed="false"' in html
    assert re.search(r'<script src="/static/voice\.js" defer></script>', html)
    assert all(not body.strip() for _attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S))
    script = client.get("/static/voice.js").get_data(as_text=True)
    assert "SteerChat" in script and "/api/voice/turn" in script and "csrfHeaders" in script
