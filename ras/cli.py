"""`python -m ras score FILE` and `python -m ras calibrate CSV`; the lead wires main() into `steer`.

Errors are one kind message on stderr naming the file and the field, and exit code 2.
Answers are printed only as this command's own output, never in an error message.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bank import BankError, QuestionBank, default_bank, load_bank
from bank.yaml_text import parse_yaml, read_text, show
from ras.calibrate import CalibrationError, calibrate, write_table_copy
from ras.explain import OUTCOME_WORDS
from ras.money import pounds
from ras.score import RasResult, ScoreError, score
from ras.table import EXAMPLE_TABLE, TableError, load_table

USAGE_ERROR = 2


class UsageError(ValueError):
    pass


class AnswersError(ValueError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit; main() must return instead
        raise UsageError(f"{self.prog}: {message}\n{self.format_usage().strip()}")


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description="Score answers with a council's RAS table, or fit its price per point.")
    commands = parser.add_subparsers(dest="command", metavar="{score,calibrate}")
    scoring = commands.add_parser("score", help="score a file of answers (YAML or JSON)")
    scoring.add_argument("file", type=Path, help='answers: {question_id: option_value} or {"answers": {...}}')
    scoring.add_argument("--json", action="store_true", help="print the result as JSON")
    fitting = commands.add_parser("calibrate", help="fit the price per point to current packages (CSV)")
    fitting.add_argument("csv", type=Path, help="one column per question id, plus annual_cost")
    fitting.add_argument("--write", type=Path, metavar="OUT", help="write a copy of the table with the fitted price")
    for sub in (scoring, fitting):
        sub.add_argument("--table", type=Path, default=EXAMPLE_TABLE, help="council table (default: the example)")
        sub.add_argument("--bank", type=Path, metavar="DIR", help="question bank folder (default: data/questions)")
    return parser


def read_answers(path: Path) -> Tuple[Dict[str, Any], str]:
    """The answers in a file, and the field prefix ('answers.') they sit under, if any."""
    text = read_text(path, AnswersError)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise AnswersError(f"{show(path)}: this is not valid JSON at line {err.lineno}: {err.msg}") from None
    else:
        data = parse_yaml(text, show(path), AnswersError)
    prefix = ""
    if isinstance(data, dict) and "answers" in data:
        data, prefix = data["answers"], "answers."
    if not isinstance(data, dict):
        raise AnswersError(
            f"{show(path)}: field '{prefix.rstrip('.') or '(whole file)'}': must be a mapping of question id to "
            'option value, or {"answers": {...}}'
        )
    return data, prefix


def format_result(result: RasResult, bank: QuestionBank) -> str:
    if result.annual is None:
        lines = ["No budget indicated: the points are below the council's floor."]
    else:
        lines = [f"Indicative Personal Budget: {pounds(result.annual)} a year (about {pounds(result.weekly)} a week)"]
    if result.status == "above_ceiling":
        lines.append("Above the council's ceiling: a full assessment with a social worker is recommended.")
    points = f"Points: {result.points_total:g}"
    if result.unpaid_support_reduction:
        points += (
            f" ({result.points_before_unpaid_support:g} from the answers, "
            f"{result.unpaid_support_reduction:g} taken off for willing unpaid help)"
        )
    lines += [points, "Points by area:"]
    lines += [f"  {bank.area(a).title.plain}: {p:g}" for a, p in result.points_by_area.items()]
    if result.outcomes:
        lines.append("What the support plan needs to achieve:")
        lines += [f"  {o.title}: {', '.join(OUTCOME_WORDS[x] for x in o.outcomes)}" for o in result.outcomes]
    if result.unanswered:
        lines.append(f"Not answered yet: {', '.join(bank.question(q).title.plain for q in result.unanswered)}")
    t = result.table
    lines.append(f"Council table: {t.label} (version {t.version}, from {t.effective_date})")
    lines += ["", " ".join(result.explanation)]
    return "\n".join(lines)


def _score(args: argparse.Namespace, bank: QuestionBank) -> int:
    table = load_table(args.table, bank)
    answers, prefix = read_answers(args.file)
    try:
        result = score(answers, table, bank)
    except ScoreError as err:
        raise AnswersError(f"{show(args.file)}: field '{prefix}{err.question}': {err.detail}") from None
    print(json.dumps(result.to_dict(), indent=2) if args.json else format_result(result, bank))
    return 0


def _calibrate(args: argparse.Namespace, bank: QuestionBank) -> int:
    fit = calibrate(args.csv, load_table(args.table, bank), bank)
    report = fit.report()
    if args.write is not None:  # write first, so a refusal is the only thing said
        write_table_copy(args.table, args.write, fit, bank)
        report += f"\nWrote a copy of the table with the fitted price to {show(args.write)}."
    print(report)
    return 0


HEADLINES = {
    "score": "Sorry, the answers could not be scored.",
    "calibrate": "Sorry, the calibration could not be done.",
}


def main(argv: Optional[List[str]] = None, prog: str = "python -m ras") -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _parser(prog).parse_args(argv)
    except UsageError as err:
        print(err, file=sys.stderr)
        return USAGE_ERROR
    except SystemExit as done:  # --help
        return int(done.code or 0)
    if args.command is None:
        print(_parser(prog).format_usage().strip(), file=sys.stderr)
        return USAGE_ERROR
    try:
        bank = load_bank(args.bank) if args.bank is not None else default_bank()
        return _score(args, bank) if args.command == "score" else _calibrate(args, bank)
    except (BankError, TableError, AnswersError, CalibrationError) as err:
        print(f"{HEADLINES[args.command]}\n{err}", file=sys.stderr)
        return USAGE_ERROR
