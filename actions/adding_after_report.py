""""Can I send you a photo of it?" just after a report: the note form for that report.

Right after sending a report, "can I send you a photo of it?" was nothing the model could
place (a fallback at 0.6; "can I add a photo?" an answer to no question): "Sorry, I didn't
get that", and one more such message handed the conversation to a person. A message that
only says there is something to add (bot.announcements) and names a photo or adding, said
within a few replies of a report this conversation made or follows and that is still open,
opens the note form on that report: it asks what to add, and the photo or words sent next
go on the case.
"""
from __future__ import annotations

from typing import FrozenSet, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text, log_event
from actions.passing_notes import open_and_theirs
from actions.recent_report import report_just_discussed
from actions.slots import NOTE_FORM
from bot.announcements import announces_note
from bot.options_in_text import folded_words

# A photo, or adding: "can I send you something?" alone may be anything.
PHOTO_OR_ADDING: FrozenSet[str] = frozenset("""
photo photos picture pictures pic pics image images video add adding attach include forgot
foto fotos imagen imagenes anadir agregar adjuntar incluir olvide
fotografia fotografias imagem imagens acrescentar adicionar juntar anexar esqueci
afbeelding filmpje toevoegen bijvoegen aanvullen vergeten
""".split())


def open_note_on_report(dispatcher: CollectingDispatcher,
                        tracker: Tracker) -> Optional[List[EventType]]:
    """The note form on the report just discussed; None when the message does not offer
    something to add, or no open report of theirs was just discussed."""
    text = latest_text(tracker)
    reference = report_just_discussed(tracker)
    if reference is None or tracker.active_loop.get("name") or not announces_note(text) \
            or not PHOTO_OR_ADDING.intersection(folded_words(text)) \
            or not open_and_theirs(tracker, reference):
        return None
    log_event("note_offered_after_report", tracker, case_reference=reference)
    return [SlotSet("note_case", reference), FollowupAction(NOTE_FORM)]
