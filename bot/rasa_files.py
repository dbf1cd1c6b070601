"""Makes the question-bank-driven parts of Rasa's input, so the bank stays the one source of truth.

- bot/domain/saq.generated.yml: a slot and an ask-action per question and plan step, and the forms.
- data/nlu/answers.generated.yml: the options' labels and examples, as need-level training
  examples (so the classifier learns how people describe each level of need).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Set

import yaml

from bank import QuestionBank, default_bank
from bank.plan import PlanBank, default_plan
from dialogue.flow import FORM, all_form_slots
from dialogue.plan_flow import PLAN_FORM, all_plan_slots

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_OUT = ROOT / "bot" / "domain" / "saq.generated.yml"
NLU_OUT = ROOT / "data" / "nlu" / "answers.generated.yml"
NEED_INTENTS = ("need_none", "need_little", "need_lots", "need_all")
HEADER = "# Made by `steer build-rasa` from data/questions/: do not edit; edit the question bank.\n"


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
    seen: Set[str] = set()
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        if path == NLU_OUT:
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


class _Literal(str):
    pass


def _literal(dumper: yaml.Dumper, data: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")


def write(bank: QuestionBank = None) -> List[Path]:
    bank = bank or default_bank()
    yaml.add_representer(_Literal, _literal)
    DOMAIN_OUT.write_text(HEADER + yaml.dump(domain(bank), sort_keys=False, allow_unicode=True), encoding="utf-8")
    data = nlu(bank)
    for block in data["nlu"]:
        block["examples"] = _Literal(block["examples"])
    NLU_OUT.write_text(HEADER + yaml.dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    return [DOMAIN_OUT, NLU_OUT]
