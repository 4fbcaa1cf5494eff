"""Open311 discovery, service list and service definitions, checked against the GeoReport v2
field lists (open311/open311.github.io, GeoReport_v2 and Service_Discovery pages)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete

from bot.errors import Open311Invalid, Open311NotFound, UnknownService
from bot.models import Service
from bot.open311 import (SPECIFICATION, check_jurisdiction, discovery_document,
                         service_definition, service_list)
from bot.open311_attributes import validate_attributes
from bot.open311_dates import end_of_day, format_w3c, parse_w3c
from bot.services import load_catalogue
from tests.bot.conftest import ROOT

TEST_SERVICE_PREFIX = "zz_"  # services these tests add; removed again so counts elsewhere hold


@pytest.fixture(autouse=True)
def _remove_test_services(session_for):  # type: ignore[no-untyped-def]
    """The test database is shared by tests/bot: leave its catalogue as the seed made it."""
    yield
    with session_for() as session:
        session.execute(delete(Service).where(Service.code.startswith(TEST_SERVICE_PREFIX))
                        .execution_options(synchronize_session=False))

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type",
                  "keywords", "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description",
                    "order", "description"]
LONDON = ZoneInfo("Europe/London")


def test_discovery_has_every_required_field_and_both_formats() -> None:
    document = discovery_document()
    assert list(document) == ["changeset", "contact", "key_service", "endpoints"]
    (endpoint,) = document["endpoints"]
    assert list(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint["specification"] == SPECIFICATION
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert all(document[name] for name in ("changeset", "contact", "key_service"))


def test_service_list_is_the_active_catalogue_grouped_by_department(session_for) -> None:
    with session_for() as session:
        services = service_list(session)
    catalogue = [spec for spec in load_catalogue(ROOT / "content" / "services.yml") if spec.active]
    assert [item["service_code"] for item in services] == [spec.code for spec in catalogue]
    pothole = services[0]
    assert list(pothole) == SERVICE_FIELDS
    assert pothole == {
        "service_code": "pothole", "service_name": "Pothole",
        "description": "A hole or broken surface in a road or cycle lane.",
        "metadata": True, "type": "realtime",
        "keywords": "pothole, hole in the road, road surface, crater, sunken road, broken tarmac",
        "group": "Highways"}


def test_service_without_questions_needs_no_definition(session_for) -> None:
    with session_for() as session:
        session.merge(Service(code="zz_plain", department="Parks", sla_working_days=3,
                              names={"en": "Plain"}, descriptions={"en": "No questions."},
                              keywords={}, questions=[], active=True, sort_order=999))
    with session_for() as session:
        plain = next(item for item in service_list(session) if item["service_code"] == "zz_plain")
        assert plain["metadata"] is False
        assert service_definition(session, "zz_plain") == {"service_code": "zz_plain",
                                                           "attributes": []}
        session.get(Service, "zz_plain").active = False


def test_definition_turns_follow_up_questions_into_attributes(session_for) -> None:
    with session_for() as session:
        definition = service_definition(session, "streetlight")
    assert definition["service_code"] == "streetlight"
    first, second = definition["attributes"]
    assert list(first) == ATTRIBUTE_FIELDS
    assert first == {"variable": True, "code": "pole_number", "datatype": "string",
                     "required": False, "datatype_description": "One line of text.",
                     "order": 1,
                     "description": "Is there a number on the lamp post? If you can see it, "
                                    "please type it."}
    assert (second["code"], second["required"], second["order"]) == ("how_many_lights", True, 2)


def _list_service(session) -> Service:  # type: ignore[no-untyped-def]
    """A service whose questions carry datatypes and choices, as the catalogue may say."""
    return session.merge(Service(
        code="zz_lists", department="Parks", sla_working_days=3, names={"en": "Lists"},
        descriptions={"en": "Typed questions."}, keywords={"en": ["lists"]}, active=False,
        sort_order=998, questions=[
            {"code": "kind", "required": True, "datatype": "singlevaluelist",
             "prompt": {"en": "Which kind?"},
             "values": [{"key": "oak", "name": {"en": "Oak", "es": "Roble"}},
                        {"key": "elm", "name": {"en": "Elm"}}]},
            {"code": "parts", "required": False, "datatype": "multivaluelist",
             "prompt": {"en": "Which parts?"},
             "values": [{"key": "trunk", "name": {"en": "Trunk"}},
                        {"key": "branch", "name": {"en": "Branch"}}]},
            {"code": "count", "required": False, "datatype": "number",
             "prompt": {"en": "How many?"}},
            {"code": "seen", "required": False, "datatype": "datetime", "prompt": {"en": "When?"}},
            {"code": "label", "required": False, "prompt": {"en": "Label?"}},
            {"code": "notes", "required": False, "datatype": "text", "prompt": {"en": "Notes?"}},
        ]))


def test_list_questions_become_list_attributes_with_values(session_for) -> None:
    with session_for() as session:
        service = _list_service(session)
        session.flush()
        service.active = True
        definition = service_definition(session, "zz_lists", language="es")
        service.active = False
    kind, parts = definition["attributes"][:2]
    assert kind["datatype"] == "singlevaluelist"
    assert kind["values"] == [{"key": "oak", "name": "Roble"}, {"key": "elm", "name": "Elm"}]
    assert parts["datatype"] == "multivaluelist" and len(parts["values"]) == 2
    assert "values" not in definition["attributes"][2]


@pytest.mark.parametrize("submitted, answers, problem", [
    ({"kind": ["oak"]}, {"kind": "oak"}, None),
    ({"kind": ["oak"], "parts": ["trunk", "branch", "trunk"]},
     {"kind": "oak", "parts": "trunk, branch"}, None),
    ({}, {}, "attribute[kind] is required for service zz_lists"),
    ({"kind": ["pine"]}, {}, "attribute[kind] must be one of ['elm', 'oak']"),
    ({"kind": ["oak", "elm"]}, {}, "attribute[kind] takes one value"),
    ({"kind": ["oak"], "colour": ["red"]}, {},
     "attribute[colour] is not defined for service zz_lists"),
    ({"kind": ["oak"], "count": ["many"]}, {}, "attribute[count] must be a number"),
    ({"kind": ["oak"], "count": ["2.5"]}, {"kind": "oak", "count": "2.5"}, None),
    ({"kind": ["oak"], "seen": ["2026-11-23"]}, {"kind": "oak", "seen": "2026-11-23"}, None),
    ({"kind": ["oak"], "seen": ["yesterday"]}, {},
     "attribute[seen] must be a W3C date-time with a time zone"),
    ({"kind": ["oak"], "label": ["two\nlines"]}, {},
     "attribute[label] is a string and cannot contain line breaks"),
    ({"kind": ["oak"], "notes": ["two\nlines"]}, {"kind": "oak", "notes": "two\nlines"}, None),
])
def test_attribute_values_are_checked_against_the_definition(
        session_for, submitted: dict, answers: dict, problem: str) -> None:
    with session_for() as session:
        got, problems = validate_attributes(_list_service(session), submitted, LONDON)
    if problem is None:
        assert (got, problems) == (answers, [])
    else:
        assert problem in problems


def test_catalogue_file_lists_reach_the_definition(session_for, tmp_path: Path) -> None:
    """A city types a question in content/services.yml; the seed carries it to Open311."""
    catalogue = tmp_path / "services.yml"
    catalogue.write_text(
        "services:\n"
        "  - code: zz_file\n    department: Parks\n    sla_working_days: 2\n"
        "    name: {en: From file}\n    description: {en: Typed in YAML}\n    active: false\n"
        "    questions:\n"
        "      - code: kind\n        datatype: singlevaluelist\n"
        "        prompt: {en: 'Which kind?'}\n"
        "        values:\n          - {key: oak, name: {en: Oak}}\n          - {key: elm}\n",
        encoding="utf-8")
    (spec,) = load_catalogue(catalogue)
    with session_for() as session:
        service = session.merge(Service(code="zz_file", department="Parks", sla_working_days=2,
                                        names=spec.names, descriptions=spec.descriptions,
                                        keywords={}, questions=spec.questions, active=True,
                                        sort_order=997))
        session.flush()
        (attribute,) = service_definition(session, "zz_file")["attributes"]
        service.active = False
    assert attribute["datatype"] == "singlevaluelist"
    assert attribute["values"] == [{"key": "oak", "name": "Oak"}, {"key": "elm", "name": "elm"}]


def test_unknown_or_inactive_service_has_no_definition(session_for) -> None:
    with session_for() as session:
        with pytest.raises(UnknownService):
            service_definition(session, "unicorns")
        _list_service(session)
        session.flush()
        with pytest.raises(UnknownService):
            service_definition(session, "zz_lists")


def test_jurisdiction_is_optional_but_must_be_ours_when_given() -> None:
    check_jurisdiction(None)
    check_jurisdiction("")
    check_jurisdiction("riverton.gov")
    check_jurisdiction("Riverton.GOV")
    with pytest.raises(Open311NotFound):
        check_jurisdiction("sfgov.org")


@pytest.mark.parametrize("text, expected", [
    ("2010-01-01T00:00:00Z", dt.datetime(2010, 1, 1)),
    ("1994-11-05T08:15:30-05:00", dt.datetime(1994, 11, 5, 13, 15, 30)),  # the spec's example
    ("1994-11-05T13:15:30Z", dt.datetime(1994, 11, 5, 13, 15, 30)),
    ("2026-07-01T10:00+01:00", dt.datetime(2026, 7, 1, 9, 0)),
    ("2026-07-01", dt.datetime(2026, 6, 30, 23, 0)),  # midnight in London (BST)
])
def test_w3c_datetimes_are_read_with_their_zone(text: str, expected: dt.datetime) -> None:
    assert parse_w3c(text, LONDON, "start_date") == expected


@pytest.mark.parametrize("text", ["2010-01-01T00:00:00", "yesterday", "2010-13-01T00:00:00Z",
                                  "2010-01-01 00:00:00Z", ""])
def test_w3c_datetimes_without_zone_or_invalid_are_refused(text: str) -> None:
    with pytest.raises(Open311Invalid) as refused:
        parse_w3c(text, LONDON, "end_date")
    assert "end_date" in refused.value.problems[0]


def test_times_are_written_in_the_citys_zone_with_offset() -> None:
    assert format_w3c(dt.datetime(2026, 7, 1, 9, 0, 5, 123), LONDON) == "2026-07-01T10:00:05+01:00"
    assert format_w3c(dt.datetime(2026, 11, 23, 12, 0), LONDON) == "2026-11-23T12:00:00+00:00"
    assert end_of_day(dt.date(2026, 11, 30), LONDON) == "2026-11-30T23:59:59+00:00"
    assert format_w3c(None, LONDON) is None and end_of_day(None, LONDON) is None
