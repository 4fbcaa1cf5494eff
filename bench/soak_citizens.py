"""Citizens over the provider webhooks, as Telegram and Twilio would deliver their messages.

Used by the soak (bench/soak.py) and the fault tests (tests/faults/): every delivery carries a
provider id (Telegram update_id, Twilio MessageSid); a delivery the server did not acknowledge
with 2xx is retried with the SAME id, as the providers do, until it is acknowledged or the
caller's deadline passes. The ledger says what was sent and what was acknowledged.
"""
from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Set

import httpx
from twilio.request_validator import RequestValidator

TELEGRAM_PATH = "/webhooks/telegram/webhook"
SMS_PATH = "/webhooks/sms/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Ledger:
    """Every delivery id sent, and the ones the server acknowledged (thread-safe)."""

    sent: Set[str] = field(default_factory=set)
    acknowledged: Set[str] = field(default_factory=set)
    attempts: int = 0
    refusals: Dict[int, int] = field(default_factory=dict)  # status (0 = no answer) -> count
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> "Ledger":
        """A copy to count from while citizens may still be sending."""
        with self._lock:
            return Ledger(set(self.sent), set(self.acknowledged), self.attempts,
                          dict(self.refusals))

    def note(self, key: str, status: int) -> None:
        with self._lock:
            self.sent.add(key)
            self.attempts += 1
            if 200 <= status < 300:
                self.acknowledged.add(key)
            else:
                self.refusals[status] = self.refusals.get(status, 0) + 1


@dataclass
class Webhooks:
    """Posts Telegram updates and signed Twilio webhooks to one Rasa server."""

    rasa_url: str
    telegram_secret: str
    twilio_account_sid: str
    twilio_auth_token: str
    sms_public_url: str
    city_number: str
    ledger: Ledger = field(default_factory=Ledger)
    retry_seconds: float = 1.0
    _ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(int(time.time()) % 100000 * 1000))

    def telegram_text(self, chat: int, text: str, deadline: float = 120.0) -> str:
        return self._telegram(chat, {"text": text}, deadline)

    def telegram_location(self, chat: int, latitude: float, longitude: float,
                          deadline: float = 120.0) -> str:
        return self._telegram(chat, {"location": {"latitude": latitude, "longitude": longitude}},
                              deadline)

    def telegram_button(self, chat: int, data: str, deadline: float = 120.0) -> str:
        update_id = next(self._ids)
        sender = {"id": chat, "is_bot": False, "first_name": "Ada", "language_code": "en"}
        update = {"update_id": update_id, "callback_query": {
            "id": f"cb{update_id}", "from": sender, "chat_instance": "ci", "data": data,
            "message": {"message_id": 1, "date": 1700000000, "chat": {"id": chat, "type": "private"},
                        "text": "?"}}}
        return self.deliver_telegram(update, deadline)

    def _telegram(self, chat: int, content: Mapping[str, Any], deadline: float) -> str:
        sender = {"id": chat, "is_bot": False, "first_name": "Ada", "language_code": "en"}
        update = {"update_id": next(self._ids), "message": {
            "message_id": 1, "date": 1700000000, "from": sender,
            "chat": {"id": chat, "type": "private"}, **content}}
        return self.deliver_telegram(update, deadline)

    def deliver_telegram(self, update: Mapping[str, Any], deadline: float = 120.0) -> str:
        """POST until acknowledged (Telegram retries a non-2xx); returns the delivery key."""
        key = f"telegram:{update['update_id']}"
        self._until_acknowledged(key, deadline, lambda client: client.post(
            f"{self.rasa_url}{TELEGRAM_PATH}", json=dict(update),
            headers={SECRET_HEADER: self.telegram_secret}))
        return key

    def sms(self, number: str, body: str, deadline: float = 120.0) -> str:
        """A signed inbound SMS, retried with the same MessageSid until acknowledged."""
        sid = f"SM{next(self._ids):032d}"
        params = {"MessageSid": sid, "AccountSid": self.twilio_account_sid, "From": number,
                  "To": self.city_number, "Body": body, "NumMedia": "0", "NumSegments": "1",
                  "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        signature = RequestValidator(self.twilio_auth_token).compute_signature(
            self.sms_public_url + SMS_PATH, params)
        key = f"sms:{sid}"
        self._until_acknowledged(key, deadline, lambda client: client.post(
            f"{self.rasa_url}{SMS_PATH}", data=params, headers={"X-Twilio-Signature": signature}))
        return key

    def _until_acknowledged(self, key: str, deadline: float, post: Any) -> bool:
        end = time.monotonic() + deadline
        with httpx.Client(timeout=30) as client:
            while True:
                try:
                    status = post(client).status_code
                except httpx.HTTPError:
                    status = 0
                self.ledger.note(key, status)
                if 200 <= status < 300:
                    return True
                if time.monotonic() > end:
                    return False
                time.sleep(self.retry_seconds)


def external_id(key: str) -> str:
    """The provider id inside a ledger key ("telegram:123" -> "123")."""
    return key.split(":", 1)[1]


def channel_of(key: str) -> str:
    return key.split(":", 1)[0]


def keys_by_channel(keys: Set[str]) -> Dict[str, List[str]]:
    grouped: Dict[str, List[str]] = {}
    for key in keys:
        grouped.setdefault(channel_of(key), []).append(external_id(key))
    return grouped


def first(items: List[Any], default: Optional[Any] = None) -> Any:
    return items[0] if items else default
