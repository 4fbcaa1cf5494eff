"""A citizen reports a pothole over Telegram, end to end: the real Rasa and action servers as
`make run` starts them (scripts/run_assistant.py, the shipped credentials.yml), with the
Telegram settings pointing the Bot API at the local fake. Button answers are sent as inline
keyboard presses; the confirmation is delivered five times at once and makes one case; the
reference comes back through the fake Bot API. The place is a location pin and the photo is
fetched from the fake with getFile: both end up on the case.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import httpx
import pytest
from sqlalchemy import create_engine, text

from channels.telegram import SECRET_HEADER
from tests.channels.telegram_fixtures import SECRET, TOKEN, callback_update, message_update
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.servers import AssistantServers, prepare_assistant

pytestmark = pytest.mark.slow

CHAT = 990011
REFERENCE = re.compile(r"\bC-\d{4}-\d{6}\b")
BUTTON_ANSWERS = {"category": '/inform{"category":"pothole"}',
                  "category_suggestion": '/inform{"category":"pothole"}',
                  "follow_duplicate": "/deny", "consent": "/affirm", "confirmed": "/affirm"}
TEXT_ANSWERS = {"description": "A deep pothole about a metre wide in the middle of the road",
                "followup": "skip"}
PIN = {"latitude": 51.50722, "longitude": -0.1275}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 500
PHOTO = [{"file_id": "pothole-photo", "file_unique_id": "pp", "width": 800, "height": 600,
          "file_size": len(JPEG)}]
TURN_TIMEOUT = 120.0


@pytest.fixture(scope="module")
def telegram_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory
                       ) -> Iterator[Tuple[AssistantServers, FakeTelegramApi]]:
    """The assistant with the Telegram channel configured by environment, as an operator would."""
    api = FakeTelegramApi(TOKEN).start()
    instance = prepare_assistant(tmp_path_factory.mktemp("telegram-assistant"))
    instance.env.update({"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                         "TELEGRAM_API_BASE_URL": api.base_url})
    try:
        yield instance.start(), api
    finally:
        instance.stop()
        api.stop()


def inbound_status(database_url: str, update_id: int) -> Optional[str]:
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT status FROM inbound_messages WHERE channel = 'telegram' AND external_id = :id"),
                {"id": str(update_id)}).scalar()
    finally:
        engine.dispose()


def cases_of(database_url: str, sender: str) -> List[Dict[str, Any]]:
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT c.reference, c.service_code, c.channel, c.latitude, c.longitude, "
                "(SELECT COUNT(*) FROM attachments a WHERE a.case_id = c.id) AS photos "
                "FROM cases c WHERE c.sender_id = :sender"), {"sender": sender})
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def deliver(servers: AssistantServers, api: FakeTelegramApi, update: Dict[str, Any], copies: int = 1) -> None:
    """POST the update (`copies` times at once) and wait until its turn has been processed."""
    url = f"{servers.rasa_url}/webhooks/telegram/webhook"
    with httpx.Client(timeout=60) as client, ThreadPoolExecutor(copies) as pool:
        codes = list(pool.map(lambda _: client.post(url, json=update,
                                                    headers={SECRET_HEADER: SECRET}).status_code,
                              range(copies)))
    assert codes == [200] * copies
    assert api.wait_for(lambda: inbound_status(servers.database_url, update["update_id"]) == "processed",
                        TURN_TIMEOUT), servers.log_tail()


def test_pothole_report_over_telegram_ends_in_one_case_and_a_reference(
        telegram_assistant: Tuple[AssistantServers, FakeTelegramApi]) -> None:
    servers, api = telegram_assistant
    api.add_file("pothole-photo", JPEG)
    sender = str(CHAT)
    deliver(servers, api, message_update(chat=CHAT, text="/start"))
    deliver(servers, api, message_update(chat=CHAT, text="there's a huge pothole on Elm street"))
    for _ in range(12):
        requested = servers.tracker(sender)["slots"].get("requested_slot")
        if requested is None:
            break
        if requested == "confirmed":
            deliver(servers, api, callback_update(BUTTON_ANSWERS[requested], chat=CHAT), copies=5)
        elif requested == "location":
            deliver(servers, api, message_update(chat=CHAT, location=PIN))
        elif requested == "photos":
            deliver(servers, api, message_update(chat=CHAT, photo=PHOTO))
        elif requested in BUTTON_ANSWERS:
            deliver(servers, api, callback_update(BUTTON_ANSWERS[requested], chat=CHAT))
        else:
            assert requested in TEXT_ANSWERS, (requested, api.sent_texts(sender))
            deliver(servers, api, message_update(chat=CHAT, text=TEXT_ANSWERS[requested]))
    sent = "\n".join(api.sent_texts(sender))
    found = REFERENCE.findall(sent)
    assert found, sent
    cases = cases_of(servers.database_url, sender)
    assert [case["reference"] for case in cases] == [found[-1]]
    assert cases[0]["service_code"] == "pothole" and cases[0]["channel"] == "telegram"
    assert (cases[0]["latitude"], cases[0]["longitude"]) == (PIN["latitude"], PIN["longitude"])
    assert cases[0]["photos"] == 1
    assert api.calls_of("answerCallbackQuery"), "button presses are answered"
    assert any("reply_markup" in call.params for call in api.calls_of("sendMessage"))
