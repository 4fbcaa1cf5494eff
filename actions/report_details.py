"""Words about the problem said where the report form asked something else.

Citizens add to the description whenever it comes to mind: "it's about 30cm wide and deep"
at "Shall I send it?", at the offer to follow a similar report, at "Can we send you
updates?" or at the photo question. Those questions take no words, so the message was met
with "Sorry, I didn't get that" (or the photo question silently came again) and the words
were lost. They are more of the description: the crew reads them, the citizen is told, and
the question comes again. The same holds where a place or a closed follow-up question was
asked and the reply said more about the problem instead (bot.answer_fit). Words about a
different problem there are not this report's: they are kept for the next one
(actions.next_problem).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import report_fields as fields
from actions.catalogue import OTHER
from actions.category_choice import slot_before_latest_message
from actions.common import (language_of, latest_entity, latest_intent, latest_metadata,
                            latest_text, says_cancel)
from actions.report_duplicates import CHOICE_SLOT
from actions.slots import ASKED_AGAIN_SLOT, REQUESTED_SLOT
from bot.announcements import announces_note
from bot.answer_fit import says_more
from bot.interrogatives import reads_as_question
from bot.options_in_text import folded_words

Validated = Dict[Text, Any]
# Questions whose answer is not words: a yes or no, a photo, a button.
WORDLESS_SLOTS = frozenset({"consent", "confirmed", "photos", CHOICE_SLOT})
# What the model makes of more words about the problem ("it has been there for three weeks
# now" reads as adding to a report, "people trip over it when it's dark" as a policy
# question, answered with three unrelated FAQ entries). A policy question asked as one ("...?",
# "what...", "can I..."), a greeting or a request for a person is answered by the rules.
DESCRIBING_INTENTS = frozenset({"inform", "report_problem", "add_to_report", "ask_policy"})
# Mid-report, a different type is another problem only when the classifier is this sure of
# it: real ones score 0.8-0.99 ("there's also a dead fox on the pavement"), while "cars keep
# swerving around it at night", about the pothole being reported, was noise at 0.52.
ANOTHER_PROBLEM_CONFIDENCE = 0.7
# At the photo question, words about the photo or about sending it are about the photo ("I'll
# send a picture in a minute", "I'll do it tomorrow from my phone"), not about the problem.
PHOTO_WORDS = frozenset("""
photo photos picture pictures pic pics image images snap camera phone send upload attach
later tomorrow foto fotos imagen imagenes fotografia fotografias imagem imagens afbeelding
afbeeldingen camara movil telefono enviar mandar subir adjuntar luego despues manana
telemovel celular anexar depois amanha telefoon mobiel sturen versturen uploaden straks
morgen
""".split())


def says_more_about_the_problem(tracker: Tracker) -> bool:
    """Whether the latest message, sent where a wordless question was asked, says more about
    this report's problem: a few words with no yes or no in them, not a question, not a
    change asked at the summary, not "cancel report", no photo and no reference. A problem
    of another type is a report of its own (actions.next_problem), not more of this one."""
    text, asked = latest_text(tracker), tracker.get_slot(REQUESTED_SLOT)
    if asked not in WORDLESS_SLOTS or latest_intent(tracker) not in DESCRIBING_INTENTS \
            or text.startswith("/") or fields.attachment_ids(latest_metadata(tracker)) \
            or latest_entity(tracker, "case_reference") or announces_note(text):
        return False
    if names_another_problem(latest_entity(tracker, "category"),
                             slot_before_latest_message(tracker, "category")):
        return False
    if asked == "photos" and any(word in PHOTO_WORDS for word in folded_words(text)):
        return False
    return (says_more(text) and fields.plausible_description(text) and not says_cancel(text)
            and not reads_as_question(text, language_of(tracker))
            and fields.field_to_change(text) is None
            and not (asked == "confirmed" and fields.asks_a_change(text)))


def names_another_problem(entity: Optional[Dict[str, Any]], previous: Optional[str]) -> bool:
    """Whether the classifier names, surely enough, a specific type other than the report's
    (a button's type is sure)."""
    value = (entity or {}).get("value")
    confidence = (entity or {}).get("confidence_entity")
    return value not in (None, previous, OTHER) and (
        confidence is None or confidence >= ANOTHER_PROBLEM_CONFIDENCE)


def another_problem_unheard(tracker: Tracker, asked: str, previous: str,
                            entity: Dict[str, Any]) -> bool:
    """A report of a different problem where the form has no use for words (consent, the
    summary, following a similar report, photos): without a word, "there's also a broken
    streetlight" would just be asked the same question again. It is kept for after this
    report (actions.next_problem). Elsewhere the words are the place, the description or
    an answer; a type the classifier is unsure of is more about this problem."""
    return (asked in WORDLESS_SLOTS and latest_intent(tracker) == "report_problem"
            and names_another_problem(entity, previous))


def added_to_description(dispatcher: CollectingDispatcher, tracker: Tracker,
                         reply: str) -> Validated:
    """The description with the reply on a line of its own, the citizen told so."""
    dispatcher.utter_message(response="utter_detail_added")
    return {"description": fields.with_detail(tracker.get_slot("description"), reply)}


def kept_as_detail(dispatcher: CollectingDispatcher, tracker: Tracker, reply: str,
                   field: str, unanswered: Validated) -> Validated:
    """A reply that said more about the problem instead of answering the place or a closed
    follow-up question: its words go into the description (nothing the citizen wrote is
    lost), and the question is asked once more, its next reply kept whatever it says."""
    return {**unanswered, ASKED_AGAIN_SLOT: field,
            **added_to_description(dispatcher, tracker, reply)}
