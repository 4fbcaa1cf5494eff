"""Signing in and out, the start page, and a staff member's own account (password change).

/login is the one form without a session, so it carries its own CSRF token in a short-lived
cookie (double submit); a successful sign-in always starts a brand-new session.
"""
from __future__ import annotations

import re
import secrets
from typing import List, Optional

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, redirect

from bot import audit
from bot.db import session_scope
from bot.errors import InvalidCredentials, LoginThrottled, WeakPassword
from bot.health import database_is_reachable
from bot.settings import get_settings
from bot.staff import authenticate, change_password
from bot.staff_sessions import end_session, start_session
from console.auth import (CSRF_FIELD, LOGIN_CSRF_COOKIE, ROLES, SESSION_COOKIE, clear_cookie,
                          client_ip, csrf_matches, read_cookie, require_role, set_cookie,
                          signed_in)
from console.render import render

blueprint = Blueprint("auth")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
START_PAGES = {"caseworker": "/escalations", "admin": "/escalations", "comms": "/account"}


def safe_next(target: Optional[str]) -> str:
    """Only a path on this console: never an absolute or scheme-relative URL (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@blueprint.get("/health")
async def health(_request: Request) -> HTTPResponse:
    """For load balancers and the launcher: 200 only when the database answers."""
    if database_is_reachable():
        return json({"status": "ok"})
    return json({"status": "database unavailable"}, status=503)


def _login_page(request: Request, *, error: str = "", username: str = "",
                http_status: int = 200) -> HTTPResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", http_status=http_status, login_csrf=token,
                      error=error, username=username, next=safe_next(request.args.get("next")))
    set_cookie(response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@blueprint.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    if signed_in(request) is not None:
        return redirect(safe_next(request.args.get("next")))
    return _login_page(request)


@blueprint.post("/login")
async def login(request: Request) -> HTTPResponse:
    form = request.form
    if not csrf_matches(read_cookie(request, LOGIN_CSRF_COOKIE), form.get(CSRF_FIELD, "")):
        return _login_page(request, error="The sign-in form expired. Please try again.",
                           http_status=403)
    username = (form.get("username") or "").strip()
    if _CONTROL.search(username + (form.get("password") or "")):  # e.g. NUL: PostgreSQL refuses it
        return _login_page(request, error="Incorrect username or password.", http_status=400)
    error, token = "", None
    with session_scope() as session:
        try:  # caught inside the unit of work, so a failed attempt is recorded, not rolled back
            user = authenticate(session, username=username, password=form.get("password") or "",
                                ip=client_ip(request))
            token = start_session(session, user,
                                  previous_token=read_cookie(request, SESSION_COOKIE))
        except (InvalidCredentials, LoginThrottled) as exc:
            error = f"{str(exc)[0].upper()}{str(exc)[1:]}."
    if token is None:
        status = 429 if error.startswith("Too many") else 401
        return _login_page(request, error=error, username=username, http_status=status)
    response = redirect(safe_next(form.get("next")))
    set_cookie(response, SESSION_COOKIE, token)
    clear_cookie(response, LOGIN_CSRF_COOKIE)
    return response


@blueprint.post("/logout")
@require_role(*ROLES)
async def logout(request: Request) -> HTTPResponse:
    """Ends the session on the server, so the old cookie is worthless even if it was copied."""
    staff = request.ctx.staff
    with session_scope() as session:
        end_session(session, read_cookie(request, SESSION_COOKIE))
        audit.record(session, actor=staff.username, action="staff.signed_out",
                     target_type="staff_user", target_id=str(staff.id), before=None, after=None,
                     ip=client_ip(request))
    response = redirect("/login")
    clear_cookie(response, SESSION_COOKIE)
    return response


@blueprint.get("/")
@require_role(*ROLES)
async def start_page(request: Request) -> HTTPResponse:
    return redirect(START_PAGES[request.ctx.staff.role])


def _account_page(request: Request, *, errors: List[str], notice: str = "",
                  http_status: int = 200) -> HTTPResponse:
    return render(request, "account.html", http_status=http_status, errors=errors, notice=notice,
                  min_length=get_settings().password_min_length)


@blueprint.get("/account")
@require_role(*ROLES)
async def account(request: Request) -> HTTPResponse:
    return _account_page(request, errors=[])


@blueprint.post("/account")
@require_role(*ROLES)
async def account_change_password(request: Request) -> HTTPResponse:
    form = request.form
    new_password = form.get("new_password") or ""
    if new_password != (form.get("confirm_password") or ""):
        return _account_page(request, http_status=400,
                             errors=["The new password and its confirmation differ."])
    errors = []
    with session_scope() as session:
        try:
            change_password(session, request.ctx.staff.id,
                            current_password=form.get("current_password") or "",
                            new_password=new_password, ip=client_ip(request))
        except InvalidCredentials:
            errors = ["The current password is not correct."]
        except WeakPassword as exc:
            errors = exc.reasons
    if errors:
        return _account_page(request, http_status=400, errors=errors)
    return _account_page(request, errors=[], notice="Your password was changed.")
