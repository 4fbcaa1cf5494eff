"""Service definitions: the catalogue's follow-up questions as Open311 attributes, and the
checking of the attribute[code] values a client posts against them.

The questions the assistant asks in chat are the same facts an Open311 form must collect,
so the catalogue (content/services.yml) stays the one place a city edits them. A question
may carry `datatype` and `values` (for lists); without them it is a one-line string.
"""
from __future__ import annotations

import math
from typing import Dict, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from bot.errors import Open311Invalid
from bot.models import Service
from bot.open311_dates import parse_w3c
from bot.services import FALLBACK_LANGUAGE, localized

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
MAX_ANSWER_CHARS = 1000
_DESCRIBE = {
    "string": "One line of text.",
    "number": "A number, e.g. 3 or 2.5.",
    "datetime": "A date-time with a time zone, e.g. 2010-01-01T00:00:00Z.",
    "text": "Free text; line breaks allowed.",
    "singlevaluelist": "One of the listed keys.",
    "multivaluelist": "One or more of the listed keys, as attribute[code][]=key.",
}


def _datatype(question: Mapping) -> str:
    datatype = str(question.get("datatype") or "string")
    return datatype if datatype in DATATYPES else "string"


def _values(question: Mapping, language: str) -> List[Dict[str, str]]:
    """The choices of a list question; a choice without a name is shown by its key."""
    values = []
    for value in question.get("values") or []:
        name = value.get("name")
        text = localized(name, language) if isinstance(name, dict) else name
        values.append({"key": str(value["key"]), "name": str(text or value["key"])})
    return values


def service_attributes(service: Service, language: str = FALLBACK_LANGUAGE) -> List[dict]:
    """The attributes of a service definition, in the order the assistant asks them."""
    attributes = []
    for order, question in enumerate(service.questions or [], start=1):
        datatype = _datatype(question)
        attribute = {"variable": True, "code": str(question["code"]), "datatype": datatype,
                     "required": bool(question.get("required", True)),
                     "datatype_description": _DESCRIBE[datatype], "order": order,
                     "description": str(localized(question.get("prompt"), language))}
        if datatype in LIST_TYPES:
            attribute["values"] = _values(question, language)
        attributes.append(attribute)
    return attributes


def validate_attributes(service: Service, submitted: Mapping[str, Sequence[str]],
                        zone: ZoneInfo) -> Tuple[Dict[str, str], List[str]]:
    """(answers to store in Case.answers, problems): each posted value checked against the
    definition; a required attribute must be present and an unknown code is refused, so a
    client learns at once that its cached definition is stale."""
    definitions = {item["code"]: item for item in service_attributes(service)}
    answers: Dict[str, str] = {}
    problems = [f"attribute[{code}] is not defined for service {service.code}"
                for code in submitted if code not in definitions]
    for code, definition in definitions.items():
        values = [value.strip() for value in submitted.get(code, ()) if value.strip()]
        if not values:
            if definition["required"]:
                problems.append(f"attribute[{code}] is required for service {service.code}")
            continue
        answer, problem = _check(definition, values, zone)
        if problem:
            problems.append(f"attribute[{code}] {problem}")
        else:
            answers[code] = answer
    return answers, problems


def _check(definition: Mapping, values: List[str], zone: ZoneInfo) -> Tuple[str, Optional[str]]:
    """One attribute's values as the stored answer text, or why they are refused."""
    datatype = definition["datatype"]
    if len(values) > 1 and datatype != "multivaluelist":
        return "", "takes one value"
    if datatype in LIST_TYPES:
        keys = {value["key"] for value in definition.get("values", [])}
        unknown = [value for value in values if value not in keys]
        if unknown:
            return "", f"must be one of {sorted(keys)}"
        return ", ".join(dict.fromkeys(values)), None
    value = values[0]
    if len(value) > MAX_ANSWER_CHARS:
        return "", f"is longer than {MAX_ANSWER_CHARS} characters"
    if datatype == "string" and ("\n" in value or "\r" in value):
        return "", "is a string and cannot contain line breaks"
    if datatype == "number":
        try:
            if not math.isfinite(float(value)):
                raise ValueError(value)
        except ValueError:
            return "", "must be a number"
    if datatype == "datetime":
        try:
            parse_w3c(value, zone, "value")
        except Open311Invalid:
            return "", "must be a W3C date-time with a time zone"
    return value, None
