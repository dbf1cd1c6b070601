"""Steer's tests (a package, so that a dependency's top-level `tests` module cannot shadow it)."""
