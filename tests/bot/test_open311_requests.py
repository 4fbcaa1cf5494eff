"""POST and GET service requests in the core: a posted request is a case like any other, read
back in the spec's shape without the reporter's contact details."""
from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Callable, Dict, List

import pytest
from sqlalchemy import select

from bot.api_keys import OPEN311_CHANNEL, create_key, revoke_key
from bot.cases import change_status, open_case
from bot.errors import (ApiKeyRateLimited, ApiKeyRejected, Open311Invalid, Open311NotFound,
                        UnknownService)
from bot.models import Case
from bot.open311 import create_request, get_request, query_requests, request_for_token
from tests.bot.conftest import MONDAY_NOON
from tests.identities import unused_spot

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]
CONTACT = {"email": ["smit333@example.org"], "first_name": ["john"], "last_name": ["smith"],
           "phone": ["111111111"], "device_id": ["tt222111"], "account_id": ["123456"]}


def _somewhere() -> Dict[str, List[str]]:
    """Coordinates nobody else in the shared test database uses, so no duplicate is found."""
    latitude, longitude = unused_spot()
    return {"lat": [f"{latitude:.6f}"], "long": [f"{longitude:.6f}"]}


@pytest.fixture
def api_key(session_for) -> str:
    with session_for() as session:
        return create_key(session, name="test client", created_by="admin").plain


@pytest.fixture
def post(session_for, api_key: str) -> Callable[..., dict]:
    """POST a pothole (the spec's example fields), overridable."""

    def send(key: str = api_key, idempotency_key: str = None, now: dt.datetime = MONDAY_NOON,
             **fields: List[str]) -> dict:
        form = {"service_code": ["pothole"], "description": ["A large sinkhole"],
                "address_string": ["1234 5th street"], "attribute[size]": ["bigger than a tyre"],
                "attribute[danger_to_traffic]": ["yes"],
                "media_url": ["http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"],
                **CONTACT, **_somewhere()}
        form.update(fields)
        with session_for() as session:
            return create_request(session, api_key=key, form={k: v for k, v in form.items() if v},
                                  idempotency_key=idempotency_key, now=now)

    return send


def test_posted_request_becomes_a_routed_case_with_reporter_kept_private(post, session_for) -> None:
    response = post()
    assert list(response) == ["service_request_id", "service_notice", "account_id"]
    assert response["account_id"] == "123456"
    assert "Highways" in response["service_notice"]
    assert response["service_request_id"] in response["service_notice"]
    with session_for() as session:
        case = session.execute(select(Case).where(
            Case.reference == response["service_request_id"])).scalars().one()
        assert (case.channel, case.status, case.service.department) == \
            (OPEN311_CHANNEL, "new", "Highways")
        assert case.answers == {"size": "bigger than a tyre", "danger_to_traffic": "yes"}
        assert case.reporter == {name: values[0] for name, values in CONTACT.items()}
        assert case.contact is None
        assert case.consent_updates is False and case.expected_by == dt.date(2026, 11, 30)
        record = get_request(session, response["service_request_id"])
    assert list(record) == REQUEST_FIELDS
    assert record["status"] == "open" and record["agency_responsible"] == "Highways"
    assert record["description"] == "A large sinkhole" and record["address"] == "1234 5th street"
    assert record["media_url"] == "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    assert record["requested_datetime"] == "2026-11-23T12:00:00+00:00"
    assert record["expected_datetime"] == "2026-11-30T23:59:59+00:00"
    for secret in ("smit333", "john", "smith", "111111111", "tt222111", "123456"):
        assert secret not in repr(record)


def test_retry_with_the_same_idempotency_key_returns_the_same_request(post, session_for) -> None:
    token = uuid.uuid4().hex
    first, again = post(idempotency_key=token), post(idempotency_key=token)
    assert first == again
    with session_for() as session:
        found = request_for_token(session, session.execute(select(Case.submission_id).where(
            Case.reference == first["service_request_id"])).scalar())
    assert found["service_request_id"] == first["service_request_id"]


def test_without_idempotency_key_every_post_is_a_new_request(post) -> None:
    assert post()["service_request_id"] != post()["service_request_id"]


def test_unknown_token_is_not_found(session_for) -> None:
    with session_for() as session, pytest.raises(Open311NotFound):
        request_for_token(session, "o311-0-nothing")


@pytest.mark.parametrize("key", [None, "", "o311_wrong"])
def test_missing_or_wrong_key_is_refused(post, key: str) -> None:
    with pytest.raises(ApiKeyRejected):
        post(key=key)


def test_revoked_key_is_refused(post, session_for) -> None:
    with session_for() as session:
        issued = create_key(session, name="gone", created_by="admin")
        revoke_key(session, issued.key.id)
    with pytest.raises(ApiKeyRejected):
        post(key=issued.plain)


