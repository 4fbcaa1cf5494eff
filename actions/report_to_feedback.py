"""A report that turns out to be feedback before anything of it was given.

"I want to make a complaint" reads as a report, and the type question comes: "What kind of
problem is it?". The citizen's answer, "the lady at the reception desk was very rude" or
"the number 42 bus never comes on time", is feedback, and was met with "I'd love your
feedback, and I can take it right after this report. Let's finish the report first", with
no report to finish, and the type question again, round and round. When the report holds
nothing yet (no type, place or description) and the answer to the type question is
feedback with words of its own, the report ends and the feedback form takes those words
(it asks for the rating next). A report with anything in it is finished first, as before.
"""
from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import latest_intent, latest_text
from actions.slots import REQUESTED_SLOT
from bot.announcements import announces_feedback
from bot.interrogatives import reads_as_question

# The values of `confirmed` that end report_form for the feedback form, or for the note form
# ("está pasando otra vez" about an open report of theirs: actions.recurrence).
FEEDBACK_INSTEAD = "feedback_instead"
NOTE_INSTEAD = "note_instead"
REPORT_CONTENT = ("category", "category_suggestion", "location", "description")
MIN_WORDS = 4  # "the staff were rude"; "some feedback" is only the wish to give it


def feedback_instead(tracker: Tracker) -> bool:
    """Whether the answer to the type question of an empty report is feedback."""
    text = latest_text(tracker)
    return (tracker.get_slot(REQUESTED_SLOT) == "category"
            and latest_intent(tracker) == "give_feedback" and not text.startswith("/")
            and not any(tracker.get_slot(slot) for slot in REPORT_CONTENT)
            and len(text.split()) >= MIN_WORDS and not announces_feedback(text)
            and not reads_as_question(text, str(tracker.get_slot("language") or "en")))
