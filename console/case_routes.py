"""Case pages of the staff console: the list, one case, status changes, merges and photos.

Every handler checks the role on the server (caseworkers and admins; the communications
team sees no cases) and reads through console.case_views, which answers "not found" for a
case of another department, so its existence is not revealed. Changes are plain forms with
a redirect after the POST (a reload never posts twice), and are audited with the change.

After a change to "resolved" is committed, the dialogue is told which case the citizen's
next "yes"/"no" answers (Rasa slot pending_fix_case); after a question to the reporter, that
their next message is the answer (bot.case_questions). Those calls are best effort: the change
and the citizen's message are already safe in the database, so a Rasa outage is logged and
shown, never undone.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Optional
from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw, redirect

from bot.case_questions import AskedQuestion, answer_form_events
from bot.errors import (AttachmentRejected, CaseChangedMeanwhile, CaseNotFound, CivicError,
                        DatabaseUnavailable, InvalidInput, InvalidTransition)
from bot.logs import log_event
from bot.settings import get_settings
from console import case_views as views
from console.auth import client_ip, require_role
from console.rasa_client import RasaClient, RasaUnavailable
from console.errors import answering_errors, sentence, status_for
from console.render import render

log = logging.getLogger(__name__)

blueprint = Blueprint("cases")
ROLES = ("caseworker", "admin")
FIX_SLOT = "pending_fix_case"
NOTICES = {
    "status": "Status changed. The citizen's update is queued for sending.",
    "status_rasa": "Status changed and the citizen's update is queued, but the assistant could "
                   "not be told to expect their answer to the fix question; their reply may need "
                   "a person.",
    "merged": "Merged. Its citizens now follow this case and were told once.",
    "question": "Question queued for the reporter. Their reply will be added to this case and "
                "flag it for attention.",
    "question_held": "Question queued for the reporter. They are in the middle of a report "
                     "with the assistant, which asks them your question once that is done and "
                     "adds their reply to this case. If they leave that report unfinished, "
                     "the question is sent to them in an hour.",
    "question_later": "Question queued for the reporter. They are busy with the assistant or "
                      "a caseworker: the assistant puts your question to them again once they "
                      "are free and adds their reply to this case. If a caseworker is talking "
                      "with them, their reply goes to that caseworker instead.",
    "question_rasa": "Question queued for the reporter, but the assistant could not be told to "
                     "expect the answer; a reply in the next hour may arrive as a new message.",
}
STATUS_OF = {CaseNotFound: 404, CaseChangedMeanwhile: 409, InvalidTransition: 409,
             InvalidInput: 400, AttachmentRejected: 404, DatabaseUnavailable: 503}


def _error_page(request: Request, key: Any, error: CivicError,
                status: int) -> Awaitable[HTTPResponse]:
    return _error(request, key, error)


_answers_errors = answering_errors(STATUS_OF, _error_page, key="reference")


async def _error(request: Request, reference: Optional[str], error: CivicError) -> HTTPResponse:
    """Not found: a plain page that says nothing about the case. Refused changes: the case
    page again, with the reason and the caseworker's typing kept."""
    status = status_for(STATUS_OF, error)
    log_event(log, "console.case.refused", error=type(error).__name__, status=status)
    if status in (404, 503) or reference is None:
        text = "No case with that reference that you can open." if status == 404 else str(error)
        return render(request, "case_error.html", http_status=status, error=text)
    page = await asyncio.to_thread(views.load_case, request.ctx.staff, reference)
    form = {name: str((request.form or {}).get(name) or "")
            for name in ("status", "reason_code", "reason", "target", "merge_reason_code",
                         "merge_reason", "question")}
    return render(request, "case.html", http_status=status, error=sentence(str(error)),
                  form=form, **page)


@blueprint.get("/cases")
@require_role(*ROLES)
@_answers_errors
async def case_list(request: Request) -> HTTPResponse:
    context = await asyncio.to_thread(views.load_list, request.ctx.staff, dict(request.args))
    return render(request, "cases.html", **context)


