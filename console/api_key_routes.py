"""Admin pages for Open311 API keys: create (the key is shown once, on the page that answers
the form, and never again), list, revoke. Every change is in the audit log, in the same unit
of work as the change. The page is never cached (console.app sets Cache-Control: no-store).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from sanic import Blueprint, Request
from sanic.exceptions import NotFound
from sanic.response import HTTPResponse, redirect

from bot import audit
from bot.api_keys import (DEFAULT_RATE_LIMIT, create_key, get_key, key_summary, list_keys,
                          revoke_key)
from bot.db import session_scope
from bot.errors import InvalidInput
from console.auth import client_ip, require_role
from console.render import render

blueprint = Blueprint("api_keys", url_prefix="/admin/api-keys")
NOTICES = {"revoked": "The key was revoked: requests made with it are refused from now on."}


def _page(request: Request, *, errors: List[str], form: Dict[str, Any],
          new_key: Optional[str] = None, new_key_name: str = "", http_status: int = 200
          ) -> HTTPResponse:
    with session_scope() as session:
        keys = list_keys(session)
    return render(request, "api_keys.html", http_status=http_status, keys=keys, errors=errors,
                  form=form, new_key=new_key, new_key_name=new_key_name,
                  default_rate_limit=DEFAULT_RATE_LIMIT,
                  notice=NOTICES.get(request.args.get("done", ""), ""))


@blueprint.get("")
@require_role("admin")
async def key_list(request: Request) -> HTTPResponse:
    return _page(request, errors=[], form={})


@blueprint.post("")
@require_role("admin")
async def key_create(request: Request) -> HTTPResponse:
    """Answer with the page itself, not a redirect: the plain key exists only in this reply."""
    form = {"name": (request.form.get("name") or "").strip(),
            "rate_limit_per_minute": (request.form.get("rate_limit_per_minute") or "").strip()}
    limit_text = form["rate_limit_per_minute"] or str(DEFAULT_RATE_LIMIT)
    if not limit_text.isdigit():
        return _page(request, errors=["The rate limit must be a whole number."], form=form,
                     http_status=400)
    actor = request.ctx.staff.username
    try:
        with session_scope() as session:
            issued = create_key(session, name=form["name"], created_by=actor,
                                rate_limit_per_minute=int(limit_text))
            audit.record(session, actor=actor, action="api_key.created", target_type="api_key",
                         target_id=str(issued.key.id), before=None,
                         after=key_summary(issued.key), ip=client_ip(request))
    except InvalidInput as exc:
        return _page(request, errors=[str(exc)], form=form, http_status=400)
    return _page(request, errors=[], form={}, new_key=issued.plain, new_key_name=issued.key.name)


@blueprint.post("/<key_id:int>/revoke")
@require_role("admin")
async def key_revoke(request: Request, key_id: int) -> HTTPResponse:
    with session_scope() as session:
        key = get_key(session, key_id)
        if key is None:
            raise NotFound("no such API key")
        before = key_summary(key)
        if key.revoked_at is None:
            revoke_key(session, key_id)
            audit.record(session, actor=request.ctx.staff.username, action="api_key.revoked",
                         target_type="api_key", target_id=str(key_id), before=before,
                         after=key_summary(key), ip=client_ip(request))
    return redirect("/admin/api-keys?done=revoked")
