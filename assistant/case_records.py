"""Case records: parties (一户式), violations, evidence (第四十六条) and handlers (第四十二条).

Part of the case service; import through :mod:`assistant.cases`, which re-exports every name here.
Each function writes in the caller's transaction with its audit entry.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import lifecycle as lc
from assistant import roles
from assistant.audit import log_action
from assistant.case_queries import _context, _is_handler, _user, get_case
from assistant.data import load
from assistant.errors import GateRefused, InputError, PermissionDenied
from assistant.parties import NATURAL_PERSON, PartyInput, id_hash
from assistant.store.case_tables import CaseHandler, CaseParty, Evidence, Party, Violation

EVIDENCE_TYPES = tuple(t["name"] for t in load("evidence_types.json")["types"])


def _require_handler(session: Session, case_id: int, actor: str, what: str) -> None:
    """Only the case's own 承办人 register violations and evidence (第四十二条: 执法人员调查取证)."""
    user = _user(session, actor)
    if not _is_handler(session, case_id, user.id):
        raise PermissionDenied(f"“{actor}”不是本案承办人，不能{what}（《中华人民共和国行政处罚法》第四十二条）")


def _audit_name(kind: str, name: str) -> str:
    """Audit entries never carry a natural person's name: keep the surname only (张三 → 张某)."""
    if kind != NATURAL_PERSON:
        return name
    from assistant.redaction import mask_person_name

    return mask_person_name(name)


def add_party(session: Session, case_id: int, party: PartyInput, *, actor: str, salt: str) -> Party:
    """Register a party (validated); the same credit code / ID number reuses one party (一户式)."""
    case = get_case(session, case_id)
    p = party.validated()
    hashed = id_hash(p.id_number, salt) if p.id_number else None
    if p.id_number and not salt:
        raise InputError("缺少身份证号加盐哈希所用的盐（settings.salt()）", field="salt")
    existing = None
    if p.credit_code:
        existing = session.execute(select(Party).where(Party.credit_code == p.credit_code)).scalars().first()
    elif hashed:
        existing = session.execute(select(Party).where(Party.id_hash == hashed)).scalars().first()
    row = existing or Party(kind=p.kind, name=p.name, id_number=p.id_number, id_hash=hashed, credit_code=p.credit_code,
                            address=p.address, legal_representative=p.legal_representative, phone=p.phone)
    if existing is None:
        session.add(row)
        session.flush()
    if not session.execute(select(CaseParty).where(CaseParty.case_id == case.id, CaseParty.party_id == row.id)).first():
        session.add(CaseParty(case_id=case.id, party_id=row.id))
    session.flush()
    log_action(session, case_id=case.id, actor=actor, action="case.add_party",
               detail={"party_id": row.id, "kind": row.kind, "name": _audit_name(row.kind, row.name),
                       "reused": existing is not None})
    return row


def add_violation(session: Session, case_id: int, *, actor: str, description: str, violated_provision: str,
                  penalty_provision: str, violated_article_ids: list | None = None,
                  penalty_article_ids: list | None = None, benchmark_ref: str | None = None,
                  quantities: dict | None = None) -> Violation:
    case = get_case(session, case_id)
    _require_handler(session, case.id, actor, "登记违法行为")
    if not (description or "").strip():
        raise InputError("违法行为描述不能为空", field="description")
    row = Violation(case_id=case.id, description=description.strip(), violated_provision=(violated_provision or "").strip(),
                    penalty_provision=(penalty_provision or "").strip(), violated_article_ids=list(violated_article_ids or []),
                    penalty_article_ids=list(penalty_article_ids or []), benchmark_ref=benchmark_ref,
                    quantities=dict(quantities or {}))
    session.add(row)
    session.flush()
    log_action(session, case_id=case.id, actor=actor, action="case.add_violation",
               detail={"violation_id": row.id, "violated_provision": row.violated_provision,
                       "penalty_provision": row.penalty_provision})
    return row


def add_evidence(session: Session, case_id: int, *, actor: str, type: str, title: str, description: str = "",
                 source: str = "", collected_at: datetime | None = None, file_sha256: str | None = None,
                 file_path: str | None = None) -> Evidence:
    case = get_case(session, case_id)
    _require_handler(session, case.id, actor, "登记证据")
    if type not in EVIDENCE_TYPES:
        raise InputError(f"证据种类“{type}”不在《中华人民共和国行政处罚法》第四十六条所列之内：{'、'.join(EVIDENCE_TYPES)}",
                         field="type")
    if not (title or "").strip():
        raise InputError("证据名称不能为空", field="title")
    row = Evidence(case_id=case.id, type=type, title=title.strip(), description=description, source=source,
                   collected_by=actor, collected_at=collected_at, file_sha256=file_sha256, file_path=file_path)
    session.add(row)
    session.flush()
    log_action(session, case_id=case.id, actor=actor, action="case.add_evidence",
               detail={"evidence_id": row.id, "type": type, "sha256": file_sha256})  # title may name a witness
    return row


def assign_handlers(session: Session, case_id: int, usernames: list[str], *, actor: str,
                    today: date | None = None) -> list[str]:
    """Add handlers; the case must keep ≥2 handlers with valid credentials (第四十二条)."""
    case = get_case(session, case_id)
    actor_user = _user(session, actor)
    if roles.HEAD not in actor_user.role_names and not _is_handler(session, case.id, actor_user.id):
        raise GateRefused("只有机关负责人或本案承办人可以指派承办人", article=lc.art("第四十二条"), gate="assign")
    added = []
    for name in dict.fromkeys(usernames):
        u = _user(session, name)
        if roles.HANDLER not in u.role_names:
            raise InputError(f"“{u.username}”不具有承办人角色", field="handlers")
        if u.id == case.hearing_host_id:
            raise GateRefused("听证主持人不得为本案调查人员", article=lc.art("第六十四条第（四）项"), gate="host")
        if not _is_handler(session, case.id, u.id):
            session.add(CaseHandler(case_id=case.id, user_id=u.id, assigned_by=actor))
            added.append(u.username)
    session.flush()
    lc.run_gate("two_handlers", _context(session, case, actor, {}, today or date.today()))
    log_action(session, case_id=case.id, actor=actor, action="case.assign_handlers", detail={"added": added})
    return added
