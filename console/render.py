"""Server-rendered pages: one Jinja2 environment (autoescaped), and the context every page needs.

Templates get `staff` (the signed-in StaffIdentity or None), `csrf_token` (for every form),
`nav` (the links this role may follow) and `request`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, FrozenSet, List, NamedTuple, Optional, Tuple

from jinja2 import Environment, FileSystemLoader
from sanic import Request, Sanic
from sanic.response import HTTPResponse, html

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


class NavLink(NamedTuple):
    label: str
    path: str
    roles: Tuple[str, ...]


# Links appear only for roles that may open them, and only once the page exists in the app.
NAV_LINKS = (
    NavLink("Escalations", "/escalations", ("caseworker", "admin")),
    NavLink("Cases", "/cases", ("caseworker", "admin")),
    NavLink("FAQ", "/faq", ("comms", "admin")),
    NavLink("Feedback", "/feedback", ("comms", "admin")),
    NavLink("Staff", "/admin/staff", ("admin",)),
    NavLink("Audit log", "/admin/audit", ("admin",)),
    NavLink("API keys", "/admin/api-keys", ("admin",)),
    NavLink("Citizens' data", "/admin/privacy", ("admin",)),
    NavLink("Blocked senders", "/blocklist", ("caseworker", "admin")),
    NavLink("My account", "/account", ("caseworker", "comms", "admin")),
)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Created on first use (no work at import). Autoescape is on for every template, so a
    citizen's words can never become markup in a caseworker's browser."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True)


def registered_paths(app: Sanic) -> FrozenSet[str]:
    """Every static path the app serves, e.g. "/cases"."""
    cached = getattr(app.ctx, "registered_paths", None)
    if cached is None:
        cached = frozenset("/" + route.path.strip("/") for route in app.router.routes)
        app.ctx.registered_paths = cached
    return cached


def nav_for(request: Request, role: Optional[str]) -> List[NavLink]:
    if role is None:
        return []
    paths = registered_paths(request.app)
    return [link for link in NAV_LINKS if role in link.roles and link.path in paths]


def render(request: Request, template: str, *, http_status: int = 200, **context: Any
           ) -> HTTPResponse:
    """The page `template` rendered with `context` plus what base.html needs."""
    staff = getattr(request.ctx, "staff", None)
    base = {
        "request": request,
        "staff": staff,
        "csrf_token": getattr(request.ctx, "csrf_token", ""),
        "nav": nav_for(request, staff.role if staff else None),
        "current_path": request.path,
    }
    base.update(context)
    body = environment().get_template(template).render(**base)
    return html(body, status=http_status)
