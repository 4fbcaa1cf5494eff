"""bot/privacy.py: a citizen's export holds everything we have about them, and after their
deletion nothing identifying remains anywhere: not in any text or JSON column of any table,
not in Rasa's tracker store (written by Rasa's own SQLTrackerStore), not on disk."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from sqlalchemy import inspect, select, text

from bot import attachments, case_notes, cases, escalations, feedback, followers, inbound, optouts
from bot import outbox
from bot.audit import record as audit
from bot.db import session_scope
from bot.faq_log import record_query
from bot.models import PrivacyRequest
from bot.privacy import complete_pending_deletions, delete_data, export_data
from bot.privacy_subject import Subject, subject_from_input, subject_hash
from bot.errors import InvalidInput
from tests.identities import unused_uk_mobile

NOW = dt.datetime(2026, 11, 23, 12, 0)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def rasa_tracker_store(path: Path, sender: str, said: List[str], at: dt.datetime = NOW) -> str:
    """A tracker store as Rasa writes it: its own SQLTrackerStore saves the conversation
    (events stamped `at`, naive UTC)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker(sender, slots=[])
    stamp = at.replace(tzinfo=dt.timezone.utc).timestamp()
    for words in said:
        tracker.update(UserUttered(words, intent={"name": "report_problem", "confidence": 0.9},
                                   timestamp=stamp))
        tracker.update(BotUttered(f"Thanks, noted: {words}", timestamp=stamp))
        tracker.update(ActionExecuted("action_listen", timestamp=stamp))
    asyncio.run(store.save(tracker))
    return f"sqlite:///{path}"


def populate(db: str, subject: Subject, words: str, photo: bytes) -> Dict[str, str]:
    """One citizen in every table that can hold them; returns their case's reference."""
    who = dict(channel=subject.channel, sender_id=subject.identifier)
    with session_scope(db) as session:
        photo_row = attachments.store_attachment(session, **who, data=photo, now=NOW)
        case = cases.open_case(session, submission_id=uuid.uuid4().hex, service_code="pothole",
                               description=f"Deep hole {words}", address=f"17 {words} Lane",
                               latitude=51.50731, longitude=-0.12765, contact=subject.identifier,
                               consent=True, answers={"size": words}, attachment_ids=[photo_row.id],
                               now=NOW, **who).case
        cases.change_status(session, case, "acknowledged", f"called back about {words}", by="ana", now=NOW)
        case_notes.add_citizen_note(session, case, f"it got deeper {words}", now=NOW)
        other = cases.open_case(session, submission_id=uuid.uuid4().hex, service_code="pothole",
                                description="someone else's report", address="1 Other Road",
                                latitude=51.6, longitude=-0.2, channel="webchat",
                                sender_id=f"web-{uuid.uuid4().hex}", now=NOW).case
        followers.follow_case(session, other, contact=subject.identifier, language="en", now=NOW, **who)
        case_notes.add_citizen_note(session, other, f"seen it again {words}", now=NOW, **who)
        feedback.record_feedback(session, text=f"slow about {words}", rating=2, language="en", now=NOW, **who)
        escalations.escalate(session, language="en", reason="requested", now=NOW,
                             transcript=[{"role": "citizen", "text": f"human please {words}"}], **who)
        inbound.record_inbound(session, external_id=uuid.uuid4().hex, text=f"when is bin day {words}",
                               payload={"From": subject.identifier}, now=NOW, **who)
        outbox.enqueue(session, channel=subject.channel, recipient=subject.identifier, language="en",
                       kind="status_update", body=f"Update on {words}", dedupe_key=uuid.uuid4().hex,
                       case_id=case.id, now=NOW)
        optouts.opt_out(session, subject.channel, subject.identifier, "STOP", now=NOW)
        record_query(session, question=f"when is bin day {words}", language="en",
                     channel=subject.channel, match=None, answered=False, now=NOW)
        audit(session, actor="ana", action="blocklist.added", target_type="sender",
              target_id=subject.identifier, before=None, after={"sender_id": subject.identifier},
              ip="127.0.0.1")
        return {"mine": case.reference, "other": other.reference}


def leftovers(url: str, needles: List[str]) -> List[str]:
    """Every (table.column) in the database whose text holds one of the needles."""
    found = []
    with session_scope(url) as session:
        inspector = inspect(session.connection())
        for table in inspector.get_table_names():
            for row in session.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    blob = value if isinstance(value, str) else json.dumps(value, default=str)
                    found += [f"{table}.{column}" for needle in needles if needle in blob]
    return found