def test_key_over_its_limit_is_rate_limited(post, session_for) -> None:
    with session_for() as session:
        plain = create_key(session, name="tight", created_by="admin", rate_limit_per_minute=2).plain
    post(key=plain, now=MONDAY_NOON)
    post(key=plain, now=MONDAY_NOON + dt.timedelta(seconds=10))
    with pytest.raises(ApiKeyRateLimited):
        post(key=plain, now=MONDAY_NOON + dt.timedelta(seconds=20))
    post(key=plain, now=MONDAY_NOON + dt.timedelta(seconds=61))


def test_unknown_service_is_not_found(post) -> None:
    with pytest.raises(UnknownService):
        post(service_code=["unicorns"])


@pytest.mark.parametrize("fields, problem", [
    ({"service_code": []}, "service_code was not provided"),
    ({"lat": [], "long": [], "address_string": []}, "a location is required"),
    ({"lat": ["51.5"], "long": [], "address_string": []}, "lat and long must both be sent"),
    ({"lat": ["north"], "long": ["-0.1"]}, "lat and long must both be sent"),
    ({"lat": ["95"], "long": ["-0.1"]}, "lat and long must both be sent"),
    ({"attribute[size]": []}, "attribute[size] is required"),
    ({"attribute[colour]": ["red"]}, "attribute[colour] is not defined"),
    ({"description": ["x" * 4001]}, "description is longer than 4000 characters"),
    ({"email": ["not-an-email"]}, "email is not an email address"),
    ({"media_url": ["javascript:alert(1)"]}, "media_url must be an http(s) URL"),
])
def test_bad_input_is_refused_with_every_problem_named(post, fields: dict, problem: str) -> None:
    with pytest.raises(Open311Invalid) as refused:
        post(**fields)
    assert any(problem in text for text in refused.value.problems), refused.value.problems


def test_all_problems_are_reported_at_once(post) -> None:
    with pytest.raises(Open311Invalid) as refused:
        post(lat=[], long=[], address_string=[], email=["nope"], **{"attribute[size]": []})
    assert len(refused.value.problems) == 3


def test_address_id_is_kept_for_the_caseworker(post, session_for) -> None:
    response = post(lat=[], long=[], address_string=[], address_id=["100023336956"])
    with session_for() as session:
        case = session.execute(select(Case).where(
            Case.reference == response["service_request_id"])).scalars().one()
    assert case.address == "address_id 100023336956" and case.latitude is None


def test_report_near_an_open_case_is_created_and_linked_by_a_note(post, session_for) -> None:
    spot = _somewhere()
    first = post(**spot)
    second = post(**spot)
    assert second["service_request_id"] != first["service_request_id"]
    assert f"Possibly the same problem as {first['service_request_id']}" in second["service_notice"]
    with session_for() as session:
        case = session.execute(select(Case).where(
            Case.reference == second["service_request_id"])).scalars().one()
        assert [(event.kind, event.actor) for event in case.events] == [("created", "citizen"),
                                                                         ("note", "system")]


def _chat_case(session, **overrides) -> Case:  # type: ignore[no-untyped-def]
    values = dict(submission_id=uuid.uuid4().hex, service_code="graffiti",
                  description="my neighbour Bob's wall", address="3 Private Lane",
                  latitude=51.5, longitude=-0.1, channel="sms", sender_id="+447700900123",
                  contact="+447700900123", now=MONDAY_NOON)
    values.update(overrides)
    return open_case(session, **values).case


def test_chat_reports_show_status_but_not_their_private_details(session_for) -> None:
    with session_for() as session:
        case = _chat_case(session)
        change_status(session, case, "resolved", "Removed by the graffiti team", "caseworker",
                      now=MONDAY_NOON + dt.timedelta(days=2))
        record = get_request(session, case.reference)
    assert record["status"] == "closed"
    assert record["status_notes"] == "Removed by the graffiti team"
    assert record["updated_datetime"] == "2026-11-25T12:00:00+00:00"
    assert record["agency_responsible"] == "Environmental Health"
    assert (record["description"], record["address"], record["lat"], record["long"],
            record["media_url"]) == (None,) * 5
    assert "+4477" not in repr(record) and "Bob" not in repr(record)
    # Said to anyone reading the feed, not to the reporter ("We think it is fixed. If it is
    # not, reply and tell us" was shown here, to people who cannot reply).
    assert record["service_notice"] == "Fixed. If it is not, it can be reported again."


@pytest.mark.parametrize("status, shown", [
    ("acknowledged", "open"), ("in_progress", "open"), ("resolved", "closed"),
    ("closed_not_fixed", "closed"), ("duplicate", "closed"), ("referred", "closed")])
def test_internal_statuses_map_to_open_and_closed(session_for, status: str, shown: str) -> None:
    with session_for() as session:
        case = _chat_case(session)
        change_status(session, case, status, f"moved to {status}", "caseworker", now=MONDAY_NOON)
        record = get_request(session, case.reference)
    assert (record["status"], record["status_notes"]) == (shown, f"moved to {status}")


