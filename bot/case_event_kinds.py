"""The kinds of entry in a case's history that more than one part reads, named once.

A leaf module: bot.cases (the status workflow) and bot.case_notes (what citizens add) both
read the history, and bot.case_notes builds on bot.cases.
"""
from __future__ import annotations

from typing import Sequence

from bot.models import CaseEvent

NOTE_KIND = "citizen_note"
# A note saying the problem is fixed or the report no longer needed (bot.problem_fixed): the
# caseworker can check and close the case rather than send a crew.
SAYS_FIXED_KIND = "says_fixed"
# On the case a report was merged into, when its reporter adds to the merged one: the words
# stay in the merged case's history, with its reporter's record (erased with it), and this
# points the caseworker there.
MERGED_NOTE_KIND = "merged_case_note"
NOTE_KINDS = (NOTE_KIND, SAYS_FIXED_KIND, MERGED_NOTE_KIND)
QUESTION_KIND = "question_asked"  # a caseworker's question to the reporter (bot.case_questions)
REPORTER, FOLLOWER = "citizen", "follower"  # who wrote a note (its event's actor)
# A caseworker acting on the case: a change, a merge, or a question to the reporter.
ANSWERING_KINDS = ("status_changed", "merged", QUESTION_KIND)


def reporter_said_fixed(events: Sequence[CaseEvent]) -> bool:
    """Whether the reporter told us it is fixed since a caseworker last acted on the case:
    then "is it really fixed?" is not asked of them when it is resolved (bot.cases)."""
    for event in reversed(list(events)):
        if event.kind == SAYS_FIXED_KIND and event.actor == REPORTER:
            return True
        if event.kind in ANSWERING_KINDS:
            return False
    return False
