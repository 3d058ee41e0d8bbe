"""Tables of 公示 (publication register) and 案例教学 (teaching cases).

Only public (redacted) content is stored here: the original decision stays in the case store.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.base import Base


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Publication(Base):
    """One decision in the 公示 register.

    ``state``: pending → previewed → published → corrected → withdrawn.
    ``due_on``: publication deadline (7 / 20 working days); ``withdraw_due_on``: set when the
    decision is revoked or changed (stricter of 行政处罚法 第四十八条 and the local rule).
    """

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    agency: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    document_number: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_basis: Mapped[str] = mapped_column(Text, nullable=False, default="")
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    public_fields: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    redaction_counts: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    previewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    previewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdraw_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    withdraw_basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdraw_explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now, onupdate=_now)

    events: Mapped[list["PublicationEvent"]] = relationship(
        back_populates="publication", cascade="all, delete-orphan", order_by="PublicationEvent.id")


class PublicationEvent(Base):
    """Every state change and every correction ([003]: 更正记录)."""

    __tablename__ = "publication_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    from_state: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    to_state: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    old_hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    new_hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")

    publication: Mapped[Publication] = relationship(back_populates="events")


class TeachingCaseRow(Base):
    """案例教学: a draft built from a decided case; released after approval by a 培训员 or
    法制审核人员 who did not handle the case. ``content`` is redacted only."""

    __tablename__ = "teaching_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    content: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    handlers: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
