"""Cases and what hangs off them: the service catalogue, each case's history, photos,
followers and feedback."""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint, true)
from sqlalchemy.orm import relationship

from bot.models.base import Base

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
    # Whether the report form asks for a photo (not of noise): migration 0011.
    asks_for_photos = Column(Boolean, nullable=False, default=True, server_default=true())
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
    # migration 0003: the citizen's side after "resolved", merges, Open311 reporters
    merged_into_id = Column(Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True)
    fix_confirmation = Column(String(20), nullable=True)  # asked, confirmed, not_fixed
    satisfaction = Column(Integer, nullable=True)  # 1-5, asked after resolved
    reporter = Column(JSON, nullable=True)  # Open311 contact fields; never shown on GET
    media_url = Column(Text, nullable=True)  # a public photo URL an Open311 client hosts
    anonymised_at = Column(DateTime, nullable=True)  # migration 0004: personal data removed

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
    reason = Column(Text, nullable=True)  # the caseworker's own words, as typed
    reason_code = Column(String(40), nullable=True)  # a standard reason, bot.status_reasons
    actor = Column(String(120), nullable=False)  # "citizen", "system", staff user name
    created_at = Column(DateTime, nullable=False)
    # a citizen note's author (bot.privacy_subject.subject_hash): the reporter or a follower,
    # found by their export and erasure on any case
    author_hash = Column(String(64), nullable=True, index=True)

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


class CaseFollower(Base):
    """A citizen who follows a case they did not open (a duplicate report, a merge): they get
    the same updates as the reporter, on their own channel and in their own language."""

    __tablename__ = "case_followers"
    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(120), nullable=False)
    contact = Column(String(120), nullable=True)
    language = Column(String(8), nullable=False, default="en")
    consent_updates = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False)

    __table_args__ = (UniqueConstraint("case_id", "channel", "sender_id", name="uq_case_follower"),)


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
    created_at = Column(DateTime, nullable=False, index=True)
    # Read in the console's feedback inbox (bot.feedback_inbox): by whom, when, and the
    # city's answer sent back to the citizen, if any.
    handled_at = Column(DateTime, nullable=True)
    handled_by = Column(String(80), nullable=True)
    reply = Column(Text, nullable=True)