@pytest.fixture
def citizen(db: str, attachments_dir: Path, tmp_path: Path) -> Iterator[dict]:
    phone = unused_uk_mobile()
    words = f"zq{uuid.uuid4().hex[:10]}"
    subject = Subject("sms", phone)
    photo = PNG + words.encode()
    refs = populate(db, subject, words, photo)
    tracker = rasa_tracker_store(tmp_path / "tracker.db", phone,
                                 [f"pothole at {words}", f"when is bin day {words}"])
    other_tracker = rasa_tracker_store(tmp_path / "tracker.db", "+15550001111", ["hello there"])
    assert tracker == other_tracker
    yield dict(db=db, subject=subject, words=words, refs=refs, tracker=tracker,
               attachments=attachments_dir)


def test_the_export_holds_every_kind_of_their_data(citizen: dict) -> None:
    subject, words = citizen["subject"], citizen["words"]
    document = export_data(subject, requested_by="citizen", database_url=citizen["db"],
                           tracker_url=citizen["tracker"], now=NOW)
    json.dumps(document)  # JSON-able as it is
    assert [c["reference"] for c in document["cases_reported"]] == [citizen["refs"]["mine"]]
    assert document["cases_reported"][0]["address"] == f"17 {words} Lane"
    assert {"kind": "citizen_note", "reason": f"it got deeper {words}"}.items() <= \
        document["cases_reported"][0]["history"][-1].items()
    assert [c["reference"] for c in document["cases_followed"]] == [citizen["refs"]["other"]]
    assert [(n["case"], n["text"]) for n in document["notes_on_followed_cases"]] == [
        (citizen["refs"]["other"], f"seen it again {words}")]
    assert [m["text"] for m in document["conversation"] if m["from"] == "citizen"] == [
        f"pothole at {words}", f"when is bin day {words}"]
    assert len(document["messages_sent"]) == 2  # the acknowledgement and ours
    for section in ("photos", "feedback", "escalations", "messages_received", "opt_outs",
                    "faq_questions"):
        assert len(document[section]) == 1, section
    assert "someone else's report" not in json.dumps(document)
    with session_scope(citizen["db"]) as session:
        request = session.execute(select(PrivacyRequest).where(
            PrivacyRequest.subject_hash == subject.hash)).scalars().one()
        assert request.kind == "export" and request.summary["cases_reported"] == 1
        assert request.subject_hash == subject_hash("sms", subject.identifier)


def test_after_deletion_nothing_identifying_remains(citizen: dict) -> None:
    subject, words = citizen["subject"], citizen["words"]
    needles = [subject.identifier, words]
    assert leftovers(citizen["db"], needles) and leftovers(citizen["tracker"], needles)
    result = delete_data(subject, requested_by="ana", database_url=citizen["db"],
                         tracker_url=citizen["tracker"], now=NOW)
    assert result.completed and result.summary["cases_anonymised"] == 1
    assert leftovers(citizen["db"], needles) == []
    assert leftovers(citizen["tracker"], needles) == []
    assert leftovers(citizen["tracker"], ["hello there"]), "another citizen's conversation stays"
    assert not any(words.encode() in p.read_bytes() for p in citizen["attachments"].rglob("*") if p.is_file())


def test_deletion_keeps_anonymised_case_facts_for_statistics(citizen: dict) -> None:
    delete_data(citizen["subject"], requested_by="citizen", database_url=citizen["db"],
                tracker_url=citizen["tracker"], now=NOW)
    with session_scope(citizen["db"]) as session:
        mine = cases.find_case(session, citizen["refs"]["mine"])
        other = cases.find_case(session, citizen["refs"]["other"])
        assert (mine.service_code, mine.status, mine.created_at) == ("pothole", "acknowledged", NOW)
        assert (mine.latitude, mine.longitude, mine.anonymised_at) == (51.51, -0.13, NOW)
        assert mine.description == "" and mine.address is None and mine.contact is None
        assert [e.to_status for e in mine.events if e.kind == "status_changed"] == ["acknowledged"]
        assert [e.reason for e in mine.events if e.kind == "citizen_note"] == [None]
        assert other.description == "someone else's report" and other.anonymised_at is None
        assert [(e.actor, e.reason, e.author_hash) for e in other.events
                if e.kind == "citizen_note"] == [("follower", None, None)]
        request = session.execute(select(PrivacyRequest).where(
            PrivacyRequest.kind == "deletion",
            PrivacyRequest.subject_hash == citizen["subject"].hash)).scalars().one()
        assert request.completed_at == NOW and request.summary["conversation_events_removed"] == 6


