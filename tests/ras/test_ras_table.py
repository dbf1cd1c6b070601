"""Council tables: the example loads, and each kind of bad content gets a message naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import ras.bank_checks
from bank import default_bank, load_bank
from ras import EXAMPLE_TABLE, TableError, default_table, load_table, score

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ras"
FIXTURE_BANK = load_bank(FIXTURES / "questions")
FIXTURE_TABLE = FIXTURES / "fixture_council.yml"


def fixture_raw() -> dict:
    return yaml.safe_load(FIXTURE_TABLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, raw: dict, name: str = "bad_council.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def problem(path: Path, bank=FIXTURE_BANK) -> str:
    with pytest.raises(TableError) as caught:
        load_table(path, bank)
    return str(caught.value)


def test_example_table_fits_the_real_bank_and_says_it_is_an_example():
    table = load_table(EXAMPLE_TABLE, default_bank())
    assert table.label.startswith("Example council")
    assert "not any real council" in table.label
    assert "EXAMPLE ONLY" in EXAMPLE_TABLE.read_text(encoding="utf-8")
    assert default_table() == table
    assert (table.price_per_point, table.floor, table.ceiling) == (85, 20, 20000)


def test_fixture_table_fits_the_fixture_bank():
    table = load_table(FIXTURE_TABLE, FIXTURE_BANK)
    assert table.points["washing"]["all_help"] == 15


def _set(*keys, value):
    def change(raw):
        target = raw
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def _drop(*keys):
    def change(raw):
        target = raw
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return change


BAD = {
    "a bad number": (
        _set("points", "washing", "some_help", value="lots"),
        "points.washing.some_help",
        "must be a number",
    ),
    "true is not a number": (_set("price_per_point", value=True), "price_per_point", "must be a number"),
    "a missing option": (_drop("points", "washing", "all_help"), "points.washing.all_help", "missing"),
    "a missing question": (_drop("points", "meals"), "points.meals", "missing"),
    "an unknown question": (_set("points", "flying", value={"no": 0}), "points.flying", "not a question"),
    "an unknown option": (_set("points", "meals", "banquet", value=9), "points.meals.banquet", "not an option"),
    "points going down": (_set("points", "washing", "lots_of_help", value=2), "points.washing", "must not go down"),
    "least need not 0": (_set("points", "meals", "no_help", value=1), "points.meals.no_help", "must have 0 points"),
    "negative points": (_set("points", "meals", "some_help", value=-2), "points.meals.some_help", "below 0"),
    "bands going down": (
        _set("bands", value=[{"from_points": 10, "price_per_point": 40}]),
        "bands",
        "money goes down at 10 points",
    ),
    "fixed bands going down": (
        _set("bands", value=[{"from_points": 10, "annual": 600}, {"from_points": 20, "annual": 550}]),
        "bands",
        "band 2",
    ),
    "bands out of order": (
        _set("bands", value=[{"from_points": 20, "annual": 2000}, {"from_points": 10, "annual": 3000}]),
        "bands",
        "go up in from_points",
    ),
    "a band with two kinds of money": (
        _set("bands", value=[{"from_points": 10, "annual": 900, "price_per_point": 60}]),
        "bands[0]",
        "either price_per_point or annual",
    ),
    "floor missing": (_drop("floor"), "floor", "is missing"),
    "ceiling missing": (_drop("ceiling"), "ceiling", "is missing"),
    "price missing": (_drop("price_per_point"), "price_per_point", "is missing"),
    "a negative floor": (_set("floor", value=-1), "floor", "below 0"),
    "a bad date": (_set("effective_date", value="next spring"), "effective_date", "date like"),
    "a misspelt field": (_set("price_per_piont", value=3), "price_per_piont", "not a field"),
    "an empty label": (_set("label", value="  "), "label", "not empty"),
    "a share above 1": (
        _set("unpaid_support", "reduce_by", "all", value=1.5),
        "unpaid_support.reduce_by.all",
        "from 0 to 1",
    ),
    "shares going up": (
        _set("unpaid_support", "reduce_by", "none", value=0.6),
        "unpaid_support.reduce_by",
        "must not go up",
    ),
    "an unknown area": (_set("unpaid_support", "areas", value=["garden"]), "unpaid_support.areas", "'garden'"),
    "an unknown unpaid option": (
        _set("unpaid_support", "reduce_by", "loads", value=0.1),
        "unpaid_support.reduce_by.loads",
        "not an option",
    ),
    "points on the unpaid question": (
        _set("points", "unpaid_help_willing", value={"all": 0, "most": 1, "some": 2, "none": 3}),
        "points.unpaid_help_willing",
        "must not have points",
    ),
    "an unknown not_scored question": (_set("not_scored", value=["unpaid_help", "dancing"]), "not_scored", "'dancing'"),
}


@pytest.mark.parametrize("kind", BAD)
def test_bad_table_content_names_the_file_and_the_field(tmp_path, kind):
    change, field, words = BAD[kind]
    raw = fixture_raw()
    change(raw)
    path = write(tmp_path, raw)
    message = problem(path)
    assert str(path) in message
    assert f"field '{field}'" in message
    assert words in message


def test_every_problem_is_on_its_own_line_starting_with_the_file(tmp_path):
    raw = fixture_raw()
    del raw["floor"], raw["ceiling"]
    path = write(tmp_path, raw)
    lines = problem(path).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}: field '") for line in lines)


@pytest.mark.parametrize(
    ("text", "words"),
    [("label: [unclosed\n", "not valid YAML at line"), ("- just\n- a list\n", "expected a mapping"), ("", "mapping")],
)
def test_a_file_that_is_not_a_table(tmp_path, text, words):
    path = tmp_path / "odd.yml"
    path.write_text(text, encoding="utf-8")
    message = problem(path)
    assert message.startswith(str(path)) and words in message


def test_a_missing_file(tmp_path):
    assert "no such file" in problem(tmp_path / "nowhere.yml")


def test_good_bands_are_accepted(tmp_path):
    raw = fixture_raw()
    raw["bands"] = [{"from_points": 10, "price_per_point": 60}, {"from_points": 20, "annual": 1200}]
    table = load_table(write(tmp_path, raw), FIXTURE_BANK)
    assert [table.money_for(p)[0] for p in (9, 10, 19, 20, 40)] == [450, 600, 1140, 1200, 1200]


def _variant_bank(tmp_path: Path, file_name: str, old: str, new: str):
    """A copy of the fixture bank with one edit, to test the table's order checks."""
    folder = tmp_path / "questions"
    shutil.copytree(FIXTURES / "questions", folder)
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_bank(folder)


