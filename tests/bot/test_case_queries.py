"""bot/case_queries.py, bot/case_detail.py and bot/case_access.py: the caseworker's list and
case page show only what the role and department allow, filter and search in SQL (so paging
and counts stay right), and judge "overdue" in the city's time zone."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Callable, List

import pytest

from bot.case_access import can_see_case
from bot.case_detail import case_detail, mask, osm_url
from bot.case_queries import CaseFilters, list_cases
from bot.cases import change_status, open_case
from bot.db import session_scope
from bot.escalations import escalate
from bot.feedback import record_feedback
from bot.followers import follow_case
from bot.inbound import record_inbound
from bot.merges import merge_cases
from bot.settings import get_settings

MONDAY = dt.datetime(2026, 11, 23, 12, 0)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def area() -> str:
    """A street name only this test's cases use, so the shared database's other cases never
    show up in its lists."""
    return "Qx" + "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:8])


def refs(db: str, filters: CaseFilters, role: str = "admin", department: object = None,
         now: dt.datetime = MONDAY) -> List[str]:
    with session_scope(db) as session:
        page = list_cases(session, role, department, filters, now=now)  # type: ignore[arg-type]
        return [row.reference for row in page.rows]


def open_at(db: str, report: Callable[..., dict], area: str, **overrides: object) -> str:
    values = dict(address=f"{overrides.pop('number', 1)} {area} Road")
    values.update(overrides)  # type: ignore[arg-type]
    with session_scope(db) as session:
        return open_case(session, **report(**values)).case.reference


@pytest.mark.parametrize("role, department, sees", [
    ("admin", None, {"pothole", "graffiti"}),
    ("caseworker", "Highways", {"pothole"}),
    ("caseworker", "Environmental Health", {"graffiti"}),
    ("caseworker", None, set()),
    ("comms", None, set()),
])
def test_the_list_and_case_access_follow_role_and_department(
        db: str, report: Callable[..., dict], area: str, role: str, department: object,
        sees: set) -> None:
    by_service = {code: open_at(db, report, area, service_code=code)
                  for code in ("pothole", "graffiti")}
    shown = refs(db, CaseFilters(area=area), role, department)
    assert set(shown) == {by_service[code] for code in sees}
    with session_scope(db) as session:
        from bot.cases import find_case
        for code, reference in by_service.items():
            assert can_see_case(role, department, find_case(session, reference)) == (code in sees)  # type: ignore[arg-type]


def test_filters_by_service_status_department_and_area_words(
        db: str, report: Callable[..., dict], area: str) -> None:
    pothole = open_at(db, report, area, number=5)
    light = open_at(db, report, area, service_code="streetlight", number=7)
    with session_scope(db) as session:
        from bot.cases import find_case
        change_status(session, find_case(session, light), "acknowledged", "seen", by="a")
    assert refs(db, CaseFilters(area=area, service="streetlight")) == [light]
    assert refs(db, CaseFilters(area=area, statuses=("new",))) == [pothole]
    assert refs(db, CaseFilters(area=area, department="Street Lighting")) == [light]
    assert refs(db, CaseFilters(area=f"7 {area.lower()} rd")) == [light]  # every word, any case
    assert refs(db, CaseFilters(area=f"9 {area}")) == []
    assert refs(db, CaseFilters(area=f"{area} 7,")) == [light]
    seventeen = open_at(db, report, area, number=17)
    assert refs(db, CaseFilters(area=f"7 {area}")) == [light]
    assert refs(db, CaseFilters(area=f"17 {area}")) == [seventeen]
    short = open_at(db, report, area, address=f"11 {area} Rd")
    assert refs(db, CaseFilters(area=f"{area} road", sort="oldest")) == [pothole, light,
                                                                          seventeen, short]


def test_age_filters_count_days_back_from_now(db: str, report: Callable[..., dict],
                                              area: str) -> None:
    old = open_at(db, report, area, now=MONDAY - dt.timedelta(days=10))
    recent = open_at(db, report, area, now=MONDAY - dt.timedelta(days=2))
    assert refs(db, CaseFilters(area=area, older_than_days=7)) == [old]
    assert refs(db, CaseFilters(area=area, newer_than_days=7)) == [recent]


def test_overdue_means_open_and_past_the_promised_city_date(
        db: str, report: Callable[..., dict], area: str) -> None:
    # Opened Monday 23 Nov: a pothole is promised for Monday 30 Nov (5 working days).
    late = open_at(db, report, area)
    done = open_at(db, report, area)
    with session_scope(db) as session:
        from bot.cases import find_case
        change_status(session, find_case(session, done), "resolved", "fixed", by="a")
    on_the_day = dt.datetime(2026, 11, 30, 23, 0)
    next_day = dt.datetime(2026, 12, 1, 0, 30)
    assert refs(db, CaseFilters(area=area, overdue=True), now=on_the_day) == []
    assert refs(db, CaseFilters(area=area, overdue=True), now=next_day) == [late]
    with session_scope(db) as session:
        page = list_cases(session, "admin", None, CaseFilters(area=area, sort="oldest"), now=next_day)
    assert [row.overdue for row in page.rows] == [True, False]


def test_overdue_uses_the_city_time_zone_not_utc(db: str, report: Callable[..., dict], area: str,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    city = (ROOT / "content" / "city.yml").read_text("utf-8")
    auckland = tmp_path / "city.yml"
    auckland.write_text(city.replace("timezone: Europe/London", "timezone: Pacific/Auckland"),
                        "utf-8")
    late = open_at(db, report, area)  # promised for Monday 30 Nov (opened in London time)
    monkeypatch.setattr(get_settings(), "city_file", auckland)
    # 30 Nov 12:00 UTC is already 1 Dec 01:00 in Auckland (UTC+13): the promise is broken there.
    assert refs(db, CaseFilters(area=area, overdue=True), now=dt.datetime(2026, 11, 30, 12)) == [late]
    # 30 Nov 10:00 UTC is 23:00 on the 30th in Auckland: still on time.
    assert refs(db, CaseFilters(area=area, overdue=True), now=dt.datetime(2026, 11, 30, 10)) == []


def test_needs_attention_lists_cases_the_citizen_says_are_not_fixed(
        db: str, report: Callable[..., dict], area: str) -> None:
    flagged = open_at(db, report, area)
    open_at(db, report, area)
    with session_scope(db) as session:
        from bot.cases import find_case
        case = find_case(session, flagged)
        change_status(session, case, "resolved", "fixed", by="a")
        case.fix_confirmation = "not_fixed"
        change_status(session, case, "in_progress", "The citizen says it is not fixed", by="c")
    assert refs(db, CaseFilters(area=area, needs_attention=True)) == [flagged]


def test_search_by_loosely_typed_reference_description_or_address(
        db: str, report: Callable[..., dict], area: str) -> None:
    marker = uuid.uuid4().hex[:10]
    described = open_at(db, report, area, description=f"Sinkhole {marker} near 100%_ school")
    other = open_at(db, report, area)
    assert refs(db, CaseFilters(area=area, text=marker.upper())) == [described]
    assert refs(db, CaseFilters(area=area, text="100%_ school")) == [described]
    assert refs(db, CaseFilters(area=area, text="100%% school")) == []  # wildcards are literal
    year, number = other.split("-")[1], int(other.split("-")[2])
    assert refs(db, CaseFilters(area=area, text=f"c {year} {number}")) == [other]


def test_sorting_and_paging(db: str, report: Callable[..., dict], area: str) -> None:
    made = [open_at(db, report, area, now=MONDAY - dt.timedelta(days=days)) for days in (3, 1, 2)]
    oldest_first = [made[0], made[2], made[1]]
    assert refs(db, CaseFilters(area=area, sort="oldest")) == oldest_first
    assert refs(db, CaseFilters(area=area, sort="newest")) == oldest_first[::-1]
    with session_scope(db) as session:
        page = list_cases(session, "admin", None, CaseFilters(area=area, sort="oldest",
                                                              per_page=2, page=2), now=MONDAY)
        beyond = list_cases(session, "admin", None, CaseFilters(area=area, per_page=2, page=9),
                            now=MONDAY)
    assert (page.total, page.pages, [row.reference for row in page.rows]) == (3, 2, [made[1]])
    assert beyond.filters.page == 2  # a page past the end shows the last page


def test_a_merged_case_in_the_list_names_the_case_it_went_into(
        db: str, report: Callable[..., dict], area: str) -> None:
    target, source = open_at(db, report, area), open_at(db, report, area)
    with session_scope(db) as session:
        from bot.cases import find_case
        merge_cases(session, find_case(session, source), find_case(session, target),
                    actor="alice", reason="Same")
        page = list_cases(session, "admin", None, CaseFilters(area=area, sort="oldest"), now=MONDAY)
    assert [(row.reference, row.merged_into) for row in page.rows] == [(target, None),
                                                                       (source, target)]


def test_filters_from_a_query_string_drop_what_makes_no_sense() -> None:
    filters = CaseFilters.from_query({
        "status": ["open", "teleported", "referred"], "service": [" pothole "], "page": ["-3"],
        "per_page": ["100000"], "sort": ["DROP TABLE"], "older_than": ["x"], "overdue": ["on"],
        "q": [""], "area": ["High St"]})
    assert filters.statuses == ("referred", "new", "acknowledged", "in_progress")
    assert (filters.service, filters.page, filters.per_page, filters.sort) == ("pothole", 1, 100,
                                                                                "newest")
    assert filters.older_than_days is None and filters.overdue and filters.text is None
    assert filters.area == "High St"


def test_case_page_brings_history_people_conversations_and_feedback(
        db: str, report: Callable[..., dict], sender: str, area: str) -> None:
    follower = "+4416329" + uuid.uuid4().hex[:5]
    with session_scope(db) as session:
        case = open_case(session, **report(address=f"2 {area} Rd", latitude=51.501234,
                                           longitude=-0.123456, contact=None)).case
        duplicate = open_case(session, **report()).case
        record_inbound(session, channel="webchat", external_id=uuid.uuid4().hex,
                       sender_id=sender, text="there is a hole", now=MONDAY)
        escalate(session, sender_id=sender, channel="webchat", language="en",
                 reason="requested", transcript=[], case_reference=case.reference, now=MONDAY)
        follow_case(session, case, channel="sms", sender_id=follower, contact=follower,
                    language="pt")
        change_status(session, case, "acknowledged", "Crew booked", by="alice", now=MONDAY)
        record_feedback(session, sender_id=sender, channel="webchat", text="quick!", rating=5,
                        language="en", case_reference=case.reference, now=MONDAY)
        merge_cases(session, duplicate, case, actor="alice", reason="Same hole", now=MONDAY)
        detail = case_detail(session, case, now=MONDAY)
    assert [entry.kind for entry in detail.history] == ["created", "status_changed", "merged"]
    assert detail.history[1].text == "received -> seen by the team: Crew booked"
    assert detail.next_statuses == ("in_progress", "resolved", "closed_not_fixed", "duplicate",
                                    "referred")
    assert detail.merged_from == [duplicate.reference] and detail.merged_into is None
    assert [item.rating for item in detail.feedback] == [5]
    assert len(detail.escalations) == 1 and detail.escalations[0].case_id == case.id
    said = [(entry.who, entry.text) for entry in detail.messages]
    assert ("citizen", "there is a hole") in said
    assert any(who == "city" and "Crew booked" in text for who, text in said)
    assert [(row.channel, row.address, row.language) for row in detail.followers] == [
        ("sms", mask(follower), "pt")]
    assert follower not in repr(detail.followers) and detail.reporter.startswith("webchat •••")
    assert detail.map_url == ("https://www.openstreetmap.org/?mlat=51.501234&mlon=-0.123456"
                              "#map=18/51.501234/-0.123456")


def test_mask_and_map_link_edge_cases() -> None:
    assert mask("+441632960123") == "•••0123" and mask("abc") == "•••" and mask(None) == "•••"
    assert osm_url(None, 1.0) is None
