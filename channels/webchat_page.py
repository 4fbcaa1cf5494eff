"""The chat page and its static files, served from channels/static/ (no CDN, no external fonts).

The HTML is a template filled with the city's name and the limits the page must enforce before
it sends anything (text length, photo size), so the server's settings stay the one source.
"""
from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from typing import Dict

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Only these files are served: a fixed list cannot be walked out of with "../".
STATIC_FILES: Dict[str, str] = {
    "webchat.css": "text/css; charset=utf-8",
    "webchat.js": "application/javascript; charset=utf-8",
}
SECURITY_HEADERS: Dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@lru_cache(maxsize=1)
def _template() -> str:
    """Read once on first request (never at import)."""
    return (STATIC_DIR / "webchat.html").read_text(encoding="utf-8")


def render_page(*, base: str, city_name: str, max_text_chars: int, max_photo_bytes: int) -> str:
    """The chat page with every placeholder filled (all values HTML-escaped)."""
    values = {
        "base": base,
        "city_name": city_name,
        "max_text_chars": str(max_text_chars),
        "max_photo_bytes": str(max_photo_bytes),
        "max_photo_mb": f"{max_photo_bytes / (1024 * 1024):g}",
    }
    page = _template()
    for key, value in values.items():
        page = page.replace("{{" + key + "}}", html.escape(value, quote=True))
    return page


def static_file(name: str) -> Path:
    """The path of an allowed static file; KeyError for anything else."""
    if name not in STATIC_FILES:
        raise KeyError(name)
    return STATIC_DIR / name
