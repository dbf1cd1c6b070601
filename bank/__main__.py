"""`python -m bank [DIR]`: check the question bank and say what is wrong, kindly and exactly."""

import sys
from pathlib import Path

from bank.load import DEFAULT_DIR, BankError, load_bank


def main(argv: list) -> int:
    directory = Path(argv[0]) if argv else DEFAULT_DIR
    try:
        bank = load_bank(directory)
    except BankError as err:
        print(f"The question bank has a problem:\n{err}", file=sys.stderr)
        return 1
    print(f"The question bank is fine: {len(bank.areas)} areas, {len(bank.questions)} questions.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