def test_unknown_request_is_not_found(session_for) -> None:
    with session_for() as session:
        for missing in ("C-1999-999999", "not-a-reference"):
            with pytest.raises(Open311NotFound):
                get_request(session, missing)


def _ids(records: List[dict]) -> List[str]:
    return [record["service_request_id"] for record in records]


# Query tests use time windows of their own: the session's shared database holds the other
# tests' cases (many at MONDAY_NOON), and the 1000-result limit must not cut ours off.
DEFAULTS_NOW = dt.datetime(2041, 6, 1, 12, 0)
FILTERS_DAY = dt.datetime(2043, 3, 1, 12, 0)


def test_query_defaults_to_the_last_90_days_newest_first(session_for) -> None:
    with session_for() as session:
        old = _chat_case(session, now=DEFAULTS_NOW - dt.timedelta(days=91)).reference
        recent = _chat_case(session, now=DEFAULTS_NOW - dt.timedelta(days=89)).reference
        newest = _chat_case(session, now=DEFAULTS_NOW - dt.timedelta(minutes=1)).reference
        found = _ids(query_requests(session, {}, now=DEFAULTS_NOW))
    assert old not in found and found.index(newest) < found.index(recent)


def test_query_filters_by_service_status_and_ids(session_for) -> None:
    with session_for() as session:
        graffiti = _chat_case(session, now=FILTERS_DAY)
        litter = _chat_case(session, service_code="litter", now=FILTERS_DAY)
        change_status(session, litter, "resolved", "cleared", "crew", now=FILTERS_DAY)
        window = {"start_date": ["2043-03-01T00:00:00Z"], "end_date": ["2043-03-02T00:00:00Z"]}
        by_code = _ids(query_requests(session, {**window, "service_code": ["litter,noise"]}))
        closed = _ids(query_requests(session, {**window, "status": ["closed"]}))
        both = _ids(query_requests(session, {**window, "status": ["open", "closed"]}))
        by_id = _ids(query_requests(session, {
            "service_request_id": [f"{graffiti.reference}, {litter.reference}"],
            "start_date": ["2000-01-01T00:00:00Z"], "end_date": ["2000-01-02T00:00:00Z"]}))
    assert litter.reference in by_code and graffiti.reference not in by_code
    assert litter.reference in closed and graffiti.reference not in closed
    assert {litter.reference, graffiti.reference} <= set(both)
    assert sorted(by_id) == sorted([graffiti.reference, litter.reference])  # ids override dates


@pytest.mark.parametrize("params, problem", [
    ({"start_date": ["2026-01-01T00:00:00Z"], "end_date": ["2026-04-02T00:00:00Z"]}, "90 days"),
    ({"start_date": ["2026-02-01T00:00:00Z"], "end_date": ["2026-01-01T00:00:00Z"]}, "before"),
    ({"start_date": ["2026-01-01T00:00:00"]}, "start_date must be a W3C date-time"),
    ({"end_date": ["last week"]}, "end_date must be a W3C date-time"),
    ({"status": ["pending"]}, "status must be open or closed"),
])
def test_bad_queries_are_refused(session_for, params: dict, problem: str) -> None:
    with session_for() as session, pytest.raises(Open311Invalid) as refused:
        query_requests(session, params, now=MONDAY_NOON)
    assert problem in refused.value.problems[0]


def test_a_range_of_exactly_90_days_is_allowed(session_for) -> None:
    with session_for() as session:
        query_requests(session, {"start_date": ["2026-01-01T00:00:00Z"],
                                 "end_date": ["2026-04-01T00:00:00Z"]})


def test_query_returns_at_most_the_limit_newest_first(session_for, monkeypatch) -> None:
    monkeypatch.setattr("bot.open311_queries.MAX_RESULTS", 2)
    with session_for() as session:
        made = [_chat_case(session, now=MONDAY_NOON + dt.timedelta(days=3000, minutes=n)).reference
                for n in range(3)]
        found = _ids(query_requests(session, {"start_date": ["2035-02-08T00:00:00Z"]}))
    assert found == [made[2], made[1]]


def test_concurrent_posts_never_exceed_the_keys_limit(session_for, post) -> None:
    """Replicas race for the last slots: the key row lock makes the count and the insert one
    step, so exactly `limit` requests win whatever the interleaving."""
    with session_for() as session:
        plain = create_key(session, name="racer", created_by="admin", rate_limit_per_minute=2).plain
    start = threading.Barrier(5)
    outcomes: List[str] = []

    def racer() -> None:
        start.wait(10)
        try:
            post(key=plain)
            outcomes.append("created")
        except ApiKeyRateLimited:
            outcomes.append("limited")

    threads = [threading.Thread(target=racer) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["created"] * 2 + ["limited"] * 3
