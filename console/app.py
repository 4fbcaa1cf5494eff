"""The console application: every blueprint, static files, and the headers every page gets.

Each concern is its own blueprint module with a `blueprint` attribute; a missing module fails
here, loudly, at start-up rather than as a 404 in front of a caseworker.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Optional

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json, text

from bot.errors import DatabaseUnavailable
from bot.settings import get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
BLUEPRINT_MODULES = (
    "console.auth_routes",
    "console.admin_routes",
    "console.escalation_routes",
    "console.case_routes",
    "console.open311.routes",
    "console.api_key_routes",
    "console.faq_routes",
    "console.feedback_routes",
    "console.blocklist_routes",
    "console.metrics_routes",
    "console.privacy_routes",
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Scripts and styles only from the console itself: no inline script can run, so an
    # escaped-but-missed citizen message cannot become code in a staff browser.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}


def _add_security_headers(request: Request, response: HTTPResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if get_settings().console_public_url.lower().startswith("https://"):
        # Browsers that once reached the console over HTTPS never fall back to plain HTTP.
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not request.path.startswith("/static/"):
        # Pages show personal data: never keep them in a shared browser's or proxy's cache.
        response.headers.setdefault("Cache-Control", "no-store")


def _database_unavailable(request: Request, _exc: Exception) -> HTTPResponse:
    """An honest 503 (retry later) instead of a generic 500 while the database is down."""
    message = "The case database cannot be reached; nothing was saved. Try again shortly."
    if request.path.endswith(".json") or request.path.startswith("/open311/"):
        return json({"error": message}, status=503)
    return text(message, status=503)


MAX_ROW_ID = 2 ** 31 - 1  # Integer primary keys (PostgreSQL int4)


def _refuse_impossible_paths(request: Request) -> Optional[HTTPResponse]:
    """An id no row can have is "not found" before any handler sends it to the database
    (SQLite overflows past 2**63, PostgreSQL's int4 past 2**31: both would be a 500), and
    so is the static folder itself."""
    if request.path.rstrip("/") == "/static":  # the folder itself is no file (Sanic: a 500)
        return text("Not found", status=404)
    if any(isinstance(value, int) and not 0 <= value <= MAX_ROW_ID
           for value in (request.match_info or {}).values()):
        return text("Not found", status=404)
    return None


def _refuse_bad_accept(request: Request) -> Optional[HTTPResponse]:
    """Sanic parses Accept while rendering error pages; a header it cannot parse would make
    every error a 500 with nothing logged, so it is refused up front."""
    try:
        request.accept
    except Exception:  # sanic.exceptions.InvalidHeader and friends
        return text("The Accept header is malformed.", status=400)
    return None


def create_app(name: str = "console") -> Sanic:
    """The console with every blueprint registered. `name` must be unique per process (Sanic
    keeps a registry of apps); tests that build several apps pass their own."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = get_settings().max_photo_bytes + 1024 * 1024
    app.config.KEEP_ALIVE_TIMEOUT = 15
    for module_name in BLUEPRINT_MODULES:
        app.blueprint(importlib.import_module(module_name).blueprint)
    app.static("/static", str(STATIC_DIR), name="static")
    app.register_middleware(_refuse_bad_accept, "request")
    app.register_middleware(_refuse_impossible_paths, "request")
    app.register_middleware(_add_security_headers, "response")
    app.error_handler.add(DatabaseUnavailable, _database_unavailable)
    return app
