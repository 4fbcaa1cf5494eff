"""The case database, in SQLAlchemy 2.0 style on 1.4. Schema changes go through Alembic.

Times are stored as naive UTC datetimes; the city's time zone is applied when showing them.
The tables live in one module per concern. Every one is importable from here, and importing
this package registers them all on `Base`, which Alembic and the relationships rely on.
"""
from bot.models.base import Base
from bot.models.cases import (CASE_STATUSES, Attachment, Case, CaseEvent, CaseFollower,
                              Feedback, Service)
from bot.models.faq import FaqEntry, FaqQuery, FaqVersion
from bot.models.messages import (BlockedSender, ButtonPayload, Escalation, InboundMessage,
                                 OptOut, OutboxMessage)
from bot.models.staff import (ApiKey, AuditEntry, LoginAttempt, PrivacyRequest, StaffSession,
                              StaffUser)

__all__ = ["Base", "CASE_STATUSES", "Attachment", "Case", "CaseEvent", "CaseFollower",
           "Feedback", "Service", "FaqEntry", "FaqQuery", "FaqVersion", "BlockedSender",
           "ButtonPayload", "Escalation", "InboundMessage", "OptOut", "OutboxMessage", "ApiKey",
           "AuditEntry", "LoginAttempt", "PrivacyRequest", "StaffSession", "StaffUser"]
