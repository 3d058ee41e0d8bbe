"""Tables of 全过程记录 (process records), interview transcripts with their edit log, the
音像记录事项清单 (``av_rules``) and the 调阅 register (``access_requests``).

Cases, parties and agencies are referenced by integer id without hard foreign keys so that records
can be ingested before 立案 (provisional case ids, spec §7) and the tables stand alone in tests.
Rows of ``process_records``, ``transcripts`` and ``transcript_edits`` are append-only: the services
in :mod:`assistant.records` never update or delete them (except linking fields documented there).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.base import Base


class ProcessRecord(Base):
    """One 全过程记录: kind ∈ text / audio / video / photo. ``sha256`` names the stored file
    (content-addressed, see :class:`assistant.records.FileStore`)."""

    __tablename__ = "process_records"
    __table_args__ = (Index("ix_process_records_case", "case_id"), Index("ix_process_records_party", "party_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, nullable=False)  # 案件编号 (id in cases)
    party_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    agency_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # owning unit (调阅)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    activity: Mapped[str | None] = mapped_column(String(40), nullable=True)  # e.g. 调查取证 (av_rules)
    captured_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # 采集时间
    captured_end: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    location: Mapped[str] = mapped_column(String(300), nullable=False)  # 采集地点
    collector: Mapped[str] = mapped_column(String(100), nullable=False)  # 采集人
    proof_object: Mapped[str] = mapped_column(String(300), nullable=False)  # 证明对象
    device: Mapped[str | None] = mapped_column(String(100), nullable=True)
    format: Mapped[str] = mapped_column(String(16), nullable=False)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)  # seconds
    gps: Mapped[str | None] = mapped_column(String(64), nullable=True)  # "lat,lon"
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    retention: Mapped[str] = mapped_column(String(40), nullable=False, default="永久")
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    text_record_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 与文字记录衔接
    ingested_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ingested_by: Mapped[str] = mapped_column(String(64), nullable=False)
    handover_late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class TranscriptRow(Base):
    """Machine transcript of an audio record: ``machine_json`` is immutable (its sha256 is kept);
    the officer's corrections live in :class:`TranscriptEdit`."""

    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    audio_record_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    model: Mapped[str] = mapped_column(String(100), nullable=False)
    machine_json: Mapped[str] = mapped_column(Text, nullable=False)
    machine_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    initial_turns: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)


class TranscriptEdit(Base):
    __tablename__ = "transcript_edits"
    __table_args__ = (UniqueConstraint("transcript_id", "seq", name="uq_transcript_edits_transcript_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transcript_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    op: Mapped[str] = mapped_column(String(8), nullable=False)
    turn_index: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[str] = mapped_column(Text, nullable=False)
    after: Mapped[str] = mapped_column(Text, nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class AvRule(Base):
    """音像记录事项清单: activity → 全程 | 根据实际 | 可不录, per agency (``agency_id`` NULL = the
    default list loaded from ``assistant/av_rules.json``); ``source`` names the seed or article."""

    __tablename__ = "av_rules"
    __table_args__ = (UniqueConstraint("agency_id", "activity", name="uq_av_rules_agency_activity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    activity: Mapped[str] = mapped_column(String(40), nullable=False)
    requirement: Mapped[str] = mapped_column(String(8), nullable=False)
    source: Mapped[str] = mapped_column(String(200), nullable=False)


class AccessRequest(Base):
    """调阅登记: request → approval by the configured role → issue → return and check."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester: Mapped[str] = mapped_column(String(64), nullable=False)
    requester_unit: Mapped[int | None] = mapped_column(Integer, nullable=True)  # agency id
    owner_unit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scope: Mapped[str] = mapped_column(String(8), nullable=False)  # 内部 | 外部
    purpose: Mapped[str] = mapped_column(String(300), nullable=False)
    record_ids: Mapped[list] = mapped_column(JSON, nullable=False)
    mode: Mapped[str] = mapped_column(String(8), nullable=False)  # view | copy | loan
    letter_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 调阅函 (external)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    requested_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    approver: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approver_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    return_check: Mapped[str | None] = mapped_column(String(300), nullable=True)
    return_checked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
