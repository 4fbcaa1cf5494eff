"""FAQ pages of the staff console, for the communications team (and admins).

Create, edit (a new version per save), preview per channel, publish, archive, revert, bulk
import/export, and the two reports from the answer log. Plain forms with a redirect after each
POST; the editor's live SMS counter (static/faq.js) is progressive enhancement over a
server-rendered preview. Every change is audited by the core in the same unit of work.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, redirect, text

from bot.errors import DatabaseUnavailable, FaqEntryNotFound, FaqImportRejected, FaqInvalid
from bot.logs import log_event
from console import faq_views as views
from console.auth import client_ip, require_role
from console.render import render

log = logging.getLogger(__name__)

blueprint = Blueprint("faq")
ROLES = ("comms", "admin")
NOTICES = {
    "created": "Draft created. Citizens see nothing until you publish it.",
    "saved": "Saved as a new version. Publish it to make it live.",
    "published": "Published. The assistant answers with it from the next message.",
    "archived": "Archived. The assistant will not answer with it any more.",
    "reverted": "Copied into a new version. Publish it to make it live.",
}
EXPORT_TYPES = {"yaml": "application/x-yaml; charset=utf-8", "csv": "text/csv; charset=utf-8"}
Handler = Callable[..., Awaitable[HTTPResponse]]


def _answers_errors(handler: Handler) -> Handler:
    """Not found and an unreachable database become honest pages with their status."""

    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        try:
            return await handler(request, *args, **kwargs)
        except FaqEntryNotFound:
            return render(request, "faq_error.html", http_status=404,
                          error="No FAQ entry or version with that number.")
        except DatabaseUnavailable as error:
            log_event(log, "console.faq.database_unavailable", logging.WARNING)
            return render(request, "faq_error.html", http_status=503, error=str(error))

    wrapped.__name__ = handler.__name__
    return wrapped


def _form(request: Request) -> dict:
    return {name: (request.form or {}).get(name) for name in (request.form or {})}


def _int_or_none(value: Optional[str]) -> Optional[int]:
    return int(value) if value and str(value).isdigit() else None


async def _run(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(function, *args)


@blueprint.get("/faq")
@require_role(*ROLES)
@_answers_errors
async def faq_list(request: Request) -> HTTPResponse:
    context = await _run(views.load_list, request.args.get("state"))
    return render(request, "faq_list.html", notice=NOTICES.get(request.args.get("notice", "")),
                  **context)


@blueprint.get("/faq/new")
@require_role(*ROLES)
async def faq_new(request: Request) -> HTTPResponse:
    return render(request, "faq_new.html", form={}, topic="", problems=[],
                  languages=views.language_rows())


@blueprint.post("/faq")
@require_role(*ROLES)
@_answers_errors
async def faq_create(request: Request) -> HTTPResponse:
    form, topic = _form(request), str((request.form or {}).get("topic") or "")
    try:
        entry_id = await _run(views.create, request.ctx.staff, client_ip(request), topic, form)
    except FaqInvalid as error:
        return render(request, "faq_new.html", http_status=400, form=form, topic=topic,
                      problems=error.problems, languages=views.language_rows())
    return redirect(f"/faq/{entry_id}?notice=created", status=303)


@blueprint.get("/faq/<entry_id:int>")
@require_role(*ROLES)
@_answers_errors
async def faq_edit(request: Request, entry_id: int) -> HTTPResponse:
    context = await _run(views.load_entry, entry_id)
    return render(request, "faq_edit.html", notice=NOTICES.get(request.args.get("notice", "")),
                  problems=[], **context)


@blueprint.post("/faq/<entry_id:int>")
@require_role(*ROLES)
@_answers_errors
async def faq_save(request: Request, entry_id: int) -> HTTPResponse:
    form = _form(request)
    try:
        await _run(views.save, request.ctx.staff, client_ip(request), entry_id, form)
    except FaqInvalid as error:
        context = await _run(views.load_entry, entry_id)
        context["form"] = {**context["form"], **form}  # keep what they typed
        return render(request, "faq_edit.html", http_status=400, problems=error.problems,
                      **context)
    return redirect(f"/faq/{entry_id}?notice=saved", status=303)


@blueprint.post("/faq/<entry_id:int>/publish")
@require_role(*ROLES)
@_answers_errors
async def faq_publish(request: Request, entry_id: int) -> HTTPResponse:
    version = _int_or_none((request.form or {}).get("version"))
    try:
        await _run(views.publish_version, request.ctx.staff, client_ip(request), entry_id, version)
    except FaqInvalid as error:
        context = await _run(views.load_entry, entry_id)
        return render(request, "faq_edit.html", http_status=400, problems=error.problems,
                      **context)
    return redirect(f"/faq/{entry_id}?notice=published", status=303)


@blueprint.post("/faq/<entry_id:int>/archive")
@require_role(*ROLES)
@_answers_errors
async def faq_archive(request: Request, entry_id: int) -> HTTPResponse:
    await _run(views.archive_entry, request.ctx.staff, client_ip(request), entry_id)
    return redirect(f"/faq/{entry_id}?notice=archived", status=303)


@blueprint.post("/faq/<entry_id:int>/revert")
@require_role(*ROLES)
@_answers_errors
async def faq_revert(request: Request, entry_id: int) -> HTTPResponse:
    version = _int_or_none((request.form or {}).get("version"))
    if version is None:
        raise FaqEntryNotFound("no version given")
    await _run(views.revert_to, request.ctx.staff, client_ip(request), entry_id, version)
    return redirect(f"/faq/{entry_id}?notice=reverted", status=303)


@blueprint.get("/faq/<entry_id:int>/versions")
@require_role(*ROLES)
@_answers_errors
async def faq_versions(request: Request, entry_id: int) -> HTTPResponse:
    return render(request, "faq_versions.html", **await _run(views.load_versions, entry_id))


@blueprint.get("/faq/<entry_id:int>/preview")
@require_role(*ROLES)
@_answers_errors
async def faq_preview(request: Request, entry_id: int) -> HTTPResponse:
    version = _int_or_none(request.args.get("version"))
    return render(request, "faq_preview.html", **await _run(views.load_preview, entry_id, version))


@blueprint.post("/faq/preview.json")
@require_role(*ROLES)
async def faq_live_preview(request: Request) -> HTTPResponse:
    body = request.json if isinstance(request.json, dict) else {}
    answer, links = str(body.get("text") or "")[:10000], str(body.get("links") or "")[:5000]
    return json(views.live_preview(answer, links))


@blueprint.get("/faq/export.yml")
@require_role(*ROLES)
@_answers_errors
async def faq_export_yaml(request: Request) -> HTTPResponse:
    return await _export("yaml", "yml")


@blueprint.get("/faq/export.csv")
@require_role(*ROLES)
@_answers_errors
async def faq_export_csv(request: Request) -> HTTPResponse:
    return await _export("csv", "csv")


async def _export(file_format: str, extension: str) -> HTTPResponse:
    body = await _run(views.export, file_format)
    return text(body, content_type=EXPORT_TYPES[file_format],
                headers={"Content-Disposition": f'attachment; filename="faq.{extension}"'})


@blueprint.get("/faq/import")
@require_role(*ROLES)
async def faq_import_form(request: Request) -> HTTPResponse:
    return render(request, "faq_import.html", problems=[], result=None)


@blueprint.post("/faq/import")
@require_role(*ROLES)
@_answers_errors
async def faq_import(request: Request) -> HTTPResponse:
    upload = (request.files or {}).get("file")
    name = (upload.name or "").lower() if upload else ""
    file_format = "csv" if name.endswith(".csv") else "yaml" if name.endswith((".yml", ".yaml")) else ""
    try:
        if upload is None or not upload.body:
            raise FaqImportRejected([("file", "choose a .yml, .yaml or .csv file")])
        if not file_format:
            raise FaqImportRejected([("file", "the file name must end in .yml, .yaml or .csv")])
        try:
            content = upload.body.decode("utf-8")
        except UnicodeDecodeError:
            raise FaqImportRejected([("file", "the file must be UTF-8 text")]) from None
        result = await _run(views.import_file, request.ctx.staff, client_ip(request), content,
                            file_format)
    except FaqImportRejected as error:
        return render(request, "faq_import.html", http_status=400, problems=error.problems,
                      result=None)
    return render(request, "faq_import.html", problems=[], result=result)


@blueprint.get("/faq/unanswered")
@require_role(*ROLES)
@_answers_errors
async def faq_unanswered(request: Request) -> HTTPResponse:
    return render(request, "faq_unanswered.html", **await _run(views.load_unanswered))


@blueprint.get("/faq/missed")
@require_role(*ROLES)
@_answers_errors
async def faq_missed(request: Request) -> HTTPResponse:
    return render(request, "faq_missed.html", **await _run(views.load_missed))


@blueprint.get("/faq/replaced")
@require_role(*ROLES)
@_answers_errors
async def faq_replaced(request: Request) -> HTTPResponse:
    return render(request, "faq_replaced.html", **await _run(views.load_replaced))
