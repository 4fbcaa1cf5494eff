"""bot/case_notes.py: a reporter adds words and photos to their own case; nobody else can;
retries add nothing twice; the console flags the case until a caseworker acts on it."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Callable

import pytest

from bot.attachments import store_attachment
from bot.case_detail import case_detail
from bot.case_notes import NOTE_KIND, SAYS_FIXED_KIND, add_citizen_note, case_for_note
from bot.case_queries import CaseFilters, list_cases
from bot.cases import change_status, find_case, open_case
from bot.db import session_scope
from bot.errors import CaseNotFound, InvalidInput, MalformedReference, NotYourCase
from bot.fix_confirmation import NOT_FIXED
from bot.privacy_subject import subject_hash

MONDAY = dt.datetime(2026, 11, 23, 12, 0)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def street() -> str:
    """An address word only this test's cases use, so the shared database stays out of lists."""
    return "Qn" + "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:8])


def opened(db: str, report: Callable[..., dict], street: str) -> str:
    with session_scope(db) as session:
        return open_case(session, **report(address=f"3 {street} Lane")).case.reference


def notes(db: str, reference: str) -> list:
    with session_scope(db) as session:
        case = find_case(session, reference)
        return [(event.actor, event.reason) for event in case.events if event.kind == NOTE_KIND]


def test_the_reporter_adds_words_to_their_case(db: str, report: Callable[..., dict],
                                                sender: str, street: str) -> None:
    reference = opened(db, report, street)
    with session_scope(db) as session:
        case = case_for_note(session, reference.lower(), "webchat", sender)
        added = add_citizen_note(session, case, "  The hole is twice as big now  ",
                                 now=MONDAY + dt.timedelta(days=1))
        updated = case.updated_at
    assert added.reference == reference and added.photos == 0 and not added.repeated
    assert notes(db, reference) == [("citizen", "The hole is twice as big now")]
    assert updated == MONDAY + dt.timedelta(days=1)


@pytest.mark.parametrize("channel, other", [("webchat", "someone-else"), ("sms", None)])
def test_another_conversation_cannot_add_to_the_case(db: str, report: Callable[..., dict],
                                                     sender: str, street: str, channel: str,
                                                     other: object) -> None:
    reference = opened(db, report, street)
    with session_scope(db) as session, pytest.raises(NotYourCase) as caught:
        case_for_note(session, reference, channel, str(other or sender))
    assert caught.value.reference == reference


def test_a_follower_adds_to_the_case_they_follow_with_their_own_photo(
        db: str, report: Callable[..., dict], street: str, attachments_dir: Path) -> None:
    from bot.followers import cases_of_conversation, follow_case

    reference = opened(db, report, street)
    follower = f"tg-{uuid.uuid4().hex[:8]}"
    with session_scope(db) as session:
        photo = store_attachment(session, sender_id=follower, channel="telegram", data=PNG).id
        with pytest.raises(NotYourCase):  # not before they follow it
            case_for_note(session, reference, "telegram", follower)
        follow_case(session, find_case(session, reference), channel="telegram",
                    sender_id=follower, contact=None, language="en", now=MONDAY)
    with session_scope(db) as session:
        assert [case.reference for case in cases_of_conversation(
            session, "telegram", follower, 3)] == [reference]
        case = case_for_note(session, reference, "telegram", follower)
        added = add_citizen_note(session, case, "Now there are two holes", [photo],
                                 now=MONDAY, channel="telegram", sender_id=follower)
        [event] = [event for event in case.events if event.kind == NOTE_KIND]
        author = event.author_hash
    assert added.photos == 1
    assert notes(db, reference) == [("follower", "Now there are two holes (1 photo added)")]
    assert author == subject_hash("telegram", follower)
    assert attention(db, street) == {reference: "citizen added information"}


def test_unknown_and_malformed_references_are_named(db: str, sender: str) -> None:
    with session_scope(db) as session:
        with pytest.raises(CaseNotFound):
            case_for_note(session, "C-2031-999999", "webchat", sender)
        with pytest.raises(MalformedReference):
            case_for_note(session, "C-20", "webchat", sender)


def test_an_erased_reporters_case_takes_no_notes(db: str, report: Callable[..., dict],
                                                 sender: str, street: str) -> None:
    reference = opened(db, report, street)
    with session_scope(db) as session:
        find_case(session, reference).anonymised_at = MONDAY
    with session_scope(db) as session, pytest.raises(NotYourCase):
        case_for_note(session, reference, "webchat", sender)


def test_photos_are_linked_and_counted_and_only_the_senders_own(
        db: str, report: Callable[..., dict], sender: str, street: str,
        attachments_dir: Path) -> None:
    reference = opened(db, report, street)
    with session_scope(db) as session:
        mine = store_attachment(session, sender_id=sender, channel="webchat", data=PNG).id
        theirs = store_attachment(session, sender_id="stranger", channel="webchat",
                                  data=PNG + b"x").id
    with session_scope(db) as session:
        case = find_case(session, reference)
        added = add_citizen_note(session, case, "", [mine, theirs], now=MONDAY)
        linked = sorted(attachment.id for attachment in case.attachments)
    assert added.photos == 1 and linked == [mine]
    assert notes(db, reference) == [("citizen", "(1 photo added)")]
    with session_scope(db) as session:  # the same photo again (a retry) is not a new note
        again = add_citizen_note(session, find_case(session, reference), "", [mine], now=MONDAY)
    assert again.repeated and len(notes(db, reference)) == 1


