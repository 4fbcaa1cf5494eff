"""The Open311 renderers and the error mapping, without a server: the spec's example documents
come out with the spec's element names, text is escaped, and each core error gets its code."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from bot.errors import (ApiKeyRateLimited, ApiKeyRejected, DatabaseUnavailable, InvalidInput,
                        Open311Invalid, Open311NotFound, UnknownService)
from console.open311.json_format import to_json
from console.open311.responses import error_for, split_format
from console.open311.xml_format import to_xml

# The spec's service definition example (GeoReport v2, GET Service Definition).
SPEC_DEFINITION = {"service_code": "DMV66", "attributes": [{
    "variable": True, "code": "WHISHETN", "datatype": "singlevaluelist", "required": True,
    "datatype_description": None, "order": 1, "description": "What is the ticket/tag/DL number?",
    "values": [{"key": 123, "name": "Ford"}, {"key": 124, "name": "Chrysler"}]}]}


def test_spec_definition_example_renders_with_the_specs_elements() -> None:
    root = ET.fromstring(to_xml("service_definition", SPEC_DEFINITION).encode("utf-8"))
    assert [child.tag for child in root] == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute")
    assert [child.tag for child in attribute] == ["variable", "code", "datatype", "required",
                                                 "datatype_description", "order", "description",
                                                 "values"]
    assert [(v.findtext("key"), v.findtext("name")) for v in attribute.find("values")] == \
        [("123", "Ford"), ("124", "Chrysler")]
    assert attribute.findtext("variable") == "true"
    assert attribute.findtext("datatype_description") == ""
    assert json.loads(to_json(SPEC_DEFINITION)) == SPEC_DEFINITION


def test_xml_starts_with_the_utf8_declaration_and_has_no_namespace() -> None:
    text = to_xml("services", [])
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    assert "xmlns" not in text and ET.fromstring(text.encode()).tag == "services"


def test_markup_is_escaped_and_control_characters_dropped() -> None:
    hostile = 'Bins </description><status>closed</status> & "more" \x00\x07\x1b end'
    text = to_xml("service_requests", [{"service_request_id": "C-2026-000001",
                                        "description": hostile}])
    (request,) = ET.fromstring(text.encode("utf-8"))
    assert [child.tag for child in request] == ["service_request_id", "description"]
    assert request.findtext("description") == \
        'Bins </description><status>closed</status> & "more"  end'


def test_json_keeps_unicode_and_nulls() -> None:
    assert to_json([{"description": "Café", "address": None}]) == \
        '[{"description": "Café", "address": null}]'


@pytest.mark.parametrize("name, expected", [
    ("services.xml", ("services", "xml")), ("services.JSON", ("services", "json")),
    ("C-2026-000001.json", ("C-2026-000001", "json")), ("o311-1-abc.xml", ("o311-1-abc", "xml")),
    ("services", ("services", None)), ("services.html", ("services.html", None)),
    (".json", (".json", None))])
def test_format_comes_from_the_extension(name: str, expected: tuple) -> None:
    assert split_format(name) == expected


@pytest.mark.parametrize("error, status", [
    (ApiKeyRejected(), 403),
    (ApiKeyRateLimited(5, 12), 429),
    (UnknownService("unicorns"), 404),
    (Open311NotFound("token 'x' was not found"), 404),
    (Open311Invalid(["one", "two"]), 400),
    (InvalidInput("bad"), 400),
    (DatabaseUnavailable("down"), 503),
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_each_core_error_gets_its_http_code(error: Exception, status: int, fmt: str) -> None:
    response = error_for(fmt, error)
    assert response.status == status
    if fmt == "json":
        codes = [item["code"] for item in json.loads(response.body)]
    else:
        codes = [int(e.findtext("code")) for e in ET.fromstring(response.body).iter("error")]
    assert codes == [status] * (2 if isinstance(error, Open311Invalid) else 1)
    if status in (429, 503):
        assert int(response.headers["Retry-After"]) > 0
