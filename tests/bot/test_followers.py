"""bot/followers.py: following a case is idempotent, keeps the citizen's latest wishes, and a
merge carries every reporter and follower over without losing or doubling anyone."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Callable

import pytest
from sqlalchemy import func, select

from bot.cases import open_case
from bot.db import session_scope
from bot.errors import InvalidInput
from bot.followers import (carry_followers, cases_of_conversation, follow_case,
                           follower_counts, followers_of, remember_follower_language)
from bot.models import CaseFollower


def other_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_following_twice_keeps_one_row_with_the_latest_wishes(
        db: str, report: Callable[..., dict]) -> None:
    chat = other_sender()
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        first = follow_case(session, case, channel="telegram", sender_id=chat, contact=chat,
                            language="en")
        again = follow_case(session, case, channel="telegram", sender_id=chat, contact=None,
                            language="pt", consent_updates=False)
        assert again.id == first.id
        rows = session.execute(select(func.count(CaseFollower.id))
                               .where(CaseFollower.case_id == case.id)).scalar_one()
    assert rows == 1
    assert (again.language, again.contact, again.consent_updates) == ("pt", chat, False)


def test_the_same_conversation_on_another_channel_is_another_follower(
        db: str, report: Callable[..., dict]) -> None:
    chat = other_sender()
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        follow_case(session, case, channel="telegram", sender_id=chat, contact=chat, language="en")
        follow_case(session, case, channel="webchat", sender_id=chat, contact=None, language="en")
        assert [row.channel for row in followers_of(session, case.id)] == ["telegram", "webchat"]
        assert follower_counts(session, [case.id]) == {case.id: 2}


def test_a_follower_needs_a_conversation(db: str, report: Callable[..., dict]) -> None:
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        with pytest.raises(InvalidInput):
            follow_case(session, case, channel="sms", sender_id="", contact=None, language="en")


def test_carry_followers_keeps_everyone_once_and_never_downgrades_consent(
        db: str, report: Callable[..., dict], sender: str) -> None:
    shared, only_source, target_reporter = other_sender(), other_sender(), other_sender()
    with session_scope(db) as session:
        target = open_case(session, **report(sender_id=target_reporter)).case
        source = open_case(session, **report(language="es", consent=False)).case
        follow_case(session, target, channel="sms", sender_id=shared, contact=None,
                    language="en", consent_updates=False)
        follow_case(session, source, channel="sms", sender_id=shared, contact=None,
                    language="en", consent_updates=True)
        follow_case(session, source, channel="telegram", sender_id=only_source, contact=None,
                    language="nl")
        follow_case(session, source, channel="webchat", sender_id=target_reporter, contact=None,
                    language="en")  # the target's own reporter: never a follower of it
        carry_followers(session, source, target)
        rows = {(row.channel, row.sender_id): row for row in followers_of(session, target.id)}
    assert set(rows) == {("sms", shared), ("telegram", only_source), ("webchat", sender)}
    assert rows[("sms", shared)].consent_updates is True
    assert rows[("webchat", sender)].language == "es"
    assert rows[("webchat", sender)].consent_updates is False  # the source reporter said no


def test_remember_follower_language_changes_only_that_conversation(
        db: str, report: Callable[..., dict]) -> None:
    chat, other = other_sender(), other_sender()
    with session_scope(db) as session:
        case = open_case(session, **report()).case
        follow_case(session, case, channel="telegram", sender_id=chat, contact=None, language="en")
        follow_case(session, case, channel="telegram", sender_id=other, contact=None, language="en")
        assert remember_follower_language(session, "telegram", chat, "nl") == 1
        languages = {row.sender_id: row.language for row in followers_of(session, case.id)}
    assert languages == {chat: "nl", other: "en"}


def test_a_conversations_cases_are_those_it_reported_or_follows_newest_first(
        db: str, report: Callable[..., dict], sender: str) -> None:
    with session_scope(db) as session:
        for day in (1, 3, 2):
            open_case(session, **report(now=dt.datetime(2026, 11, day, 10, 0)))
        someone = other_sender()
        theirs = open_case(session, **report(sender_id=someone,
                                             now=dt.datetime(2026, 11, 4, 10, 0))).case
        open_case(session, **report(sender_id=someone, now=dt.datetime(2026, 11, 5, 10, 0)))
        follow_case(session, theirs, channel="webchat", sender_id=sender, contact=None,
                    language="en")
    with session_scope(db) as session:
        days = [case.created_at.day
                for case in cases_of_conversation(session, "webchat", sender, 3)]
        assert days == [4, 3, 2]  # the one they follow, then their own; not the stranger's
        assert cases_of_conversation(session, "sms", sender, 3) == []
