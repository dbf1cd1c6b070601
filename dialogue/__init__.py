"""The dialogue core: what a message means and what Steer says next, for the SAQ and the plan.

Pure Python, no Rasa: the Rasa actions (actions/), the front door (bot/), the summary and the
exports all import from here, and nothing here imports from them.
"""
