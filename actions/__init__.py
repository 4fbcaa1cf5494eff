"""Custom actions: thin adapters between the Rasa dialogue and the civic core (bot/).

rasa-sdk imports every module of this package and registers every non-abstract Action
subclass it finds, so helpers shared between actions are plain functions (common.py,
replies.py, slots.py), and nothing here opens an engine or a session at import time.
"""
