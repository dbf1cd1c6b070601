"""The Resource Allocation System (RAS) scorer: answers and a council table in, an indicative
Personal Budget and its plain-English explanation out. No Rasa, no web, no disk writes."""

from ras.calibrate import Calibration, CalibrationError, calibrate, write_table_copy
from ras.explain import OUTCOME_WORDS
from ras.money import pounds
from ras.score import SKIPPED, AreaOutcomes, RasResult, ScoreError, TableInfo, score
from ras.table import EXAMPLE_TABLE, CouncilTable, TableError, default_table, load_table

__all__ = [
    "EXAMPLE_TABLE",
    "OUTCOME_WORDS",
    "SKIPPED",
    "AreaOutcomes",
    "Calibration",
    "CalibrationError",
    "CouncilTable",
    "RasResult",
    "ScoreError",
    "TableError",
    "TableInfo",
    "calibrate",
    "default_table",
    "load_table",
    "pounds",
    "score",
    "write_table_copy",
]
