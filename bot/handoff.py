"""A caseworker takes over a conversation: claim, reply, hand back, and never leave a citizen
waiting in silence.

Everything the citizen hears goes through the outbox in the same unit of work as the change
that causes it, so "Ana has joined" is queued exactly when the claim commits, and a reply is
queued once however often the caseworker's browser submits it (the dedupe key carries the
client's message id). Pausing the bot is the console's job (console/rasa_client.py): the core
knows nothing about Rasa, so a claim comes in two steps, `reserve` and `announce_claim`, with
`release` to undo a reservation when the bot could not be paused. `claim` does both steps.
The conversation view the console polls lives in bot/handoff_conversation.py (re-exported).

Statuses: waiting -> claimed -> closed. Only a waiting escalation can be claimed (the UPDATE is
conditional, so two caseworkers racing cannot both win); only its holder replies or hands back.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional, Set

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.city import City, load_city
from bot.clock import utc_naive
from bot.errors import EscalationClaimed, EscalationNotFound, EscalationNotHeld, InvalidInput
from bot.escalations import next_staffed_time, staffed_now
from bot.handoff_conversation import (Conversation, Cursor, Line,  # noqa: F401 (the live view)
                                      conversation, delivery_states)
from bot.handoff_texts import handoff_text
from bot.models import Escalation, OutboxMessage, StaffUser
from bot.outbox import enqueue
from bot.settings import get_settings

CLIENT_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,80}$")


@dataclass(frozen=True)
class ReplyResult:
    """A queued staff reply, and whether this call queued it (False: a double submit)."""

    message: OutboxMessage
    created: bool


@dataclass(frozen=True)
class FlagResult:
    """What one overdue pass did: escalations newly flagged, citizens newly told to wait."""

    flagged: List[int]
    told: List[int]


def get_escalation(session: Session, escalation_id: int) -> Escalation:
    """The escalation as the database has it now (not a stale copy from this session)."""
    escalation = session.get(Escalation, escalation_id, populate_existing=True)
    if escalation is None:
        raise EscalationNotFound(escalation_id)
    return escalation


def reserve(session: Session, escalation_id: int, staff_username: str,
            now: Optional[dt.datetime] = None) -> Escalation:
    """Take a waiting escalation for `staff_username` without telling the citizen yet.

    Claiming again one's own escalation is a no-op (a double click); anyone else's claim
    raises EscalationClaimed, and a closed one EscalationNotHeld.
    """
    won = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.status == "waiting")
        .values(status="claimed", claimed_by=staff_username, claimed_at=utc_naive(now))
        .execution_options(synchronize_session=False)
    ).rowcount
    escalation = get_escalation(session, escalation_id)
    if won or (escalation.status == "claimed" and escalation.claimed_by == staff_username):
        return escalation
    if escalation.status == "claimed":
        raise EscalationClaimed(escalation_id, escalation.claimed_by or "someone else")
    raise EscalationNotHeld(escalation_id, escalation.status, escalation.claimed_by)


def release(session: Session, escalation_id: int, staff_username: str) -> bool:
    """Put a reservation back in the queue (the bot could not be paused). True if released;
    False when it was not this person's claim any more, which is then left alone."""
    return bool(session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.status == "claimed",
               Escalation.claimed_by == staff_username)
        .values(status="waiting", claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount)


def announce_claim(session: Session, escalation: Escalation,
                   now: Optional[dt.datetime] = None) -> OutboxMessage:
    """Tell the citizen, in their language, that a named person has joined (once per holder)."""
    name = staff_display_name(session, escalation.claimed_by or "")
    body = handoff_text("joined", escalation.language, name=name)
    return _enqueue(session, escalation, "handoff_joined", body,
                    f"handoff:{escalation.id}:joined:{escalation.claimed_by}", now,
                    {"staff_name": name})


def claim(session: Session, escalation_id: int, staff_username: str,
          now: Optional[dt.datetime] = None) -> Escalation:
    """Reserve and announce in one unit of work (for callers with no bot to pause first)."""
    escalation = reserve(session, escalation_id, staff_username, now)
    announce_claim(session, escalation, now)
    return escalation


def staff_reply(session: Session, escalation_id: int, staff_username: str, text: str,
                now: Optional[dt.datetime] = None, *, client_message_id: str) -> ReplyResult:
    """Queue the caseworker's words to the citizen's own channel, once per client message id."""
    body = (text or "").strip()
    limit = get_settings().max_message_chars
    if not body:
        raise InvalidInput("the reply is empty")
    if len(body) > limit:
        raise InvalidInput(f"the reply is longer than {limit} characters")
    if not CLIENT_MESSAGE_ID.match(client_message_id or ""):
        raise InvalidInput("client_message_id must be 8-80 letters, digits, '-' or '_'")
    escalation = held_by(session, escalation_id, staff_username)
    key = f"handoff:{escalation.id}:reply:{client_message_id}"
    existing = _outbox_by_key(session, key)
    if existing is not None:
        return ReplyResult(existing, False)
    name = staff_display_name(session, staff_username)
    message = _enqueue(session, escalation, "handoff_reply", body, key, now, {"staff_name": name})
    return ReplyResult(message, True)


