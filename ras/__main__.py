"""`python -m ras ...`: see ras/cli.py."""

import sys

from ras.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
