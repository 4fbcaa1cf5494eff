"""The block list page: caseworkers and admins block a sender who abuses a channel, see who is
blocked and why, and lift a block. Caseworkers may do it because they are the ones who meet the
abuse (in escalations); every change is audited (bot.blocklist records it in the same unit of
work), so an admin can see who blocked whom and why in the audit log.

A blocked sender's messages are acknowledged to the provider and dropped (channels/turns.py,
channels/webchat.py): they never reach the assistant and never become cases.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from sanic import Blueprint, Request
from sanic.exceptions import NotFound
from sanic.response import HTTPResponse, redirect

from bot import blocklist
from bot.blocklist import BlockNotFound
from bot.db import session_scope
from bot.errors import EscalationNotFound, InvalidInput
from bot.handoff import get_escalation
from console.auth import client_ip, require_role
from console.render import render

blueprint = Blueprint("blocklist", url_prefix="/blocklist")
ROLES = ("caseworker", "admin")
NOTICES = {"blocked": "The sender is blocked: their messages are no longer answered.",
           "unblocked": "The block was lifted: the sender is answered again."}
MAX_FIELD_CHARS = 1000  # longer than any valid value; refuses junk before validation
MAX_ROW_ID = 2 ** 31 - 1  # Integer primary keys (PostgreSQL int4): larger ids cannot exist


def _existing_id(value: int, what: str) -> int:
    """A path id that could name a row; anything else is simply not found (never a 500)."""
    if not 0 < value <= MAX_ROW_ID:
        raise NotFound(f"no such {what}")
    return value


def _field(request: Request, name: str) -> str:
    return (request.form.get(name) or "")[:MAX_FIELD_CHARS].strip()


def _days(text: str) -> Optional[float]:
    """'' means until lifted; anything else must be a whole number of days."""
    if not text:
        return None
    if not text.isdigit() or len(text) > 5:
        raise InvalidInput("Days must be a whole number (or empty: until the block is lifted).")
    return float(text)


def _page(request: Request, *, errors: List[str], form: Dict[str, Any],
          http_status: int = 200) -> HTTPResponse:
    with session_scope() as session:
        blocks = blocklist.active_blocks(session)
    return render(request, "blocklist.html", http_status=http_status, blocks=blocks,
                  errors=errors, form=form, channels=blocklist.CHANNELS,
                  notice=NOTICES.get(request.args.get("done", ""), ""))


@blueprint.get("")
@require_role(*ROLES)
async def block_list(request: Request) -> HTTPResponse:
    return _page(request, errors=[], form={})


@blueprint.post("")
@require_role(*ROLES)
async def block_add(request: Request) -> HTTPResponse:
    """Add a block from the form; errors come back on the page with what was typed."""
    form = {name: _field(request, name) for name in ("channel", "sender_id", "reason", "days")}
    try:
        days = _days(form["days"])
        with session_scope() as session:
            blocklist.block(session, channel=form["channel"], sender_id=form["sender_id"],
                            reason=form["reason"], by=request.ctx.staff.username, days=days,
                            ip=client_ip(request))
    except InvalidInput as exc:
        return _page(request, errors=[str(exc)], form=form, http_status=400)
    return redirect("/blocklist?done=blocked", status=303)


@blueprint.post("/<block_id:int>/remove")
@require_role(*ROLES)
async def block_remove(request: Request, block_id: int) -> HTTPResponse:
    _existing_id(block_id, "block")
    try:
        with session_scope() as session:
            blocklist.unblock(session, block_id, by=request.ctx.staff.username,
                              ip=client_ip(request))
    except BlockNotFound:
        raise NotFound("no such active block")
    return redirect("/blocklist?done=unblocked", status=303)


@blueprint.post("/escalation/<escalation_id:int>")
@require_role(*ROLES)
async def block_escalation_sender(request: Request, escalation_id: int) -> HTTPResponse:
    """The 'block this sender' button on an escalation: the sender id never passes through the
    browser, so staff block exactly the conversation they are looking at."""
    reason = _field(request, "reason")
    _existing_id(escalation_id, "escalation")
    try:
        days = _days(_field(request, "days"))
        with session_scope() as session:
            escalation = get_escalation(session, escalation_id)
            blocklist.block(session, channel=escalation.channel, sender_id=escalation.sender_id,
                            reason=reason, by=request.ctx.staff.username, days=days,
                            ip=client_ip(request))
    except EscalationNotFound:
        raise NotFound("no such escalation")
    except InvalidInput as exc:
        return _page(request, errors=[str(exc)], form={"reason": reason}, http_status=400)
    return redirect("/blocklist?done=blocked", status=303)
