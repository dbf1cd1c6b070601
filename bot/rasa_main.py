"""`python -m bot.rasa_main run ...`: the `rasa` command, with two fixes for Rasa 3.6.

Speed: Rasa checks every action server reply with `jsonschema.validate`, which first re-checks the
reply schema itself against the metaschema: measured at about 55 % of Rasa's time for a
Steer turn (two action calls a turn; benchmarks/README.md). The fix builds the validator once
and validates exactly as before (the same errors, with Rasa's own message added).

Privacy: when a custom action fails, Rasa (MessageProcessor._run_action) logs the exception with
its whole traceback. Its messages carry what the action server replied (rasa-sdk's own 500 reply
is the whole tracker: every answer and the person's name), or, for a reply of the wrong shape,
the part of the reply that was wrong (what the bot said to the person). The fix keeps the log
line and replaces the traceback with the exception types (and an HTTP status): which action
failed and how, never what was in it. Rasa's other log lines at its default level name no answer
(tests/stack/test_no_personal_data_in_logs.py reads every log of a real stack).
"""

from __future__ import annotations

import logging
import sys
from functools import cache
from typing import Any, Dict, List

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@cache
def _reply_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, not on every reply
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    error = best_match(_reply_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


# MessageProcessor._run_action logs an action's failure with `logger.exception` on this logger.
PROCESSOR_LOGGER = "rasa.core.processor"


def failure_kinds(err: BaseException) -> str:
    """'RasaException <- ClientResponseError (HTTP 500)': the types in the chain of causes, no messages."""
    kinds: List[str] = []
    seen = set()
    while err is not None and id(err) not in seen and len(kinds) < 6:
        seen.add(id(err))
        status = getattr(err, "status", None)
        kinds.append(type(err).__name__ + (f" (HTTP {status})" if isinstance(status, int) else ""))
        err = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
    return " <- ".join(kinds)


class NoFailureDetails(logging.Filter):
    """A record with an exception keeps its own message; the traceback becomes the exception types."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()} ({failure_kinds(record.exc_info[1])})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def hide_action_failure_details() -> None:
    processor = logging.getLogger(PROCESSOR_LOGGER)
    if not any(isinstance(f, NoFailureDetails) for f in processor.filters):
        processor.addFilter(NoFailureDetails())


def main() -> None:
    RemoteAction._validate_action_result = validate_action_result
    hide_action_failure_details()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

