"""Custom Rasa NLU components of the civic assistant (loaded by dotted path from config.yml)."""
