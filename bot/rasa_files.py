"""Makes the data-driven parts of Rasa's input, so the question bank and the command registry
stay the one source of truth.

- bot/domain/saq.generated.yml: a slot and an ask-action per question and plan step, and the forms.
- data/nlu/answers.generated.yml: the options' labels and examples, as need-level training
  examples (so the classifier learns how people describe each level of need).
- bot/domain/commands.generated.yml, data/nlu/commands.generated.yml: the registry's commands
  (data/commands/commands.yml) as intents, with their training examples.
- data/rules/route.generated.yml: every intent of the domain goes to action_route outside a form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Set

import yaml

from bank import QuestionBank, default_bank
from bank.commands import Registry, default_registry
from bank.plan import PlanBank, default_plan
from dialogue.flow import FORM, all_form_slots
from dialogue.plan_flow import PLAN_FORM, all_plan_slots

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_OUT = ROOT / "bot" / "domain" / "saq.generated.yml"
NLU_OUT = ROOT / "data" / "nlu" / "answers.generated.yml"
COMMANDS_DOMAIN_OUT = ROOT / "bot" / "domain" / "commands.generated.yml"
COMMANDS_NLU_OUT = ROOT / "data" / "nlu" / "commands.generated.yml"
RULES_OUT = ROOT / "data" / "rules" / "route.generated.yml"
CORE_DOMAIN = ROOT / "bot" / "domain" / "core.yml"
NEED_INTENTS = ("need_none", "need_little", "need_lots", "need_all")
HEADER = "# Made by `steer build-rasa` from data/questions/: do not edit; edit the question bank.\n"
COMMANDS_HEADER = "# Made by `steer build-rasa` from data/commands/commands.yml: do not edit; edit the registry.\n"


def _form_slots(form: str, names: List[str], slot_type: str) -> Dict:
    return {slot: {
        "type": slot_type,
        "influence_conversation": False,
        # Only the slot being asked takes the message (Rasa #10219): conditions on every mapping.
        "mappings": [{"type": "from_text", "conditions": [{"active_loop": form, "requested_slot": slot}]}],
    } for slot in names}


def domain(bank: QuestionBank, plan: PlanBank = None) -> Dict:
    plan = plan or default_plan()
    saq, planned = all_form_slots(bank), all_plan_slots(plan, bank)
    return {
        "version": "3.1",
        # Plan answers can be amounts ({"amount", "per"}), hence "any".
        "slots": {**_form_slots(FORM, saq, "text"), **_form_slots(PLAN_FORM, planned, "any")},
        "forms": {FORM: {"required_slots": saq}, PLAN_FORM: {"required_slots": planned}},
        "actions": [f"action_ask_{slot}" for slot in [*saq, *planned]],
    }


def _hand_written_examples() -> Set[str]:
    """Every training example but the answers' own: the hand-written files and the registry's."""
    seen = {e.strip().lower() for c in default_registry().commands for e in c.examples}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        if path.name.endswith(".generated.yml"):
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                seen.add(line.strip().lstrip("- ").strip().lower())
    return seen


def nlu(bank: QuestionBank) -> Dict:
    by_need: Dict[int, List[str]] = {n: [] for n in range(4)}
    for question in bank.questions:
        if {o.value for o in question.options} == {"yes", "no"}:
            continue  # yes/no questions are answered by affirm/deny, not by need level
        for option in question.options:
            for phrase in (option.label.plain, option.label.easy_read, *option.examples):
                by_need[option.need].append(" ".join(phrase.split()))
    # An example under two intents (or beside a hand-written one) only confuses the model.
    owners: Dict[str, Set[int]] = {}
    for need, phrases in by_need.items():
        for phrase in phrases:
            owners.setdefault(phrase.lower(), set()).add(need)
    taken = _hand_written_examples()
    blocks = []
    for need, intent in enumerate(NEED_INTENTS):
        keep = sorted({p for p in by_need[need] if len(owners[p.lower()]) == 1 and p.lower() not in taken})
        blocks.append({"intent": intent, "examples": "".join(f"- {p}\n" for p in keep)})
    return {"version": "3.1", "nlu": blocks}


def commands_domain(registry: Registry) -> Dict:
    return {"version": "3.1", "intents": registry.intents}


def commands_nlu(registry: Registry) -> Dict:
    return {"version": "3.1", "nlu": [{"intent": c.name, "examples": "".join(f"- {e}\n" for e in c.examples)}
                                      for c in registry.commands if c.is_intent]}


def route_rules(registry: Registry) -> Dict:
    """Outside a form, every message goes to action_route (actions/actions.py), whatever its intent."""
    core = yaml.safe_load(CORE_DOMAIN.read_text(encoding="utf-8")).get("intents") or []
    intents = [*registry.intents, *core, "nlu_fallback"]
    return {"version": "3.1", "rules": [
        {"rule": f"route {intent.replace('_', ' ')}", "steps": [{"intent": intent}, {"action": "action_route"}]}
        for intent in intents]}


class _Literal(str):
    pass


def _literal(dumper: yaml.Dumper, data: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")


def _dump(path: Path, header: str, data: Dict) -> Path:
    for block in data.get("nlu", []):
        block["examples"] = _Literal(block["examples"])
    path.write_text(header + yaml.dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    return path


def write(bank: QuestionBank = None, registry: Registry = None) -> List[Path]:
    bank, registry = bank or default_bank(), registry or default_registry()
    yaml.add_representer(_Literal, _literal)
    return [_dump(DOMAIN_OUT, HEADER, domain(bank)), _dump(NLU_OUT, HEADER, nlu(bank)),
            _dump(COMMANDS_DOMAIN_OUT, COMMANDS_HEADER, commands_domain(registry)),
            _dump(COMMANDS_NLU_OUT, COMMANDS_HEADER, commands_nlu(registry)),
            _dump(RULES_OUT, COMMANDS_HEADER, route_rules(registry))]
