"""What a citizen adds to a report they already made: more words, another photo.

Reports are rarely complete in one go: the hole gets bigger, the citizen passes by again with
a camera, they remember the lamp post's number. The addition goes into the case's own history
(a `citizen_note` event, with any photos linked to the case), and the case shows as needing
attention in the console until a caseworker acts on it with a status change. Only the
conversation that made the report, or one that follows it, may add to it: references are
short and guessable. A note carries its author's keyed hash, so it is exported and erased
with the rest of their data whoever reported the case.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.attachments import link_attachments
from bot.case_event_kinds import (ANSWERING_KINDS, FOLLOWER, MERGED_NOTE_KIND, NOTE_KIND,
                                  NOTE_KINDS, QUESTION_KIND, REPORTER, SAYS_FIXED_KIND)
from bot.cases import find_case
from bot.clock import as_utc, utc_naive
from bot.errors import InvalidInput, NotYourCase
from bot.followers import follows, is_reporter
from bot.models import Case, CaseEvent
from bot.privacy_subject import subject_hash

__all__ = ["NOTE_KIND", "SAYS_FIXED_KIND", "MERGED_NOTE_KIND", "QUESTION_KIND", "REPORTER",
           "FOLLOWER", "MAX_NOTE_CHARS", "AddedNote",
           "case_for_note", "add_citizen_note",
           "has_unanswered_note", "unanswered_note_kind", "unanswered_question",
           "unanswered_note_clause", "cases_with_unanswered_notes"]

MAX_NOTE_CHARS = 2000
REPEAT_WINDOW = dt.timedelta(minutes=10)  # the same words again this soon are a retry


@dataclass(frozen=True)
class AddedNote:
    """What the reply needs: which case, and how many photos went with the words."""

    reference: str
    photos: int
    repeated: bool = False  # the same note was already there (a retried message)
    merged_into: Optional[str] = None  # the case that carries on, when this one was merged


def case_for_note(session: Session, reference: str, channel: str, sender_id: str) -> Case:
    """The case `reference` names, if this conversation reported or follows it (a citizen
    who reported the same pothole and chose to follow the open case has as much to add).

    Raises CaseNotFound or MalformedReference for a reference that names no case, and
    NotYourCase for someone else's case (or one whose reporter's data was erased).
    """
    case = find_case(session, reference)
    if case.anonymised_at is not None or not (
            is_reporter(case, channel, sender_id) or follows(session, case, channel, sender_id)):
        raise NotYourCase(case.reference)
    return case


def add_citizen_note(session: Session, case: Case, text: Optional[str],
                     attachment_ids: Sequence[str] = (), now: Optional[dt.datetime] = None,
                     channel: Optional[str] = None, sender_id: Optional[str] = None,
                     says_fixed: bool = False) -> AddedNote:
    """Keep the citizen's words in the case history and link their photos to the case. The
    author is the reporter unless `channel` and `sender_id` name a follower (case_for_note
    says who may add); either way the note carries their keyed hash for export and erasure.
    `says_fixed` marks words saying the problem is fixed (SAYS_FIXED_KIND).

    Raises InvalidInput when there is neither text nor a photo of theirs to add. The same
    words again within a few minutes (a provider retry, a double send) add nothing twice.
    """
    words = (text or "").strip()[:MAX_NOTE_CHARS]
    moment = utc_naive(now)
    author = (channel or case.channel, sender_id or case.sender_id)
    already = {attachment.id for attachment in case.attachments}
    photos = link_attachments(session, case, attachment_ids, sender_id=author[1])
    new_photos = [photo for photo in photos if photo.id not in already]
    session.expire(case, ["attachments"])  # linked by foreign key: reread when next asked
    if not words and not photos:
        raise InvalidInput("a note needs some words or a photo")
    target = session.get(Case, case.merged_into_id) if case.merged_into_id else None
    carried_on = target.reference if target is not None else None
    kind = SAYS_FIXED_KIND if says_fixed else NOTE_KIND
    if (words and _repeated(case.events, kind, words, moment)) or (not words and not new_photos):
        return AddedNote(case.reference, len(photos), repeated=True, merged_into=carried_on)
    case.events.append(CaseEvent(
        kind=kind, actor=REPORTER if is_reporter(case, *author) else FOLLOWER,
        created_at=moment, reason=_label(words, len(new_photos)),
        author_hash=subject_hash(*author)))
    case.updated_at = moment
    if target is not None:
        _point_from_merged(case, target, moment)
    session.flush()
    return AddedNote(case.reference, len(photos), merged_into=carried_on)


def _point_from_merged(merged: Case, target: Case, moment: dt.datetime) -> None:
    """Flag the case that carries on: its caseworker works there, not on the duplicate."""
    target.events.append(CaseEvent(
        kind=MERGED_NOTE_KIND, actor="citizen", created_at=moment,
        reason=f"its reporter added to {merged.reference}, merged into this case; "
               f"read it there"))
    target.updated_at = moment


def _label(words: str, photos: int) -> str:
    """The history line: the citizen's words as written, and how many photos came with them."""
    counted = f"({photos} photo{'' if photos == 1 else 's'} added)" if photos else ""
    return " ".join(part for part in (words, counted) if part)


