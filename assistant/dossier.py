"""一户式 (party dossier, spec §6 / [004][000]): one view of everything held on one 执法对象 —
their cases, text and A/V records, interview transcripts — keyed by the 统一社会信用代码 for
organisations or by a salted SHA-256 of the ID number for natural persons (``settings.salt()``).
The ID number itself is hashed on entry and never stored in the dossier, logged or audited.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import log_action
from assistant.errors import InputError, NotFoundError
from assistant.store.record_tables import ProcessRecord, TranscriptRow

log = logging.getLogger(__name__)

_CREDIT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_ID = re.compile(r"^\d{17}[\dX]$")
# 身份证号: area(6) + birth date YYYYMMDD + seq(3) + check; used to tell it from an all-digit credit code
_ID_STRICT = re.compile(r"^\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]$")


def id_hash(id_number: str, salt: str) -> str:
    """Salted SHA-256 of a normalised 身份证号 (upper-case X, no spaces)."""
    norm = re.sub(r"\s", "", id_number).upper()
    if not _ID.match(norm):
        raise InputError("身份证号格式不正确（应为18位）", field="id_number")
    return hashlib.sha256(f"{salt}:{norm}".encode()).hexdigest()


@dataclass(frozen=True)
class PartyDossier:
    key: str  # "credit:<code>" or "id:<hash prefix>"
    party_ids: tuple[int, ...]
    names: tuple[str, ...]
    cases: tuple[dict, ...]
    records: tuple[dict, ...]
    transcripts: tuple[dict, ...] = field(default=())

    def to_dict(self) -> dict:
        return {"key": self.key, "party_ids": list(self.party_ids), "names": list(self.names),
                "cases": list(self.cases), "records": list(self.records), "transcripts": list(self.transcripts)}


def classify_key(value: str) -> str:
    v = re.sub(r"\s", "", value).upper()
    if _ID_STRICT.match(v):
        return "id"
    if _CREDIT.match(v):
        return "credit"
    raise InputError("请输入18位统一社会信用代码或身份证号", field="party")


def party_dossier(session: Session, *, actor: str, salt: str, credit_code: str | None = None,
                  id_number: str | None = None) -> PartyDossier:
    """Collect everything on one party; the lookup itself is audited (without the ID number)."""
    if bool(credit_code) == bool(id_number):
        raise InputError("一户式查询须且只能提供统一社会信用代码或身份证号之一", field="party")
    from assistant.store.case_tables import Case, CaseParty, Party

    if credit_code:
        code = re.sub(r"\s", "", credit_code).upper()
        if not _CREDIT.match(code):
            raise InputError("统一社会信用代码格式不正确（应为18位）", field="credit_code")
        parties = session.execute(select(Party).where(Party.credit_code == code)).scalars().all()
        key = f"credit:{code}"
    else:
        h = id_hash(id_number or "", salt)
        parties = session.execute(select(Party).where(Party.id_hash == h)).scalars().all()
        key = f"id:{h[:16]}"
    if not parties:
        log_action(session, case_id=None, actor=actor, action="party.dossier", detail={"key": key, "found": False})
        raise NotFoundError("未找到该当事人的记录")
    pids = [p.id for p in parties]
    case_ids = set(session.execute(select(CaseParty.case_id).where(CaseParty.party_id.in_(pids))).scalars())
    recs = session.execute(select(ProcessRecord).where(
        (ProcessRecord.party_id.in_(pids)) | (ProcessRecord.case_id.in_(case_ids)) if case_ids
        else ProcessRecord.party_id.in_(pids)).order_by(ProcessRecord.captured_at)).scalars().all()
    case_ids |= {r.case_id for r in recs}
    cases = session.execute(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)).scalars().all() if case_ids else []
    transcripts = session.execute(select(TranscriptRow).where(TranscriptRow.case_id.in_(case_ids))).scalars().all() if case_ids else []
    dossier = PartyDossier(
        key=key, party_ids=tuple(pids), names=tuple(sorted({p.name for p in parties})),
        cases=tuple({"case_id": c.id, "case_number": c.case_number, "cause": c.cause, "state": c.state,
                     "agency_id": c.agency_id} for c in cases),
        records=tuple({"record_id": r.id, "case_id": r.case_id, "kind": r.kind, "title": r.title,
                       "captured_at": r.captured_at, "location": r.location, "collector": r.collector,
                       "sha256": r.sha256, "party_id": r.party_id} for r in recs),
        transcripts=tuple({"transcript_id": t.id, "case_id": t.case_id, "audio_record_id": t.audio_record_id,
                           "created_at": t.created_at} for t in transcripts))
    log_action(session, case_id=None, actor=actor, action="party.dossier",
               detail={"key": key, "found": True, "cases": sorted(case_ids), "records": len(recs)})
    log.info("dossier %s: %d cases, %d records", key, len(case_ids), len(recs))
    return dossier
