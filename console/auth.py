"""Who is asking, and may they: sessions from the cookie, roles, CSRF, the client's address.

Every console handler except /login, /health and static files is wrapped in `require_role`,
so the role is checked on the server for every page and form, and every state-changing
request carries the session's CSRF token.
"""
from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import quote

from sanic import Request
from sanic.response import HTTPResponse, json, redirect

from bot.db import session_scope
from bot.settings import get_settings
from bot.staff_sessions import SignedIn, resolve_session
from console.render import render

SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ROLES = ("caseworker", "comms", "admin")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Handler = Callable[..., Awaitable[HTTPResponse]]


@dataclass(frozen=True)
class StaffIdentity:
    """The signed-in staff member, as handlers see it in `request.ctx.staff`."""

    id: int
    username: str
    display_name: str
    role: str
    department: Optional[str]


def client_ip(request: Request) -> str:
    """The peer address. Forwarded headers are trusted only as Sanic's PROXIES_COUNT /
    REAL_IP_HEADER configuration allows, so a client cannot spoof its way past throttling."""
    return str(request.remote_addr or request.ip or "unknown")[:64]


def cookie_is_secure() -> bool:
    """Cookies are Secure whenever staff reach the console over HTTPS."""
    return get_settings().console_public_url.lower().startswith("https://")


def cookie_name(base: str) -> str:
    """`__Host-` prefixed under HTTPS (OWASP ASVS 3.4.4): browsers then accept the cookie only
    if it is Secure, host-only and Path=/, so a sibling subdomain cannot plant or overwrite it."""
    return f"__Host-{base}" if cookie_is_secure() else base


def read_cookie(request: Request, base: str) -> str:
    return request.cookies.get(cookie_name(base)) or ""


def set_cookie(response: HTTPResponse, base: str, value: str, *, max_age: Optional[int] = None
               ) -> None:
    """A cookie scripts cannot read, not sent on cross-site subrequests, Secure under HTTPS."""
    name = cookie_name(base)
    response.cookies[name] = value
    morsel = response.cookies[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if cookie_is_secure():
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age


def clear_cookie(response: HTTPResponse, name: str) -> None:
    set_cookie(response, name, "", max_age=0)


def signed_in(request: Request) -> Optional[SignedIn]:
    """The session behind the request's cookie (cached on the request), or None."""
    if not hasattr(request.ctx, "signed_in"):
        token = read_cookie(request, SESSION_COOKIE)
        if not token:
            request.ctx.signed_in = None
        else:
            with session_scope() as session:
                request.ctx.signed_in = resolve_session(session, token)
    return request.ctx.signed_in


def wants_json(request: Request) -> bool:
    """API callers get JSON errors; browsers get redirects and pages."""
    accept = request.headers.get("accept", "")
    return request.path.endswith(".json") or ("application/json" in accept
                                               and "text/html" not in accept)


def _not_signed_in(request: Request) -> HTTPResponse:
    if wants_json(request):
        return json({"error": "sign in required"}, status=401)
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    return redirect(f"/login?next={quote(target, safe='')}")


def _forbidden(request: Request, reason: str) -> HTTPResponse:
    if wants_json(request):
        return json({"error": reason}, status=403)
    return render(request, "forbidden.html", http_status=403, reason=reason)


def submitted_csrf(request: Request) -> str:
    """The CSRF token a request carries, in the header or the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if "form" in content_type:
        return str(request.form.get(CSRF_FIELD) or "")
    return ""


def csrf_matches(expected: str, given: str) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())


def require_role(*roles: str) -> Callable[[Handler], Handler]:
    """Let only signed-in staff of `roles` through (CSRF-checked on unsafe methods), and put
    the StaffIdentity in `request.ctx.staff` for the handler."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"require_role needs roles from {ROLES}, got {roles}")

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            current = signed_in(request)
            if current is None:
                return _not_signed_in(request)
            request.ctx.staff = StaffIdentity(id=current.user_id, username=current.username,
                                              display_name=current.display_name,
                                              role=current.role, department=current.department)
            request.ctx.csrf_token = current.csrf_token
            if current.role not in roles:
                return _forbidden(request, "Your role may not use this page.")
            if request.method in UNSAFE_METHODS and not csrf_matches(current.csrf_token,
                                                                      submitted_csrf(request)):
                return _forbidden(request, "The form expired or did not come from the console. "
                                           "Reload the page and try again.")
            return await handler(request, *args, **kwargs)

        guarded.required_roles = tuple(roles)  # type: ignore[attr-defined]
        return guarded

    return decorate
