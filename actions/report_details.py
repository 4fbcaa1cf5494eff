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
                            latest_text, says_cancel, words_read_as_something_else)
from actions.report_duplicates import CHOICE_SLOT
from actions.slots import ASKED_AGAIN_SLOT, REQUESTED_SLOT
from bot.announcements import announces_note
from bot.answer_fit import says_more
from bot.interrogatives import reads_as_question
from bot.options_in_text import folded_words
from bot.places_in_text import (NUMBER_MARKS, number_given, numbered_place, place_mentioned,
                                place_on_street)

Validated = Dict[Text, Any]
# Questions whose answer is not words: a yes or no, a photo, a button.
WORDLESS_SLOTS = frozenset({"consent", "confirmed", "photos", CHOICE_SLOT})
# What the model makes of more words about the problem ("it has been there for three weeks
# now" reads as adding to a report, "people trip over it when it's dark" as a policy
# question, answered with three unrelated FAQ entries). A policy question asked as one ("...?",
# "what...", "can I..."), a greeting or a request for a person is answered by the rules.
DESCRIBING_INTENTS = frozenset({"inform", "report_problem", "add_to_report", "ask_policy"})
# What the model makes of "I'll send a photo later" (a question about photos is the FAQ's).
ADDING_INTENTS = frozenset({"inform", "report_problem", "add_to_report", "affirm"})
# Mid-report, a different type is another problem only when the classifier is this sure of
# it: real ones score 0.8-0.99 ("there's also a dead fox on the pavement"), while "cars keep
# swerving around it at night", about the pothole being reported, was noise at 0.52.
ANOTHER_PROBLEM_CONFIDENCE = 0.7
# Words about the photo are about the photo ("I'll send a photo later"), not the problem.
PHOTO_WORDS = frozenset("""
photo photos picture pictures pic pics image images snap foto fotos imagen imagenes
fotografia fotografias imagem imagens afbeelding afbeeldingen
""".split())
# Words promising the photo for later ("I'll send one later").
LATER_WORDS = frozenset("later tomorrow luego despues manana depois amanha straks morgen".split())
# At the photo question, so are words about sending it ("I'll do it tomorrow from my phone").
SENDING_WORDS = LATER_WORDS | frozenset("""
camera phone send upload attach camara movil telefono enviar mandar subir adjuntar telemovel
celular anexar telefoon mobiel sturen versturen uploaden
""".split())
# "I don't have a photo", "no tengo foto", "ik heb geen foto": a negation with a photo, or
# with having or taking one, in a short reply that promises nothing for later.
NO_PHOTO_NEGATIONS = frozenset("""
no not don't dont haven't havent didn't didnt can't cant cannot couldn't couldnt without
never sin nunca nao sem nem geen niet zonder nooit
""".split())
HAVING_WORDS = frozenset("""
have got take took taken one tengo tenemos tome saque hice tenho temos tirei heb hebben
gemaakt genomen
""".split())
NO_PHOTO_WORDS = 8
# A complete place said where no words were asked ("sorry, I meant 7 Quarry Road") is the
# report's place, corrected, when little else is said: at most this many other words, or
# a word naming the place ("the right address is 12 Elm Street").
PLACE_ASIDE_WORDS = 3
# ...and not another problem at another place ("there's also one on 3 Mill Lane").
ANOTHER_WORDS = frozenset("""
also another other too second tambien otro otra otros outro outra tambem ook nog ander
andere
""".split())
# A house number given on its own ("no, it's number 14, not 12") corrects the place when
# little else is said: "number 3 bin collection was missed for 2 weeks" is about something else.
NUMBER_ASIDE_WORDS = 5


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
    words = set(folded_words(text))
    if words & PHOTO_WORDS or (asked == "photos" and words & SENDING_WORDS) \
            or place_said(tracker):
        return False
    return (says_more(text) and fields.plausible_description(text) and not says_cancel(text)
            and not reads_as_question(text, language_of(tracker))
            and fields.field_to_change(text) is None
            and not (asked == "confirmed" and fields.asks_a_change(text)))


def description_read_as_something_else(tracker: Tracker) -> bool:
    """Whether the answer to "Please describe the problem" was read as a question or as
    feedback but is the description: "people keep tripping over it and the council does
    nothing" reads as a policy question (1.0), "the council never fixes anything round here"
    as feedback. It was answered from the FAQ, or told to wait, and the words were lost. A
    question asked as one, a wish to give feedback, a reference or a button still step aside."""
    return (tracker.get_slot(REQUESTED_SLOT) == "description"
            and words_read_as_something_else(tracker))