def _repeated(events: Sequence[CaseEvent], kind: str, words: str, moment: dt.datetime) -> bool:
    """Whether the case's latest event is a note of `kind` saying `words` (with or without
    its photo count), added moments ago. Anything in between, such as a second question
    answered "no" again, makes it a new note."""
    if not events or events[-1].kind != kind:
        return False
    last = events[-1]
    said = last.reason or ""
    return (said == words or said.startswith(words + " (")) and \
        as_utc(moment) - as_utc(last.created_at) < REPEAT_WINDOW


def has_unanswered_note(events: Sequence[CaseEvent]) -> bool:
    """A citizen added something after the last time a caseworker acted on the case."""
    return unanswered_note_kind(events) is not None


def unanswered_note_kind(events: Sequence[CaseEvent]) -> Optional[str]:
    """The kind of the latest note a citizen added since a caseworker last acted on the case,
    or None: "says it is fixed" is a different job from "added information"."""
    for event in reversed(list(events)):
        if event.kind in NOTE_KINDS:
            return event.kind
        if event.kind in ANSWERING_KINDS:
            return None
    return None


def unanswered_question(events: Sequence[CaseEvent]) -> Optional[CaseEvent]:
    """The caseworkers' latest question to the reporter when no note of theirs has come since
    (the reply to a question is a note), so the case page can say it is still waiting."""
    for event in reversed(list(events)):
        if event.kind == NOTE_KIND and event.actor == REPORTER:
            return None
        if event.kind == QUESTION_KIND:
            return event
    return None


def unanswered_note_clause() -> ColumnElement:
    """`has_unanswered_note` as a WHERE clause on Case, so the console's filter pages in SQL."""
    note, later = aliased(CaseEvent), aliased(CaseEvent)
    answered = exists().where(later.case_id == note.case_id, later.id > note.id,
                              later.kind.in_(ANSWERING_KINDS))
    return and_(Case.merged_into_id.is_(None),  # the case it was merged into is flagged
                exists().where(and_(note.case_id == Case.id, note.kind.in_(NOTE_KINDS),
                                    ~answered)))


def cases_with_unanswered_notes(session: Session, case_ids: List[int]) -> Dict[int, str]:
    """Which of these cases have an unanswered note, each with its latest note's kind (two
    queries for a page of the list, the second only when a case has one)."""
    if not case_ids:
        return {}
    noted = list(session.execute(select(Case.id).where(Case.id.in_(case_ids),
                                                       unanswered_note_clause())).scalars())
    if not noted:
        return {}
    kinds: Dict[int, str] = {}
    for case_id, kind in session.execute(
            select(CaseEvent.case_id, CaseEvent.kind)
            .where(CaseEvent.case_id.in_(noted), CaseEvent.kind.in_(NOTE_KINDS))
            .order_by(CaseEvent.id)):
        kinds[case_id] = kind  # the latest wins
    return kinds
