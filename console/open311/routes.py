"""Open311 GeoReport v2 endpoints under /open311/v2, each in .xml and .json by extension.

GET  discovery.<fmt>               service discovery
GET  services.<fmt>                service list
GET  services/<service_code>.<fmt> service definition
POST requests.<fmt>                create a service request (api_key required)
GET  requests.<fmt>                query service requests
GET  requests/<id>.<fmt>           one service request (id = the case reference)
GET  tokens/<token>.<fmt>          service_request_id for a token
Anything else under the prefix answers with the spec's error document (404, or 405 for a
POST to a single resource), never with a console page.

Thin on purpose: bot.open311 does the work and raises named errors, responses.py maps them.
The API is public (no staff session): reads need no key, and only POST checks one. GET
answers allow any origin, so a city's map page can read them from the browser; they carry
no contact details (bot.open311_queries).
"""
from __future__ import annotations

import asyncio
import re
from typing import Callable, Mapping, Optional, Sequence

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot import open311
from bot.db import session_scope
from bot.errors import CivicError
from console.open311.responses import document, error_for, errors, split_format

blueprint = Blueprint("open311", url_prefix="/open311/v2")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# NUL and other C0 controls but tab/newline (PostgreSQL refuses NUL in text): refused as 400.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
Action = Callable[[str, str], HTTPResponse]


def _first(params: Mapping[str, Sequence[str]], name: str) -> Optional[str]:
    """The first value of a parameter. `params` must be a plain dict of lists: Sanic's
    RequestParameters.get returns the first value itself, so it is converted with dict()."""
    values = dict(params).get(name) or ()
    return values[0] if values else None


async def _serve(request: Request, name: str, params: Mapping[str, Sequence[str]],
                 action: Action) -> HTTPResponse:
    """Split the format off `name`, check the jurisdiction, run `action(stem, fmt)` in a worker
    thread (database work and rendering up to 1000 requests must not stall the console)."""
    stem, fmt = split_format(name)
    if fmt is None:
        return errors(None, 400, ["the URL must end in .xml or .json"])
    if any(_UNSTORABLE.search(value) for values in dict(params).values() for value in values):
        return errors(fmt, 400, ["parameters must not contain control characters"])
    try:
        open311.check_jurisdiction(_first(params, "jurisdiction_id"))
        response = await asyncio.to_thread(action, stem, fmt)
    except CivicError as exc:
        response = error_for(fmt, exc)
    if request.method == "GET":
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(fmt: str, path: str) -> HTTPResponse:
    return errors(fmt, 404, [f"no Open311 resource at {path}"])


@blueprint.get("/<name>")
async def top_level(request: Request, name: str) -> HTTPResponse:
    """discovery, services and requests (the query)."""

    def action(stem: str, fmt: str) -> HTTPResponse:
        if stem == "discovery":
            return document(fmt, "discovery", open311.discovery_document())
        if stem not in ("services", "requests"):
            return _not_found(fmt, request.path)
        with session_scope() as session:
            if stem == "services":
                return document(fmt, "services", open311.service_list(session))
            return document(fmt, "service_requests",
                            open311.query_requests(session, dict(request.args)))

    return await _serve(request, name, request.args, action)


@blueprint.post("/<name>")
async def post_request(request: Request, name: str) -> HTTPResponse:
    """POST requests.<fmt>: form-encoded, as the spec sends it."""
    stem, fmt = split_format(name)
    if stem == "requests" and fmt and \
            (request.content_type or "").split(";")[0].strip().lower() not in FORM_TYPES:
        return errors(fmt, 415, ["send the request as application/x-www-form-urlencoded"])
    form = dict(request.form or {})
    params = {**dict(request.args), **form}

    def action(stem: str, fmt: str) -> HTTPResponse:
        if stem != "requests":
            return _not_found(fmt, request.path)
        with session_scope() as session:
            created = open311.create_request(
                session, api_key=_first(params, "api_key"), form=form,
                idempotency_key=request.headers.get("Idempotency-Key"))
        return document(fmt, "service_requests", [created])

    return await _serve(request, name, params, action)


@blueprint.get("/services/<name>")
async def service_definition(request: Request, name: str) -> HTTPResponse:
    def action(code: str, fmt: str) -> HTTPResponse:
        with session_scope() as session:
            return document(fmt, "service_definition", open311.service_definition(session, code))

    return await _serve(request, name, request.args, action)


@blueprint.get("/requests/<name>")
async def one_request(request: Request, name: str) -> HTTPResponse:
    def action(service_request_id: str, fmt: str) -> HTTPResponse:
        with session_scope() as session:
            return document(fmt, "service_requests",
                            [open311.get_request(session, service_request_id)])

    return await _serve(request, name, request.args, action)


@blueprint.get("/tokens/<name>")
async def token(request: Request, name: str) -> HTTPResponse:
    def action(token_id: str, fmt: str) -> HTTPResponse:
        with session_scope() as session:
            return document(fmt, "service_requests", [open311.request_for_token(session, token_id)])

    return await _serve(request, name, request.args, action)


@blueprint.post("/services/<name>")
@blueprint.post("/requests/<name>")
@blueprint.post("/tokens/<name>")
async def read_only(request: Request, name: str) -> HTTPResponse:
    """One service, request or token can only be read; say so in the spec's format."""
    return errors(split_format(name)[1] or "xml", 405, [f"{request.path} can only be read (GET)"],
                  {"Allow": "GET"})


@blueprint.route("/<rest:path>", methods=["GET", "POST"])
async def unknown(request: Request, rest: str) -> HTTPResponse:
    """Any other path under the API: the spec's 404 document, not the console's page."""
    return errors(split_format(rest)[1] or "xml", 404, [f"no Open311 resource at {request.path}"])
