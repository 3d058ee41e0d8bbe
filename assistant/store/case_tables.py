"""Tables of the case store: agencies, users and roles, parties, cases and their handlers,
violations, evidence, documents (versioned, never overwritten), state events, statements, reviews,
and the number registers (sequences, issued and voided numbers).

Identifiers follow GLOSSARY.md. Personal identifiers (``Party.id_number``, ``phone``, ``address``)
are stored but never logged; ``Party.id_hash`` (salted sha256) is the 一户式 key.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.store.base import Base


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Agency(Base):
    """行政机关. ``code`` is the 机关代字 used in numbers; ``settings`` holds per-agency
    configuration (numbering template, hearing thresholds, review rule table version, statement
    period…) — see :mod:`assistant.cases` for the keys."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    region: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    settings: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class User(Base):
    """执法人员 and other users. ``credential_no`` is the 执法证号 (第四十二条 qualification)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    credential_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    credential_expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    enforcement_categories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    legal_qualification: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)

    roles: Mapped[list["UserRole"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)


class Party(Base):
    """当事人. kind ∈ 自然人 / 法人 / 其他组织."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    legal_representative: Mapped[str | None] = mapped_column(String(100), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class Case(Base):
    """案件. ``state`` is a lifecycle state name (:mod:`assistant.lifecycle`); ``procedure`` is
    普通 or 简易. ``notice`` / ``decision`` hold the proposed and decided penalty as JSON
    (``{"types": [...], "fine": 0, "confiscation": 0, ...}``)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), nullable=False)
    cause: Mapped[str] = mapped_column(String(300), nullable=False)
    procedure: Mapped[str] = mapped_column(String(8), nullable=False, default="普通")
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    violation_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    hearing_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_reasons: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    collective_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    major: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    multi_relation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    public_interest: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notice: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    notice_served_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    statement_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    statement_waived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    hearing_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    hearing_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    hearing_host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    hearing_held: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    hearing_waived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_passed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    review_passed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    collective_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    extension_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    extension_basis: Mapped[str | None] = mapped_column(String(300), nullable=True)
    decision: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    decision_number: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    served_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    preserved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now, onupdate=_now)


class CaseParty(Base):
    __tablename__ = "case_parties"
    __table_args__ = (UniqueConstraint("case_id", "party_id", name="uq_case_parties_case_party"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="当事人")


class CaseHandler(Base):
    """承办人 of a case (第四十二条: 执法人员不得少于两人)."""

    __tablename__ = "case_handlers"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_case_handlers_case_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    assigned_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)
    assigned_by: Mapped[str] = mapped_column(String(64), nullable=False)


class Violation(Base):
    """违法行为. Citations are kept as text and as statute-store article ids."""

    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    violated_provision: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    penalty_provision: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    violated_article_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    penalty_article_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    benchmark_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    quantities: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class Evidence(Base):
    """证据. ``type`` is one of the kinds of 行政处罚法 第四十六条."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    collected_by: Mapped[str] = mapped_column(String(64), nullable=False)
    collected_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class Document(Base):
    """文书; its content lives in :class:`DocumentVersion` rows that are never overwritten."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    number: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class DocumentVersion(Base):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version_no", name="uq_document_versions_doc_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    version_no: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class CaseEvent(Base):
    """A state transition (or other lifecycle event) with its actor and legal basis."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, default="transition")
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)
    article: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    payload: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)


class CaseStatement(Base):
    """陈述、申辩、放弃, 听证申请 and 复核意见 of a case."""

    __tablename__ = "case_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class CaseReview(Base):
    """One round of 法制审核 (every round kept as its own row)."""

    __tablename__ = "case_reviews"
    __table_args__ = (UniqueConstraint("case_id", "round", name="uq_case_reviews_case_round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    result: Mapped[str] = mapped_column(String(16), nullable=False)
    opinion: Mapped[str] = mapped_column(Text, nullable=False, default="")
    findings: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


class NumberSequence(Base):
    """Last serial issued per agency, 类别字 and year (gap-free; one row locked per allocation)."""

    __tablename__ = "number_sequences"
    __table_args__ = (UniqueConstraint("agency_id", "kind", "year", name="uq_number_sequences_agency_kind_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class IssuedNumber(Base):
    """Every number ever issued (the register that proves there are no gaps or duplicates)."""

    __tablename__ = "issued_numbers"
    __table_args__ = (
        UniqueConstraint("agency_id", "kind", "year", "serial", name="uq_issued_numbers_agency_kind_year_serial"),
        Index("ix_issued_numbers_number", "number", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    serial: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str] = mapped_column(String(100), nullable=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    issued_by: Mapped[str] = mapped_column(String(64), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)
    voided: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class VoidedNumber(Base):
    """作废文号登记: a voided number stays in the register and is never issued again."""

    __tablename__ = "voided_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issued_id: Mapped[int] = mapped_column(ForeignKey("issued_numbers.id"), nullable=False, unique=True)
    number: Mapped[str] = mapped_column(String(100), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    voided_by: Mapped[str] = mapped_column(String(64), nullable=False)
    voided_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=_now)


__all__ = ["Agency", "User", "UserRole", "Party", "Case", "CaseParty", "CaseHandler", "Violation",
           "Evidence", "Document", "DocumentVersion", "CaseEvent", "CaseStatement", "CaseReview",
           "NumberSequence", "IssuedNumber", "VoidedNumber"]
