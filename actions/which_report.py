"""Which report a message adding to one is about, without asking when it can be told.

A reference named, a type described ("the pothole I reported has got worse") with one recent
report of that type, the report the conversation was just about, or the sender's only report:
each saves the citizen the "Which report?" question (actions.case_notes asks it otherwise).
"""
from __future__ import annotations

from typing import List, Optional, Tuple

from rasa_sdk import Tracker

from actions.catalogue import named_service, service_in_words
from actions.common import channel_of, latest_intent, latest_text
from bot.case_notes import case_for_note
from bot.db import read_scope
from bot.errors import CaseNotFound, DatabaseUnavailable, MalformedReference, NotYourCase
from bot.followers import cases_of_conversation
from bot.problem_fixed import says_it_is_done
from bot.references import parse_reference

RECENT_CASES = 3
# Messages whose named type says which report they are about ("the pothole has got bigger").
DESCRIBING = frozenset({"report_problem", "add_to_report"})


def names_a_reference(text: str) -> bool:
    """Whether the text holds something meant as a reference (even a mistyped one)."""
    try:
        return parse_reference(text) is not None
    except MalformedReference:
        return True


def named_in(text: str) -> Optional[str]:
    """A valid reference in the opening message ("add a photo to C-2026-000123")."""
    try:
        return parse_reference(text)
    except MalformedReference:
        return None


def opening_guess(tracker: Tracker) -> Optional[str]:
    """The report an opening message without a reference is about: with a type named ("the
    pothole I reported has got worse"), the one recent report of that type; otherwise the
    report this conversation was just about, or its only one. None asks "Which report?"."""
    if described_type(tracker) is not None:
        return case_described(tracker)
    return _own_last_case(tracker) or _only_case(tracker)


def _own_last_case(tracker: Tracker) -> Optional[str]:
    """The report this conversation last made, followed or asked about, if it made or follows
    it (a reference someone passed on to them is not theirs to add to, nor worth an error)."""
    reference = tracker.get_slot("last_case_reference")
    if not reference:
        return None
    try:
        with read_scope() as session:
            return case_for_note(session, reference, channel_of(tracker),
                                 tracker.sender_id).reference
    except (CaseNotFound, MalformedReference, NotYourCase, DatabaseUnavailable):
        return None


def _only_case(tracker: Tracker) -> Optional[str]:
    """The one report this conversation made or follows, when there is only one."""
    cases = conversation_cases(tracker, 2)
    return cases[0][0] if cases is not None and len(cases) == 1 else None


def conversation_cases(tracker: Tracker, limit: int) -> Optional[List[Tuple[str, str]]]:
    """(reference, service code) of the reports this conversation made or follows, latest
    first; None when the database cannot say."""
    try:
        with read_scope() as session:
            return [(case.reference, case.service_code) for case in
                    cases_of_conversation(session, channel_of(tracker), tracker.sender_id, limit)]
    except DatabaseUnavailable:
        return None


def described_type(tracker: Tracker) -> Optional[str]:
    """The service a message describing a problem, more about one, or that it is fixed
    ("the pothole has been filled in"), names: the classifier's reading, else the one service
    the catalogue's words name (the classifier reads only messages the model took for
    reports, and "it's fixed" is often read as something else)."""
    text = latest_text(tracker)
    if latest_intent(tracker) not in DESCRIBING and not says_it_is_done(text):
        return None
    return named_service(tracker) or service_in_words(text)


def case_described(tracker: Tracker) -> Optional[str]:
    """At "Which report?", a problem described instead of a reference ("the pothole has got
    bigger") is about the one report of that type among the conversation's recent ones: the
    words are the note. Two of that type, or none, and it is not this."""
    named = described_type(tracker)
    cases = conversation_cases(tracker, RECENT_CASES) if named else None
    matching = [reference for reference, service in cases or [] if service == named]
    return matching[0] if len(matching) == 1 else None


def not_about_a_report(tracker: Tracker) -> bool:
    """Whether a problem described at "Which report?" is about none of the conversation's
    reports: it has none ("they forgot my green bin" read as adding to one), or none of the
    type described. Then it is a new report, not a wrong reference asked for again and again.
    Without the database, or a type, the question stays."""
    cases = conversation_cases(tracker, RECENT_CASES)
    if cases is None:
        return False
    named = described_type(tracker)
    return not cases or (named is not None and all(service != named for _, service in cases))
