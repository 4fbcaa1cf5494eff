"""Bring a database to the current schema with the Alembic migrations (never `create_all`)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config

from bot.settings import PROJECT_ROOT, get_settings


def alembic_config(url: Optional[str] = None) -> Config:
    """Alembic's config pointing at our migrations and at `url` (default: settings)."""
    config = Config(str(Path(PROJECT_ROOT) / "alembic.ini"))
    config.set_main_option("script_location", str(Path(PROJECT_ROOT) / "bot" / "migrations"))
    # configparser interpolates "%", which URL-encoded passwords contain.
    config.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return config


def migrate(url: Optional[str] = None) -> None:
    """Upgrade to the newest revision; safe to run on every start (no-op when current)."""
    command.upgrade(alembic_config(url), "head")
