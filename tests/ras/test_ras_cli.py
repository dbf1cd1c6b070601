"""The command line: score a file, calibrate a CSV; errors are kind, name file and field, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bank import load_bank
from ras import load_table, score
from ras.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ras"
FIXTURE_ARGS = ["--bank", str(FIXTURES / "questions"), "--table", str(FIXTURES / "fixture_council.yml")]
EXAMPLE_CSV = ROOT / "data" / "councils" / "calibration_example.csv"
ANSWERS = {"washing_dressing": "help_most_days", "meals_drinks": "a_little_help", "unpaid_help": "no"}


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_score_a_yaml_file_of_answers(tmp_path, capsys):
    path = tmp_path / "answers.yml"
    path.write_text("washing_dressing: help_all_the_time\nusing_toilet: help_all_the_time\nunpaid_help: no\n")
    code, out, err = run(capsys, "score", path)
    assert (code, err) == (0, "")
    assert "Indicative Personal Budget: £3,400 a year (about £65 a week)" in out
    assert "Looking after yourself: 40" in out
    assert "keeping clean" in out and "indicative budget" in out


def test_score_json_with_an_answers_key_prints_the_result_as_json(tmp_path, capsys):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": ANSWERS, "sender_id": "kiosk-3"}))
    code, out, _ = run(capsys, "score", path, "--json")
    assert code == 0
    assert json.loads(out) == score(ANSWERS).to_dict()


def test_score_with_another_bank_and_table(tmp_path, capsys):
    path = tmp_path / "answers.yml"
    path.write_text("answers:\n  washing: some_help\n")
    code, out, _ = run(capsys, "score", path, *FIXTURE_ARGS)
    assert code == 0 and "No budget indicated" in out


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        (
            "bad_option.yml",
            "washing_dressing: private_answer_words\n",
            "field 'washing_dressing': the answer is not one",
        ),
        ("bad_nested.json", '{"answers": {"flying": "no_help"}}', "field 'answers.flying': this is not a question"),
        ("not_yaml.yml", "washing_dressing: [oops\n", "not valid YAML at line"),
        ("not_json.json", '{"answers": ', "not valid JSON at line 1"),
        ("a_list.yml", "- washing_dressing\n", "field '(whole file)': must be a mapping"),
        ("bad_answers.yml", "answers: [1, 2]\n", "field 'answers': must be a mapping"),
    ],
)
def test_a_bad_answers_file_exits_2_naming_file_and_field(tmp_path, capsys, name, text, words):
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run(capsys, "score", path)
    assert (code, out) == (2, "")
    assert err.startswith("Sorry, the answers could not be scored.\n")
    assert f"{path}: " in err and words in err
    assert "private_answer_words" not in err


def test_a_missing_answers_file(tmp_path, capsys):
    code, _, err = run(capsys, "score", tmp_path / "gone.yml")
    assert code == 2 and "gone.yml: there is no such file" in err


def test_a_bad_table_exits_2_naming_it(tmp_path, capsys):
    table = tmp_path / "council.yml"
    table.write_text(
        (ROOT / "data" / "councils" / "example_council.yml").read_text().replace("floor: 20", "floor: lots")
    )
    answers = tmp_path / "answers.yml"
    answers.write_text("washing_dressing: no_help\n")
    code, _, err = run(capsys, "score", answers, "--table", table)
    assert code == 2 and f"{table}: field 'floor': must be a number" in err


def test_calibrate_and_write_a_fitted_copy(tmp_path, capsys):
    out_table = tmp_path / "fitted.yml"
    code, out, err = run(capsys, "calibrate", EXAMPLE_CSV, "--write", out_table)
    assert (code, err) == (0, "")
    assert "40 rows used" in out and "Fitted price per point" in out and "R squared" in out
    fitted = load_table(out_table)
    assert fitted.price_per_point != 85 and "EXAMPLE ONLY" in out_table.read_text()


def test_calibrate_a_bad_csv_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("washing,annual_cost\nsome_help,lots\nall_help,900\n")
    code, _, err = run(capsys, "calibrate", path, *FIXTURE_ARGS)
    assert code == 2
    assert err.startswith("Sorry, the calibration could not be done.\n")
    assert f"{path}: line 2, column 'annual_cost': must be a number" in err


def test_a_bad_question_bank_folder_exits_2(tmp_path, capsys):
    code, _, err = run(capsys, "calibrate", EXAMPLE_CSV, "--bank", tmp_path)
    assert code == 2 and "no question files" in err


@pytest.mark.parametrize("argv", [[], ["dance"], ["score"], ["score", "a.yml", "--colour"], ["calibrate"]])
def test_usage_mistakes_exit_2_with_the_usage(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and "usage:" in err


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "score", "--help")
    assert code == 0 and "--table" in out


def test_python_dash_m_ras_works(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_text("washing_dressing: help_most_days\n")
    good = subprocess.run([sys.executable, "-m", "ras", "score", str(path), "--json"], capture_output=True, text=True)
    assert good.returncode == 0 and json.loads(good.stdout)["annual"] is None  # 10 points: below the floor
    bad = subprocess.run(
        [sys.executable, "-m", "ras", "score", str(tmp_path / "no.yml")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "no such file" in bad.stderr and "Traceback" not in bad.stderr


def test_fixture_bank_loads():  # guards the fixture used above
    assert load_bank(FIXTURES / "questions").question("washing") is not None
