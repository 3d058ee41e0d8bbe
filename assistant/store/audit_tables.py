"""The append-only audit log, hash-chained per case (执法全过程记录; tamper evidence)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.base import Base


class AuditEntry(Base):
    """One action on a case. ``chain_key`` is ``case:<id>`` or ``global`` for actions without a
    case; ``seq`` counts from 1 within a chain; ``entry_hash`` = sha256(prev_hash + canonical
    JSON of the entry's fields) — see :mod:`assistant.audit`."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_chain_seq", "chain_key", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_key: Mapped[str] = mapped_column(String(64), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    detail: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditHead(Base):
    """The anchor of one chain: how many entries it has and the hash of the newest one. Updated in
    the same transaction as every append (:func:`assistant.audit.log_action`), so deleting the
    newest entries of a chain (which a hash chain alone cannot see) no longer matches the head."""

    __tablename__ = "audit_heads"

    chain_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    entries: Mapped[int] = mapped_column(Integer, nullable=False)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
