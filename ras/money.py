"""Money as people read it: whole pounds, rounded half up, shown like £4,200."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

WEEKS_IN_A_YEAR = 52


def whole_pounds(amount: float) -> int:
    # Half up, as people round money; Python's round() would send £0.50 to the even pound.
    return int(Decimal(repr(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def weekly(annual: int) -> int:
    return whole_pounds(annual / WEEKS_IN_A_YEAR)


_WIDE = Context(prec=400)  # room for any float's digits, so no amount is too big to round


def _to_the_penny(amount: float) -> float:
    """Half up, as people round money (0.125 -> 0.13)."""
    try:
        return float(Decimal(repr(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=_WIDE))
    except InvalidOperation:  # infinity or not a number: nothing to round
        return amount


def pounds(amount: float) -> str:
    """£4,200 for whole pounds, £59.50 when there are pence: to the penny, never rounded further.
    Steer's one way of writing money (the chat, the plan, the summary, the exports)."""
    amount = _to_the_penny(float(amount))
    if amount.is_integer():
        return f"£{int(amount):,}"
    return f"£{amount:,.2f}"
