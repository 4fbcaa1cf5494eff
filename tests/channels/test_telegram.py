"""The Telegram webhook over real HTTP: secret check, parsing, record-before-ack, one turn per
update, photos, buttons, and replies delivered through python-telegram-bot to a fake Bot API."""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

import pytest

from channels import turns_store
from bot.errors import DatabaseUnavailable
from channels.telegram import PHOTO_NOT_FETCHED_MESSAGE, TURN_FAILED_MESSAGE
from channels.telegram_output import PayloadKeys
from tests.channels.telegram_fixtures import (CHAT, SECRET, TelegramServer, attachment_count,
                                              callback_update, inbound_count, message_update,
                                              start_telegram, statuses, telegram_api)  # noqa: F401

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200  # magic bytes the core accepts as a JPEG

Start = Callable[..., TelegramServer]


@pytest.fixture
def telegram(start_telegram: Start) -> TelegramServer:
    return start_telegram()


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1], SECRET + "x"])
def test_request_without_the_right_secret_is_forbidden_and_not_recorded(
        telegram: TelegramServer, secret: Optional[str]) -> None:
    response = telegram.post(message_update(text="hello"), secret=secret)
    assert response.status_code == 403
    assert inbound_count() == 0
    assert telegram.assistant.turns == []


def test_request_with_the_right_secret_is_recorded_and_answered(telegram: TelegramServer) -> None:
    response = telegram.post(message_update(text="there is a pothole"))
    assert response.status_code == 200
    assert telegram.wait_processed(1)
    [turn] = telegram.assistant.turns
    assert (turn.text, turn.sender_id, turn.input_channel) == ("there is a pothole", str(CHAT), "telegram")
    assert turn.metadata == {"language": "en"}
    assert telegram.api.sent_texts(str(CHAT))[0] == "You said: there is a pothole"
    [with_buttons] = [call for call in telegram.api.calls_of("sendMessage") if "reply_markup" in call.params]
    rows = with_buttons.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in rows] == ["/affirm", "/deny", "/affirm"]
    assert statuses() == ["processed"]


@pytest.mark.parametrize("body", [
    b"not json", b"", b"[]", b"null", b'"update"', b'{"message": {}}', b'{"update_id": "7"}',
    b'{"update_id": -1}', b'{"update_id": 1e3}', b'{"update_id": 99999999999999999999999}',
    b'{"update_id": 5, "message": {"chat": "x"}}',
    b'{"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": "abc", "type": "private"}, "text": "hi"}}',
    b'{"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": 42}}',
    b'{"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, '
    b'"location": {"latitude": "north", "longitude": 1}}}',
    b'{"update_id": 5, "callback_query": {"id": "q", "from": 3, "chat_instance": "c", "data": "/affirm"}}',
])
def test_malformed_update_is_a_client_error_and_not_recorded(telegram: TelegramServer, body: bytes) -> None:
    response = telegram.post(raw=body)
    assert response.status_code == 400
    assert inbound_count() == 0


