"""Hash-chained audit log: every action on a case (create, edit, submit, review, decide, view,
download, export) is appended here by the service that performs it.

    log_action(session, case_id=7, actor="zhang3", action="case.create", detail={...})

The entry is added to the caller's session and commits with the caller's transaction, so an action
and its audit entry are saved together or not at all. Never put personal identifiers in ``detail``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.audit_tables import AuditEntry

GENESIS = "0" * 64


def chain_key(case_id: int | None) -> str:
    return f"case:{case_id}" if case_id is not None else "global"


def entry_digest(prev_hash: str, *, chain: str, seq: int, case_id: int | None, at: datetime,
                 actor: str, action: str, detail: dict) -> str:
    payload = json.dumps(
        {"chain": chain, "seq": seq, "case_id": case_id, "at": at.isoformat(timespec="microseconds"),
         "actor": actor, "action": action, "detail": detail},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def log_action(session: Session, *, case_id: int | None, actor: str, action: str,
               detail: dict | None = None, at: datetime | None = None) -> AuditEntry:
    detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    chain = chain_key(case_id)
    last = session.execute(
        select(AuditEntry).where(AuditEntry.chain_key == chain).order_by(AuditEntry.seq.desc()).limit(1)
    ).scalar_one_or_none()
    seq = (last.seq + 1) if last else 1
    prev = last.entry_hash if last else GENESIS
    at = (at or datetime.now()).replace(tzinfo=None)
    entry = AuditEntry(chain_key=chain, seq=seq, case_id=case_id, at=at, actor=actor, action=action,
                       detail=detail, prev_hash=prev,
                       entry_hash=entry_digest(prev, chain=chain, seq=seq, case_id=case_id, at=at,
                                               actor=actor, action=action, detail=detail))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    chain: str
    entries: int
    ok: bool
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    problem: str = ""


def verify_chain(session: Session, case_id: int | None) -> ChainReport:
    """Recompute the chain; report the first entry whose hash, link or position is wrong."""
    chain = chain_key(case_id)
    rows = session.execute(
        select(AuditEntry).where(AuditEntry.chain_key == chain).order_by(AuditEntry.seq, AuditEntry.id)
    ).scalars().all()
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq:
            return ChainReport(chain, len(rows), False, row.seq, row.id,
                               f"序号不连续：应为第{expected_seq}条，实为第{row.seq}条（记录被删除或重排）")
        if row.prev_hash != prev:
            return ChainReport(chain, len(rows), False, row.seq, row.id, "前序哈希不符（前一条记录被删除、替换或重排）")
        digest = entry_digest(prev, chain=chain, seq=row.seq, case_id=row.case_id, at=row.at,
                              actor=row.actor, action=row.action, detail=row.detail)
        if digest != row.entry_hash:
            return ChainReport(chain, len(rows), False, row.seq, row.id, "内容哈希不符（该条记录被修改）")
        prev = row.entry_hash
    return ChainReport(chain, len(rows), True)


def chain_keys(session: Session) -> list[str]:
    return sorted(session.execute(select(AuditEntry.chain_key).distinct()).scalars())


def verify_all(session: Session) -> list[ChainReport]:
    """Verify every chain in the log (``global`` and each ``case:<id>``)."""
    reports = []
    for key in chain_keys(session):
        case_id = None if key == "global" else int(key.split(":", 1)[1])
        reports.append(verify_chain(session, case_id))
    return reports
