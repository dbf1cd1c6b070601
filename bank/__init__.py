"""The question bank: the SAQ as data, loaded and checked (one source of truth)."""

from bank.load import BankError, default_bank, load_bank
from bank.model import CARE_ACT_OUTCOMES, Area, Option, Question, QuestionBank

__all__ = ["BankError", "default_bank", "load_bank", "CARE_ACT_OUTCOMES", "Area", "Option", "Question", "QuestionBank"]
