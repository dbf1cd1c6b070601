"""The Rasa launcher's validator: the same verdicts and errors as Rasa's own, built once."""

import logging

import pytest
from jsonschema import ValidationError
from rasa.__main__ import create_argument_parser
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_main import PROCESSOR_LOGGER, NoFailureDetails, hide_action_failure_details, validate_action_result
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


def test_rasa_logs_an_action_failure_where_the_filter_is():
    """The privacy fix filters one logger: the one Rasa's _run_action logs an action's failure on."""
    import inspect

    import rasa.core.processor as processor

    source = inspect.getsource(processor.MessageProcessor._run_action)
    assert "logger.exception(" in source and "Encountered an exception while running action" in source
    assert processor.logger.name == PROCESSOR_LOGGER


def test_an_action_failure_is_logged_without_what_the_action_server_replied(caplog):
    """As Rasa's RemoteAction raises it: its own ClientResponseError carries the reply's body."""
    import rasa.core.processor as processor
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import ClientResponseError

    body = b'{"error": "x", "request_body": {"slots": {"person_name": "Quillabeth"}}}'

    def fail_and_log():
        try:
            try:
                raise ClientResponseError(500, "Internal Server Error", body)
            except ClientResponseError as e:
                raise RasaException("Failed to execute custom action 'validate_saq_form'") from e
        except Exception:
            processor.logger.exception("Encountered an exception while running action 'validate_saq_form'.")

    with caplog.at_level(logging.ERROR, logger=PROCESSOR_LOGGER):
        fail_and_log()  # without the fix, the traceback names her
        assert "Quillabeth" in caplog.text
        caplog.clear()
        hide_action_failure_details()
        try:
            fail_and_log()
        finally:
            for each in [f for f in processor.logger.filters if isinstance(f, NoFailureDetails)]:
                processor.logger.removeFilter(each)
    assert "Quillabeth" not in caplog.text and "request_body" not in caplog.text
    assert "running action 'validate_saq_form'" in caplog.text
    assert "(RasaException <- ClientResponseError (HTTP 500))" in caplog.text
