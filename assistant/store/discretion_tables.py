"""裁量基准 tables (domain-spec §4): benchmarks, their bands, the statutory factor table,
首违不罚 list entries and the discretion record of a case (peer statistics read it)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.base import Base


class DiscretionBenchmarkRow(Base):
    __tablename__ = "discretion_benchmark"
    __table_args__ = (Index("ix_discretion_benchmark_code", "violation_code"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_key: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    agency: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    region: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    version: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    violation_code: Mapped[str] = mapped_column(String(80), nullable=False)
    violation_name: Mapped[str] = mapped_column(Text, nullable=False)
    effective_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    published_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    publish_url: Mapped[str] = mapped_column(Text, nullable=False, default="")
    violated_provisions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    penalty_provisions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    penalty_types: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    fine_unit: Mapped[str] = mapped_column(String(40), nullable=False, default="CNY")
    stat_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    stat_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    accessories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    factors: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    citations: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    legal_basis_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    imported_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    bands: Mapped[list["BenchmarkBandRow"]] = relationship(
        back_populates="benchmark", cascade="all, delete-orphan", order_by="BenchmarkBandRow.order")


class BenchmarkBandRow(Base):
    __tablename__ = "benchmark_band"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    benchmark_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("discretion_benchmark.id", ondelete="CASCADE"), nullable=False, index=True)
    order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    level: Mapped[str] = mapped_column(String(80), nullable=False)
    conditions_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    conditions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    min: Mapped[float | None] = mapped_column(Float, nullable=True)
    max: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str] = mapped_column(String(40), nullable=False, default="CNY")
    penalty_types: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    extra_penalties: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    measures: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    standard_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    branch: Mapped[str] = mapped_column(Text, nullable=False, default="")
    hearing_trigger: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_trigger: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    source_row: Mapped[str] = mapped_column(Text, nullable=False, default="")

    benchmark: Mapped[DiscretionBenchmarkRow] = relationship(back_populates="bands")


class DiscretionFactorRow(Base):
    __tablename__ = "discretion_factor"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    effect: Mapped[str] = mapped_column(String(8), nullable=False)
    legal_source: Mapped[str] = mapped_column(Text, nullable=False)
    evidence_required: Mapped[str] = mapped_column(Text, nullable=False, default="")
    mandatory: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    allows_mitigation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    quote: Mapped[str] = mapped_column(Text, nullable=False, default="")


class FirstOffenceRow(Base):
    __tablename__ = "first_offence_entry"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_key: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    agency: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    list_name: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[str] = mapped_column(Text, nullable=False, default="")
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    violation_name: Mapped[str] = mapped_column(Text, nullable=False)
    violated_provisions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    conditions_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    conditions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    requires: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    effective_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    published_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")


class CaseDiscretionRow(Base):
    """The recommendation adopted for a case (case_discretion in domain-spec §4)."""

    __tablename__ = "case_discretion"
    __table_args__ = (Index("ix_case_discretion_code_band", "violation_code", "band"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    benchmark_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    violation_code: Mapped[str | None] = mapped_column(String(80), nullable=True)
    band: Mapped[str | None] = mapped_column(String(80), nullable=True)
    factors: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    computed_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    computed_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    proposed: Mapped[float | None] = mapped_column(Float, nullable=True)
    explanation: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    peer_stats: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
