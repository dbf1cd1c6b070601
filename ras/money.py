"""Money as people read it: whole pounds, rounded half up, shown like £4,200."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WEEKS_IN_A_YEAR = 52


def whole_pounds(amount: float) -> int:
    # Half up, as people round money; Python's round() would send £0.50 to the even pound.
    return int(Decimal(repr(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def weekly(annual: int) -> int:
    return whole_pounds(annual / WEEKS_IN_A_YEAR)


def pounds(amount: float) -> str:
    """£4,200 for whole pounds, £59.50 when there are pence."""
    if float(amount).is_integer():
        return f"£{int(amount):,}"
    return f"£{amount:,.2f}"
