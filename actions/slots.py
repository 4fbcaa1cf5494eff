"""Slot names the actions share, and the resets that end a report or a feedback round.

Kept in one place so that "start a new report" cannot forget a slot: a leftover
submission_id would make the next report a retry of the last one.
"""
from __future__ import annotations

from typing import Iterable, List

from rasa_sdk.events import EventType, SlotSet

REQUESTED_SLOT = "requested_slot"
# The forms, named once: actions hand over to them with FollowupAction.
REPORT_FORM = "report_form"
FEEDBACK_FORM = "feedback_form"
NOTE_FORM = "case_note_form"
ASKED_AGAIN_SLOT = "asked_again"  # a question asked once more after its reply became detail
# The citizen chose "Change answers" at the summary: the follow-up questions are asked again,
# and none is answered from the description any more (actions.report_followup).
ANSWERS_CORRECTED_SLOT = "answers_corrected"
ANSWERS_FIELD = "answers"
# "That's wrong" at the summary, naming no part: "What should I change?" comes next.
WHAT_TO_CHANGE_SLOT = "what_to_change_asked"
# A statement no FAQ entry fits, offered to be sent as feedback (actions.policy).
UNPLACED_WORDS = "unplaced_words"
# The place of the report just made, offered for the next one when its words name none
# (actions.next_problem, actions.report_place.same_place_again).
PLACE_BEFORE_SLOT = "place_before"

REPORT_SLOTS = (
    "category", "category_suggestion", "location", "location_street", "latitude", "longitude",
    "description", "followup", "followup_answers", "photos", "attachment_ids", "consent",
    "confirmed",
    "submission_id", "duplicate_case", "follow_duplicate", ASKED_AGAIN_SLOT,
    ANSWERS_CORRECTED_SLOT, WHAT_TO_CHANGE_SLOT, PLACE_BEFORE_SLOT,
)
FEEDBACK_SLOTS = ("feedback_text", "feedback_rating", UNPLACED_WORDS)
NOTE_SLOTS = ("note_case", "note_text", "note_photo_ids", "note_answers_question")
# pending_fix_case (set by the console when a case is resolved) is carried over: the answer
# to "is it fixed?" may come hours later. The rating step is not.
FIX_RATING_SLOTS = ("fix_rating_case", "fix_rating")

# Fields the citizen may change from the summary (the `field` entity of the buttons), and
# the slots each change clears: a new type brings new follow-up questions, a new place
# drops an earlier map pin, new photos replace the earlier ones, and the answers to the
# follow-up questions are all asked again.
CORRECTABLE_FIELDS = {
    "category": ("category", "category_suggestion", "followup", "followup_answers",
                 "duplicate_case", "follow_duplicate"),
    "location": ("location", "location_street", "latitude", "longitude", "duplicate_case",
                 "follow_duplicate"),
    "description": ("description",),
    ANSWERS_FIELD: ("followup", "followup_answers"),
    "photos": ("photos", "attachment_ids"),
    "consent": ("consent",),
}

# Slots a new session does not inherit: a report or feedback left unfinished an hour ago
# must not leak into the next one (its form is not active any more).
NOT_CARRIED_OVER = frozenset(REPORT_SLOTS + FEEDBACK_SLOTS + NOTE_SLOTS + FIX_RATING_SLOTS + (
    REQUESTED_SLOT, "case_reference", "handoff_offered", "session_started_metadata",
    "next_problem",
    "faq_rating_open", "faq_query_id", "faq_suggestion_query",
))


def reset(slots: Iterable[str]) -> List[EventType]:
    """SlotSet(None) for each slot."""
    return [SlotSet(slot, None) for slot in slots]


def reset_report() -> List[EventType]:
    """Everything a finished or cancelled report leaves behind, requested_slot included."""
    return reset(REPORT_SLOTS + (REQUESTED_SLOT,))
