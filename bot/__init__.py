"""Steer: the Rasa domain, the front door (Flask) and the `steer` command."""
