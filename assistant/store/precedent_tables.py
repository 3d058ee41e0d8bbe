"""Precedent cases: decided cases of this product (automatically) and imported past decisions."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.base import Base


class PrecedentRow(Base):
    __tablename__ = "precedents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # case | import | demo
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    document_no: Mapped[str | None] = mapped_column(String(120))
    agency: Mapped[str | None] = mapped_column(String(120))
    decided_on: Mapped[date | None] = mapped_column(Date)
    party_kind: Mapped[str | None] = mapped_column(String(16))
    party_public_name: Mapped[str | None] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text, nullable=False, default="")
    violated: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    penalty: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    violated_article_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    penalty_article_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    penalty_types: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    fine: Mapped[float | None] = mapped_column(Float)
    confiscation: Mapped[float | None] = mapped_column(Float)
    illegal_gains: Mapped[float | None] = mapped_column(Float)
    goods_value: Mapped[float | None] = mapped_column(Float)
    construction_cost: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(16))
    violation_code: Mapped[str | None] = mapped_column(String(64))
    missing: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    source_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
