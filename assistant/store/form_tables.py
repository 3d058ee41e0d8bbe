"""Pre-numbered 简易程序 forms (行政处罚法 第五十二条: 「预定格式、编有号码」的行政处罚决定书).

- :class:`FormPool` — one batch of pre-printed numbers issued to one officer (承办人): a consecutive
  serial range of the agency's 行政处罚决定书 sequence (类别字 ``罚``) for one year.
- :class:`SimpleForm` — one number of a pool and its state: 未使用 / 已使用 (by a case) / 已作废
  (reason, actor, time). Every number is also in the number register (``issued_numbers``), so the
  register stays gap-free and a voided number is never issued again.

See :mod:`assistant.simple_forms` for the service.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.base import Base


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class FormPool(Base):
    """A batch of pre-numbered 当场处罚决定书 issued to one officer."""

    __tablename__ = "form_pools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), nullable=False)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    number_kind: Mapped[str] = mapped_column(String(8), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    first_serial: Mapped[int] = mapped_column(Integer, nullable=False)
    last_serial: Mapped[int] = mapped_column(Integer, nullable=False)
    issued_by: Mapped[str] = mapped_column(String(64), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class SimpleForm(Base):
    """One pre-printed number. ``state`` ∈ 未使用 / 已使用 / 已作废."""

    __tablename__ = "simple_forms"
    __table_args__ = (UniqueConstraint("issued_id", name="uq_simple_forms_issued_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("form_pools.id"), nullable=False, index=True)
    issued_id: Mapped[int] = mapped_column(ForeignKey("issued_numbers.id"), nullable=False)
    number: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    serial: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(8), nullable=False, default="未使用")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    used_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    voided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


__all__ = ["FormPool", "SimpleForm"]