def hand_back(session: Session, escalation_id: int, staff_username: str,
              now: Optional[dt.datetime] = None) -> Escalation:
    """Close the escalation and tell the citizen the assistant is back (a repeat is a no-op)."""
    escalation = held_by(session, escalation_id, staff_username, or_handed_back=True)
    if escalation.status == "closed":
        return escalation
    escalation.status, escalation.closed_at = "closed", utc_naive(now)
    _enqueue(session, escalation, "handoff_returned",
             handoff_text("returned", escalation.language),
             f"handoff:{escalation.id}:returned", now, {})
    session.flush()
    return escalation


def flag_overdue(session: Session, now: Optional[dt.datetime] = None,
                 minutes: Optional[float] = None, city: Optional[City] = None) -> FlagResult:
    """Flag escalations nobody claimed within `minutes` (settings.escalation_flag_minutes) and,
    while the office is closed, tell each such citizen once when someone will answer.

    A citizen who escalated while the office was already closed was told the same opening time
    by the bot itself (actions/handoff.py), so they are not told twice.
    """
    moment = utc_naive(now)
    limit = get_settings().escalation_flag_minutes if minutes is None else minutes
    city = city or load_city()
    overdue = list(session.execute(
        select(Escalation).where(Escalation.status == "waiting",
                                 Escalation.created_at <= moment - dt.timedelta(minutes=limit))
        .order_by(Escalation.created_at, Escalation.id)
    ).scalars())
    closed = not staffed_now(moment, city)
    told_before = _waiting_told(session, overdue) if closed else set()
    flagged, told = [], []
    for escalation in overdue:
        if escalation.flagged_at is None:
            escalation.flagged_at = moment
            flagged.append(escalation.id)
        if closed and escalation.id not in told_before \
                and _tell_waiting(session, escalation, moment, city):
            told.append(escalation.id)
    session.flush()
    return FlagResult(flagged, told)


def _waiting_key(escalation_id: int) -> str:
    return f"handoff:{escalation_id}:waiting"


def _waiting_told(session: Session, escalations: List[Escalation]) -> Set[int]:
    """Ids of these escalations whose citizen already has a waiting message (one query, as
    every queue poll runs this)."""
    keys = {_waiting_key(item.id): item.id for item in escalations}
    found = session.execute(select(OutboxMessage.dedupe_key)
                            .where(OutboxMessage.dedupe_key.in_(list(keys)))).scalars() if keys else []
    return {keys[key] for key in found}


def _tell_waiting(session: Session, escalation: Escalation, now: dt.datetime, city: City) -> bool:
    """Queue the "someone will answer from ..." message unless the bot already said it."""
    key = _waiting_key(escalation.id)
    opening = next_staffed_time(now, city)
    already_said = (not staffed_now(escalation.created_at, city)
                    and next_staffed_time(escalation.created_at, city) == opening)
    if already_said:
        return False
    body = handoff_text("waiting", escalation.language, when=opening)
    _enqueue(session, escalation, "handoff_waiting", body, key, now,
             {"next_staffed_at": opening.isoformat()})
    return True


def with_caseworker(session: Session, sender_id: str) -> bool:
    """Whether a caseworker holds this conversation now. Rasa unpauses a conversation when it
    starts a new session (SessionStarted resets the tracker), so action_session_start asks
    this and pauses again: a citizen who was quiet for an hour must not get the bot back
    while a person still has them."""
    return session.execute(select(Escalation.id).where(
        Escalation.sender_id == sender_id, Escalation.status == "claimed").limit(1)).first() is not None


def staff_display_name(session: Session, username: str) -> str:
    """The name citizens see ("Ana Silva"); the username when the account is gone."""
    name = session.execute(select(StaffUser.display_name)
                           .where(StaffUser.username == username.lower())).scalar()
    return str(name or username)


def held_by(session: Session, escalation_id: int, staff_username: str,
            *, or_handed_back: bool = False) -> Escalation:
    """The escalation if `staff_username` holds it (or, with or_handed_back, held it until
    they handed it back: a repeated hand back is then a no-op), else EscalationNotHeld."""
    escalation = get_escalation(session, escalation_id)
    if escalation.claimed_by == staff_username and (
            escalation.status == "claimed" or (or_handed_back and escalation.status == "closed")):
        return escalation
    raise EscalationNotHeld(escalation_id, escalation.status, escalation.claimed_by)


def _outbox_by_key(session: Session, key: str) -> Optional[OutboxMessage]:
    return session.execute(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).scalars().first()


def _enqueue(session: Session, escalation: Escalation, kind: str, body: str, key: str,
             now: Optional[dt.datetime], extra: dict) -> OutboxMessage:
    """To the conversation itself: its channel, its sender id (the chat, number or session)."""
    return enqueue(session, channel=escalation.channel, recipient=escalation.sender_id,
                   language=escalation.language, kind=kind, body=body,
                   payload={"escalation_id": escalation.id, **extra}, dedupe_key=key,
                   case_id=escalation.case_id, now=now)
