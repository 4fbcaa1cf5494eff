"""Admin pages: staff accounts (create, role and department, password reset, deactivate) and
the audit log. Thin: each handler calls one bot.staff / bot.audit function in a unit of work."""
from __future__ import annotations

from typing import Any, Dict, List

from sanic import Blueprint, Request
from sanic.exceptions import NotFound
from sanic.response import HTTPResponse, redirect

from bot import audit
from bot.db import session_scope
from bot.errors import InvalidInput, StaffNotFound
from bot.staff import (ROLES, change_role, create_staff, deactivate, departments, get_staff,
                       list_staff, reset_password)
from console.auth import client_ip, require_role
from console.render import render

blueprint = Blueprint("admin", url_prefix="/admin")

NOTICES = {
    "created": "The account was created.",
    "role": "The role and department were saved.",
    "password": "The password was reset; the account's open sessions were ended.",
    "deactivated": "The account was deactivated and signed out everywhere.",
}
AUDIT_PAGE_SIZE = 50


def _staff_page(request: Request, *, errors: List[str], form: Dict[str, Any],
                http_status: int = 200) -> HTTPResponse:
    with session_scope() as session:
        accounts, known_departments = list_staff(session), departments(session)
    return render(request, "admin_staff.html", http_status=http_status, accounts=accounts,
                  departments=known_departments, roles=ROLES, errors=errors, form=form,
                  notice=NOTICES.get(request.args.get("done", ""), ""))


@blueprint.get("/staff")
@require_role("admin")
async def staff_list(request: Request) -> HTTPResponse:
    return _staff_page(request, errors=[], form={})


@blueprint.post("/staff")
@require_role("admin")
async def staff_create(request: Request) -> HTTPResponse:
    form = {name: (request.form.get(name) or "").strip()
            for name in ("username", "display_name", "role", "department")}
    try:
        with session_scope() as session:
            create_staff(session, username=form["username"], display_name=form["display_name"],
                         password=request.form.get("password") or "", role=form["role"],
                         department=form["department"] or None,
                         actor=request.ctx.staff.username, ip=client_ip(request))
    except InvalidInput as exc:  # WeakPassword included: its reasons become the message list
        errors = getattr(exc, "reasons", None) or [str(exc)]
        return _staff_page(request, errors=errors, form=form, http_status=400)
    return redirect("/admin/staff?done=created")


def _account_page(request: Request, user_id: int, *, errors: List[str],
                  http_status: int = 200) -> HTTPResponse:
    with session_scope() as session:
        try:
            account = get_staff(session, user_id)
        except StaffNotFound as exc:
            raise NotFound("no such staff account") from exc
        known_departments = departments(session)
    return render(request, "admin_staff_edit.html", http_status=http_status, account=account,
                  departments=known_departments, roles=ROLES, errors=errors,
                  notice=NOTICES.get(request.args.get("done", ""), ""))


@blueprint.get("/staff/<user_id:int>")
@require_role("admin")
async def staff_edit(request: Request, user_id: int) -> HTTPResponse:
    return _account_page(request, user_id, errors=[])


async def _apply(request: Request, user_id: int, change: Any, done: str) -> HTTPResponse:
    """Run `change(session, actor, ip)` on one account; back to its page with the outcome."""
    try:
        with session_scope() as session:
            change(session, request.ctx.staff.username, client_ip(request))
    except StaffNotFound as exc:
        raise NotFound("no such staff account") from exc
    except InvalidInput as exc:
        errors = getattr(exc, "reasons", None) or [str(exc)]
        return _account_page(request, user_id, errors=errors, http_status=400)
    return redirect(f"/admin/staff/{user_id}?done={done}")


@blueprint.post("/staff/<user_id:int>/role")
@require_role("admin")
async def staff_change_role(request: Request, user_id: int) -> HTTPResponse:
    role = request.form.get("role") or ""
    department = (request.form.get("department") or "").strip() or None
    return await _apply(request, user_id, lambda s, actor, ip: change_role(
        s, user_id, role=role, department=department, actor=actor, ip=ip), "role")


@blueprint.post("/staff/<user_id:int>/password")
@require_role("admin")
async def staff_reset_password(request: Request, user_id: int) -> HTTPResponse:
    password = request.form.get("password") or ""
    return await _apply(request, user_id, lambda s, actor, ip: reset_password(
        s, user_id, new_password=password, actor=actor, ip=ip), "password")


@blueprint.post("/staff/<user_id:int>/deactivate")
@require_role("admin")
async def staff_deactivate(request: Request, user_id: int) -> HTTPResponse:
    if user_id == request.ctx.staff.id:
        return _account_page(request, user_id, http_status=400,
                             errors=["You cannot deactivate your own account."])
    return await _apply(request, user_id, lambda s, actor, ip: deactivate(
        s, user_id, actor=actor, ip=ip), "deactivated")


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


@blueprint.get("/audit")
@require_role("admin")
async def audit_log(request: Request) -> HTTPResponse:
    """Newest first; filter by actor and/or action (an action ending in "." is a family)."""
    actor = (request.args.get("actor") or "").strip()[:80]
    action = (request.args.get("action") or "").strip()[:60]
    page = _page_number(request.args.get("page") or "1")
    with session_scope() as session:
        entries, total = audit.list_entries(session, actor=actor or None, action=action or None,
                                            page=page, per_page=AUDIT_PAGE_SIZE)
        actors, actions = audit.known_actors(session), audit.known_actions(session)
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    return render(request, "admin_audit.html", entries=entries, total=total, page=page,
                  pages=pages, actor=actor, action=action, actors=actors, actions=actions)
