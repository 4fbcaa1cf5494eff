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
    flagged_at = Column(DateTime, nullable=True)  # migration 0003: unclaimed past the limit


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
    # migration 0003: the version citizens are served, so a draft edit of a published entry
    # does not go live until it is published (None: never published)
    published_version = Column(Integer, nullable=True)

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


# --- Staff console, audit, Open311 keys, case followers (migration 0003) ---
STAFF_ROLES = ("caseworker", "comms", "admin")


class StaffUser(Base):
    """A member of staff who signs in to the console. No default accounts exist.

    `department` scopes a caseworker to one department's cases (content/services.yml names);
    admins and comms staff have none.
    """

    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(80), unique=True, nullable=False)  # stored lower-cased
    display_name = Column(String(120), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(20), nullable=False)
    department = Column(String(80), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False)
    password_changed_at = Column(DateTime, nullable=False)
    last_login_at = Column(DateTime, nullable=True)


class StaffSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored, so a leaked table
    cannot be replayed; every console replica sees the same sessions."""

    __tablename__ = "staff_sessions"
    id = Column(String(64), primary_key=True)  # sha256 hex of the cookie token
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False,
                     index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime, nullable=True)


class LoginAttempt(Base):
    """Every sign-in attempt, for throttling repeated failures per account and per address."""

    __tablename__ = "login_attempts"
    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False)
    ip = Column(String(64), nullable=False)
    succeeded = Column(Boolean, nullable=False)
    at = Column(DateTime, nullable=False)

    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),
                      Index("ix_login_attempts_ip_at", "ip", "at"))


class AuditEntry(Base):
    """One staff action: who did what to which record, when, with the before and after."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    actor = Column(String(80), nullable=False)  # staff username, or "system"
    action = Column(String(60), nullable=False)  # e.g. case.status_changed, staff.created
    target_type = Column(String(40), nullable=False)
    target_id = Column(String(80), nullable=False)
    before = Column(JSON, nullable=True)
    after = Column(JSON, nullable=True)
    ip = Column(String(64), nullable=True)


class ApiKey(Base):
    """An Open311 client's key; only its hash is stored. Created and revoked by admins."""

    __tablename__ = "api_keys"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    prefix = Column(String(12), nullable=False)  # first characters, to recognise a key in lists
    key_hash = Column(String(64), unique=True, nullable=False)
    rate_limit_per_minute = Column(Integer, nullable=False, default=60)
    created_by = Column(String(80), nullable=False)
    created_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime, nullable=True)


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


class FaqQuery(Base):
    """Every policy question the bot was asked, with what it answered (or that it could not),
    so the communications team sees the gaps and answers served from a replaced version."""

    __tablename__ = "faq_queries"
    id = Column(Integer, primary_key=True)
    asked_at = Column(DateTime, nullable=False, index=True)
    question = Column(Text, nullable=False)
    language = Column(String(8), nullable=False)
    channel = Column(String(20), nullable=True)
    entry_id = Column(Integer, ForeignKey("faq_entries.id", ondelete="SET NULL"), nullable=True,
                      index=True)
    version = Column(Integer, nullable=True)
    score = Column(Float, nullable=True)
    answered = Column(Boolean, nullable=False)
    # The citizen's "did that answer your question?" (migration 0007); None: not said.
    helpful = Column(Boolean, nullable=True)
    rated_at = Column(DateTime, nullable=True)


# --- Abuse and privacy (migration 0004) ---
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


class PrivacyRequest(Base):
    """A data export or deletion, asked by a citizen or run by staff; kept as proof it was
    done, holding a one-way hash of the identifier instead of the identifier itself."""

    __tablename__ = "privacy_requests"
    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)  # export, deletion, retention
    channel = Column(String(20), nullable=True)
    subject_hash = Column(String(64), nullable=True)
    requested_by = Column(String(80), nullable=False)  # "citizen", staff username, "retention"
    summary = Column(JSON, nullable=False, default=dict)  # counts of what was exported/removed
    created_at = Column(DateTime, nullable=False)
    completed_at = Column(DateTime, nullable=True)


class ButtonPayload(Base):
    """A button payload too long for a channel's button data (Telegram allows 64 bytes), kept
    under its short key so whichever replica receives the press can read it back."""

    __tablename__ = "button_payloads"
    key = Column(String(40), primary_key=True)  # "k:" + 32 hex digits of the payload's sha256
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