def test_update_the_assistant_does_not_handle_is_acknowledged_and_ignored(telegram: TelegramServer) -> None:
    edited = {"update_id": 9, "edited_message": message_update(text="x")["message"]}
    sticker = message_update(sticker={"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                                      "is_animated": False, "is_video": False, "type": "regular"})
    assert telegram.post(edited).status_code == 200
    assert telegram.post(sticker).status_code == 200
    assert inbound_count() == 0


def test_update_delivered_five_times_at_once_is_processed_once(telegram: TelegramServer) -> None:
    update = message_update(text="streetlight out")
    with ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(lambda _: telegram.post(update).status_code, range(5)))
    assert codes == [200] * 5
    assert telegram.wait_processed(1)
    assert len(telegram.assistant.turns) == 1
    assert inbound_count() == 1
    assert telegram.api.sent_texts().count("You said: streetlight out") == 1


@pytest.mark.parametrize("command, payload", [("/start", "/greet"), ("/help", "/help"),
                                              ("/start@civic_test_bot", "/greet")])
def test_start_and_help_commands_become_intents(telegram: TelegramServer, command: str, payload: str) -> None:
    telegram.post(message_update(text=command))
    assert telegram.wait_processed(1)
    assert telegram.assistant.turns[0].text == payload


def test_location_pin_becomes_metadata(telegram: TelegramServer) -> None:
    telegram.post(message_update(location={"latitude": 51.5, "longitude": -0.12}))
    assert telegram.wait_processed(1)
    [turn] = telegram.assistant.turns
    assert turn.text == "My location"
    assert turn.metadata["location"] == {"latitude": 51.5, "longitude": -0.12}


def test_language_code_is_a_hint_in_metadata(telegram: TelegramServer) -> None:
    update = message_update(text="hola")
    update["message"]["from"]["language_code"] = "pt-BR"
    telegram.post(update)
    assert telegram.wait_processed(1)
    assert telegram.assistant.turns[0].metadata["language"] == "pt"


def test_pressed_button_sends_its_payload_and_is_answered(telegram: TelegramServer) -> None:
    telegram.post(callback_update("/affirm"))
    assert telegram.wait_processed(1)
    assert telegram.assistant.turns[0].text == "/affirm"
    assert "telegram" not in telegram.assistant.turns[0].metadata
    assert [call.params["callback_query_id"] for call in telegram.api.calls_of("answerCallbackQuery")] == ["cbq-1"]


def test_long_button_payload_travels_as_a_short_key(telegram: TelegramServer) -> None:
    payload = '/inform{"category":"' + "illegal_dumping" * 5 + '"}'
    key = asyncio.run(telegram.channel.keys.callback_data(payload))
    assert len(key.encode()) <= 64 and key != payload
    telegram.post(callback_update(key))
    assert telegram.wait_processed(1)
    assert telegram.assistant.turns[0].text == payload


def test_a_button_sent_by_another_replica_is_understood_here(telegram: TelegramServer) -> None:
    payload = '/inform{"category":"' + "streetlight" * 6 + '"}'
    key = asyncio.run(PayloadKeys(shared=True).callback_data(payload))  # the other replica
    telegram.post(callback_update(key))
    assert telegram.wait_processed(1)
    assert telegram.assistant.turns[0].text == payload


def test_unknown_button_key_asks_to_type_instead(telegram: TelegramServer) -> None:
    telegram.post(callback_update("k:" + "0" * 32))
    assert telegram.wait_processed(1)
    assert telegram.assistant.turns == []
    assert "expired" in telegram.api.sent_texts(str(CHAT))[0]


def test_photo_is_fetched_stored_and_linked(telegram: TelegramServer) -> None:
    telegram.api.add_file("small", b"x" * 10)
    telegram.api.add_file("large", JPEG)
    sizes = [{"file_id": "small", "file_unique_id": "a", "width": 90, "height": 90, "file_size": 10},
             {"file_id": "large", "file_unique_id": "b", "width": 800, "height": 600, "file_size": len(JPEG)}]
    telegram.post(message_update(photo=sizes, caption="hole by the school"))
    assert telegram.wait_processed(1)
    [turn] = telegram.assistant.turns
    assert turn.text == "hole by the school"
    assert len(turn.metadata["attachments"]) == 1
    assert attachment_count() == 1
    assert [call.params["file_id"] for call in telegram.api.calls_of("getFile")] == ["large"]


def test_too_big_photo_gets_a_polite_reply_and_nothing_is_stored(telegram: TelegramServer) -> None:
    huge = 10 * 1024 * 1024
    telegram.api.add_file("huge", JPEG, reported_size=huge)
    sizes = [{"file_id": "huge", "file_unique_id": "h", "width": 4000, "height": 3000, "file_size": huge}]
    telegram.post(message_update(photo=sizes))
    assert telegram.wait_processed(1)
    assert telegram.assistant.turns == []
    assert attachment_count() == 0
    assert telegram.api.calls_of("getFile") == [] and telegram.api.calls_of("download") == []
    assert "too large" in telegram.api.sent_texts(str(CHAT))[0]


def test_database_outage_answers_503_so_telegram_retries(
        telegram: TelegramServer, monkeypatch: pytest.MonkeyPatch) -> None:
    update = message_update(text="hello")

    def down(*args: object) -> None:
        raise DatabaseUnavailable("down")

    with monkeypatch.context() as patch:
        patch.setattr(turns_store, "record", down)
        assert telegram.post(update).status_code == 503
    assert inbound_count() == 0
    assert telegram.post(update).status_code == 200  # Telegram's retry
    assert telegram.wait_processed(1)
    assert len(telegram.assistant.turns) == 1


def test_failing_turn_is_marked_failed_and_the_citizen_told(start_telegram: Start) -> None:
    telegram = start_telegram()
    telegram.assistant.fail_next = True
    telegram.post(message_update(text="hello"))
    assert telegram.wait_processed(1)
    assert statuses() == ["failed"]
    assert telegram.api.sent_texts(str(CHAT)) == [TURN_FAILED_MESSAGE]


def test_api_server_error_queues_the_reply_for_the_dispatcher(telegram: TelegramServer) -> None:
    """A Bot API 500 on a live reply loses nothing: the reply waits in the outbox."""
    from sqlalchemy import select

    from bot.db import session_scope
    from bot.models import OutboxMessage

    telegram.api.fail_next("sendMessage", status=500)
    telegram.post(message_update(text="hello"))
    assert telegram.wait_processed(1)
    assert statuses() == ["processed"] and telegram.api.accepted_texts(str(CHAT)) == []
    with session_scope() as session:
        rows = session.execute(select(OutboxMessage)).scalars().all()
        assert rows and all(row.channel == "telegram" and row.recipient == str(CHAT)
                            and row.status == "pending"
                            and row.dedupe_key.startswith("telegram-reply:") for row in rows)


def test_photo_the_api_cannot_serve_gets_a_reply_asking_to_resend(telegram: TelegramServer) -> None:
    sizes = [{"file_id": "gone", "file_unique_id": "g", "width": 90, "height": 90, "file_size": 10}]
    telegram.post(message_update(photo=sizes))
    assert telegram.wait_processed(1)
    assert telegram.assistant.turns == [] and attachment_count() == 0
    assert telegram.api.sent_texts(str(CHAT)) == [PHOTO_NOT_FETCHED_MESSAGE]


def test_no_chat_id_or_text_in_info_logs(telegram: TelegramServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    telegram.post(message_update(text="my secret street 12"))
    assert telegram.wait_processed(1)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "telegram.message.recorded" in logged
    assert str(CHAT) not in logged and "secret street" not in logged


def test_json_body_of_a_real_update_is_accepted(telegram: TelegramServer) -> None:
    raw = json.dumps(message_update(text="ok")).encode()
    assert telegram.post(raw=raw).status_code == 200


def test_channel_without_a_token_answers_404_and_records_nothing(
        start_telegram: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import get_settings

    monkeypatch.setenv("TELEGRAM_TOKEN", "")
    get_settings.cache_clear()
    telegram = start_telegram()
    assert telegram.http.get("/webhooks/telegram/").json() == {"status": "not configured"}
    assert telegram.post(message_update(text="hello")).status_code == 404
    assert inbound_count() == 0
