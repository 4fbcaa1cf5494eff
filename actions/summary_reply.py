"""What a typed reply to the report summary ("Shall I send it?") asks for.

Submit, cancel, or a part to change. "Send it", in words the model reads as out of scope or
a greeting ("send", "envíalo"), sends it. A button's title typed is that button (actions
.typed_buttons): "versturen" read as "no" cancelled a Dutch report. A place said instead
("no, it's Calle Mayor 10") is the place, not a "no" nor a field. A change asked in words
is that change; one that names no part ("that's wrong", "no, it's 50cm") asks which.
"""
from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker

from actions import report_fields as fields
from actions.common import latest_intent, latest_text
from actions.report_details import place_said
from actions.typed_buttons import button_typed, payload_parts
from bot.options_in_text import folded_words, phrase_set

ASK_WHICH = "which"  # the summary's "confirmed" candidate for "that's wrong"
ANSWER_OF_INTENT = {"affirm": True, "deny": False}
# "Shall I send it?" answered with its own verb: "send" is out of scope to the model (1.0),
# "envíalo" a greeting, "verstuur maar" a no. Whole replies, folded, a "please" aside.
SEND_REPLIES = phrase_set("""
send|send it|send it now|send now|yes send|yes send it|ok send it|submit|submit it|go ahead
enviar|envialo|enviala|envia|envie|envielo|mandalo|manda|mandar|si envialo|si enviar
envia o|pode enviar|podes enviar|manda o|sim envia|sim enviar
versturen|verstuur|verstuur maar|verstuur het|stuur maar|stuur het maar|ja verstuur|verzenden
""")
PLEASE = frozenset("please pls por favor favor alstublieft aub graag".split())


def summary_answer(tracker: Tracker) -> Dict[str, Any]:
    """The "confirmed" candidate a typed reply at the summary gives; {} to leave it to the
    domain's mappings (a button pressed, yes, no)."""
    text = latest_text(tracker)
    if text.startswith("/"):
        return {}
    if says_send(text):
        return {"confirmed": True}
    typed = button_typed(tracker)
    if typed is not None:
        intent, entities = payload_parts(typed)
        if intent in ANSWER_OF_INTENT:
            return {"confirmed": ANSWER_OF_INTENT[intent]}
        if entities.get("field"):
            return {"confirmed": str(entities["field"])}
    if place_said(tracker):
        return {"confirmed": None}
    field = fields.field_to_change(text)
    if field:
        return {"confirmed": field}
    intent = latest_intent(tracker)
    if (intent != "affirm" and fields.asks_a_change(text)) \
            or (intent == "deny" and fields.more_than_no(text)):
        return {"confirmed": ASK_WHICH}
    return {}


def says_send(text: str) -> bool:
    """Whether the reply is "send it" in one of our languages, and nothing more."""
    words = [word for word in folded_words(text) if word not in PLEASE]
    return " ".join(words) in SEND_REPLIES
