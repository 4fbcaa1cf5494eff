"""The one settings object: every environment variable the assistant reads is declared here.

Each field has a default that works for `make run` (SQLite file under var/), a type, and a
description; a `.env` file in the project root is read too. Nothing else reads os.environ.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List

from pydantic import BaseSettings, Field

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Deployment configuration; field names map to upper-case environment variables."""

    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'civic.db'}",
        description="SQLAlchemy URL of the case database (SQLite file or postgresql://...).",
    )
    attachments_dir: Path = Field(
        PROJECT_ROOT / "var" / "attachments", description="Where citizens' photos are stored."
    )
    max_photo_bytes: int = Field(5 * 1024 * 1024, description="Largest photo accepted, in bytes.")
    max_message_chars: int = Field(2000, description="Longest inbound text message accepted.")
    services_file: Path = Field(
        PROJECT_ROOT / "content" / "services.yml", description="The service catalogue staff edit."
    )
    faq_file: Path = Field(
        PROJECT_ROOT / "content" / "faq.yml", description="Seed FAQ entries loaded by `bot.cli seed`."
    )
    city_file: Path = Field(
        PROJECT_ROOT / "content" / "city.yml",
        description="City facts: name, contact, staffed hours, holidays.",
    )
    city_name: str = Field("Riverton", description="The city's name as citizens see it.")
    default_language: str = Field("en", description="Language used when nothing else tells.")
    supported_languages: List[str] = Field(
        ["en", "es", "pt", "nl"], description="Languages the assistant may answer in."
    )
    faq_min_score: float = Field(
        0.35, description="Below this retrieval score the bot says it is not sure and offers a person."
    )
    category_confirm_below: float = Field(
        0.6, description="Inferred categories below this confidence are confirmed with buttons."
    )
    timezone: str = Field("Europe/London", description="The city's time zone (IANA name).")
    log_level: str = Field("INFO", description="Log level of the assistant's own loggers.")

    class Config:
        env_file = PROJECT_ROOT / ".env"
        env_file_encoding = "utf-8"

        @classmethod
        def parse_env_var(cls, field_name: str, raw_val: str) -> object:
            """Lists come as `en,es,pt` (a JSON list works too)."""
            if field_name == "supported_languages" and not raw_val.strip().startswith("["):
                return [part.strip() for part in raw_val.split(",") if part.strip()]
            return cls.json_loads(raw_val)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; tests call `get_settings.cache_clear()`."""
    return Settings()
