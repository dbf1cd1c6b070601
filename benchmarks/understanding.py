"""How well Steer understands replies at a graded question: the confusion table and every miss.

    .venv/bin/python -m benchmarks.understanding            # the blind set, then the test and dev sets
    .venv/bin/python -m benchmarks.understanding dev        # one set

Loads the trained model (models/steer.tar.gz) with Rasa's own loader, reads each reply of the
held-out sets (tests/held_out/, never trained on) as the dialogue would (tests/understanding_eval.py,
which also says how each set was used), and prints expected against recorded or offered level, the
count right, and the misses. Exits 1 below 97 in 100, or if any reply was read as the other end of the scale.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.97


def main(argv=None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    logging.disable(logging.WARNING)  # Rasa's start-up warnings; the table is what matters
    import structlog
    from rasa.core.agent import Agent

    from tests.understanding_eval import SETS, evaluate, load_cases, report

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))  # Rasa's debug
    names = (argv if argv is not None else sys.argv[1:]) or ["fresh", "blind", "test", "dev"]
    agent = Agent.load(str(ROOT / "models" / "steer.tar.gz"))
    loop = asyncio.new_event_loop()
    ok = True
    for name in names:
        results = evaluate(lambda text: loop.run_until_complete(agent.parse_message(text)), load_cases(SETS[name]))
        print(f"== {name}: {SETS[name].relative_to(ROOT)}\n{report(results)}\n")
        ok = ok and sum(r.right for r in results) >= GOAL * len(results) and not any(r.opposite for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
