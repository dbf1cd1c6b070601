"""The Rasa launcher's validator: the same verdicts and errors as Rasa's own, built once."""

import pytest
from jsonschema import ValidationError
from rasa.__main__ import create_argument_parser
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_main import validate_action_result
from bot.stack import Settings, Stack

ACTION = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1"))

GOOD = [
    {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]},
    {"events": [], "responses": []},
    {},
]
BAD = [
    {"events": [{"name": "no event type"}]},
    {"events": [{"event": "slot", "name": 5}]},
    {"responses": "not a list"},
]


@pytest.mark.parametrize("reply", GOOD)
def test_good_replies_pass_as_they_do_in_rasa(reply):
    assert RemoteAction._validate_action_result(ACTION, reply) is True
    assert validate_action_result(ACTION, reply) is True


@pytest.mark.parametrize("reply", BAD)
def test_bad_replies_fail_with_rasas_message(reply):
    with pytest.raises(ValidationError) as theirs:
        RemoteAction._validate_action_result(ACTION, reply)
    with pytest.raises(ValidationError) as ours:
        validate_action_result(ACTION, reply)
    assert ours.value.message == theirs.value.message
    assert "Failed to validate Action server response" in ours.value.message


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--looks-like-an-option", "plain_token-1"])
def test_rasa_reads_any_token_from_the_command_line(token):
    # token_urlsafe() starts with "-" one time in 64: Rasa must still read it as the token.
    command = Stack(Settings(token=token)).commands()["rasa"]
    args = create_argument_parser().parse_args(command[command.index("run"):])
    assert args.auth_token == token and args.enable_api and args.interface == "127.0.0.1"
