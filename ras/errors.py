"""The scorer's shared errors, in a module of their own so table.py and bank_checks.py can both import them."""

from __future__ import annotations


class TableError(ValueError):
    """A problem in a council table, said in words a finance officer can act on."""
