"""The result in 3 to 6 short, kind, plain sentences: where the amount comes from and what next.

Neutral wording ("the answers", not "your answers") suits both the person and a carer answering
for them. Nothing here blames anyone for skipping a question or for needing help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from ras.money import pounds
from ras.table import Band, CouncilTable

MOST_SENTENCES = 6
TOO_LOW = "Some questions have no answer yet, so the amount may be too low; they can be answered at any time."
AN_ESTIMATE = "This is an estimate to plan with: the council checks the support plan before agreeing the final amount."
NOBODY_HAS_TO_CARE = "Nobody has to keep caring: if that help changes, the amount can be looked at again."
OTHER_HELP = "The council can still give information and advice, and help to find support nearby."
ASSESSMENT_ANYWAY = "A full needs assessment from the council can still be asked for at any time."
SOCIAL_WORKER = "the council recommends a full assessment with a social worker, to plan the right support together"

OUTCOME_WORDS = {
    "nutrition": "eating and drinking well",
    "personal_hygiene": "keeping clean",
    "toilet_needs": "using the toilet",
    "being_appropriately_clothed": "being dressed right for the day and the weather",
    "using_home_safely": "being safe at home",
    "habitable_home": "keeping the home clean and safe to live in",
    "relationships": "family and other relationships",
    "work_training_education_volunteering": "work, training, learning or volunteering",
    "using_local_facilities": "getting out and using local places, transport and leisure",
    "caring_for_a_child": "caring for a child or someone else",
}


def points_words(points: float) -> str:
    return "1 point" if points == 1 else f"{points:g} points"


@dataclass(frozen=True)
class Facts:
    """What the scorer worked out, as the explanation needs it."""

    status: str
    points_before: float
    points_total: float
    reduction: float
    annual: Optional[int]
    weekly: Optional[int]
    band: Optional[Band]
    may_be_too_low: bool


def explain(facts: Facts, table: CouncilTable) -> List[str]:
    said: List[Tuple[str, bool]] = []  # (sentence, may be left out when there are too many)
    if facts.reduction > 0:
        said.append((f"The answers add up to {points_words(facts.points_before)}.", False))
        taken = f"{points_words(facts.reduction)} were taken off, leaving {points_words(facts.points_total)}"
        said.append((f"Family or friends are willing and able to keep giving help, so {taken}.", False))
        said.append((NOBODY_HAS_TO_CARE, True))
    else:
        said.append((f"The answers add up to {points_words(facts.points_total)}.", False))
    if facts.status == "below_floor":
        floor = f"the {points_words(table.floor)} at which the council's table starts to give a budget"
        said.append((f"That is below {floor}, so no amount is shown.", False))
        said += [(OTHER_HELP, False), (ASSESSMENT_ANYWAY, False)]
    else:
        said.append((_money_sentence(facts, table), False))
        if facts.status == "above_ceiling":
            said.append((f"This is above {pounds(table.ceiling)} a year, so {SOCIAL_WORKER}.", False))
        said.append((AN_ESTIMATE, False))
    if facts.may_be_too_low:
        said.append((TOO_LOW, False))
    if len(said) > MOST_SENTENCES:
        said = [s for s in said if not s[1]]
    return [text for text, _ in said]


def _money_sentence(facts: Facts, table: CouncilTable) -> str:
    amount = f"{pounds(facts.annual)} a year (about {pounds(facts.weekly)} a week)"
    band = facts.band
    if band is not None and band.annual is not None:
        return f"For this many points the council's table gives a set amount, so the indicative budget is {amount}."
    price = band.price_per_point if band is not None else table.price_per_point
    return f"The council gives {pounds(price)} a year for each point, so the indicative budget is {amount}."
