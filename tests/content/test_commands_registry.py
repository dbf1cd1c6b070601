"""The command registry (data/commands/commands.yml) is the one place a command is defined:
everything made from it agrees with it, and a mistake in it is named, not a traceback."""

import re

import pytest
import yaml

from bank import default_bank
from bank.commands import CommandError, default_registry, load_registry
from bot.payloads import ALLOWED_PAYLOAD_INTENTS, FORM_BUTTONS
from bot.rasa_files import commands_domain, commands_nlu, route_rules
from dialogue.commands import HANDLERS, check_registry
from dialogue.turn import handle
from dialogue.understand import Parse, command_of, read_at_question, yes_or_no
from voice.grammar import COMMANDS as VOICE_COMMANDS

REGISTRY = default_registry()
QUESTION = default_bank().questions[0]
SETUP = {"answering_for": "self", "reading_level": "plain", "welcomed": True}


def _quoted(text: str) -> list:
    return re.findall(r'"([^"]+)"', text)


@pytest.mark.parametrize("command", [c for c in REGISTRY.of_kind("command") if c.help], ids=lambda c: c.name)
def test_the_words_the_help_tells_people_to_say_do_what_it_says(command):
    for level in ("plain", "easy_read"):
        for said in _quoted(getattr(command.help, level)):
            assert command_of(Parse(said)) == command.name, (level, said)
            # at a question too: the help's words are never taken as an answer
            assert read_at_question(Parse(said), QUESTION).command == command.name, (level, said)


@pytest.mark.parametrize("command", [c for c in REGISTRY.commands if c.voice and c.kind != "voice"],
                         ids=lambda c: c.name)
def test_what_the_voice_layer_sends_for_a_command_is_that_command(command):
    send = VOICE_COMMANDS[command.name][0]
    if command.kind == "reply":
        assert yes_or_no(Parse(send)) is (command.name == "affirm")
    else:
        assert command_of(Parse(send)) == command.name


def test_every_intent_command_is_a_payload_a_button_may_send_and_nothing_else_is():
    assert FORM_BUTTONS | set(REGISTRY.intents) == ALLOWED_PAYLOAD_INTENTS
    assert not FORM_BUTTONS & set(REGISTRY.names)  # a command is listed once, in the registry


def test_every_command_does_something_the_table_knows():
    check_registry()
    named = {c.does for c in REGISTRY.of_kind("command") if isinstance(c.does, str)}
    assert named <= set(HANDLERS)


@pytest.mark.parametrize("form", ["saq", "plan", "finished"])
def test_help_lists_the_commands_of_the_form_it_is_asked_in(form):
    from dialogue.commands import Form, run_command
    from dialogue.turn import Context, Outcome

    ctx = Context(QUESTION.id, Parse("what can I say?"), dict(SETUP), default_bank(), Outcome())
    assert run_command(ctx, "help", type("F", (Form,), {"name": form})())
    said = ctx.out.replies[0]["text"]
    for command in REGISTRY.of_kind("command"):
        if command.help:
            assert (command.help.plain in said) is (form in command.forms), command.name


def test_help_at_a_question_records_nothing_and_the_question_comes_again():
    out = handle(QUESTION.id, Parse("what can I say"), SETUP, default_bank())
    assert out.updates[QUESTION.id] is None and "go back" in out.replies[0]["text"]


NEW = """
commands:
- name: speak_up
  does: {say: now_easier}
  help: {plain: 'Say "speak up" to hear it louder.', easy_read: 'Say "speak up" to hear it louder.'}
  phrases: ['\\\\bspeak up\\\\b']
  voice: {phrases: [speak up]}
  examples: [speak up, louder please, I can't hear you]
"""


def test_a_new_command_in_the_registry_becomes_an_intent_examples_and_a_route(tmp_path):
    path = tmp_path / "commands.yml"
    path.write_text(NEW, encoding="utf-8")
    registry = load_registry(path)
    check_registry(registry)
    assert commands_domain(registry)["intents"] == ["speak_up"]
    assert commands_nlu(registry)["nlu"] == [{"intent": "speak_up",
                                              "examples": "- speak up\n- louder please\n- I can't hear you\n"}]
    assert {"rule": "route speak up", "steps": [{"intent": "speak_up"}, {"action": "action_route"}]} in \
        route_rules(registry)["rules"]


@pytest.mark.parametrize("change, named", [
    ({"forms": ["saq", "kiosk"]}, "command 'speak_up', field 'forms"),
    ({"phrases": ["(unclosed"]}, "command 'speak_up', field 'phrases"),
    ({"kind": "gesture"}, "command 'speak_up', field 'kind'"),
    ({"colour": "red"}, "command 'speak_up', field 'colour'"),
])
def test_a_mistake_in_the_registry_names_the_file_the_command_and_the_field(tmp_path, change, named):
    raw = yaml.safe_load(NEW)
    raw["commands"][0].update(change)
    path = tmp_path / "commands.yml"
    path.write_text(yaml.dump(raw), encoding="utf-8")
    with pytest.raises(CommandError) as err:
        load_registry(path)
    assert str(path) in str(err.value) and named in str(err.value)


def test_a_command_listed_twice_or_doing_what_nothing_knows_is_named(tmp_path):
    raw = yaml.safe_load(NEW)
    path = tmp_path / "commands.yml"
    path.write_text(yaml.dump({"commands": raw["commands"] * 2}), encoding="utf-8")
    with pytest.raises(CommandError, match="'speak_up' is listed twice"):
        load_registry(path)
    raw["commands"][0]["does"] = "shout"
    path.write_text(yaml.dump(raw), encoding="utf-8")
    with pytest.raises(CommandError, match="command 'speak_up', field 'does': must name one of"):
        check_registry(load_registry(path))


def test_the_page_shows_a_button_for_each_command_with_one_and_each_sends_an_allowed_payload():
    from tests.web_helpers import make_app

    html = make_app().test_client().get("/").get_data(as_text=True)
    with_buttons = [c for c in REGISTRY.of_kind("command") if c.button]
    assert with_buttons
    for command in with_buttons:
        assert f'data-command="/{command.name}"' in html and command.button.plain in html
        assert command.name in ALLOWED_PAYLOAD_INTENTS
    assert html.count('data-command="') == len(with_buttons)
