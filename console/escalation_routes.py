"""Caseworker escalation pages: the live queue, one conversation, claim, reply, hand back.

Claiming pauses the bot (Rasa's ConversationPaused) and handing back resumes it. The order
matters and is chosen so a failure never lies to the citizen:
- claim: reserve in the database (commit: only one caseworker can win), pause Rasa, then
  queue "Ana has joined". If the pause fails the reservation is released and the page says
  so; the citizen was told nothing, and the bot keeps answering them, which is true. (Keeping
  the claim would tell them a person had joined while the bot still answers them too.)
- hand back: resume Rasa first, then close and queue "you are back with the assistant". If
  the resume fails nothing changes and the page says so; the conversation stays with the
  caseworker, who can try again, so the citizen is never told the bot is back when it is not.
Every step repeats safely, so "try again" is always the right advice.

Pages work without JavaScript (plain forms, redirect after POST); console/static/escalations.js
polls the .json twins every 2 s so new citizens and new messages appear without a refresh.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Awaitable, Dict, Optional

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, redirect

from bot.errors import (CivicError, DatabaseUnavailable, EscalationClaimed, EscalationNotFound,
                        EscalationNotHeld, InvalidInput)
from bot.handoff import Cursor
from bot.logs import log_event
from bot.settings import get_settings
from console import escalation_views as views
from console.auth import client_ip, require_role, wants_json
from console.rasa_client import RasaClient, RasaUnavailable
from console.errors import answering_errors, sentence, status_for
from console.render import render

log = logging.getLogger(__name__)

blueprint = Blueprint("escalations")
ROLES = ("caseworker", "admin")
FLAG_CHECK_SECONDS = 30.0
NOTICES = {"handed_back": "The conversation is back with the assistant, and the citizen was told."}
STATUS_OF = {EscalationNotFound: 404, EscalationClaimed: 409, EscalationNotHeld: 409,
             InvalidInput: 400, RasaUnavailable: 502, DatabaseUnavailable: 503}


def rasa_client() -> RasaClient:
    settings = get_settings()
    return RasaClient(settings.rasa_url, settings.rasa_token)


def _error_page(request: Request, key: Any, error: CivicError,
                status: int) -> Awaitable[HTTPResponse]:
    return _error(request, key, error)


_answers_errors = answering_errors(STATUS_OF, _error_page, key="escalation_id")


async def _error(request: Request, escalation_id: Optional[int], error: CivicError,
                 message: Optional[str] = None) -> HTTPResponse:
    status = status_for(STATUS_OF, error)
    text = message or sentence(str(error))
    log_event(log, "console.escalation.refused", error=type(error).__name__, status=status,
              escalation_id=escalation_id)
    if wants_json(request):
        return json({"error": text}, status=status)
    if escalation_id is None or status in (404, 503):
        return render(request, "escalation_error.html", http_status=status, error=text)
    try:
        page = await asyncio.to_thread(views.load_escalation, request.ctx.staff, escalation_id)
    except EscalationNotFound as missing:  # the refused action was on an escalation that is not there
        return render(request, "escalation_error.html", http_status=404,
                      error=sentence(str(missing)))
    return render(request, "escalation.html", http_status=status, error=text,
                  client_message_id=uuid.uuid4().hex, **page)


@blueprint.get("/escalations")
@require_role(*ROLES)
@_answers_errors
async def queue_page(request: Request) -> HTTPResponse:
    queue = await asyncio.to_thread(views.load_queue, request.ctx.staff)
    return render(request, "escalations.html", notice=NOTICES.get(request.args.get("notice", "")),
                  **queue)


@blueprint.get("/escalations/queue.json")
@require_role(*ROLES)
@_answers_errors
async def queue_json(request: Request) -> HTTPResponse:
    return json(await asyncio.to_thread(views.load_queue, request.ctx.staff))


@blueprint.get("/escalations/<escalation_id:int>")
@require_role(*ROLES)
@_answers_errors
async def escalation_page(request: Request, escalation_id: int) -> HTTPResponse:
    page = await asyncio.to_thread(views.load_escalation, request.ctx.staff, escalation_id)
    return render(request, "escalation.html", client_message_id=uuid.uuid4().hex, **page)


@blueprint.get("/escalations/<escalation_id:int>/messages.json")
@require_role(*ROLES)
@_answers_errors
async def messages_json(request: Request, escalation_id: int) -> HTTPResponse:
    after = Cursor.parse(request.args.get("after"))
    page = await asyncio.to_thread(views.load_escalation, request.ctx.staff, escalation_id, after)
    page.pop("transcript")
    return json(page)


@blueprint.post("/escalations/<escalation_id:int>/claim")
@require_role(*ROLES)
@_answers_errors
async def claim(request: Request, escalation_id: int) -> HTTPResponse:
    staff, ip = request.ctx.staff, client_ip(request)
    sender_id = await asyncio.to_thread(views.reserve, staff, escalation_id, ip)
    try:
        await rasa_client().pause(sender_id)
    except RasaUnavailable as error:
        await asyncio.to_thread(views.release, staff, escalation_id, ip, str(error))
        return await _error(request, escalation_id, error, sentence(
            f"{error}. The conversation is back in the queue and the citizen was not told "
            "anything; the assistant is still answering them. Try again in a moment"))
    await asyncio.to_thread(views.announce, staff, escalation_id)
    return _done(request, f"/escalations/{escalation_id}", {"status": "claimed"})


@blueprint.post("/escalations/<escalation_id:int>/reply")
@require_role(*ROLES)
@_answers_errors
async def reply(request: Request, escalation_id: int) -> HTTPResponse:
    form = request.form or {}
    line = await asyncio.to_thread(views.reply, request.ctx.staff, escalation_id,
                                   str(form.get("text") or ""),
                                   str(form.get("client_message_id") or ""), client_ip(request))
    return _done(request, f"/escalations/{escalation_id}#reply", {"line": line})


@blueprint.post("/escalations/<escalation_id:int>/hand-back")
@require_role(*ROLES)
@_answers_errors
async def hand_back(request: Request, escalation_id: int) -> HTTPResponse:
    staff = request.ctx.staff
    sender_id = await asyncio.to_thread(views.sender_of_held, staff, escalation_id)
    try:
        await rasa_client().resume(sender_id)
    except RasaUnavailable as error:
        return await _error(request, escalation_id, error, sentence(
            f"{error}. The conversation is still yours and the citizen was not told anything; "
            "try handing it back again in a moment"))
    await asyncio.to_thread(views.hand_back, staff, escalation_id, client_ip(request))
    return _done(request, "/escalations?notice=handed_back", {"status": "closed"})


def _done(request: Request, location: str, body: Dict[str, Any]) -> HTTPResponse:
    """Scripts get JSON; a plain form gets redirected (so a reload does not post again)."""
    if wants_json(request):
        return json(body)
    return redirect(location, status=303)


@blueprint.listener("after_server_start")
async def _start_flagging(app: Any, _loop: Any) -> None:
    """Flag overdue escalations (and tell out-of-hours citizens) even when nobody has the
    queue open; idempotent, so several console replicas may all run it."""
    app.ctx.escalation_flagger = asyncio.create_task(_flag_forever())


@blueprint.listener("before_server_stop")
async def _stop_flagging(app: Any, _loop: Any) -> None:
    task = getattr(app.ctx, "escalation_flagger", None)
    if task is not None:
        task.cancel()


async def _flag_forever() -> None:
    while True:
        try:
            result = await asyncio.to_thread(views.flag_overdue)
            if result.flagged or result.told:
                log_event(log, "console.escalations.flagged", flagged=len(result.flagged),
                          told=len(result.told))
        except DatabaseUnavailable:
            log_event(log, "console.escalations.flagging_skipped", logging.WARNING)
        await asyncio.sleep(FLAG_CHECK_SECONDS)
