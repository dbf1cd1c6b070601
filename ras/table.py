"""A council's RAS table: points per answer, money per point, floor, ceiling, unpaid support.

Tables are data (data/councils/*.yml). A bad table becomes one TableError whose lines each name
the file and the field, never a traceback.
"""

from __future__ import annotations

import math
import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from pydantic import BaseModel, Extra, PrivateAttr, ValidationError, root_validator, validator

from bank import QuestionBank, default_bank
from bank.yaml_text import parse_yaml, read_text, show
from ras.bank_checks import check_against_bank
from ras.errors import TableError as TableError  # `from ras.table import TableError` keeps working
from ras.money import pounds

ROOT = Path(__file__).resolve().parent.parent
COUNCILS_DIR = ROOT / "data" / "councils"
EXAMPLE_TABLE = COUNCILS_DIR / "example_council.yml"


class Number(float):
    """A plain number; unlike pydantic's float it refuses text and true/false."""

    @classmethod
    def __get_validators__(cls):
        yield cls.check

    @classmethod
    def check(cls, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError("must be a number")
        return float(value)


class Amount(Number):
    """A number that is 0 or more (points, pounds, a floor)."""

    @classmethod
    def __get_validators__(cls):
        yield cls.check
        yield cls.not_negative

    @classmethod
    def not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must not be below 0")
        return value


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be more than 0")
    return value


def _words(value: str) -> str:
    if not value.strip():
        raise ValueError("must be some words, not empty")
    return value.strip()


class Band(Strict):
    """From `from_points` up to the next band: either a price per point or a fixed annual amount."""

    from_points: Amount
    price_per_point: Optional[Amount] = None
    annual: Optional[Amount] = None

    @root_validator(skip_on_failure=True)
    def one_kind_of_money(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if (values.get("price_per_point") is None) == (values.get("annual") is None):
            raise ValueError("give either price_per_point or annual (a fixed amount a year), not both or neither")
        return values

    def money_at(self, points: float) -> float:
        return self.annual if self.annual is not None else points * self.price_per_point

    def describe(self) -> str:
        money = (
            f"{pounds(self.annual)} a year" if self.annual is not None else f"{pounds(self.price_per_point)} a point"
        )
        return f"from {self.from_points:g} points, {money}"


class UnpaidSupport(Strict):
    """How help that family or friends are willing and able to keep giving reduces points."""

    question: str
    areas: Union[str, List[str]] = "all"
    reduce_by: Dict[str, Number]

    @validator("areas", pre=True)
    def all_or_list(cls, value: Any) -> Any:
        if isinstance(value, str) and value != "all":
            raise ValueError("write 'all', or list the area ids whose points the help reduces")
        if isinstance(value, list) and not value:
            raise ValueError("list at least one area id, or write 'all'")
        return value

    @validator("reduce_by", each_item=True)
    def fraction(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("must be a share of the points from 0 to 1 (0.25 takes off a quarter)")
        return value


class CouncilTable(Strict):
    label: str
    version: str
    effective_date: date
    price_per_point: Number
    bands: List[Band] = []
    floor: Amount
    ceiling: Number
    not_scored: List[str] = []
    unpaid_support: Optional[UnpaidSupport] = None
    points: Dict[str, Dict[str, Amount]]

    _source: str = PrivateAttr("the council table")
    _fits: Tuple[QuestionBank, ...] = PrivateAttr(())  # the banks it has been checked against (see fits)

    _text = validator("label", "version", allow_reuse=True)(_words)
    _price = validator("price_per_point", "ceiling", allow_reuse=True)(_positive)

    @validator("bands")
    def money_never_goes_down(cls, bands: List[Band], values: Dict[str, Any]) -> List[Band]:
        starts = [b.from_points for b in bands]
        if starts != sorted(set(starts)):
            raise ValueError(f"bands must go up in from_points, each starting higher than the last: {starts}")
        price = values.get("price_per_point")
        if price is None:  # already reported on its own line
            return bands
        # Below the first band, price_per_point applies; compare each band's start with where the
        # band before it ends, so money never drops as points go up.
        before: Optional[Band] = Band(from_points=0, price_per_point=price)
        if bands and bands[0].from_points == 0:
            before = None
        for number, band in enumerate(bands, start=1):
            if before is not None and band.money_at(band.from_points) < before.money_at(band.from_points):
                earlier = f"band {number - 1}" if number > 1 else "price_per_point"
                raise ValueError(
                    f"money goes down at {band.from_points:g} points: band {number} ({band.describe()}) gives "
                    f"{pounds(round(band.money_at(band.from_points)))}, less than the "
                    f"{pounds(round(before.money_at(band.from_points)))} "
                    f"that {earlier} reaches there"
                )
            before = band
        return bands

    @property
    def source(self) -> str:
        return self._source

    def fits(self, bank: QuestionBank) -> None:
        """TableError unless this table fits the bank; checked once per bank, then remembered.

        load_table checks a table against its bank as it loads, so scoring with that bank (the same
        object) checks nothing more. A table and a bank never change once made, so the answer holds.
        """
        if any(checked is bank for checked in self._fits):
            return
        check_against_bank(self, bank)
        self._fits = (*self._fits, bank)

    def copy(self, **kwargs: Any) -> CouncilTable:
        """A copy (perhaps with changes, `update=`) is checked again when it is first used."""
        copied = super().copy(**kwargs)
        copied._fits = ()
        return copied

    def scored(self, qid: str) -> bool:
        return qid in self.points

    def option_points(self, qid: str, value: str) -> float:
        return self.points[qid][value]

    def money_for(self, points: float) -> Tuple[float, Optional[Band]]:
        """Annual money for these points (floor and ceiling aside), and the band used if any."""
        band = next((b for b in reversed(self.bands) if points >= b.from_points), None)
        if band is None:
            return points * self.price_per_point, None
        return band.money_at(points), band


# pydantic's own words, said plainly.
_PLAIN = {
    "value_error.missing": "is missing: every council table needs it",
    "value_error.extra": "is not a field a council table has (check the spelling)",
    "type_error.str": "must be text",
    "type_error.dict": "must be a mapping of names to values",
    "type_error.list": "must be a list",
    "type_error.none.not_allowed": "must have a value",
    "value_error.date": "must be a date like 2025-04-01",
    "type_error.date": "must be a date like 2025-04-01",
}


def _field(loc: Tuple[Any, ...]) -> str:
    parts = [p for p in loc if p != "__root__"]
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".") or "(whole table)"


def explain_errors(where: str, err: ValidationError) -> str:
    lines = [f"{where}: field '{_field(e['loc'])}': {_PLAIN.get(e['type'], e['msg'])}" for e in err.errors()]
    return "\n".join(dict.fromkeys(lines))


def parse_table(raw: Any, where: str) -> CouncilTable:
    if not isinstance(raw, dict):
        raise TableError(f"{where}: expected a mapping of fields (label, version, points, ...) at the top")
    try:
        table = CouncilTable.parse_obj(raw)
    except ValidationError as err:
        raise TableError(explain_errors(where, err)) from None
    table._source = where
    return table


def table_from_text(text: str, where: str, bank: Optional[QuestionBank] = None) -> CouncilTable:
    """Parse and check a table held in memory (`where` names it in messages), once: see CouncilTable.fits."""
    table = parse_table(parse_yaml(text, where, TableError), where)
    table.fits(bank if bank is not None else default_bank())
    return table


def load_table(path: Union[str, Path], bank: Optional[QuestionBank] = None) -> CouncilTable:
    """Read a council table and check it against the question bank (default: the real one)."""
    return table_from_text(read_text(Path(path), TableError), show(Path(path)), bank)


@lru_cache(maxsize=1)
def default_table() -> CouncilTable:
    """The council table in use: STEER_RAS_TABLE if set, else the shipped example."""
    return load_table(os.environ.get("STEER_RAS_TABLE") or EXAMPLE_TABLE)
