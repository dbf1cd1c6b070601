"""`steer check-text`: every user-facing string that breaks a rule, with where it lives and why."""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from easy_read.sources import SOURCES


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="steer check-text",
                                     description="Check every user-facing string against the easy-read and "
                                                 "plain English rules (easy_read/README.md).")
    parser.add_argument("--source", action="append", choices=list(SOURCES),
                        help="check only this source (may be given more than once)")
    parser.add_argument("--quiet", action="store_true", help="print only the failures")
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # spaCy's import of thinc wakes TensorFlow
    from easy_read.check import ExceptionsError, run
    from easy_read.glossary import GlossaryError

    try:
        report = run(args.source)
    except (ExceptionsError, GlossaryError) as err:
        print(f"check-text cannot run:\n{err}", file=sys.stderr)
        return 1
    for failure in report.failures:
        text = failure.text
        shown = text.text if len(text.text) <= 300 else text.text[:300] + " ..."
        print(f"{text.where} [{text.level.replace('_', ' ')}]\n  {failure.problem}\n  text: {shown!r}")
    for unused in report.unused:
        print(f"easy_read/exceptions.yml: {unused} matches nothing any more: remove it")
    if not args.quiet:
        total = sum(report.checked.values())
        by_source = ", ".join(f"{name} {n}" for name, n in report.checked.items())
        excused = sum(report.excused.values())
        print(f"Checked {total} strings ({by_source}). {len(report.failures)} failing; "
              f"{excused} problems excused by {len(report.exceptions)} exceptions.")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
