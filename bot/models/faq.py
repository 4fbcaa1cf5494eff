"""The policy answers the communications team keeps (versioned), and every question asked."""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import relationship

from bot.models.base import Base


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
    # The entries offered as "did you mean" (migration 0009), best first; None: none offered.
    # A citizen's pick sets entry_id and answered on the same row.
    suggested_entries = Column(JSON, nullable=True)


# --- Abuse and privacy (migration 0004) ---
