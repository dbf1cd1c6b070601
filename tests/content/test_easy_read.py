"""The easy-read checker: each rule on good and bad examples, the exceptions file, the source
registry, `steer check-text`, and every user-facing string Steer has."""

import pytest

from easy_read import cli, sources
from easy_read.check import ExceptionsError, load_exceptions, run
from easy_read.rules import EASY_READ, PLAIN, RULES, check
from easy_read.sources import SOURCES, Text, fill, source

pytestmark = pytest.mark.filterwarnings("ignore")


def rules(text, level=EASY_READ, **kw):
    return {p.rule for p in check(text, level, **kw)}


# -- each rule, on good and bad examples --------------------------------------------------------

GOOD_EASY = [
    "Do you need help to wash and get dressed?",
    "We call this money a Personal Budget. It pays for the support you need.",
    "Choose an answer. Or tell me in your own words.",
    "There are 7 steps. The first step is to find out how much money.",
    "Your budget could be about £4,200 a year. That is about £81 a week.",
    "Choose a PIN. A PIN is 4 to 8 numbers.",
    "Sorry, I did not understand. Please choose 1 of the answers.",
    "If things change, who do you tell?",
]


@pytest.mark.parametrize("text", GOOD_EASY)
def test_good_easy_read_passes(text):
    assert check(text, EASY_READ) == []


BAD_EASY = [
    ("long_sentence", "I can help you find out how much money you might get for your care and your support."),
    ("one_idea", "The council pays the money to you, and you buy your own support."),
    ("one_idea", "Choose an answer, type its number, or tell me in your own words."),
    ("one_idea", "Say yes; then we go on."),
    ("passive", "This money is called a Personal Budget."),
    ("passive", "Your answers are kept safe."),
    ("number_words", "There are seven steps."),
    ("number_words", "Please choose one of the buttons."),
    ("money", "It could be £4200 a year."),
    ("money", "It could be 4,200 pounds a year."),
    ("money", "It could be £4,200.00 a year."),
    ("money", "It could be £ 40 a week."),
    ("unexplained_term", "You can get a direct payment."),
    ("unexplained_term", "Your indicative amount is ready."),
    ("unexplained_term", "Ask a broker to help you."),
    ("hard_word", "This is about your remuneration."),
    ("impersonal", "The user can choose an answer."),
    ("blame", "You entered an invalid answer."),
    ("blame", "That is the wrong answer."),
    ("reading_ease", "These questions are about family, friends and people who matter."),  # Flesch 61
]


@pytest.mark.parametrize("rule,text", BAD_EASY)
def test_bad_easy_read_fails_for_its_reason(rule, text):
    assert rule in rules(text), check(text, EASY_READ)


def test_every_rule_has_a_bad_example():
    assert {rule for rule, _ in BAD_EASY} == set(RULES)


def test_a_sentence_of_15_words_is_fine_and_16_is_not():
    fifteen = "I can help you find out how much money you could get for your care."
    assert "long_sentence" not in rules(fifteen)
    assert "long_sentence" in rules(fifteen.replace("your care", "your own care"))


def test_plain_english_allows_longer_sentences_and_passive_but_not_hard_going():
    sentence = "This is an estimate to help you plan, and the council checks your support plan before it agrees it."
    assert rules(sentence, PLAIN) == set()
    assert rules("These questions are about family, friends and people who matter.", PLAIN) == set()
    assert "long_sentence" in rules(" ".join(["word"] * 26) + ".", PLAIN)
    assert "long_sentence" not in rules(" ".join(["word"] * 25) + ".", PLAIN)
    assert rules("This money is called a Personal Budget, and it is paid by the council.", PLAIN) == set()
    assert "reading_ease" in rules("Consideration of your individual circumstances will determine the appropriate "
                                   "allocation of resources.", PLAIN)
    assert rules("The rate is £17.50 an hour.", PLAIN) == set()
    assert "money" in rules("The rate is £17.50 an hour.", EASY_READ)


@pytest.mark.parametrize("text", [
    "A direct payment is money you get to pay for help.",        # the term, then "is"
    "You can get a direct payment. A direct payment is money for your care.",  # defined in the next sentence
    "We call this money a Personal Budget.",                     # named
    "Help with seizures (fits) counts too.",                     # in brackets
    "Volunteering means helping others for free.",
])
def test_a_term_explained_where_it_is_first_used_passes(text):
    assert "unexplained_term" not in rules(text)


