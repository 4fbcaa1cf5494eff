"""The one settings object: every environment variable the assistant reads is declared here.

Each field has a default that works for `make run` (SQLite file under var/), a type, and a
description; a `.env` file in the project root is read too. Nothing else reads os.environ.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List, Optional

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
        0.40, description="From this retrieval score the bot answers outright (if no other entry is close)."
    )
    faq_answer_margin: float = Field(
        0.08, description="An answer needs this lead over the next entry; closer, the bot offers both."
    )
    faq_suggest_min_score: float = Field(
        0.25, description="Entries from this score are offered as 'did you mean'; below, the bot says it is not sure."
    )
    category_confirm_below: float = Field(
        0.6, description="Inferred categories below this confidence are confirmed with buttons."
    )
    timezone: str = Field("Europe/London", description="The city's time zone (IANA name).")
    log_level: str = Field("INFO", description="Log level of the assistant's own loggers.")

    # --- Telegram (channels/telegram*.py) ---
    telegram_token: Optional[str] = Field(
        None, description="Bot token from @BotFather; the Telegram channel needs it."
    )
    telegram_webhook_secret: Optional[str] = Field(
        None, description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Za-z0-9_-)."
    )
    telegram_api_base_url: str = Field(
        "https://api.telegram.org", description="Bot API server (tests point it at a local fake)."
    )
    telegram_public_url: Optional[str] = Field(
        None, description="Public HTTPS URL of /webhooks/telegram/webhook, for set-webhook."
    )
    telegram_stale_turn_seconds: float = Field(
        300.0, description="A Telegram message still unprocessed after this long is re-run at start."
    )

    # --- SMS over Twilio (channels/sms*.py) ---
    twilio_account_sid: Optional[str] = Field(
        None, description="Twilio account SID (AC...); the SMS channel needs it to send."
    )
    twilio_auth_token: Optional[str] = Field(
        None, description="Twilio auth token: signs webhooks (X-Twilio-Signature) and authorises sends."
    )
    twilio_from_number: Optional[str] = Field(
        None, description="The city's SMS number in E.164 (+44...), the sender of every reply."
    )
    twilio_api_base_url: str = Field(
        "https://api.twilio.com", description="Twilio REST API base URL (tests point it at a local fake)."
    )
    sms_public_url: Optional[str] = Field(
        None, description="Public base URL Twilio calls (https://host), used to check signatures behind a proxy."
    )
    sms_stale_turn_seconds: float = Field(
        300.0, description="An SMS still unprocessed after this long is re-run (at start and by a periodic recovery pass)."
    )
    sms_max_segments: int = Field(
        3, description="Longest single SMS reply in segments; longer answers go as several messages."
    )
    channels_file: Path = Field(
        PROJECT_ROOT / "content" / "channels.yml", description="Keyword replies (STOP/START/HELP) per language."
    )

    # --- Staff console and Open311 (console/) ---
    console_port: int = Field(8000, description="Port of the staff console (and the Open311 API).")
    console_public_url: str = Field(
        "http://localhost:8000", description="Base URL staff use; an https:// URL makes cookies Secure."
    )
    console_session_hours: float = Field(
        8.0, description="A console sign-in lasts this long without use before it must be renewed."
    )
    console_login_max_failures: int = Field(
        5, description="Failed sign-ins per account (or address) in 15 minutes before sign-in is refused."
    )
    password_min_length: int = Field(12, description="Shortest staff password accepted.")
    rasa_url: str = Field(
        "http://localhost:5005", description="Rasa server HTTP API: the console pauses and resumes conversations."
    )
    rasa_token: Optional[str] = Field(
        None, description="Token for Rasa's HTTP API when it runs with --auth-token."
    )
    escalation_flag_minutes: float = Field(
        10.0, description="An escalation nobody has claimed after this long is flagged in the queue."
    )
    duplicate_distance_meters: float = Field(
        50.0, description="A new report this close to an open case of the same service is a likely duplicate."
    )
    open311_jurisdiction_id: str = Field(
        "riverton.gov", description="The jurisdiction_id Open311 clients must send (when they send one)."
    )
    outbox_poll_seconds: float = Field(
        2.0, description="How often the outbox dispatcher looks for messages to send."
    )

    # --- Operations: metrics and health (bot/metrics.py, channels/metrics.py, console/metrics_routes.py) ---
    metrics_token: Optional[str] = Field(
        None, description="Bearer token for GET /metrics on every process; without it only loopback callers get metrics."
    )
    rate_limit_redis_url: Optional[str] = Field(
        None, description="Redis for the Telegram send limits every replica and the dispatcher share (bot/shared_ratelimit.py); unset: each process keeps its own."
    )
    dispatcher_health_port: int = Field(
        0, description="Port of the outbox dispatcher's /health, /ready and /metrics server (0: not started)."
    )

    # --- Abuse (bot/sender_limits.py, bot/blocklist.py) ---
    sender_max_per_minute: int = Field(
        30, description="Messages one sender may have answered per minute on a citizen channel; more are recorded, acknowledged and not answered."
    )
    sender_max_per_day: int = Field(
        500, description="Messages one sender may have answered per 24 hours on a citizen channel."
    )
    sender_max_cases_per_day: int = Field(
        10, description="Cases one sender may open per 24 hours (citizen channels; spam never becomes cases)."
    )
    max_request_bytes: int = Field(
        8 * 1024 * 1024, description="Largest HTTP request body the console and channel servers read (photos included)."
    )

    # --- Privacy (bot/privacy*.py, bot/retention.py) ---
    tracker_store_url: Optional[str] = Field(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}",
        description="SQLAlchemy URL of Rasa's SQL tracker store (must match endpoints.yml); privacy deletion and retention remove a sender's rows there. Empty: no tracker store to clean.",
    )
    retention_days: int = Field(
        365, description="Closed cases and conversations older than this many days are anonymised by `python -m bot.cli retention`."
    )
    pseudonym_key: Optional[str] = Field(
        None, min_length=32,
        description="Secret key (32+ characters) for the keyed hashes that stand for phone numbers and chat ids in logs and privacy records (bot/pseudonyms.py). The same on every process; unset: a key generated once in pseudonym_key_file.",
    )
    pseudonym_key_file: Path = Field(
        PROJECT_ROOT / "var" / "pseudonym.key",
        description="Where the generated pseudonym key is kept when PSEUDONYM_KEY is not set.",
    )
    retention_batch_size: int = Field(
        200, description="Cases and conversations anonymised per transaction by the retention job."
    )

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