def test_a_deletion_left_half_way_is_finished_by_the_sweep(citizen: dict) -> None:
    result = delete_data(citizen["subject"], requested_by="citizen", database_url=citizen["db"],
                         tracker_url=citizen["tracker"], now=NOW, tracker_later=True)
    assert not result.completed and leftovers(citizen["tracker"], [citizen["words"]])
    assert complete_pending_deletions(database_url=citizen["db"], tracker_url=citizen["tracker"],
                                      now=NOW + dt.timedelta(minutes=1)) == 0  # its turn may still run
    complete_pending_deletions(database_url=citizen["db"], tracker_url=citizen["tracker"],
                               now=NOW + dt.timedelta(hours=1))
    assert leftovers(citizen["tracker"], [citizen["subject"].identifier, citizen["words"]]) == []
    with session_scope(citizen["db"]) as session:
        assert session.get(PrivacyRequest, result.request_id).completed_at is not None


def test_a_second_deletion_finds_nothing_more(citizen: dict) -> None:
    kwargs = dict(requested_by="ana", database_url=citizen["db"], tracker_url=citizen["tracker"], now=NOW)
    delete_data(citizen["subject"], **kwargs)
    again = delete_data(citizen["subject"], **kwargs).summary
    assert again["cases_anonymised"] == 0 and again["messages_received_removed"] == 0


@pytest.mark.parametrize("channel,typed,expected", [
    ("sms", "+44 7700 900-123", "+447700900123"), ("sms", "0044 (7700) 900123", "+447700900123"),
    ("telegram", " 123456789 ", "123456789"), ("webchat", "abc-123_x", "abc-123_x")])
def test_staff_typed_identifiers_are_normalised(channel: str, typed: str, expected: str) -> None:
    assert subject_from_input(channel, typed) == Subject(channel, expected)


@pytest.mark.parametrize("channel,typed", [("sms", "07700 900123"), ("sms", "call me"),
                                           ("telegram", "@someone"), ("fax", "123"),
                                           ("webchat", "a b")])
def test_identifiers_that_cannot_be_right_are_refused(channel: str, typed: str) -> None:
    with pytest.raises(InvalidInput):
        subject_from_input(channel, typed)


def test_the_message_that_asked_survives_until_its_turn_ends(citizen: dict) -> None:
    """The channel stores the bot's replies on the inbound row after the turn: deleting it
    under the running turn would fail that turn."""
    from bot.privacy import finish_deletion

    subject = citizen["subject"]
    with session_scope(citizen["db"]) as session:
        asking, _new = inbound.record_inbound(session, channel="sms", external_id=uuid.uuid4().hex,
                                              sender_id=subject.identifier, text="yes delete", now=NOW)
        asking_id = asking.id
    result = delete_data(subject, requested_by="citizen", database_url=citizen["db"],
                         tracker_url=citizen["tracker"], now=NOW, tracker_later=True)
    with session_scope(citizen["db"]) as session:
        inbound.mark_processed(session, asking_id, [{"text": "Done: deleted"}], now=NOW)
    finish_deletion(result.request_id, subject, database_url=citizen["db"],
                    tracker_url=citizen["tracker"], now=NOW)
    assert leftovers(citizen["db"], [subject.identifier, citizen["words"], "Done: deleted"]) == []


def test_the_sweep_finds_a_half_done_deletion_by_its_inbound_message_alone(citizen: dict) -> None:
    """The action server died after the case database step: the conversation is already
    gone from the tracker, but the message that asked is still in the inbound log."""
    subject = citizen["subject"]
    with session_scope(citizen["db"]) as session:
        inbound.record_inbound(session, channel="sms", external_id=uuid.uuid4().hex,
                               sender_id=subject.identifier, text="yes delete it", now=NOW)
    result = delete_data(subject, requested_by="citizen", database_url=citizen["db"],
                         tracker_url=None, now=NOW, tracker_later=True)
    assert leftovers(citizen["db"], ["yes delete it"])
    complete_pending_deletions(database_url=citizen["db"], tracker_url=None,
                               now=NOW + dt.timedelta(hours=1))
    assert leftovers(citizen["db"], [subject.identifier, "yes delete it"]) == []
    with session_scope(citizen["db"]) as session:
        assert session.get(PrivacyRequest, result.request_id).completed_at is not None
