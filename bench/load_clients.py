"""How a simulated citizen talks to the assistant on each channel, and when a turn counts as done.

Every client has one coroutine, `say(answer)`: send one message as the provider (or the page)
would, wait until the assistant has answered it, and return the replies and the turn's
latency. Latency is "webhook in -> reply out": for web chat and Rasa's REST channel the reply
is in the HTTP response; for SMS and Telegram the reply leaves through the provider API, so
the time is taken when the last reply of the turn reached the local fake provider
(tests/fakes), and the turn is known to be over when its inbound row is no longer 'received'
(one `InboundWatcher` query per poll for all citizens, so watching does not load the server).
"""
from __future__ import annotations

import asyncio
import itertools
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import httpx
from sqlalchemy import bindparam, create_engine, text
from twilio.request_validator import RequestValidator

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilio

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SMS_OPTION = re.compile(r"(\d+) for ([^,\n]+)")
WATCH_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Reply:
    """One message from the assistant: its text and the (title, payload) of its buttons."""

    text: str
    buttons: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    """What the citizen says: free text, or a press of the button whose title starts so."""

    text: str = ""
    button: str = ""


@dataclass
class TurnResult:
    """What one message cost and brought back. `error` set = the turn failed; no replies = lost."""

    latency: Optional[float]
    replies: List[Reply] = field(default_factory=list)
    error: str = ""


class JourneyError(Exception):
    """The conversation went somewhere the script cannot follow (a wrong or missing reply)."""


def choose_button(replies: List[Reply], title: str) -> Tuple[int, Tuple[str, str]]:
    """The (1-based position, button) of the last offer holding a button titled `title...`."""
    for reply in reversed(replies):
        for position, button in enumerate(reply.buttons, start=1):
            if button[0].lower().startswith(title.lower()):
                return position, button
    raise JourneyError(f"no button {title!r} offered in {[r.text[:60] for r in replies]}")


class InboundWatcher:
    """Tells waiting citizens when their provider message's turn is over, from inbound_messages."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url, future=True)
        self.waiting: Dict[Tuple[str, str], "asyncio.Future[str]"] = {}
        self._task: Optional["asyncio.Task[None]"] = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._poll_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self.engine.dispose()

    async def wait(self, channel: str, external_id: str, timeout: float) -> str:
        """'processed' or 'failed'; raises asyncio.TimeoutError when it never ends."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[(channel, external_id)] = future
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.waiting.pop((channel, external_id), None)

    async def _poll_forever(self) -> None:
        while True:
            keys = [key for key, future in self.waiting.items() if not future.done()]
            if keys:
                for key, status in await asyncio.to_thread(self._statuses, keys):
                    future = self.waiting.get(key)
                    if future is not None and not future.done():
                        future.set_result(status)
            await asyncio.sleep(WATCH_POLL_SECONDS)

    def _statuses(self, keys: List[Tuple[str, str]]) -> List[Tuple[Tuple[str, str], str]]:
        query = text("SELECT channel, external_id, status FROM inbound_messages "
                     "WHERE external_id IN :ids AND status != 'received'"
                     ).bindparams(bindparam("ids", expanding=True))
        wanted = set(keys)
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"ids": [key[1] for key in keys]}).all()
        return [((row.channel, row.external_id), row.status) for row in rows
                if (row.channel, row.external_id) in wanted]


