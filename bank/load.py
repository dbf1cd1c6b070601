"""Reads and checks the question bank; a bad file becomes one clear BankError, never a traceback."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

from pydantic import ValidationError

from bank.model import AreaFile, QuestionBank
from bank.yaml_text import read_yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "data" / "questions"


class BankError(ValueError):
    """A problem in a data file, said in words a content editor can act on."""


def _where(raw: Dict[str, Any], loc: Tuple[Any, ...], items: str = "questions", noun: str = "question") -> str:
    """Turn pydantic's location into 'question X, field a.b'."""
    if len(loc) >= 2 and loc[0] == items and isinstance(loc[1], int):
        listed = raw.get(items) or []
        item = listed[loc[1]] if loc[1] < len(listed) else {}
        qid = (item.get("id") or item.get("name")) if isinstance(item, dict) else None
        who = f"{noun} '{qid}'" if qid else f"{noun} number {loc[1] + 1}"
        rest = loc[2:]
    else:
        who, rest = "the file", loc
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    return f"{who}, field '{field or '(whole)'}'"


def _read_yaml(path: Path) -> Any:
    # The one YAML reader (bank/yaml_text.py): "in: [yes]" stays the word "yes", not True.
    return read_yaml(path, BankError)


def read_yaml_mapping(path: Path) -> Dict[str, Any]:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise BankError(f"{path}: expected a mapping of fields at the top, found {type(raw).__name__}")
    return raw


def explain_validation(path: Path, raw: Dict[str, Any], err: ValidationError, items: str = "questions",
                       noun: str = "question") -> str:
    lines = [f"{path}: {_where(raw, e['loc'], items, noun)}: {e['msg']}" for e in err.errors()]
    return "\n".join(lines)


def load_area_file(path: Path) -> AreaFile:
    raw = read_yaml_mapping(path)
    try:
        return AreaFile.parse_obj(raw)
    except ValidationError as err:
        raise BankError(explain_validation(path, raw, err)) from None


def _cross_checks(files: List[Tuple[Path, AreaFile]]) -> None:
    seen_areas: Dict[str, Path] = {}
    seen: Dict[str, Tuple[Path, AreaFile]] = {}
    for path, af in files:
        if af.area.id in seen_areas:
            raise BankError(f"{path}: area id '{af.area.id}' is also used in {seen_areas[af.area.id]}")
        seen_areas[af.area.id] = path
        for q in af.questions:
            if q.id in seen:
                raise BankError(f"{path}: question '{q.id}', field 'id': also used in {seen[q.id][0]}")
            if q.ask_if is not None:
                earlier = next((x for _, f in seen.values() for x in f.questions if x.id == q.ask_if.question), None)
                if earlier is None:
                    raise BankError(
                        f"{path}: question '{q.id}', field 'ask_if.question': "
                        f"'{q.ask_if.question}' is not an earlier question"
                    )
                wrong = [v for v in q.ask_if.in_ if earlier.option(v) is None]
                if wrong:
                    raise BankError(
                        f"{path}: question '{q.id}', field 'ask_if.in': {wrong} are not options of '{earlier.id}'"
                    )
            seen[q.id] = (path, af)


def load_bank(directory: Path = DEFAULT_DIR) -> QuestionBank:
    paths = sorted(Path(directory).glob("*.yml"))
    if not paths:
        raise BankError(f"{directory}: no question files (*.yml) found")
    files = [(p, load_area_file(p)) for p in paths]
    _cross_checks(files)
    return QuestionBank(
        areas=[af.area for _, af in files],
        questions=[q for _, af in files for q in af.questions],
        area_of={q.id: af.area.id for _, af in files for q in af.questions},
    )


@cache
def default_bank() -> QuestionBank:
    return load_bank(DEFAULT_DIR)
