"""The outbox dispatcher's SMS side: send with Twilio's client, and ask Twilio afterwards.

Sending reuses the SMS channel's TwilioSender (permanent errors, carrier opt-outs). What this
adds is what the dispatcher needs to send each message once:
- a read timeout means the request left and Twilio may have accepted it: `OutcomeUnknown`, so
  the row is checked with Twilio before it is sent again;
- `count_sent` lists the messages Twilio accepted from our number to a recipient since a
  moment, for the reconciliation of a claim whose dispatcher died mid-send.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from requests.exceptions import ReadTimeout

from bot.logs import log_event
from bot.outbox_dispatch import OutcomeUnknown
from bot.settings import Settings
from channels.sms_output import TwilioConfig, TwilioSender

log = logging.getLogger(__name__)

CHANNEL = "sms"
LOOKUP_LIMIT = 200  # messages to one number within minutes of a claim: far fewer in practice


@dataclass
class SmsDispatch:
    """`send` and `count_sent` for bot.outbox_dispatch, over one Twilio client."""

    sender: TwilioSender

    def send(self, recipient: str, body: str, payload: Mapping[str, Any]) -> str:
        """Twilio's MessageSid; OutcomeUnknown when the answer never came back."""
        try:
            return self.sender(recipient, body, payload)
        except ReadTimeout as exc:
            raise OutcomeUnknown("twilio did not answer in time") from exc

    def count_sent(self, recipient: str, body: str, since: dt.datetime) -> int:
        """How many messages with exactly this text Twilio took for `recipient` since `since`.

        Twilio's DateSent filter is by day and skips messages still queued (no date_sent yet),
        so the list is narrowed to the recipient and our number only (newest first) and the
        moment is compared here with date_created (Twilio's clock, to the second).
        """
        config = self.sender.config
        messages = self.sender.client.messages.list(
            to=recipient, from_=config.from_number, limit=LOOKUP_LIMIT)
        moment = since.replace(tzinfo=dt.timezone.utc)
        return sum(1 for message in messages
                   if message.body == body and _created(message) >= moment)


def _created(message: Any) -> dt.datetime:
    created = message.date_created
    if created is None:  # not stamped yet: it is brand new, so after any claim
        return dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return created if created.tzinfo else created.replace(tzinfo=dt.timezone.utc)


def sms_dispatch(settings: Settings, timeout_seconds: float = 10.0) -> Optional[SmsDispatch]:
    """The SMS side from settings; None (and one log line) without a Twilio account."""
    missing = [name.upper() for name in ("twilio_account_sid", "twilio_auth_token",
                                         "twilio_from_number") if not getattr(settings, name)]
    if missing:
        log_event(log, "dispatcher.channel_skipped", logging.WARNING, channel=CHANNEL,
                  missing=",".join(missing))
        return None
    config = TwilioConfig(account_sid=str(settings.twilio_account_sid),
                          auth_token=str(settings.twilio_auth_token),
                          from_number=str(settings.twilio_from_number),
                          api_base_url=settings.twilio_api_base_url,
                          timeout_seconds=timeout_seconds)
    return SmsDispatch(TwilioSender(config))
