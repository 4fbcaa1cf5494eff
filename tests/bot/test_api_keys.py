"""Open311 API keys: stored as hashes, shown once, revocable, rate limited per key across
replicas (the window is counted in the database)."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest

from bot.api_keys import (OPEN311_CHANNEL, check_rate_limit, create_key, hash_key, list_keys,
                          revoke_key, sender_for_key, verify_key)
from bot.cases import open_case
from bot.errors import ApiKeyRateLimited, ApiKeyRejected, InvalidInput
from bot.models import ApiKey
from tests.bot.conftest import MONDAY_NOON


def test_created_key_is_stored_only_as_its_sha256(session_for) -> None:
    with session_for() as session:
        issued = create_key(session, name="FixMyStreet", created_by="admin", now=MONDAY_NOON)
        key_id = issued.key.id
    with session_for() as session:
        row = session.get(ApiKey, key_id)
        assert row.key_hash == hashlib.sha256(issued.plain.encode()).hexdigest()
        assert issued.plain not in (row.key_hash, row.prefix, row.name)
        assert issued.plain.startswith(row.prefix) and len(row.prefix) == 12
        assert row.rate_limit_per_minute == 60 and row.revoked_at is None


def test_two_keys_never_share_a_secret(session_for) -> None:
    with session_for() as session:
        first = create_key(session, name="a", created_by="admin").plain
        second = create_key(session, name="b", created_by="admin").plain
    assert first != second and len(first) > 40


def test_verify_accepts_the_key_and_refuses_guesses(session_for) -> None:
    with session_for() as session:
        issued = create_key(session, name="partner", created_by="admin")
    with session_for() as session:
        assert verify_key(session, issued.plain).id == issued.key.id
        for wrong in (None, "", issued.plain[:-1], issued.plain + "x", issued.key.prefix,
                      hash_key(issued.plain)):
            with pytest.raises(ApiKeyRejected):
                verify_key(session, wrong)


def test_revoked_key_is_refused_and_keeps_its_first_revocation_time(session_for) -> None:
    with session_for() as session:
        issued = create_key(session, name="old app", created_by="admin")
    first = MONDAY_NOON
    with session_for() as session:
        revoke_key(session, issued.key.id, now=first)
        again = revoke_key(session, issued.key.id, now=first + dt.timedelta(hours=1))
        assert again.revoked_at == first
    with session_for() as session, pytest.raises(ApiKeyRejected):
        verify_key(session, issued.plain)


@pytest.mark.parametrize("name, limit", [("", 60), ("x" * 121, 60), ("ok", 0), ("ok", 10001)])
def test_bad_key_settings_are_refused(session_for, name: str, limit: int) -> None:
    with session_for() as session, pytest.raises(InvalidInput):
        create_key(session, name=name, created_by="admin", rate_limit_per_minute=limit)


def test_revoking_an_unknown_key_is_refused(session_for) -> None:
    with session_for() as session, pytest.raises(InvalidInput):
        revoke_key(session, 10 ** 9)


def test_list_shows_newest_first_including_revoked(session_for) -> None:
    with session_for() as session:
        older = create_key(session, name="older", created_by="admin", now=MONDAY_NOON).key.id
        newer = create_key(session, name="newer", created_by="admin",
                           now=MONDAY_NOON + dt.timedelta(days=400)).key.id
        revoke_key(session, older)
    with session_for() as session:
        ids = [key.id for key in list_keys(session)]
    assert ids.index(newer) < ids.index(older)


def _post_case(session, key: ApiKey, at: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    open_case(session, submission_id=uuid.uuid4().hex, service_code="graffiti",
              description="tag", address="1 Test Rd", latitude=None, longitude=None,
              channel=OPEN311_CHANNEL, sender_id=sender_for_key(key), now=at)


def test_rate_limit_counts_the_keys_requests_of_the_last_minute(session_for) -> None:
    with session_for() as session:
        key = create_key(session, name="busy", created_by="admin", rate_limit_per_minute=2).key
        _post_case(session, key, MONDAY_NOON)
        check_rate_limit(session, key, now=MONDAY_NOON + dt.timedelta(seconds=1))
        _post_case(session, key, MONDAY_NOON + dt.timedelta(seconds=20))
        with pytest.raises(ApiKeyRateLimited) as refused:
            check_rate_limit(session, key, now=MONDAY_NOON + dt.timedelta(seconds=30))
        assert refused.value.retry_after_seconds == 30  # the oldest leaves the window at +60s
        check_rate_limit(session, key, now=MONDAY_NOON + dt.timedelta(seconds=61))


def test_rate_limit_is_per_key(session_for) -> None:
    with session_for() as session:
        full = create_key(session, name="full", created_by="admin", rate_limit_per_minute=1).key
        other = create_key(session, name="other", created_by="admin", rate_limit_per_minute=1).key
        _post_case(session, full, MONDAY_NOON)
        with pytest.raises(ApiKeyRateLimited):
            check_rate_limit(session, full, now=MONDAY_NOON)
        check_rate_limit(session, other, now=MONDAY_NOON)


def test_locked_verify_works_inside_the_creating_transaction(session_for) -> None:
    with session_for() as session:
        issued = create_key(session, name="locker", created_by="admin")
    with session_for() as session:
        assert verify_key(session, issued.plain, lock=True).id == issued.key.id
