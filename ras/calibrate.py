"""Fit a price per point to current packages: least squares through the origin.

The CSV holds anonymised answers (one column per question id, option values in the cells, an
empty cell for no answer) and `annual_cost`, the current annual package cost. Lines starting
with # are comments. Points come from the scorer, so the fit uses exactly what people will see.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import yaml

from bank import QuestionBank, default_bank
from bank.yaml_text import parse_yaml, read_text, show
from ras.money import pounds, whole_pounds
from ras.score import ScoreError, check_answers, score
from ras.table import CouncilTable, TableError, default_table, load_table, table_from_text

COST = "annual_cost"


class CalibrationError(ValueError):
    """A problem with calibration data, naming the file, the line and the column."""


@dataclass(frozen=True)
class Calibration:
    source: str
    rows_used: int
    price_per_point: float  # fitted, £ per point per year
    r_squared: Optional[float]  # around the mean cost; None when every cost is the same
    median_abs_error: int  # £ a year, with the fitted price
    current_price_per_point: float
    current_median_abs_error: int  # £ a year, with the table as it is
    table_label: str
    table_has_bands: bool

    def to_dict(self) -> Dict[str, object]:
        return asdict(self)

    def report(self) -> str:
        r2 = "not known (every cost is the same)" if self.r_squared is None else f"{self.r_squared:.3f}"
        lines = [
            f"Calibration from {self.source}: {self.rows_used} rows used.",
            f"Table: {self.table_label}",
            f"Fitted price per point: {pounds(self.price_per_point)} a year "
            f"(the table now uses {pounds(self.current_price_per_point)}).",
            f"R squared (how much of the difference in cost the points explain, 1 is all): {r2}.",
            f"Median error: {pounds(self.median_abs_error)} a year with the fitted price, "
            f"{pounds(self.current_median_abs_error)} with the table as it is (floor and ceiling aside).",
        ]
        if self.table_has_bands:
            lines.append("This table uses bands, so the single fitted price is for comparison only.")
        return "\n".join(lines)


Row = Tuple[int, Dict[str, str], float]  # (line number, answers, annual cost)


def _cost(cell: str, where: str) -> float:
    text = cell.strip().lstrip("£").replace(",", "")
    if not text:
        raise CalibrationError(f"{where}: is empty: give the current annual cost in pounds")
    try:
        cost = float(text)
    except ValueError:
        raise CalibrationError(f"{where}: must be a number of pounds a year, like 5200") from None
    if not np.isfinite(cost) or cost < 0:
        raise CalibrationError(f"{where}: must be a number of pounds a year, 0 or more")
    return cost


def read_rows(path: Path, bank: QuestionBank) -> List[Row]:
    name = show(path)
    lines = read_text(path, CalibrationError).splitlines()
    # One record per line (no line breaks inside cells), so line numbers stay true.
    kept = [(n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        raise CalibrationError(f"{name}: is empty: it needs a header row of question ids and '{COST}'")
    records = list(csv.reader([line for _, line in kept]))
    header = [h.strip() for h in records[0]]
    head_line = kept[0][0]
    if COST not in header:
        raise CalibrationError(f"{name}: line {head_line}: there is no '{COST}' column")
    for column in header:
        if header.count(column) > 1:
            raise CalibrationError(f"{name}: line {head_line}, column '{column}': appears more than once")
        if column != COST and bank.question(column) is None:
            raise CalibrationError(f"{name}: line {head_line}, column '{column}': is not a question in the bank")
    rows: List[Row] = []
    for (n, _), cells in list(zip(kept, records))[1:]:  # noqa: B905 (one record per kept line)
        if len(cells) != len(header):
            raise CalibrationError(
                f"{name}: line {n}: the header has {len(header)} columns, but this row has {len(cells)}"
            )
        cell = {column: cells[i] for i, column in enumerate(header)}
        cost = _cost(cell.pop(COST), f"{name}: line {n}, column '{COST}'")
        answers = {q: v.strip() for q, v in cell.items() if v.strip()}
        try:
            check_answers(answers, bank)
        except ScoreError as err:
            raise CalibrationError(f"{name}: line {n}, column '{err.question}': {err.detail}") from None
        rows.append((n, answers, cost))
    return rows


def fit_through_origin(points: np.ndarray, costs: np.ndarray) -> Tuple[float, Optional[float], float]:
    """Price per point, R squared around the mean, and the median absolute error."""
    (price,), *_ = np.linalg.lstsq(points[:, None], costs, rcond=None)
    residuals = costs - price * points
    spread = float(((costs - costs.mean()) ** 2).sum())
    r2 = 1 - float(residuals @ residuals) / spread if spread > 0 else None
    return float(price), r2, float(np.median(np.abs(residuals)))


def calibrate(
    csv_path: Union[str, Path], table: Optional[CouncilTable] = None, bank: Optional[QuestionBank] = None
) -> Calibration:
    bank = bank if bank is not None else default_bank()
    table = table if table is not None else default_table()
    name = show(Path(csv_path))
    rows = read_rows(Path(csv_path), bank)
    if len(rows) < 2:
        raise CalibrationError(f"{name}: needs at least 2 rows of answers and costs to fit a price, not {len(rows)}")
    points = np.array([float(score(answers, table, bank).points_total) for _, answers, _ in rows])
    costs = np.array([cost for _, _, cost in rows])
    if not (points > 0).any():
        raise CalibrationError(f"{name}: every row scores 0 points, so no price per point can be fitted")
    price, r2, error = fit_through_origin(points, costs)
    current = np.array([table.money_for(p)[0] for p in points])
    return Calibration(
        source=name,
        rows_used=len(rows),
        price_per_point=round(price, 2),
        r_squared=None if r2 is None else round(r2, 3),
        median_abs_error=whole_pounds(error),
        current_price_per_point=table.price_per_point,
        current_median_abs_error=whole_pounds(float(np.median(np.abs(costs - current)))),
        table_label=table.label,
        table_has_bands=bool(table.bands),
    )


def write_table_copy(
    table_path: Union[str, Path], out_path: Union[str, Path], fit: Calibration, bank: Optional[QuestionBank] = None
) -> None:
    """Write a copy of the table with the fitted price per point; comments are kept where possible."""
    table_path, out_path = Path(table_path), Path(out_path)
    if out_path.resolve() == table_path.resolve():
        raise CalibrationError(f"{show(out_path)}: is the table itself; write the fitted copy to a new file")
    try:
        table = load_table(table_path, bank)
    except TableError as err:
        raise CalibrationError(str(err)) from None
    if table.bands:
        raise CalibrationError(
            f"{show(table_path)}: field 'bands': this table uses bands, so one fitted price per point cannot "
            "replace them; change the bands by hand"
        )
    text = read_text(table_path, CalibrationError)
    line = (
        f"price_per_point: {fit.price_per_point!r}  "
        f"# fitted from {fit.source} ({fit.rows_used} rows); was {table.price_per_point:g}"
    )
    pattern = re.compile(r"^price_per_point:.*$", re.MULTILINE)
    if len(pattern.findall(text)) == 1:
        text = pattern.sub(lambda _: line, text)
    else:  # unusual layout: rewrite the data, losing comments rather than guessing
        raw = parse_yaml(text, show(table_path), CalibrationError)
        raw["price_per_point"] = fit.price_per_point
        text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    try:
        table_from_text(text, show(out_path), bank)
    except TableError as err:
        raise CalibrationError(str(err)) from None
    try:
        out_path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise CalibrationError(f"{show(out_path)}: cannot be written ({err.__class__.__name__})") from None
