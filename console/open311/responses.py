"""Open311 HTTP responses: a document in the format the URL's extension asks for, and the
core's named errors as the spec's error documents with the spec's HTTP codes.

404 for anything that does not exist (service, request, token, jurisdiction), 403 for a
missing, wrong or revoked api_key, 400 for any other request that cannot be fulfilled,
429 (with Retry-After) for a key over its rate limit. A database outage is 503, not the
spec's catch-all 400, so clients retry; a retry is safe with an Idempotency-Key.
"""
from __future__ import annotations

import logging
from typing import Dict, List, Optional, Tuple

from sanic.response import HTTPResponse

from bot.errors import (ApiKeyRateLimited, ApiKeyRejected, CivicError, DatabaseUnavailable,
                        InvalidInput, Open311Invalid, Open311NotFound, UnknownService)
from bot.logs import log_event
from console.open311.json_format import CONTENT_TYPE as JSON_TYPE, Document, to_json
from console.open311.xml_format import CONTENT_TYPE as XML_TYPE, to_xml

log = logging.getLogger(__name__)
FORMATS = ("xml", "json")


def split_format(name: str) -> Tuple[str, Optional[str]]:
    """"pothole.json" -> ("pothole", "json"); the format is None when it is not one we serve."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or extension.lower() not in FORMATS:
        return name, None
    return stem, extension.lower()


def document(fmt: str, root: str, body: Document, status: int = 200,
             headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    """`body` as XML under `root`, or as JSON."""
    if fmt == "json":
        return HTTPResponse(to_json(body), status=status, headers=headers, content_type=JSON_TYPE)
    return HTTPResponse(to_xml(root, body), status=status, headers=headers,
                        content_type=XML_TYPE)


def errors(fmt: Optional[str], status: int, descriptions: List[str],
           headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    """The spec's errors document: one error per description, code = the HTTP status.
    Without a usable extension the answer is XML, the format every client must read."""
    body = [{"code": status, "description": text} for text in descriptions]
    return document(fmt or "xml", "errors", body, status=status, headers=headers)


def error_for(fmt: str, exc: CivicError) -> HTTPResponse:
    """The response for a named core error (logged without the request's content)."""
    log_event(log, "open311.refused", error=type(exc).__name__)
    if isinstance(exc, ApiKeyRejected):
        return errors(fmt, 403, [f"Invalid or missing api_key received -- {exc}"])
    if isinstance(exc, ApiKeyRateLimited):
        return errors(fmt, 429, [str(exc)], {"Retry-After": str(exc.retry_after_seconds)})
    if isinstance(exc, UnknownService):
        return errors(fmt, 404, [f"service_code {exc.code!r} was not found"])
    if isinstance(exc, Open311NotFound):
        return errors(fmt, 404, [str(exc)])
    if isinstance(exc, Open311Invalid):
        return errors(fmt, 400, exc.problems)
    if isinstance(exc, InvalidInput):
        return errors(fmt, 400, [str(exc)])
    if isinstance(exc, DatabaseUnavailable):
        return errors(fmt, 503, ["the service request database is unavailable; nothing was "
                                 "saved; please try again later"], {"Retry-After": "30"})
    return errors(fmt, 400, [str(exc)])
