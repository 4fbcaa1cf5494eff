"""`python -m channels.telegram_cli`: registering the webhook with its secret, against the fake."""
from __future__ import annotations

import pytest

from bot.settings import get_settings
from channels import telegram_cli
from tests.channels.telegram_fixtures import SECRET, TOKEN, telegram_api  # noqa: F401
from tests.fakes.telegram_api import FakeTelegramApi

URL = "https://civic.example.org/webhooks/telegram/webhook"


@pytest.fixture
def configured(telegram_api: FakeTelegramApi, monkeypatch: pytest.MonkeyPatch) -> FakeTelegramApi:
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", telegram_api.base_url)
    get_settings.cache_clear()
    yield telegram_api
    get_settings.cache_clear()


def test_set_webhook_registers_url_secret_and_update_types(configured: FakeTelegramApi) -> None:
    assert telegram_cli.main(["set-webhook", "--url", URL]) == 0
    assert configured.webhook["url"] == URL
    assert configured.webhook["secret_token"] == SECRET
    assert configured.webhook["allowed_updates"] == ["message", "callback_query"]


def test_set_webhook_defaults_to_the_public_url_setting(configured: FakeTelegramApi,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_PUBLIC_URL", URL)
    get_settings.cache_clear()
    assert telegram_cli.main(["set-webhook"]) == 0
    assert configured.webhook["url"] == URL


def test_delete_webhook(configured: FakeTelegramApi) -> None:
    telegram_cli.main(["set-webhook", "--url", URL])
    assert telegram_cli.main(["delete-webhook"]) == 0
    assert configured.webhook == {}


def test_missing_secret_is_refused_before_calling_telegram(configured: FakeTelegramApi,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "")
    get_settings.cache_clear()
    assert telegram_cli.main(["set-webhook", "--url", URL]) == 2
    assert configured.calls == []
