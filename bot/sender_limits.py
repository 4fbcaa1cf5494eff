"""Per-sender limits on citizen channels: how many messages are answered, how many cases open.

The counts come from the database (inbound_messages, cases), not from process memory, so every
Rasa replica reaches the same verdict for a sender. A message over the limit is still recorded
(and acknowledged to the provider, so it does not retry) under a status of its own, but is not
run through the assistant; the sender gets one polite notice per window, not one per message,
because a notice per message would turn a flood in into a flood out (and SMS costs money).

Rows that were refused (limited, blocked) do not count against the limit: a sender who slows
down is answered again after a minute, whatever they sent while limited.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot import blocklist
from bot.clock import utc_naive
from bot.errors import CivicError
from bot.inbound import RECEIVED
from bot.models import Attachment, Case, InboundMessage
from bot.settings import get_settings

LIMITED = "limited"  # over the per-minute limit: recorded, acknowledged, not answered
LIMITED_DAY = "limited_day"  # over the per-day limit
BLOCKED = "blocked"  # staff blocked the sender (bot.blocklist)
REFUSED_STATUSES = (LIMITED, LIMITED_DAY, BLOCKED)
MINUTE, DAY = dt.timedelta(minutes=1), dt.timedelta(days=1)
WINDOWS = (MINUTE, DAY)  # the windows admit counts answered messages in: minute, then day
# Channels where a citizen talks to the bot; Open311 clients and Rasa's REST test channel are
# limited elsewhere (API keys) or not exposed publicly.
CITIZEN_CHANNELS = ("telegram", "sms", "webchat")

NOTICES = {
    LIMITED: {
        "en": "You're sending messages very fast; please wait a minute, then send your message again.",
        "es": "Está enviando mensajes muy rápido; espere un minuto y vuelva a enviar su mensaje.",
        "pt": "Está a enviar mensagens muito depressa; aguarde um minuto e envie a sua mensagem de novo.",
        "nl": "U stuurt erg snel berichten; wacht een minuut en stuur uw bericht dan opnieuw.",
    },
    LIMITED_DAY: {
        "en": "You've sent a lot of messages today, so I can't answer more until tomorrow. "
              "For something urgent, please phone the city.",
        "es": "Hoy ha enviado muchos mensajes y no puedo responder más hasta mañana. "
              "Si es urgente, llame al ayuntamiento.",
        "pt": "Hoje enviou muitas mensagens e não posso responder a mais até amanhã. "
              "Se for urgente, telefone para a câmara.",
        "nl": "U hebt vandaag veel berichten gestuurd; ik kan tot morgen niet meer antwoorden. "
              "Bel de gemeente als het dringend is.",
    },
}

class CaseQuotaExceeded(CivicError):
    """The sender already opened as many cases today as one citizen may (spam never becomes cases)."""

    def __init__(self, channel: str, limit: int) -> None:
        super().__init__(f"case quota reached on {channel} ({limit} per day)")
        self.channel, self.limit = channel, limit


class SenderRefused(CivicError):
    """A new message refused outright (web chat: answered 429/403, nothing recorded)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"message refused: {status}")
        self.status = status


@dataclass(frozen=True)
class Limits:
    """Messages answered per minute and per day, cases opened per day, for one sender."""

    per_minute: int
    per_day: int
    cases_per_day: int

    @classmethod
    def from_settings(cls) -> "Limits":
        """The deployment's limits (SENDER_MAX_PER_MINUTE, _PER_DAY, _CASES_PER_DAY)."""
        settings = get_settings()
        return cls(per_minute=settings.sender_max_per_minute, per_day=settings.sender_max_per_day,
                   cases_per_day=settings.sender_max_cases_per_day)


@dataclass(frozen=True)
class Admission:
    """The status a new message is recorded with, and whether this one carries the notice."""

    status: str
    notify: bool = False

    @property
    def admitted(self) -> bool:
        return self.status == RECEIVED


def _admission_query() -> Select:
    """Whether the sender is blocked, and for each of WINDOWS how many of their messages
    recorded within it were (or will be) answered: one round trip, as admit runs for every
    message, and built once with bound parameters (building it took longer than running it)."""
    answered = [func.count(case((InboundMessage.received_at > bindparam(f"since_{index}"),
                                 InboundMessage.id)))
                for index in range(len(WINDOWS))]
    return select(blocklist.active_block(bindparam("channel"), bindparam("sender_id"),
                                         bindparam("moment")), *answered).where(
        InboundMessage.channel == bindparam("channel"),
        InboundMessage.sender_id == bindparam("sender_id"),
        InboundMessage.received_at > bindparam(f"since_{WINDOWS.index(max(WINDOWS))}"),
        InboundMessage.status.notin_(REFUSED_STATUSES))


