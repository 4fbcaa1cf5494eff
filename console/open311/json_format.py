"""Open311 documents as JSON, the Spark mapping of the XML: the root container becomes the
top-level array (services, service_requests, errors) or object (service_definition,
discovery); empty values are null; text is UTF-8, not \\u escapes.
"""
from __future__ import annotations

import json
from typing import Mapping, Sequence, Union

CONTENT_TYPE = "application/json; charset=utf-8"
Document = Union[Mapping[str, object], Sequence[object]]


def to_json(document: Document) -> str:
    """The document as the JSON body of an Open311 response."""
    return json.dumps(document, ensure_ascii=False)
