"""Live replies that fail (issue 9 faults): a Twilio timeout is reconciled before any resend,
a Telegram 500/timeout goes to the outbox with the rest of the turn, and a row a turn left
'received' is re-run by the periodic recovery pass (once, even with two runners)."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, List, Mapping

import pytest
from requests.exceptions import ReadTimeout
from sqlalchemy import select

from bot.clock import utc_naive
from bot.db import session_scope
from bot.models import OutboxMessage
from bot.outbox_dispatch import dispatch_due
from bot.ratelimit import RateLimiter
from channels.sms_output import SmsOutput
from channels.telegram import make_bot
from channels.telegram_output import PayloadKeys, TelegramOutput, TelegramSender
from channels.turns import InboundTurn, TurnRunner
from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "42:live-failures"


def outbox_rows() -> List[tuple]:
    with session_scope() as session:
        return [(row.channel, row.recipient, row.body, row.status, row.dedupe_key)
                for row in session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]


def test_a_timed_out_sms_reply_is_reconciled_not_resent(webchat_db: str) -> None:
    sent: List[str] = []

    def send(to: str, body: str, payload: Mapping[str, Any]) -> str:
        if not sent:
            sent.append(body)  # Twilio took it, but the answer never came back
            raise ReadTimeout("read timed out")
        sent.append(body)
        return f"SM{len(sent)}"

    output = SmsOutput(send, inbound_id=7)
    asyncio.run(output.send_text_message("+447700900333", "First reply"))
    asyncio.run(output.send_text_message("+447700900333", "Second reply"))
    assert [row[3] for row in outbox_rows()] == ["sending", "pending"]
    assert sent == ["First reply"]  # the second waits behind the uncertain first, in order
    at_twilio = lambda recipient, body, since: sent.count(body)  # noqa: E731
    result = dispatch_due(session_scope, {"sms": lambda r, b, p: send(r, b, p)}, utc_naive(),
                          lookups={"sms": at_twilio})
    assert result.reconciled and sent == ["First reply", "Second reply"]
    assert [row[3] for row in outbox_rows()] == ["sent", "sent"]


def test_a_timed_out_sms_reply_twilio_never_got_is_sent_once(webchat_db: str) -> None:
    calls: List[str] = []

    def send(to: str, body: str, payload: Mapping[str, Any]) -> str:
        calls.append(body)
        if len(calls) == 1:
            raise ReadTimeout("read timed out")  # and Twilio never saw it
        return "SM1"

    asyncio.run(SmsOutput(send, inbound_id=8).send_text_message("+447700900444", "Only reply"))
    dispatch_due(session_scope, {"sms": send}, utc_naive(), lookups={"sms": lambda r, b, s: 0})
    assert calls == ["Only reply", "Only reply"] and [row[3] for row in outbox_rows()] == ["sent"]


@pytest.fixture
def api() -> Any:
    fake = FakeTelegramApi(TOKEN).start()
    yield fake
    fake.stop()


async def _no_sleep(_seconds: float) -> None:
    return None


def telegram_output(api: FakeTelegramApi, inbound_id: Any = 11) -> TelegramOutput:
    sender = TelegramSender(make_bot(TOKEN, api.base_url), RateLimiter(1000, 1000), _no_sleep)
    return TelegramOutput(sender, PayloadKeys(), inbound_id)


@pytest.mark.parametrize("status", [500, 502])
def test_a_telegram_5xx_queues_that_reply_and_the_rest_of_the_turn(
        webchat_db: str, api: FakeTelegramApi, status: int) -> None:
    output = telegram_output(api)

    async def turn() -> None:
        await output.send_text_message("901", "one")
        api.fail_next("sendMessage", status=status)
        await output.send_text_message("901", "two")
        await output.send_text_with_buttons("901", "three", [{"title": "Yes", "payload": "/affirm"}])

    asyncio.run(turn())
    assert api.accepted_texts("901") == ["one"]
    assert [(row[2], row[3], row[4]) for row in outbox_rows()] == [
        ("two", "pending", "telegram-reply:11:1"), ("three\n- Yes", "pending", "telegram-reply:11:2")]
    assert [message["text"] for message in output.messages] == ["one", "two", "three"]


def test_a_telegram_bad_request_is_not_queued(webchat_db: str, api: FakeTelegramApi) -> None:
    api.fail_next("sendMessage", status=400)
    with pytest.raises(Exception):
        asyncio.run(telegram_output(api).send_text_message("902", "x"))
    assert outbox_rows() == []


def test_periodic_recovery_reruns_a_row_left_received_once_across_two_runners(webchat_db: str) -> None:
    from channels import turns_store
    old = utc_naive() - dt.timedelta(seconds=10)
    recorded = turns_store.record(InboundTurn("sms", "SMcut", "+447700900555", "hello"), old)
    ran: List[str] = []

    async def on_new_message(message: Any) -> None:
        ran.append(message.text)

    async def scenario() -> None:
        runners = [TurnRunner("sms", lambda turn: _Silent(), stale_after_seconds=5,
                              recovery_interval_seconds=0.05) for _ in range(2)]
        for runner in runners:
            runner.ensure_recovered(on_new_message)
        await asyncio.sleep(0.3)
        for runner in runners:
            await runner.stop_recovery()
            await runner.drain(5)

    asyncio.run(scenario())
    assert ran == ["hello"]
    with session_scope() as session:
        from bot.models import InboundMessage
        assert session.get(InboundMessage, recorded.inbound_id).status == "processed"


class _Silent:
    messages: List[dict] = []

    async def send_text_message(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_an_sms_reply_rebuilt_by_recovery_matches_the_one_sent(webchat_db: str) -> None:
    """Recovery records a turn Rasa had already answered from the tracker (as_sent): the record
    must carry the same numbered options, or the citizen's next "2" would mean nothing."""
    sent: List[str] = []
    output = SmsOutput(lambda to, body, payload=None: sent.append(body) or f"SM{len(sent)}",
                       inbound_id=21)
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    asyncio.run(output.send_text_with_buttons("+447700900555", "Is that right?", buttons))
    assert output.as_sent("+447700900555", "Is that right?", buttons) == output.messages[0]
    assert [option["payload"] for option in output.messages[0]["options"]] == ["/affirm", "/deny"]
