"""Logs protect the citizen: no phone number, chat id or message body appears at INFO (or
above) in any log line, while representative flows run: an SMS turn and an SMS STOP, a
Telegram turn, a web chat turn, the outbox dispatcher sending to SMS and Telegram (its own
process and log file), the console's case and privacy pages (its own process and log), and
privacy export/deletion in chat and in the core. Each flow uses identifiers and words that
appear nowhere else, so any hit is a leak.
"""
from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path
from typing import Iterable, List

import pytest

from bot.privacy import delete_data, export_data
from bot.privacy_subject import Subject
from tests.actions.factories import make_tracker
from tests.channels.conftest import webchat_db  # noqa: F401  (fixture)
from tests.channels.dispatcher_harness import fakes, queue, start_dispatcher, wait_until  # noqa: F401
from tests.channels.dispatcher_harness import statuses as outbox_statuses
from tests.channels.sms_harness import sms, start_sms, twilio  # noqa: F401  (fixtures)
from tests.channels.telegram_fixtures import message_update, start_telegram, telegram_api  # noqa: F401
from tests.channels.conftest import start_webchat, webchat  # noqa: F401  (fixtures)
from tests.console.harness import console_factory, make_staff, staff_client  # noqa: F401
from tests.identities import unused_telegram_chat_id, unused_uk_mobile

WORD = re.compile(r"[A-Za-z0-9]{6,}")


def phone() -> str:
    return unused_uk_mobile()


def secret_words() -> str:
    """A message body made of words no log line could contain by chance."""
    return f"pothole near qx{uuid.uuid4().hex[:8]} house qy{uuid.uuid4().hex[:8]}"


def leaks(lines: Iterable[str], needles: List[str]) -> List[str]:
    """Log lines holding an identifier, or a distinctive word of a message body."""
    words = [w for n in needles for w in WORD.findall(n) if w.startswith(("qx", "qy"))]
    words += [n for n in needles if not n.startswith("pothole")]
    return [line for line in lines if any(word in line for word in words)]


def info_lines(caplog: pytest.LogCaptureFixture) -> List[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.INFO]


def test_an_sms_turn_and_a_stop_log_no_number_or_words(sms, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    number, body = phone(), secret_words()
    params = sms.message(number, body)
    assert sms.post(params).status_code == 200
    sms.wait_processed(params["MessageSid"])
    assert sms.post(sms.message(number, "STOP")).status_code == 200
    sms.wait_idle()
    assert info_lines(caplog), "the flow logged nothing at all: the scan would prove nothing"
    assert leaks(info_lines(caplog), [number, body]) == []


def test_a_telegram_turn_logs_no_chat_id_or_words(start_telegram, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    telegram = start_telegram()
    chat, body = unused_telegram_chat_id(), secret_words()
    assert telegram.post(message_update(chat=chat, text=body)).status_code == 200
    assert telegram.wait_processed(1)
    assert leaks(info_lines(caplog), [str(chat), body]) == []


def test_a_web_chat_turn_logs_no_words(webchat, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    body = secret_words()
    with webchat.client() as client:
        reply = client.post("/message", json={"session_id": str(uuid.uuid4()),
                                               "client_message_id": str(uuid.uuid4()), "text": body})
    assert reply.status_code == 200
    assert leaks(info_lines(caplog), [body]) == []


def test_the_dispatcher_logs_no_recipient_or_body(fakes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    number, chat, body = phone(), str(unused_telegram_chat_id()), secret_words()
    ids = [queue("sms", number, body), queue("telegram", chat, body)]
    process = start_dispatcher(fakes, tmp_path / "dispatcher.log")
    try:
        assert wait_until(lambda: all(outbox_statuses().get(i) == "sent" for i in ids))
    finally:
        process.stop()
    lines = process.log().splitlines()
    assert lines and leaks(lines, [number, chat, body]) == []


def test_privacy_requests_in_the_core_log_only_hashes(migrated_sqlite_url: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    db = migrated_sqlite_url
    caplog.set_level(logging.INFO)
    subject = Subject("sms", phone())
    export_data(subject, requested_by="ana", database_url=db)
    delete_data(subject, requested_by="ana", database_url=db)
    assert any("privacy.deleted" in line for line in info_lines(caplog))
    assert leaks(info_lines(caplog), [subject.identifier]) == []


def test_the_privacy_actions_log_no_identifier(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path, migrated_sqlite_url: str) -> None:
    from actions.privacy import ActionDeleteMyData, ActionExportMyData
    from bot.db import reset_engine
    from bot.settings import get_settings
    from rasa_sdk.executor import CollectingDispatcher
    import asyncio

    monkeypatch.setenv("DATABASE_URL", migrated_sqlite_url)
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    get_settings.cache_clear()
    reset_engine()
    caplog.set_level(logging.INFO)
    number, body = phone(), secret_words()
    for action in (ActionExportMyData(), ActionDeleteMyData()):
        tracker = make_tracker(text=body, intent="request_my_data", sender_id=number, channel="sms")
        asyncio.run(action.run(CollectingDispatcher(), tracker, {}))
    get_settings.cache_clear()
    reset_engine()
    assert any("privacy" in line for line in info_lines(caplog))
    assert leaks(info_lines(caplog), [number, body]) == []


def test_the_console_logs_no_identifier(console_factory, make_staff, staff_client) -> None:  # type: ignore[no-untyped-def]
    console = console_factory()
    admin = staff_client(console, *make_staff(console.database_url, "admin"))
    number = phone()
    for path in ("/admin/privacy/export", "/admin/privacy/delete"):
        form = {"channel": "sms", "identifier": number, "csrf_token": admin.csrf, "confirm": "DELETE"}
        assert admin.post(path, data=form).status_code in (200, 302)
    assert admin.get("/cases").status_code == 200
    lines = console.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    assert leaks(lines, [number]) == []