def test_unpaid_help_must_not_let_a_later_answer_take_points_off(tmp_path):
    # With "no" before "yes", moving to the later answer would open the willing question.
    yes = '      - {value: "yes", need: 0, label: {plain: Someone helps, easy_read: Someone helps}}\n'
    no = '      - {value: "no", need: 0, label: {plain: Nobody helps, easy_read: Nobody helps}}\n'
    bank = _variant_bank(tmp_path, "03_family.yml", yes + no, no + yes)
    message = problem(FIXTURE_TABLE, bank)
    assert "field 'unpaid_support.question'" in message
    assert "[yes, no]" in message


def test_a_scored_question_must_stay_asked_for_later_gate_answers(tmp_path):
    bank = _variant_bank(tmp_path, "02_safety.yml", "in: [sometimes, often]", "in: [sometimes]")
    message = problem(FIXTURE_TABLE, bank)
    assert "field 'points.falls_injury'" in message
    assert "drop the points" in message


def test_a_table_is_checked_against_its_bank_once_when_it_loads_not_at_every_score(monkeypatch, tmp_path):
    # Every check of a table against a bank starts with its points, whoever asks for it.
    checked = []
    points_problems = ras.bank_checks._points_problems

    def counted(table, bank):
        checked.append(bank)
        return points_problems(table, bank)

    monkeypatch.setattr(ras.bank_checks, "_points_problems", counted)
    table = load_table(FIXTURE_TABLE, FIXTURE_BANK)
    assert checked == [FIXTURE_BANK]
    for _ in range(20):
        score({"washing": "some_help"}, table, FIXTURE_BANK)
    assert checked == [FIXTURE_BANK]

    # Another bank (here the same files, loaded again) is checked once, at its first score.
    again = load_bank(FIXTURES / "questions")
    for _ in range(3):
        score({}, table, again)
    assert checked == [FIXTURE_BANK, again]

    # A changed copy is checked again, and refused.
    changed = table.copy(update={"points": {**table.points, "flying": {"no": 0}}})
    with pytest.raises(TableError, match="field 'points.flying'"):
        score({}, changed, FIXTURE_BANK)

    # A bad table is refused as it loads, before anything is scored with it.
    raw = fixture_raw()
    del raw["points"]["meals"]
    with pytest.raises(TableError) as caught:
        load_table(write(tmp_path, raw), FIXTURE_BANK)
    assert "field 'points.meals'" in str(caught.value) and "bad_council.yml" in str(caught.value)