class HttpReplyClient:
    """Web chat (ours) or Rasa's REST channel (the stock baseline): replies in the response."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, kind: str, index: int) -> None:
        self.http, self.base_url, self.kind = http, base_url, kind
        self.sender = f"bench-{kind}-{index}-{uuid.uuid4().hex[:8]}"
        self.replies: List[Reply] = []

    async def say(self, answer: Answer, timeout: float) -> TurnResult:
        message = choose_button(self.replies, answer.button)[1][1] if answer.button else answer.text
        if self.kind == "webchat":
            url = f"{self.base_url}/webhooks/webchat/message"
            body: Dict[str, Any] = {"session_id": self.sender, "text": message,
                                    "client_message_id": uuid.uuid4().hex}
        else:
            url, body = f"{self.base_url}/webhooks/rest/webhook", {"sender": self.sender, "message": message}
        started = time.perf_counter()
        response = await self.http.post(url, json=body, timeout=timeout)
        latency = time.perf_counter() - started
        if response.status_code != 200:
            return TurnResult(latency, error=f"HTTP {response.status_code}")
        answers = response.json()
        answers = answers.get("replies", []) if isinstance(answers, dict) else answers
        self.replies = [Reply(str(item.get("text") or ""),
                              tuple((str(b.get("title")), str(b.get("payload")))
                                    for b in item.get("buttons") or []))
                        for item in answers]
        return TurnResult(latency, list(self.replies))


class SmsClient:
    """A phone texting the city: Twilio-signed form posts; replies arrive at the fake Twilio."""

    PUBLIC_URL = "https://sms.bench.example.gov"
    CITY_NUMBER = "+441632960001"
    PATH = "/webhooks/sms/webhook"

    def __init__(self, http: httpx.AsyncClient, base_url: str, twilio: FakeTwilio,
                 watcher: InboundWatcher, index: int, public_url: str = PUBLIC_URL) -> None:
        self.http, self.base_url, self.twilio, self.watcher = http, base_url, twilio, watcher
        self.public_url = public_url  # what Twilio signs: the URL the city gave Twilio
        self.number = f"+44770{index:07d}"
        self.validator = RequestValidator(twilio.auth_token)
        self.replies: List[Reply] = []
        self.count = itertools.count(1)

    async def say(self, answer: Answer, timeout: float) -> TurnResult:
        body = str(choose_button(self.replies, answer.button)[0]) if answer.button else answer.text
        sid = f"SM{uuid.uuid4().hex}"
        params = {"MessageSid": sid, "AccountSid": self.twilio.account_sid, "From": self.number,
                  "To": self.CITY_NUMBER, "Body": body, "NumMedia": "0"}
        signature = self.validator.compute_signature(self.public_url + self.PATH, params)
        before = len(self.twilio.bodies_to(self.number))
        started = time.time()
        response = await self.http.post(self.base_url + self.PATH, data=params, timeout=timeout,
                                        headers={"X-Twilio-Signature": signature})
        if response.status_code != 200:
            return TurnResult(time.time() - started, error=f"HTTP {response.status_code}")
        status = await self.watcher.wait("sms", sid, timeout)
        with self.twilio._lock:
            sent = [m for m in self.twilio.sent if m.to == self.number][before:]
        self.replies = [sms_reply(message.body) for message in sent]
        latency = max((m.created.timestamp() for m in sent), default=started) - started
        return TurnResult(latency if sent else None, list(self.replies),
                          "" if status == "processed" else f"turn {status}")


def sms_reply(body: str) -> Reply:
    """An SMS with its numbered options ("Reply 1 for Yes, 2 for No") read as buttons."""
    if "Reply " not in body:
        return Reply(body)
    options = SMS_OPTION.findall(body.split("Reply ", 1)[1])
    return Reply(body, tuple((title.strip(), number) for number, title in options))


class TelegramClient:
    """A Telegram chat: webhook updates with the secret token; replies at the fake Bot API."""

    PATH = "/webhooks/telegram/webhook"
    # A random start above 10^9: tests that post their own updates to the same assistant
    # (tests/scale) count from a clock-based start below 10^9. A shared formula made both
    # counters start at the same id when imported in the same second, and the bench's
    # updates were (rightly) dropped as replays.
    update_ids = itertools.count(random.SystemRandom().randrange(1_000_000_000, 1_900_000_000))

    def __init__(self, http: httpx.AsyncClient, base_url: str, api: FakeTelegramApi,
                 secret: str, watcher: InboundWatcher, index: int) -> None:
        self.http, self.base_url, self.api, self.secret = http, base_url, api, secret
        self.watcher, self.chat = watcher, 880_000 + index
        self.replies: List[Reply] = []

    def _update(self, answer: Answer) -> Dict[str, Any]:
        user = {"id": self.chat, "is_bot": False, "first_name": "Bench", "language_code": "en"}
        chat = {"id": self.chat, "type": "private"}
        update_id = next(self.update_ids)
        if answer.button:
            payload = choose_button(self.replies, answer.button)[1][1]
            return {"update_id": update_id, "callback_query": {
                "id": f"cb{update_id}", "from": user, "chat_instance": "bench", "data": payload,
                "message": {"message_id": 2, "date": int(time.time()), "chat": chat, "text": "?"}}}
        return {"update_id": update_id, "message": {
            "message_id": update_id, "date": int(time.time()), "from": user, "chat": chat,
            "text": answer.text}}

    async def say(self, answer: Answer, timeout: float) -> TurnResult:
        update = self._update(answer)
        before = len(self.api.sent_texts(str(self.chat)))
        started = time.monotonic()
        response = await self.http.post(self.base_url + self.PATH, json=update, timeout=timeout,
                                        headers={TELEGRAM_SECRET_HEADER: self.secret})
        if response.status_code != 200:
            return TurnResult(time.monotonic() - started, error=f"HTTP {response.status_code}")
        status = await self.watcher.wait("telegram", str(update["update_id"]), timeout)
        calls = [call for call in self.api.calls_of("sendMessage")
                 if str(call.params.get("chat_id")) == str(self.chat)][before:]
        self.replies = [telegram_reply(call.params) for call in calls]
        latency = max((call.at for call in calls), default=started) - started
        return TurnResult(latency if calls else None, list(self.replies),
                          "" if status == "processed" else f"turn {status}")


def telegram_reply(params: Dict[str, Any]) -> Reply:
    """A sendMessage call with its inline keyboard read as buttons."""
    markup = params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or [] if isinstance(markup, dict) else []
    buttons = tuple((str(b.get("text")), str(b.get("callback_data"))) for row in rows for b in row)
    return Reply(str(params.get("text") or ""), buttons)
