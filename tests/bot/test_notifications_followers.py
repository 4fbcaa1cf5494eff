"""bot/notifications.py with followers: the reporter and every consenting follower get their
own message, in their own language, with their own dedupe key; nobody gets two."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Callable, Dict, List

from sqlalchemy import select

from bot.cases import change_status, open_case, remember_language
from bot.db import session_scope
from bot.followers import follow_case
from bot.models import Case, OutboxMessage

LATER = dt.datetime(2026, 11, 25, 9, 0)


def messages(db: str, case_id: int) -> List[OutboxMessage]:
    with session_scope(db) as session:
        return list(session.execute(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                                    .order_by(OutboxMessage.id)).scalars())


def by_recipient(db: str, case_id: int) -> Dict[str, OutboxMessage]:
    return {message.recipient: message for message in messages(db, case_id)}


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_reporter_and_each_consenting_follower_get_their_own_message(
        db: str, report: Callable[..., dict], sender: str) -> None:
    telegram_chat, sms_number, quiet = new_sender(), "+4416329" + uuid.uuid4().hex[:5], new_sender()
    with session_scope(db) as session:
        case = open_case(session, **report(language="en")).case
        follow_case(session, case, channel="telegram", sender_id=telegram_chat,
                    contact=telegram_chat, language="nl")
        follow_case(session, case, channel="sms", sender_id=sms_number, contact=sms_number,
                    language="pt")
        follow_case(session, case, channel="webchat", sender_id=quiet, contact=None,
                    language="es", consent_updates=False)
        change_status(session, case, "referred", "This road belongs to the county; call 0300 123",
                      by="alice", now=LATER)
    sent = by_recipient(db, case.id)
    assert set(sent) == {sender, telegram_chat, sms_number}  # not the follower who said no
    assert sent[sender].body.startswith(f"Update on your report {case.reference} (Pothole): "
                                        "passed to another organisation. This road belongs")
    assert sent[telegram_chat].channel == "telegram" and sent[telegram_chat].language == "nl"
    assert sent[telegram_chat].body.startswith(f"Nieuws over melding {case.reference} "
                                               "(Gat in de weg) die u volgt:")
    assert sent[sms_number].channel == "sms" and sent[sms_number].language == "pt"
    assert "que acompanha" in sent[sms_number].body
    for message in sent.values():
        assert "belongs to the county; call 0300 123." in message.body
    keys = {message.dedupe_key for message in sent.values()}
    assert len(keys) == 3 and f"case-event:" in min(keys)


def test_a_follower_without_consent_and_a_reporter_without_consent_get_nothing(
        db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report(consent=False)).case
        follow_case(session, case, channel="webchat", sender_id=new_sender(), contact=None,
                    language="en", consent_updates=False)
        change_status(session, case, "acknowledged", "Seen", by="alice", now=LATER)
    assert messages(db, case.id) == []


def test_a_reporter_who_also_follows_gets_one_message(db: str, report: Callable[..., dict],
                                                      sender: str) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        follow_case(session, case, channel="webchat", sender_id=sender, contact=None,
                    language="en")
        change_status(session, case, "acknowledged", "Seen", by="alice", now=LATER)
    [message] = messages(db, case.id)
    assert message.payload["audience"] == "reporter"


def test_followers_language_follows_the_language_they_last_used(
        db: str, report: Callable[..., dict]) -> None:
    follower = new_sender()
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        follow_case(session, case, channel="telegram", sender_id=follower, contact=follower,
                    language="en")
    with session_scope(db) as session:
        remember_language(session, "telegram", follower, "es")
    with session_scope(db) as session:
        change_status(session, session.get(Case, case.id), "in_progress", "Cuadrilla asignada",
                      by="alice", now=LATER)
    assert by_recipient(db, case.id)[follower].language == "es"
    assert "que usted sigue: en curso. Cuadrilla asignada." in by_recipient(db, case.id)[follower].body


def test_repeating_the_notification_queues_nothing_more(db: str, report: Callable[..., dict]) -> None:
    from bot.notifications import notify_status_change

    with session_scope(db) as session:
        case = open_case(session, **report()).case
        follow_case(session, case, channel="sms", sender_id="+44163296" + uuid.uuid4().hex[:4],
                    contact=None, language="en")
        event = change_status(session, case, "acknowledged", "Seen", by="alice", now=LATER)
        again = notify_status_change(session, case, event, now=LATER)
    assert len(again) == 2 and len(messages(db, case.id)) == 2
