"""YAML reading for all of Steer's content: the question bank, the plan, council tables, answer files.

PyYAML follows YAML 1.1, where yes/no/on/off are booleans. Option values such as "yes" and "no"
must stay words, so this loader only treats true/false as booleans.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Type

import yaml


class WordsLoader(yaml.SafeLoader):
    """SafeLoader without the YAML 1.1 yes/no/on/off booleans."""


_BOOL = "tag:yaml.org,2002:bool"
WordsLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WordsLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def show(path: Path) -> str:
    """A path as a person would type it: relative to the current folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_yaml(text: str, where: str, error: Type[Exception]) -> Any:
    try:
        return yaml.load(text, Loader=WordsLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise error(f"{where}: this is not valid YAML{line}: {getattr(err, 'problem', None) or err}") from None


def read_text(path: Path, error: Type[Exception]) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{show(path)}: there is no such file") from None
    except IsADirectoryError:
        raise error(f"{show(path)}: this is a folder, not a file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise error(f"{show(path)}: cannot be read ({err.__class__.__name__})") from None


def read_yaml(path: Path, error: Type[Exception]) -> Any:
    return parse_yaml(read_text(path, error), show(path), error)
