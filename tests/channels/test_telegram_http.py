"""channels.telegram_http: python-telegram-bot on aiohttp must behave as on its own httpx
transport against the Bot API (the local fake): the same calls arrive, a file goes as
multipart, a hung call is TimedOut, a refused connection is a NetworkError, 429 and 5xx are
PTB's errors, and connections are kept."""
from __future__ import annotations

import asyncio
import io
from typing import Any, Callable

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from channels.telegram_http import AiohttpRequest
from tests.channels.telegram_fixtures import TOKEN, telegram_api  # noqa: F401 (a fixture)
from tests.fakes.telegram_api import FakeTelegramApi


@pytest.fixture
def fake(telegram_api: FakeTelegramApi) -> FakeTelegramApi:  # noqa: F811
    """The channel tests' fake Bot API, under a shorter name."""
    return telegram_api


def on(fake: FakeTelegramApi, request: Any) -> Bot:
    return Bot(TOKEN, base_url=f"{fake.base_url}/bot", base_file_url=f"{fake.base_url}/file/bot",
               request=request)


def both(fake: FakeTelegramApi, calls: Callable[[Bot], Any]) -> list:
    """What the calls return through httpx, then through aiohttp (each Bot shut down after)."""
    async def with_bot(request: Any) -> Any:
        async with on(fake, request) as bot:
            return await calls(bot)
    return [asyncio.run(with_bot(request)) for request in (HTTPXRequest(), AiohttpRequest())]


def test_messages_buttons_and_callbacks_arrive_as_through_httpx(fake: FakeTelegramApi) -> None:
    async def calls(bot: Bot) -> Any:
        sent = await bot.send_message(7, "¿Hay un bache? Reply 1 or 2",
                                      reply_markup={"inline_keyboard": [[
                                          {"text": "Sí", "callback_data": "/affirm"}]]})
        await bot.answer_callback_query("q-1")
        return sent.text, sent.chat.id
    assert both(fake, calls) == [("¿Hay un bache? Reply 1 or 2", 7)] * 2
    first, second = fake.calls_of("sendMessage")
    assert first.params == second.params
    assert len(fake.calls_of("answerCallbackQuery")) == 2


def test_a_photo_upload_goes_as_multipart(fake: FakeTelegramApi) -> None:
    async def calls(bot: Bot) -> Any:
        return (await bot.send_photo(7, io.BytesIO(b"\x89PNG fake"), caption="case C-1")).chat.id
    assert both(fake, calls) == [7, 7]
    assert [call.params.get("caption") for call in fake.calls_of("sendPhoto")] == ["case C-1"] * 2


def test_files_are_downloaded(fake: FakeTelegramApi) -> None:
    fake.add_file("photo-1", b"jpeg bytes")

    async def calls(bot: Bot) -> Any:
        return bytes(await (await bot.get_file("photo-1")).download_as_bytearray())
    assert both(fake, calls) == [b"jpeg bytes"] * 2


def test_errors_are_the_ones_ptb_raises(fake: FakeTelegramApi) -> None:
    async def rate_limited(bot: Bot) -> Any:
        fake.fail_next("sendMessage", status=429, retry_after=3)
        with pytest.raises(RetryAfter):
            await bot.send_message(7, "hi")
        fake.fail_next("sendMessage", status=500)
        with pytest.raises(NetworkError):
            await bot.send_message(7, "hi")
        fake.hang_next("sendMessage", seconds=1.5)
        with pytest.raises(TimedOut):
            await bot.send_message(7, "hi", read_timeout=0.5)
        return True
    assert both(fake, rate_limited) == [True, True]


def test_a_refused_connection_is_a_network_error() -> None:
    async def send() -> None:
        async with Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=AiohttpRequest()) as bot:
            await bot.send_message(7, "hi")
    with pytest.raises(NetworkError) as raised:
        asyncio.run(send())
    assert not isinstance(raised.value, TimedOut)


def test_connections_are_kept_and_closed_on_shutdown(fake: FakeTelegramApi) -> None:
    request = AiohttpRequest()

    async def run() -> Any:
        bot = on(fake, request)
        for _ in range(5):
            await bot.send_message(7, "hi")
        session = request._current_session()
        kept = len(session.connector._conns)  # idle connections waiting for the next call
        await request.shutdown()
        return kept, session.closed
    assert asyncio.run(run()) == (1, True)
