"""Staff and accountability: console users, their sessions and sign-in attempts, the audit
log, API keys, and the record of each privacy request."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String

from bot.models.base import Base


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