_ADMISSION = _admission_query()


def _blocked_and_answered(session: Session, channel: str, sender_id: str, moment: dt.datetime
                          ) -> Tuple[bool, List[int]]:
    """(blocked, [answered within each of WINDOWS]) for this sender at `moment`."""
    row = session.execute(_ADMISSION, {
        "channel": channel, "sender_id": sender_id, "moment": moment,
        **{f"since_{index}": moment - window for index, window in enumerate(WINDOWS)}}).one()
    return bool(row[0]), [int(count) for count in row[1:]]


def _refused_since(session: Session, channel: str, sender_id: str, status: str,
                   since: dt.datetime) -> bool:
    return session.execute(
        select(InboundMessage.id).where(
            InboundMessage.channel == channel, InboundMessage.sender_id == sender_id,
            InboundMessage.received_at > since, InboundMessage.status == status).limit(1)
    ).first() is not None


def admit(session: Session, *, channel: str, sender_id: str, now: Optional[dt.datetime] = None,
          limits: Optional[Limits] = None) -> Admission:
    """Decide a new message's fate before its row is written (so it does not count itself):
    blocked senders first, then the per-minute and per-day limits.

    The notice goes with the first refused message of a window: none when another message
    of this sender was refused for the same reason within that window.
    """
    moment, limits = utc_naive(now), limits or Limits.from_settings()
    if channel not in CITIZEN_CHANNELS:
        return Admission(RECEIVED)
    blocked, answered = _blocked_and_answered(session, channel, sender_id, moment)
    if blocked:
        return Admission(BLOCKED)  # no notice: it would tell an abuser the block works
    rules = zip((LIMITED, LIMITED_DAY), WINDOWS, (limits.per_minute, limits.per_day))
    for (status, window, limit), count in zip(rules, answered):
        if count >= limit:
            notify = not _refused_since(session, channel, sender_id, status, moment - window)
            return Admission(status, notify)
    return Admission(RECEIVED)


def ensure_upload_allowed(session: Session, *, channel: str, sender_id: str,
                          now: Optional[dt.datetime] = None, limits: Optional[Limits] = None) -> None:
    """Raise SenderRefused for a photo upload from a blocked sender or one over the limits.

    Uploads reach the disk before any message mentions them (web chat), so they are counted
    on their own, with the same per-minute and per-day numbers as messages.
    """
    moment, limits = utc_naive(now), limits or Limits.from_settings()
    if blocklist.is_blocked(session, channel, sender_id, moment):
        raise SenderRefused(BLOCKED)
    for status, window, limit in ((LIMITED, MINUTE, limits.per_minute),
                                  (LIMITED_DAY, DAY, limits.per_day)):
        uploaded = session.execute(select(func.count(Attachment.id)).where(
            Attachment.channel == channel, Attachment.sender_id == sender_id,
            Attachment.created_at > moment - window)).scalar_one()
        if uploaded >= limit:
            raise SenderRefused(status)


def notice_text(status: str, language: Optional[str]) -> str:
    """The polite notice for a refusal, in the sender's language when we have it."""
    texts = NOTICES[status]
    wanted = (language or "").split("-")[0].lower()
    return texts.get(wanted) or texts.get(get_settings().default_language) or texts["en"]


def cases_opened_since(session: Session, channel: str, sender_id: str, since: dt.datetime) -> int:
    """Cases this sender opened since `since` (merged or closed ones count too)."""
    return int(session.execute(
        select(func.count(Case.id)).where(Case.channel == channel, Case.sender_id == sender_id,
                                          Case.created_at > since)).scalar_one())


def ensure_case_quota(session: Session, *, channel: str, sender_id: str,
                      submission_id: Optional[str] = None, now: Optional[dt.datetime] = None,
                      limits: Optional[Limits] = None) -> None:
    """Raise CaseQuotaExceeded when the sender may not open another case today.

    Called in the same unit of work as bot.cases.open_case, just before it. A retry of a
    submission whose case already exists passes (open_case returns that case), so a retried
    confirmation is never refused by the case it created itself.
    """
    if channel not in CITIZEN_CHANNELS:
        return
    if submission_id and session.execute(
            select(Case.id).where(Case.submission_id == submission_id)).first() is not None:
        return
    limits = limits or Limits.from_settings()
    if cases_opened_since(session, channel, sender_id, utc_naive(now) - DAY) >= limits.cases_per_day:
        raise CaseQuotaExceeded(channel, limits.cases_per_day)
