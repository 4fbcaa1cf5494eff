"""Open311 documents as XML, the format the spec requires: no namespace, UTF-8 with the XML
declaration, and repeated elements named after their container (services/service,
service_requests/request, errors/error, attributes/attribute, values/value, ...), which is
the Spark convention the JSON form mirrors.

Built with xml.etree.ElementTree, so text and attribute values are escaped by the library;
characters XML 1.0 cannot carry at all (control characters a phone may put in a message)
are dropped rather than producing a document no client can parse.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Dict, Mapping, Sequence, Union

CONTENT_TYPE = "text/xml; charset=utf-8"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# container element -> the element of each item in it
ITEM_NAMES: Dict[str, str] = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
Document = Union[Mapping[str, object], Sequence[object]]


def text_of(value: object) -> str:
    """A value as element text: booleans as the spec's true/false, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: object) -> None:
    if isinstance(value, Mapping):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, (list, tuple)):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = text_of(value)


def to_xml(root: str, document: Document) -> str:
    """The document under the root element `root` (e.g. "services"), declaration first."""
    element = ET.Element(root)
    _fill(element, document)
    return DECLARATION + ET.tostring(element, encoding="unicode")
