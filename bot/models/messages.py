"""Messages in and out of the citizen channels: inbound turns, the outbox, escalations to a
person, opt-outs, blocked senders and the short ids behind chat buttons."""
from __future__ import annotations

from sqlalchemy import (JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)

from bot.models.base import Base


class InboundMessage(Base):
    """Every message a provider delivered, recorded before it is acknowledged.

    (channel, external_id) is the idempotency key: a provider retry finds the row and is not
    processed again; `replies` keeps what the bot answered so a retry gets the same answer.
    """

    __tablename__ = "inbound_messages"
    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    external_id = Column(String(200), nullable=False)
    sender_id = Column(String(120), nullable=False)
    text = Column(Text, nullable=True)
    payload = Column(JSON, nullable=False, default=dict)
    replies = Column(JSON, nullable=True)
    status = Column(String(20), nullable=False, default="received")  # received, processed, failed
    received_at = Column(DateTime, nullable=False)
    processed_at = Column(DateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_inbound_channel_external_id"),
        Index("ix_inbound_sender", "channel", "sender_id", "id"),
    )


class OutboxMessage(Base):
    """A message to a citizen, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True)
    dedupe_key = Column(String(200), unique=True, nullable=False)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True)
    channel = Column(String(20), nullable=False)
    recipient = Column(String(120), nullable=False)
    language = Column(String(8), nullable=False, default="en")
    kind = Column(String(40), nullable=False)  # status_update, handoff_reply, ...
    body = Column(Text, nullable=False)
    payload = Column(JSON, nullable=False, default=dict)
    status = Column(String(20), nullable=False, default="pending")  # pending, sent, failed, suppressed
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False)
    last_error = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False)
    sent_at = Column(DateTime, nullable=True)

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


class Escalation(Base):
    """A conversation waiting for a person, with the transcript at the time it was raised."""

    __tablename__ = "escalations"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(120), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    language = Column(String(8), nullable=False, default="en")
    reason = Column(String(30), nullable=False)  # requested, misunderstood, low_confidence
    transcript = Column(JSON, nullable=False, default=list)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True)
    status = Column(String(20), nullable=False, default="waiting")  # waiting, claimed, closed
    claimed_by = Column(String(120), nullable=True)
    created_at = Column(DateTime, nullable=False)
    claimed_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)
    flagged_at = Column(DateTime, nullable=True)  # migration 0003: unclaimed past the limit


class OptOut(Base):
    """A number that said STOP: nothing more is sent to it on that channel until it says START.

    One row per (channel, address); opting in again keeps the row (opted_in_at set) as a
    record of consent, and a later STOP clears opted_in_at again.
    """

    __tablename__ = "opt_outs"
    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    address = Column(String(120), nullable=False)  # E.164 phone number
    keyword = Column(String(20), nullable=False)  # the word that opted the number out
    opted_out_at = Column(DateTime, nullable=False)
    opted_in_at = Column(DateTime, nullable=True)

    __table_args__ = (UniqueConstraint("channel", "address", name="uq_opt_outs_channel_address"),)


# --- Staff console, audit, Open311 keys, case followers (migration 0003) ---
STAFF_ROLES = ("caseworker", "comms", "admin")


class BlockedSender(Base):
    """A sender staff have blocked on one channel: their messages are acknowledged to the
    provider (so it stops retrying) but never reach the assistant or become cases."""

    __tablename__ = "blocked_senders"
    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(120), nullable=False)
    reason = Column(Text, nullable=False)
    created_by = Column(String(80), nullable=False)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=True)  # None: until removed
    removed_at = Column(DateTime, nullable=True)

    __table_args__ = (Index("ix_blocked_senders_lookup", "channel", "sender_id"),)


class ButtonPayload(Base):
    """A button payload too long for a channel's button data (Telegram allows 64 bytes), kept
    under its short key so whichever replica receives the press can read it back."""

    __tablename__ = "button_payloads"
    key = Column(String(40), primary_key=True)  # "k:" + 32 hex digits of the payload's sha256
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