def test_a_term_needs_no_words_of_explanation_where_a_glossary_link_is_shown_or_it_is_explained():
    assert "unexplained_term" not in rules("Direct payment", linked=True)
    assert "unexplained_term" not in rules("A broker helps you plan.", own_term="broker")
    assert "unexplained_term" in rules("You can get a direct payment. You can spend it on help.")


def test_everyday_numbers_and_ones_that_are_not_numbers_pass():
    assert "number_words" not in rules("Someone helps me. That one is fine. No one has to help.")


# -- exceptions ---------------------------------------------------------------------------------


def test_every_exception_has_a_reason_and_a_known_rule():
    for exception in load_exceptions():
        assert exception.rule in RULES and len(exception.reason.split()) >= 10


def test_an_exception_without_a_reason_or_with_an_unknown_rule_is_refused(tmp_path):
    path = tmp_path / "exceptions.yml"
    path.write_text("exceptions:\n  - {rule: passive, about: called}\n")
    with pytest.raises(ExceptionsError, match=r"exceptions\[0\].*reason"):
        load_exceptions(path)
    path.write_text("exceptions:\n  - {rule: too_hard, reason: because it is fine here}\n")
    with pytest.raises(ExceptionsError, match="'rule' must be one of"):
        load_exceptions(path)


def _fake():
    return [Text("fake.yml: good", "Please choose an answer.", EASY_READ),
            Text("fake.yml: bad", "Your answers are kept safe.", EASY_READ)]


@pytest.fixture()
def fake_source(monkeypatch):
    """A registered source of two strings: one good, one passive."""
    monkeypatch.setitem(SOURCES, "test-fake", _fake)
    return "test-fake"


def test_an_exception_covers_only_what_it_names_and_an_unused_one_is_reported(monkeypatch, tmp_path):
    monkeypatch.setattr(sources, "SOURCES", {"test-fake": _fake})  # the whole registry, for this test
    path = tmp_path / "exceptions.yml"
    path.write_text("exceptions:\n"
                    "  - {rule: passive, where: 'fake.yml: bad', reason: a made up reason for this test}\n"
                    "  - {rule: blame, where: 'fake.yml: *', reason: a made up reason that matches nothing}\n")
    report = run(None, load_exceptions(path))
    assert report.failures == [] and report.checked == {"test-fake": 2}
    assert [e.rule for e in report.unused] == ["blame"] and not report.ok
    path.write_text("exceptions:\n"
                    "  - {rule: passive, where: 'other.yml: *', reason: a made up reason for another file}\n")
    report = run(None, load_exceptions(path))
    assert [(f.text.where, f.problem.rule) for f in report.failures] == [("fake.yml: bad", "passive")]


def test_the_registry_takes_a_new_source_in_one_function(monkeypatch):
    monkeypatch.setattr(sources, "SOURCES", dict(SOURCES))

    @source("kiosk-test")
    def _kiosk():
        yield Text("kiosk.py: HELLO", fill("Hello {name}. Tap the screen to start."), EASY_READ)

    assert [t.text for t in sources.all_texts(["kiosk-test"])["kiosk-test"]] == ["Hello Sam. Tap the screen to start."]


def test_check_text_prints_each_failing_string_with_where_and_why(fake_source, capsys):
    assert cli.main(["--source", fake_source]) == 1
    out = capsys.readouterr().out
    assert "fake.yml: bad [easy read]" in out and "passive" in out and "Your answers are kept safe" in out
    assert "fake.yml: good" not in out


# -- every user-facing string -------------------------------------------------------------------


@pytest.fixture(scope="module")
def report():
    return run()


@pytest.mark.slow  # the whole-content sweep (the `report` fixture) takes about 10 s
def test_every_source_the_issue_names_is_registered_and_has_strings(report):
    for name in ("question-bank", "support-plan", "messages", "summary", "front-door", "voice", "scorer", "glossary"):
        assert report.checked.get(name, 0) > 0, name


@pytest.mark.slow
def test_every_user_facing_string_passes(report):
    lines = [f"{f.text.where} [{f.text.level}]: {f.problem}\n    {f.text.text!r}" for f in report.failures]
    lines += [f"easy_read/exceptions.yml: {e} matches nothing any more" for e in report.unused]
    assert not lines, "Run `steer check-text` to see these:\n" + "\n".join(lines)
