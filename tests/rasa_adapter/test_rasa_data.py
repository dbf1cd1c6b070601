"""Rasa's own checks of the training data and domain, read from its log, not just its exit code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bank import default_bank
from bank.commands import default_registry
from bank.plan import default_plan
from bot.rasa_files import (
    COMMANDS_DOMAIN_OUT,
    COMMANDS_NLU_OUT,
    DOMAIN_OUT,
    NLU_OUT,
    RULES_OUT,
    commands_domain,
    commands_nlu,
    domain,
    nlu,
    route_rules,
)
from dialogue.flow import all_form_slots
from dialogue.plan_flow import all_plan_slots

ROOT = Path(__file__).resolve().parents[2]
RASA = Path(sys.executable).parent / "rasa"
# Library deprecation noise is not about our data; anything Rasa says about the data is.
NOISE = re.compile(r"DeprecationWarning|MovedIn20Warning|pkg_resources|declare_namespace|PyparsingDeprecation")


@pytest.mark.slow  # runs `rasa data validate` in a process of its own, about 5 s
def test_rasa_data_validate_has_no_warnings():
    run = subprocess.run(
        [str(RASA), "data", "validate", "--config", "config.yml", "--domain", "bot/domain",
         "--data", "data/nlu", "data/rules", "--fail-on-warnings"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    log = run.stdout + run.stderr
    problems = [line for line in log.splitlines()
                if re.search(r"UserWarning|WARNING|ERROR|Error", line) and not NOISE.search(line)]
    assert run.returncode == 0, log[-3000:]
    assert problems == [], "\n".join(problems)
    assert "No story structure conflicts found" in log


def test_generated_rasa_files_match_the_question_bank():
    """The trained model is only as fresh as these files: they must be what the bank makes now."""
    bank = default_bank()
    assert yaml.safe_load(DOMAIN_OUT.read_text(encoding="utf-8")) == domain(bank)
    assert yaml.safe_load(NLU_OUT.read_text(encoding="utf-8"))["nlu"] == [
        {**block, "examples": block["examples"]} for block in nlu(bank)["nlu"]]
    assert list(domain(bank)["slots"]) == [*all_form_slots(bank), *all_plan_slots(default_plan(), bank)]


def test_generated_rasa_files_match_the_command_registry():
    """Intents, examples and routing rules are the registry's as it is now: a stale file fails here."""
    registry = default_registry()
    assert yaml.safe_load(COMMANDS_DOMAIN_OUT.read_text(encoding="utf-8")) == commands_domain(registry)
    assert yaml.safe_load(COMMANDS_NLU_OUT.read_text(encoding="utf-8")) == commands_nlu(registry)
    assert yaml.safe_load(RULES_OUT.read_text(encoding="utf-8")) == route_rules(registry)
