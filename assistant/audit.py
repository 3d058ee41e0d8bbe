"""Hash-chained audit log: every action on a case (create, edit, submit, review, decide, view,
download, export) is appended here by the service that performs it.

    log_action(session, case_id=7, actor="zhang3", action="case.create", detail={...})

The entry is added to the caller's session and commits with the caller's transaction, so an action
and its audit entry are saved together or not at all. Never put personal identifiers in ``detail``.

Tamper evidence (:func:`verify_chain`, ``zhifa audit verify``):
- each entry's hash covers the previous entry's hash, so a changed, deleted or reordered entry breaks
  the chain at that entry;
- a hash chain alone cannot see its *newest* entries being deleted, so every chain also has a head
  row (``audit_heads``: entry count and newest hash) written in the same transaction as each append;
  verify compares the chain with its head (tail truncation, a whole chain deleted, a head deleted);
- a case in the case store whose chain is missing entirely (log rows and head both deleted) is
  reported too, since every case is created with an audit entry.
An attacker who can rewrite the whole database consistently (entries, heads and cases) is out of
reach of any in-database check; that needs the heads exported to WORM storage (spec §6).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.audit_tables import AuditEntry, AuditHead

GENESIS = "0" * 64
_HEX = re.compile(r"[0-9a-f]{32,}")


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


def _scrub(value, names: tuple[str, ...] = ()):
    """Safety net under the callers' own care: ID and phone numbers, and the names of the case's
    natural-person parties (surname + 某), never reach the log as free text."""
    from assistant.logs import mask_pii

    if isinstance(value, str):
        if _HEX.fullmatch(value):
            return value  # digests stay intact
        value = mask_pii(value)
        if names:
            from assistant.redaction import mask_person_name

            for name in names:
                value = value.replace(name, mask_person_name(name))
        return value
    if isinstance(value, list):
        return [_scrub(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, names) for k, v in value.items()}
    return value


def _natural_person_names(session: Session, case_id: int | None) -> tuple[str, ...]:
    """Full names (two characters or more) of the case's natural-person parties, longest first."""
    if case_id is None:
        return ()
    from assistant.store.case_tables import CaseParty, Party

    rows = session.execute(select(Party.name).join(CaseParty, CaseParty.party_id == Party.id)
                           .where(CaseParty.case_id == case_id, Party.kind == "自然人")).scalars().all()
    return tuple(sorted({n for n in rows if n and len(n) >= 2}, key=len, reverse=True))


def log_action(session: Session, *, case_id: int | None, actor: str, action: str,
               detail: dict | None = None, at: datetime | None = None,
               private_names: tuple[str, ...] = ()) -> AuditEntry:
    """Append to the case's chain. ``private_names``: natural persons' names to mask besides the
    case's registered natural-person parties (e.g. the party of a case being created)."""
    names = tuple(sorted({*_natural_person_names(session, case_id), *(n for n in private_names if n and len(n) >= 2)},
                         key=len, reverse=True))
    detail = _scrub(json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)), names)
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
    head = session.get(AuditHead, chain)
    if head is None:
        head = AuditHead(chain_key=chain, case_id=case_id, entries=0, last_hash=GENESIS, updated_at=at)
        session.add(head)
    head.entries, head.last_hash, head.updated_at = seq, entry.entry_hash, at
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
    head = session.get(AuditHead, chain)
    if head is None:
        if rows:
            return ChainReport(chain, len(rows), False, None, None,
                               "链头锚点缺失（audit_heads 中该链的记录被删除），无法确认末尾记录完整")
        if case_id is not None and _case_exists(session, case_id):
            return ChainReport(chain, 0, False, 1, None, "案件存在但审计链整条缺失（日志与链头均被删除）")
        return ChainReport(chain, 0, True)
    if head.entries > len(rows):
        what = ("整条链的记录均被删除" if not rows else
                f"链头记录共 {head.entries} 条，实际只有 {len(rows)} 条：第 {len(rows) + 1} 条起的末尾记录被删除")
        return ChainReport(chain, len(rows), False, len(rows) + 1, None, what)
    if head.entries < len(rows):
        extra = rows[head.entries]
        return ChainReport(chain, len(rows), False, extra.seq, extra.id,
                           f"链头记录共 {head.entries} 条，实际 {len(rows)} 条：该条起的记录未经系统写入")
    if head.last_hash != prev:
        last = rows[-1]
        return ChainReport(chain, len(rows), False, last.seq, last.id,
                           "末条记录与链头锚点哈希不符（末条记录被替换或链头被改）")
    return ChainReport(chain, len(rows), True)


def _case_exists(session: Session, case_id: int) -> bool:
    try:
        from assistant.store.case_tables import Case
    except ImportError:  # pragma: no cover - the case store is part of the product
        return False
    return session.get(Case, case_id) is not None


def chain_keys(session: Session) -> list[str]:
    keys = set(session.execute(select(AuditEntry.chain_key).distinct()).scalars())
    keys |= set(session.execute(select(AuditHead.chain_key)).scalars())
    return sorted(keys)


def missing_case_chains(session: Session) -> list[ChainReport]:
    """Cases of the case store with no audit chain at all (their log rows and head deleted)."""
    try:
        from assistant.store.case_tables import Case
    except ImportError:  # pragma: no cover - the case store is part of the product
        return []
    have = set(chain_keys(session))
    return [ChainReport(chain_key(cid), 0, False, 1, None, "案件存在但审计链整条缺失（日志与链头均被删除）")
            for cid in session.execute(select(Case.id).order_by(Case.id)).scalars() if chain_key(cid) not in have]


def verify_all(session: Session) -> list[ChainReport]:
    """Verify every chain in the log (``global`` and each ``case:<id>``)."""
    reports = []
    for key in chain_keys(session):
        case_id = None if key == "global" else int(key.split(":", 1)[1])
        reports.append(verify_chain(session, case_id))
    reports += missing_case_chains(session)
    return sorted(reports, key=lambda r: (r.chain == "global", int(r.chain.split(":")[1]) if ":" in r.chain else 0))
