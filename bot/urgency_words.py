"""Whether a message asks the city to hurry: "can you hurry it up please, it's every night".

Said right after the citizen was shown how their report stands, it is a plea about that
report, and the FAQ's answer about noise rules was no answer. actions.urgency_notes passes
the words to the team working on the report. Four languages, accents dropped.
"""
from __future__ import annotations

from typing import FrozenSet

from bot.options_in_text import phrase_set, says_a_phrase

HURRY: FrozenSet[str] = phrase_set("""
hurry|hurry up|speed up|speed it up|asap|as soon as possible|urgent|urgently|sooner|quicker
faster|get on with it|chase it|chase this|prioritise|prioritize|priority
prisa|daos prisa|date prisa|rapido|urgente|urgencia|cuanto antes|lo antes posible|acelerar
agilizar|mas rapido
depressa|o mais rapido|quanto antes|despachar|com urgencia|acelerem|mais rapido
haast|sneller|spoed|dringend|zo snel mogelijk|opschieten|versnellen|zsm|met spoed
""")


def asks_to_hurry(text: str) -> bool:
    """Whether `text` asks for the report to be dealt with sooner."""
    return says_a_phrase(text, HURRY)
