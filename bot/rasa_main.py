"""`python -m bot.rasa_main run ...`: the `rasa` command, with one speed fix for Rasa 3.6.

Rasa checks every action server reply with `jsonschema.validate`, which first re-checks the
reply schema itself against the metaschema: measured at about 55 % of Rasa's time for a
Steer turn (two action calls a turn; benchmarks/README.md). The fix builds the validator once
and validates exactly as before (the same errors, with Rasa's own message added).
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any, Dict

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


def main() -> None:
    RemoteAction._validate_action_result = validate_action_result
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