@blueprint.get("/cases/<reference>")
@require_role(*ROLES)
@_answers_errors
async def case_page(request: Request, reference: str) -> HTTPResponse:
    page = await asyncio.to_thread(views.load_case, request.ctx.staff, reference)
    return render(request, "case.html", notice=NOTICES.get(request.args.get("notice", "")),
                  form={}, **page)


@blueprint.post("/cases/<reference>/status")
@require_role(*ROLES)
@_answers_errors
async def change_status(request: Request, reference: str) -> HTTPResponse:
    form = request.form or {}
    changed = await asyncio.to_thread(
        views.change_status, request.ctx.staff, reference, str(form.get("status") or ""),
        str(form.get("reason") or ""), str(form.get("reason_code") or ""),
        str(form.get("seen_status") or "") or None,
        client_ip(request))
    notice = "status"
    if changed.asked_fix and not await _expect_fix_answer(changed):
        notice = "status_rasa"
    return redirect(f"/cases/{quote(changed.reference)}?notice={notice}", status=303)


async def _expect_fix_answer(changed: views.StatusChanged) -> bool:
    """Tell the dialogue the citizen's next yes/no answers this case's fix question."""
    settings = get_settings()
    try:
        await RasaClient(settings.rasa_url, settings.rasa_token).set_slot(
            changed.sender_id, FIX_SLOT, changed.reference)
    except RasaUnavailable as error:
        log_event(log, "console.case.fix_slot_failed", logging.WARNING,
                  case=changed.reference, error=error.detail)
        return False
    return True


@blueprint.post("/cases/<reference>/question")
@require_role(*ROLES)
@_answers_errors
async def ask(request: Request, reference: str) -> HTTPResponse:
    form = request.form or {}
    sender_id = await asyncio.to_thread(views.reporter_conversation, request.ctx.staff,
                                        reference)
    busy = await _in_a_form(sender_id, reference)
    asked = await asyncio.to_thread(views.ask, request.ctx.staff, reference,
                                    str(form.get("question") or ""), client_ip(request),
                                    busy)
    notice = "question_held" if busy else await _expect_answer(asked)
    return redirect(f"/cases/{quote(asked.reference)}?notice={notice}#ask", status=303)


async def _in_a_form(sender_id: str, reference: str) -> bool:
    """Whether the reporter is in the middle of a report with the assistant, so the message
    with the question must wait (bot.case_questions.HOLD_WHILE_BUSY); when Rasa cannot say,
    the question goes out now, as it would to an idle citizen."""
    settings = get_settings()
    try:
        return await RasaClient(settings.rasa_url, settings.rasa_token).in_a_form(sender_id)
    except RasaUnavailable as error:
        log_event(log, "console.case.reporter_state_unknown", logging.WARNING,
                  case=reference, error=error.detail)
        return False


async def _expect_answer(asked: AskedQuestion) -> str:
    """Tell the dialogue the citizen's next message answers the question (best effort: the
    question is already queued, and their next session is armed from the database)."""
    settings = get_settings()
    try:
        armed = await RasaClient(settings.rasa_url, settings.rasa_token).expect_answer(
            asked.sender_id, answer_form_events(asked.reference))
    except RasaUnavailable as error:
        log_event(log, "console.case.answer_form_failed", logging.WARNING,
                  case=asked.reference, error=error.detail)
        return "question_rasa"
    return "question" if armed else "question_later"


@blueprint.post("/cases/<reference>/merge")
@require_role(*ROLES)
@_answers_errors
async def merge(request: Request, reference: str) -> HTTPResponse:
    form = request.form or {}
    target = await asyncio.to_thread(views.merge, request.ctx.staff, reference,
                                     str(form.get("target") or ""),
                                     str(form.get("merge_reason") or ""),
                                     str(form.get("merge_reason_code") or ""), client_ip(request))
    return redirect(f"/cases/{quote(target)}?notice=merged", status=303)


@blueprint.get("/cases/<reference>/photos/<attachment_id>")
@require_role(*ROLES)
@_answers_errors
async def photo(request: Request, reference: str, attachment_id: str) -> HTTPResponse:
    data, content_type = await asyncio.to_thread(views.photo, request.ctx.staff, reference,
                                                 attachment_id)
    return raw(data, content_type=content_type,
               headers={"Content-Disposition": "inline", "Cache-Control": "private, no-store"})
