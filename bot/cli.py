"""The `steer` command: run Steer, check its data, and use the RAS scorer from the shell."""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

USAGE = """steer run            start Steer (action server, Rasa, front door) and print its address
steer web            serve only the front door (used by `steer run`)
steer check-bank     check the question bank and say what is wrong
steer build-rasa     make the Rasa domain and answer examples from the question bank
steer check-text [--source S]  check every user-facing string against the easy-read and plain rules
steer ras score FILE [--table T] [--json]      score answers from a YAML or JSON file
steer ras calibrate CSV [--table T] [--write OUT]  fit the price per point to package costs
steer voice [--url U]   talk with a running Steer by microphone and speaker (no screen)
steer voice get-model   download the small English Vosk model (needs internet; checks its SHA-256)"""


def _check_bank() -> int:
    from bank import BankError, default_bank

    try:
        bank = default_bank()
    except BankError as err:
        print(f"The question bank has a problem:\n{err}", file=sys.stderr)
        return 1
    print(f"The question bank is fine: {len(bank.areas)} areas, {len(bank.questions)} questions.")
    return 0


def _check_data() -> int:
    """Everything Steer reads at start-up, checked before anything starts."""
    if _check_bank():
        return 1
    from dialogue.content import ContentError, messages
    from ras import TableError, default_table
    from summary.words import all_words

    try:
        messages()
        all_words()
        table = default_table()
    except (ContentError, TableError) as err:
        print(f"Steer cannot start:\n{err}", file=sys.stderr)
        return 1
    print(f"Council table: {table.label} (version {table.version}).")
    return 0


def _build_rasa() -> int:
    if _check_bank():
        return 1
    from bot.rasa_files import write

    for path in write():
        print(f"wrote {path}")
    return 0


def _web() -> int:
    from waitress import serve

    from bot.web import create_app
    from bot.web.server_limits import server_limits

    port = int(os.environ.get("STEER_PORT", "8000"))
    # Loopback only; a kiosk or a reverse proxy on this machine is the way in from outside.
    serve(create_app(), host="127.0.0.1", port=port, **server_limits())
    return 0


def _check_text(argv: List[str]) -> int:
    from easy_read.cli import main as check_text

    return check_text(argv)


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["voice"]:
        from voice.local import main as voice_main

        return voice_main(argv[1:])
    if argv[:1] == ["ras"]:
        from ras.cli import main as ras_main

        return ras_main(argv[1:])
    if argv[:1] == ["check-text"]:
        return _check_text(argv[1:])
    parser = argparse.ArgumentParser(prog="steer", usage=USAGE)
    parser.add_argument("command", choices=["run", "web", "check-bank", "build-rasa", "check-text"])
    args = parser.parse_args(argv)
    if args.command == "run":
        if _check_data():
            return 1
        from bot.stack import run_forever

        return run_forever()
    return {"web": _web, "check-bank": _check_bank, "build-rasa": _build_rasa}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
