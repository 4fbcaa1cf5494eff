"""The case database, in SQLAlchemy 2.0 style on 1.4. Schema changes go through Alembic.

Times are stored as naive UTC datetimes; the city's time zone is applied when showing them.
"""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

CASE_STATUSES = ("new", "acknowledged", "in_progress", "resolved", "closed_not_fixed",
                 "duplicate", "referred")


class Service(Base):
    """One entry of the service catalogue (content/services.yml), per-language texts as JSON."""

    __tablename__ = "services"
    code = Column(String(40), primary_key=True)
    department = Column(String(80), nullable=False)
    sla_working_days = Column(Integer, nullable=False)
    names = Column(JSON, nullable=False)  # {"en": "Pothole", ...}
    descriptions = Column(JSON, nullable=False)
    keywords = Column(JSON, nullable=False, default=dict)  # {"en": ["pothole", ...]}
    questions = Column(JSON, nullable=False, default=list)  # [{"code", "prompt": {lang: text}, "required"}]
    active = Column(Boolean, nullable=False, default=True)
    sort_order = Column(Integer, nullable=False, default=0)


class Case(Base):
    """A citizen's report: created once per submission (submission_id is the idempotency key)."""

    __tablename__ = "cases"
    id = Column(Integer, primary_key=True)
    reference = Column(String(20), unique=True, nullable=True)  # set right after insert: C-YYYY-NNNNNN
    submission_id = Column(String(80), unique=True, nullable=False)
    service_code = Column(String(40), ForeignKey("services.code"), nullable=False)
    status = Column(String(20), nullable=False, default="new")
    description = Column(Text, nullable=False, default="")
    address = Column(Text, nullable=True)
    latitude = Column(Float, nullable=True)
    longitude = Column(Float, nullable=True)
    answers = Column(JSON, nullable=False, default=dict)  # follow-up question code -> answer
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(120), nullable=False)  # the conversation id on that channel
    contact = Column(String(120), nullable=True)  # phone number / chat id when the channel has one
    language = Column(String(8), nullable=False, default="en")
    consent_updates = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    expected_by = Column(Date, nullable=True)  # from the service's SLA in working days

    service = relationship("Service", lazy="joined")
    events = relationship("CaseEvent", back_populates="case", order_by="CaseEvent.id")
    attachments = relationship("Attachment", back_populates="case")

    __table_args__ = (Index("ix_cases_sender", "sender_id"), Index("ix_cases_status", "status"))


class CaseEvent(Base):
    """Every change to a case, with who made it and why (the case history)."""

    __tablename__ = "case_events"
    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(30), nullable=False)  # created, status_changed, note, ...
    from_status = Column(String(20), nullable=True)
    to_status = Column(String(20), nullable=True)
    reason = Column(Text, nullable=True)
    actor = Column(String(120), nullable=False)  # "citizen", "system", staff user name
    created_at = Column(DateTime, nullable=False)

    case = relationship("Case", back_populates="events")


class Attachment(Base):
    """A photo a citizen sent; stored on disk by content hash, linked to a case on submission."""

    __tablename__ = "attachments"
    id = Column(String(36), primary_key=True)  # uuid4 hex, handed to the client
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True)
    sender_id = Column(String(120), nullable=False)
    channel = Column(String(20), nullable=False)
    filename = Column(String(255), nullable=True)
    content_type = Column(String(80), nullable=False)
    size_bytes = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    storage_path = Column(String(500), nullable=False)
    created_at = Column(DateTime, nullable=False)

    case = relationship("Case", back_populates="attachments")


class Feedback(Base):
    """What a citizen told us about the service, optionally about one case."""

    __tablename__ = "feedback"
    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True)
    sender_id = Column(String(120), nullable=False)
    channel = Column(String(20), nullable=False)
    text = Column(Text, nullable=False, default="")
    rating = Column(Integer, nullable=True)  # 1-5
    language = Column(String(8), nullable=False, default="en")
    created_at = Column(DateTime, nullable=False)


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


class FaqEntry(Base):
    """A policy topic the communications team owns; its content lives in versions."""

    __tablename__ = "faq_entries"
    id = Column(Integer, primary_key=True)
    topic = Column(String(80), unique=True, nullable=False)
    state = Column(String(20), nullable=False, default="draft")  # draft, published, archived
    current_version = Column(Integer, nullable=False, default=1)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)

    versions = relationship("FaqVersion", back_populates="entry", order_by="FaqVersion.version")


class FaqVersion(Base):
    """One saved version of an FAQ entry; every version is kept so any can be restored."""

    __tablename__ = "faq_versions"
    id = Column(Integer, primary_key=True)
    entry_id = Column(Integer, ForeignKey("faq_entries.id", ondelete="CASCADE"), nullable=False)
    version = Column(Integer, nullable=False)
    questions = Column(JSON, nullable=False)  # {"en": ["when is my bin day", ...]}
    answers = Column(JSON, nullable=False)  # {"en": "Bins are collected ..."}
    links = Column(JSON, nullable=False, default=list)  # [{"title", "url"}]
    created_by = Column(String(120), nullable=False)
    created_at = Column(DateTime, nullable=False)

    entry = relationship("FaqEntry", back_populates="versions")

    __table_args__ = (UniqueConstraint("entry_id", "version", name="uq_faq_version"),)



# --- SMS opt-outs (migration 0002) ---
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