def test_words_and_photo_make_one_line(db: str, report: Callable[..., dict], sender: str,
                                       street: str, attachments_dir: Path) -> None:
    reference = opened(db, report, street)
    with session_scope(db) as session:
        photo = store_attachment(session, sender_id=sender, channel="webchat", data=PNG).id
    with session_scope(db) as session:
        add_citizen_note(session, find_case(session, reference), "From the other side",
                         [photo], now=MONDAY)
    assert notes(db, reference) == [("citizen", "From the other side (1 photo added)")]


def test_nothing_to_add_is_refused_and_a_retry_adds_nothing(
        db: str, report: Callable[..., dict], street: str) -> None:
    reference = opened(db, report, street)
    with session_scope(db) as session, pytest.raises(InvalidInput):
        add_citizen_note(session, find_case(session, reference), "   ", ["not-an-id"])
    for minutes in (0, 3):
        with session_scope(db) as session:
            add_citizen_note(session, find_case(session, reference), "Lamp post 41",
                             now=MONDAY + dt.timedelta(minutes=minutes))
    with session_scope(db) as session:  # the same words much later are a new note
        add_citizen_note(session, find_case(session, reference), "Lamp post 41",
                         now=MONDAY + dt.timedelta(hours=2))
    assert notes(db, reference) == [("citizen", "Lamp post 41")] * 2


def test_long_notes_are_kept_up_to_the_limit(db: str, report: Callable[..., dict],
                                             street: str) -> None:
    reference = opened(db, report, street)
    with session_scope(db) as session:
        add_citizen_note(session, find_case(session, reference), "x" * 5000, now=MONDAY)
    assert len(notes(db, reference)[0][1]) == 2000


def attention(db: str, street: str) -> dict:
    with session_scope(db) as session:
        page = list_cases(session, "admin", None, CaseFilters(area=street, needs_attention=True),
                          now=MONDAY)
        return {row.reference: row.attention for row in page.rows}


def test_a_note_flags_the_case_until_a_caseworker_acts(db: str, report: Callable[..., dict],
                                                        street: str) -> None:
    noted, quiet = opened(db, report, street), opened(db, report, street)
    with session_scope(db) as session:
        add_citizen_note(session, find_case(session, noted), "It is getting worse", now=MONDAY)
    assert attention(db, street) == {noted: "citizen added information"}
    with session_scope(db) as session:
        case = find_case(session, noted)
        assert case_detail(session, case, now=MONDAY).attention == "citizen added information"
        change_status(session, case, "acknowledged", "Seen, crew booked", by="casey", now=MONDAY)
    assert attention(db, street) == {}
    with session_scope(db) as session:
        case = find_case(session, noted)
        assert case_detail(session, case, now=MONDAY).attention == ""
        add_citizen_note(session, case, "Still there this morning",
                         now=MONDAY + dt.timedelta(days=1))
    assert attention(db, street) == {noted: "citizen added information"}
    with session_scope(db) as session:
        find_case(session, quiet).fix_confirmation = NOT_FIXED
    assert attention(db, street) == {noted: "citizen added information",
                                     quiet: "citizen says not fixed"}


def test_a_note_saying_it_is_fixed_is_flagged_as_such(db: str, report: Callable[..., dict],
                                                       street: str) -> None:
    """The list and the case page say what the caseworker is asked to do: check and close.
    A later ordinary note is the latest word; a retry adds nothing twice."""
    reference = opened(db, report, street)
    with session_scope(db) as session:
        case = find_case(session, reference)
        add_citizen_note(session, case, "It's been filled in", now=MONDAY, says_fixed=True)
        again = add_citizen_note(session, case, "It's been filled in",
                                 now=MONDAY + dt.timedelta(minutes=1), says_fixed=True)
        assert again.repeated
        assert [event.kind for event in case.events][1:] == [SAYS_FIXED_KIND]
    assert attention(db, street) == {reference: "citizen says it is fixed"}
    with session_scope(db) as session:
        case = find_case(session, reference)
        detail = case_detail(session, case, now=MONDAY)
        assert detail.attention == "citizen says it is fixed"
        assert detail.history[-1].text == "says fixed: It's been filled in"
        add_citizen_note(session, case, "Oh no, it has sunk again",
                         now=MONDAY + dt.timedelta(hours=2))
    assert attention(db, street) == {reference: "citizen added information"}


def test_a_note_on_a_merged_report_flags_the_case_that_carries_on(
        db: str, report: Callable[..., dict], street: str, sender: str) -> None:
    from bot.merges import merge_cases

    duplicate, survivor = opened(db, report, street), opened(db, report, street)
    with session_scope(db) as session:
        merge_cases(session, find_case(session, duplicate), find_case(session, survivor),
                    actor="casey", reason="Same hole", now=MONDAY)
    assert attention(db, street) == {}
    with session_scope(db) as session:
        added = add_citizen_note(session, case_for_note(session, duplicate, "webchat", sender),
                                 "It has spread to the pavement",
                                 now=MONDAY + dt.timedelta(hours=1))
    assert (added.reference, added.merged_into) == (duplicate, survivor)
    # the words stay with their reporter's case; the one a caseworker works on is flagged
    assert notes(db, duplicate) == [("citizen", "It has spread to the pavement")]
    assert notes(db, survivor) == []
    assert attention(db, street) == {survivor: "citizen added information"}
    with session_scope(db) as session:
        detail = case_detail(session, find_case(session, survivor), now=MONDAY)
        assert detail.attention == "citizen added information"
        assert any(duplicate in entry.text for entry in detail.history)
        assert case_detail(session, find_case(session, duplicate), now=MONDAY).attention == ""
        change_status(session, find_case(session, survivor), "acknowledged", "Crew booked",
                      by="casey", now=MONDAY + dt.timedelta(hours=2))
    assert attention(db, street) == {}