def speaks_of_a_photo(text: str) -> bool:
    """Whether words at the photo question promise the photo ("I'll send one later"); "send
    it" alone may mean the report."""
    return bool(set(folded_words(text)) & (PHOTO_WORDS | LATER_WORDS))


def declines_a_photo(text: str) -> bool:
    """Whether a reply at the photo question says there is none ("no tengo foto", "I haven't
    got one"): no photos, as "no" is. It was taken as "I'll send one" and the question came
    again."""
    words = set(folded_words(text))
    return (len(folded_words(text)) <= NO_PHOTO_WORDS and bool(words & NO_PHOTO_NEGATIONS)
            and bool(words & (PHOTO_WORDS | HAVING_WORDS)) and not words & LATER_WORDS)


def wants_to_add_a_photo(tracker: Tracker) -> bool:
    """Whether a message after the photo question was answered asks to add one ("I'll send a
    photo later", "can I still add a picture"): the photo question comes again, and the
    photos already sent are kept. It was "Sorry, I didn't get that"."""
    text = latest_text(tracker)
    return (tracker.get_slot(REQUESTED_SLOT) in ("consent", "confirmed")
            and tracker.get_slot("photos") is not None and not text.startswith("/")
            and latest_intent(tracker) in ADDING_INTENTS
            and bool(set(folded_words(text)) & PHOTO_WORDS) and not says_cancel(text)
            and not declines_a_photo(text))


def corrected_place(tracker: Tracker) -> Optional[str]:
    """The place a message sent where no words were asked corrects the report's to ("outside
    7 Quarry Road actually", "Calle Mayor 10"): it was kept as more of the description, and
    the report went to the old place. None when it names the place already given ("40
    Quarry Road" when it is "outside 40 Quarry Road")."""
    place = place_said(tracker)
    current = str(tracker.get_slot("location") or "")
    return place if place and place.casefold() not in current.casefold() else None


def place_said(tracker: Tracker) -> Optional[str]:
    """A complete place that is what a message sent where no words were asked says: little
    else (PLACE_ASIDE_WORDS) or a word naming the place, and no other problem."""
    text, asked = latest_text(tracker), tracker.get_slot(REQUESTED_SLOT)
    intents = DESCRIBING_INTENTS | ({"deny"} if asked == "confirmed" else set())
    if asked not in WORDLESS_SLOTS or text.startswith("/") or latest_intent(tracker) not in intents:
        return None  # "no, it's 7 Quarry Road" at the summary is no cancel; at "updates?", a no
    mention = fields.place_in_first_message(text)
    if mention is None or not mention.complete:
        return renumbered_place(tracker, text)  # "no, it's number 47, not 45"
    aside = folded_words(text)
    for word in folded_words(mention.text):
        if word in aside:
            aside.remove(word)
    if any(word in ANOTHER_WORDS for word in aside):
        return None
    names_place = any(word in fields.FIELD_WORDS["location"] for word in aside)
    return mention.text if len(aside) <= PLACE_ASIDE_WORDS or names_place else None


def renumbered_place(tracker: Tracker, text: str) -> Optional[str]:
    """The report's street with the house number a message gives after a word for it ("it's
    number 32, not 30", "el número es 47"): the citizen correcting the number, where no
    words were asked. It asked "What should I change?", or the photo question said no photo
    came. None without a street to put it on, when it says much else (NUMBER_ASIDE_WORDS),
    or when it speaks of another problem."""
    number, words = number_given(text), folded_words(text)
    aside = [word for word in words if not word[:1].isdigit() and word not in NUMBER_MARKS]
    if number is None or len(aside) > NUMBER_ASIDE_WORDS or set(words) & ANOTHER_WORDS:
        return None
    street = tracker.get_slot("location_street") or street_of(str(tracker.get_slot("location")
                                                                  or ""))
    return place_on_street(number, street) if street else None


def street_of(place: str) -> Optional[str]:
    """The street of a place given: "Rua do Carmo" of "Rua do Carmo 45", "Park Road" of
    "outside number 30, Park Road"; None for a corner or a landmark alone."""
    numbered = numbered_place(place)
    if numbered is not None:
        return numbered[0]
    mention = place_mentioned(place)
    return mention.street if mention is not None and not mention.complete else None


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
