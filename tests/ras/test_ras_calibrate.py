"""Calibration: a known price per point comes back out; bad CSV rows are named by file, line and column."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
import yaml

from bank import load_bank
from ras import EXAMPLE_TABLE, CalibrationError, calibrate, load_table, score, write_table_copy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ras"
BANK = load_bank(FIXTURES / "questions")
TABLE_PATH = FIXTURES / "fixture_council.yml"
TABLE = load_table(TABLE_PATH, BANK)
EXAMPLE_CSV = EXAMPLE_TABLE.parent / "calibration_example.csv"
COLUMNS = [q.id for q in BANK.questions]


def synthetic_rows(price: float, rows: int, noise: float, seed: int = 7):
    """Made-up people: random answers, and a cost of `price` a point give or take `noise`."""
    rng = random.Random(seed)
    out = []
    while len(out) < rows:
        answers = {q.id: rng.choice(q.options).value for q in BANK.questions if rng.random() < 0.9}
        points = score(answers, TABLE, BANK).points_total
        if points:
            out.append({**answers, "annual_cost": round(points * price * rng.uniform(1 - noise, 1 + noise), 2)})
    return out


def write_csv(tmp_path: Path, rows, columns=None, comments=("# made-up rows for a test",)) -> Path:
    path = tmp_path / "packages.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.writelines(line + "\n" for line in comments)
        writer = csv.DictWriter(f, fieldnames=columns or [*COLUMNS, "annual_cost"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_recovers_an_exact_price_per_point(tmp_path):
    fit = calibrate(write_csv(tmp_path, synthetic_rows(73.5, 30, noise=0)), TABLE, BANK)
    assert fit.rows_used == 30
    assert fit.price_per_point == pytest.approx(73.5, abs=0.01)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.median_abs_error == 0
    assert fit.current_price_per_point == 50


def test_recovers_a_price_per_point_through_noise(tmp_path):
    fit = calibrate(write_csv(tmp_path, synthetic_rows(120, 400, noise=0.2)), TABLE, BANK)
    assert fit.price_per_point == pytest.approx(120, rel=0.03)
    assert 0.8 < fit.r_squared < 1
    assert "Fitted price per point: £1" in fit.report()


def test_the_made_up_example_csv_fits_the_example_table():
    text = EXAMPLE_CSV.read_text(encoding="utf-8")
    assert text.startswith("# MADE-UP DATA")
    fit = calibrate(EXAMPLE_CSV)
    assert fit.rows_used == 40
    assert 60 < fit.price_per_point < 130
    assert fit.to_dict()["table_label"].startswith("Example council")


def _bad(tmp_path, rows, columns=None):
    path = write_csv(tmp_path, rows, columns)
    with pytest.raises(CalibrationError) as caught:
        calibrate(path, TABLE, BANK)
    return path, str(caught.value)


GOOD = {"washing": "some_help", "meals": "", "annual_cost": "900"}


@pytest.mark.parametrize(
    ("bad", "line", "column", "words"),
    [
        ({"washing": "soaking"}, 4, "washing", "not one of its options: no_help, some_help"),
        ({"annual_cost": "about a thousand"}, 4, "annual_cost", "must be a number"),
        ({"annual_cost": ""}, 4, "annual_cost", "is empty"),
        ({"annual_cost": "-5"}, 4, "annual_cost", "0 or more"),
    ],
)
def test_a_bad_row_names_file_line_and_column(tmp_path, bad, line, column, words):
    path, message = _bad(tmp_path, [GOOD, {**GOOD, **bad}], columns=["washing", "meals", "annual_cost"])
    # Line 1 is the comment, 2 the header, 3 the good row.
    assert message.startswith(f"{path}: line {line}, column '{column}': ")
    assert words in message
    assert "soaking" not in message  # answers are never echoed


def test_a_pound_sign_and_thousands_commas_are_fine(tmp_path):
    rows = [{**GOOD, "annual_cost": "£1,000"}, {**GOOD, "washing": "all_help", "annual_cost": "5,000"}]
    assert calibrate(write_csv(tmp_path, rows, columns=["washing", "meals", "annual_cost"]), TABLE, BANK).rows_used == 2


def test_an_unknown_column(tmp_path):
    path, message = _bad(tmp_path, [{**GOOD, "dancing": "x"}], columns=["washing", "meals", "dancing", "annual_cost"])
    assert message.startswith(f"{path}: line 2, column 'dancing': ")


def test_no_cost_column(tmp_path):
    path, message = _bad(tmp_path, [{"washing": "some_help"}], columns=["washing"])
    assert message == f"{path}: line 2: there is no 'annual_cost' column"


def test_a_short_row(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("washing,annual_cost\nsome_help,900\nall_help\n", encoding="utf-8")
    with pytest.raises(CalibrationError, match=r"short.csv: line 3: the header has 2 columns, but this row has 1"):
        calibrate(path, TABLE, BANK)


def test_too_few_rows(tmp_path):
    path, message = _bad(tmp_path, [GOOD], columns=["washing", "meals", "annual_cost"])
    assert "at least 2 rows" in message


def test_a_missing_file(tmp_path):
    with pytest.raises(CalibrationError, match="no such file"):
        calibrate(tmp_path / "nowhere.csv", TABLE, BANK)


def test_writes_the_fitted_price_into_a_copy_keeping_comments(tmp_path):
    fit = calibrate(write_csv(tmp_path, synthetic_rows(73.5, 30, noise=0)), TABLE, BANK)
    out = tmp_path / "fitted.yml"
    write_table_copy(TABLE_PATH, out, fit, BANK)
    copy = load_table(out, BANK)
    assert copy.price_per_point == pytest.approx(73.5)
    assert copy.points == TABLE.points and copy.label == TABLE.label
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Test fixture") and "was 50" in text
    assert load_table(TABLE_PATH, BANK).price_per_point == 50  # the original is untouched


def test_will_not_overwrite_the_table_itself(tmp_path):
    fit = calibrate(write_csv(tmp_path, synthetic_rows(60, 5, noise=0)), TABLE, BANK)
    with pytest.raises(CalibrationError, match="is the table itself"):
        write_table_copy(TABLE_PATH, TABLE_PATH, fit, BANK)


def test_will_not_replace_bands_with_one_price(tmp_path):
    raw = yaml.safe_load(TABLE_PATH.read_text(encoding="utf-8"))
    raw["bands"] = [{"from_points": 10, "price_per_point": 60}]
    banded = tmp_path / "banded.yml"
    banded.write_text(yaml.safe_dump(raw), encoding="utf-8")
    fit = calibrate(write_csv(tmp_path, synthetic_rows(60, 5, noise=0)), load_table(banded, BANK), BANK)
    assert fit.table_has_bands and "comparison only" in fit.report()
    with pytest.raises(CalibrationError, match="field 'bands'"):
        write_table_copy(banded, tmp_path / "out.yml", fit, BANK)
