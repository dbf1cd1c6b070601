"""Question bank validation: every kind of bad content gets one clear message naming file, question and field."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bank import CARE_ACT_OUTCOMES, BankError, default_bank, load_bank

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "area": {"id": "daily", "title": {"plain": "Daily life", "easy_read": "Every day"},
             "intro": {"plain": "About everyday things.", "easy_read": "About every day."}},
    "questions": [{
        "id": "meals",
        "title": {"plain": "Meals", "easy_read": "Food"},
        "outcomes": ["nutrition"],
        "text": {"plain": {"self": "Do you need help with meals?", "other": "Does {name} need help with meals?"},
                 "easy_read": {"self": "Do you need help to eat?", "other": "Does {name} need help to eat?"}},
        "explain": {"plain": "This is about making and eating meals.", "easy_read": "This is about food."},
        "options": [
            {"value": "no_help", "need": 0, "label": {"plain": "Makes meals alone", "easy_read": "No help"}},
            {"value": "some_help", "need": 1, "label": {"plain": "Some help", "easy_read": "A little help"}},
            {"value": "all_help", "need": 3, "label": {"plain": "Someone makes every meal", "easy_read": "All help"}},
        ],
    }],
}


def write(tmp_path: Path, data, name="01_daily.yml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def bad(tmp_path: Path, change) -> str:
    data = copy.deepcopy(GOOD)
    change(data)
    write(tmp_path, data)
    with pytest.raises(BankError) as err:
        load_bank(tmp_path)
    return str(err.value)


def q(data):
    return data["questions"][0]


CASES = [
    ("missing field", lambda d: q(d).pop("explain"), "field 'explain'", "field required"),
    ("empty text", lambda d: q(d)["text"]["plain"].update(self="  "), "field 'text.plain.self'", "not empty"),
    ("no name in carer voice", lambda d: q(d)["text"]["easy_read"].update(other="Does he need help?"),
     "field 'text.easy_read.other'", "{name}"),
    ("name in own voice", lambda d: q(d)["text"]["plain"].update(self="Does {name} eat?"),
     "field 'text.plain.self'", "must not contain {name}"),
    ("need off the scale", lambda d: q(d)["options"][2].update(need=7), "field 'options[2].need'", "0, 1, 2 or 3"),
    ("need goes down", lambda d: q(d)["options"][1].update(need=3) or q(d)["options"][2].update(need=1),
     "field 'options'", "goes down"),
    ("repeated option", lambda d: q(d)["options"][1].update(value="no_help"), "field 'options'", "repeated"),
    ("one option", lambda d: q(d).update(options=q(d)["options"][:1]), "field 'options'", "2 to 5"),
    ("unknown outcome", lambda d: q(d).update(outcomes=["happiness"]), "field 'outcomes'", "Care Act"),
    ("no outcome", lambda d: q(d).update(outcomes=[]), "field 'outcomes'", "at least one"),
    ("name in explanation", lambda d: q(d)["explain"].update(plain="About {name}."), "field 'explain'", "{name}"),
    ("bad id", lambda d: q(d).update(id="Meals Q1"), "field 'id'", "lower-case"),
    ("unknown field", lambda d: q(d).update(colour="blue"), "field 'colour'", "extra fields"),
    ("label missing a level", lambda d: q(d)["options"][0]["label"].pop("easy_read"),
     "field 'options[0].label.easy_read'", "field required"),
]


@pytest.mark.parametrize("what,change,field,words", CASES, ids=[c[0] for c in CASES])
def test_each_bad_content_is_named(tmp_path, what, change, field, words):
    message = bad(tmp_path, change)
    assert "01_daily.yml" in message
    assert field in message, message
    assert words in message, message
    if field != "field 'id'":
        assert "question 'meals'" in message, message


def test_not_yaml(tmp_path):
    write(tmp_path, "area: [unclosed\n")
    with pytest.raises(BankError, match=r"01_daily.yml: this is not valid YAML at line \d"):
        load_bank(tmp_path)


def test_not_a_mapping(tmp_path):
    write(tmp_path, "- just\n- a list\n")
    with pytest.raises(BankError, match="expected a mapping"):
        load_bank(tmp_path)


def test_no_files(tmp_path):
    with pytest.raises(BankError, match="no question files"):
        load_bank(tmp_path)


def test_question_id_used_twice_across_files(tmp_path):
    write(tmp_path, GOOD)
    other = copy.deepcopy(GOOD)
    other["area"]["id"] = "more"
    write(tmp_path, other, "02_more.yml")
    with pytest.raises(BankError, match=r"02_more.yml: question 'meals', field 'id': also used in .*01_daily.yml"):
        load_bank(tmp_path)


def test_ask_if_must_name_an_earlier_question_and_real_options(tmp_path):
    data = copy.deepcopy(GOOD)
    follow = copy.deepcopy(q(data))
    follow["id"] = "meal_help_who"
    follow["ask_if"] = {"question": "nothing_like_this", "in": ["some_help"]}
    data["questions"].append(follow)
    write(tmp_path, data)
    with pytest.raises(BankError, match=r"question 'meal_help_who', field 'ask_if.question'"):
        load_bank(tmp_path)
    follow["ask_if"] = {"question": "meals", "in": ["lots"]}
    write(tmp_path, data)
    with pytest.raises(BankError, match=r"field 'ask_if.in': \['lots'\] are not options of 'meals'"):
        load_bank(tmp_path)


def test_a_question_applies_only_when_its_gate_is_asked_and_opens_it(tmp_path):
    # meals -> meal_help (if some or all help) -> meal_help_often (if some or all help)
    data = copy.deepcopy(GOOD)
    for qid, gate in (("meal_help", "meals"), ("meal_help_often", "meal_help")):
        follow = copy.deepcopy(q(data))
        follow["id"] = qid
        follow["ask_if"] = {"question": gate, "in": ["some_help", "all_help"]}
        data["questions"].append(follow)
    write(tmp_path, data)
    bank = load_bank(tmp_path)

    assert bank.asked({}) == {"meals": None}
    assert bank.asked({"meals": "all_help"}) == {"meals": "all_help", "meal_help": None}
    every = {"meals": "some_help", "meal_help": "all_help", "meal_help_often": "no_help"}
    assert bank.asked(every) == every
    # Changing the first answer leaves the others behind: they no longer apply, all the way down.
    left_over = {**every, "meals": "no_help"}
    assert bank.asked(left_over) == {"meals": "no_help"}
    assert [x.id for x in bank.applicable(left_over)] == ["meals"]


def test_good_file_loads(tmp_path):
    write(tmp_path, GOOD)
    bank = load_bank(tmp_path)
    assert [x.id for x in bank.questions] == ["meals"]


def test_the_real_bank_covers_the_pilot():
    bank = default_bank()
    assert len(bank.areas) == 8
    assert len(bank.questions) >= 24
    assert all(len(bank.in_area(a.id)) >= 2 for a in bank.areas)
    assert {o for x in bank.questions for o in x.outcomes} <= set(CARE_ACT_OUTCOMES)
    willing = bank.question("unpaid_help_willing")
    assert willing.ask_if.question == "unpaid_help" and willing.ask_if.in_ == ["yes"]


def test_check_command_names_the_problem_without_a_traceback(tmp_path):
    data = copy.deepcopy(GOOD)
    q(data)["options"][0]["need"] = 9
    write(tmp_path, data)
    run = subprocess.run([sys.executable, "-m", "bank", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1
    assert "question 'meals', field 'options[0].need'" in run.stderr
    assert "Traceback" not in run.stderr


def test_yes_and_no_stay_words_as_the_bank_readme_writes_them(tmp_path):
    """`in: [yes]` and `value: yes` unquoted (as data/questions/README.md shows) are the words, not True."""
    data = copy.deepcopy(GOOD)
    helps = copy.deepcopy(data["questions"][0])
    helps.update(id="unpaid", options=[
        {"value": "YES_WORD", "need": 0, "label": {"plain": "Someone helps", "easy_read": "Yes"}},
        {"value": "NO_WORD", "need": 0, "label": {"plain": "Nobody helps", "easy_read": "No"}}])
    later = copy.deepcopy(data["questions"][0])
    later.update(id="willing", ask_if={"question": "unpaid", "in": ["YES_WORD"]})
    data["questions"] = [helps, later]
    text = yaml.safe_dump(data).replace("YES_WORD", "yes").replace("NO_WORD", "no")
    assert "- yes" in text and "'yes'" not in text  # written unquoted
    write(tmp_path, text)
    bank = load_bank(tmp_path)
    assert [o.value for o in bank.question("unpaid").options] == ["yes", "no"]
    assert bank.question("willing").ask_if.in_ == ["yes"]
