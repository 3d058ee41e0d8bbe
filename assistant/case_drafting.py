"""Adapter: a case in the case store → :class:`DraftContext` → a draft document.

Citations come from the violations' recorded provisions (resolved against the statute store as of
the violation date); amounts come from the case's notice / decision data — never from an LLM.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from assistant.cases import get_agency, get_case
from assistant.citations import extract_citations
from assistant.errors import InputError
from assistant.store.case_tables import CaseParty, Evidence, Party, Violation

_KIND = {"法人": "法人", "其他组织": "其他组织", "自然人": "自然人"}


def _refs(text: str, store) -> list[dict]:
    refs = []
    for c in extract_citations(text, store):
        if c.law_name and c.number:
            kuan = c.kuan or (1 if c.xiang else None)  # "第三十四条第（十）项": the item of the only 款
            refs.append({"law": c.law_name, "article": c.number, **({"kuan": kuan} if kuan else {}),
                         **({"xiang": c.xiang} if c.xiang else {})})
    return refs


def context_dict_for_case(session, case_id: int, store, *, fine: float | None = None,
                          decision_date: date | None = None) -> dict:
    case = get_case(session, case_id)
    agency = get_agency(session, case.agency_id)
    party = session.execute(select(Party).join(CaseParty, CaseParty.party_id == Party.id)
                            .where(CaseParty.case_id == case.id)).scalars().first()
    if party is None:
        raise InputError("案件尚未登记当事人，无法起草文书")
    violations = session.execute(select(Violation).where(Violation.case_id == case.id)).scalars().all()
    if not violations:
        raise InputError("案件尚未登记违法行为，无法起草文书")
    evidence = session.execute(select(Evidence).where(Evidence.case_id == case.id)).scalars().all()
    notice = case.notice or {}
    amount = fine if fine is not None else notice.get("fine")
    if amount is None:
        raise InputError("尚未确定罚款金额：请先完成事先告知，或用 --fine 指定（金额来自裁量建议，不由大模型生成）")
    cfg = agency.settings or {}
    return {
        "agency": {"name": agency.name, "code": agency.code, "seal_name": agency.name,
                   "review_body": cfg.get("review_body", f"{agency.region or ''}人民政府"),
                   "court": cfg.get("court", f"{agency.region or ''}人民法院")},
        "doc_number": case.decision_number or f"{agency.code}罚〔{(decision_date or date.today()).year}〕（待编号）",
        "party": {"kind": _KIND.get(party.kind, party.kind), "name": party.name,
                  "id_code": party.credit_code or party.id_number or "", "address": party.address or "",
                  "legal_rep": party.legal_representative or ""},
        "case": {"number": case.case_number or str(case.id), "cause": case.cause, "source": case.source or "日常检查",
                 "filed_on": case.filed_on.isoformat() if case.filed_on else None,
                 "violation_date": case.violation_date.isoformat() if case.violation_date else None,
                 "facts": {"time": f"{case.violation_date.year}年{case.violation_date.month}月{case.violation_date.day}日"
                           if case.violation_date else "（待补充）",
                           "place": party.address or "（待补充）",
                           "act": "；".join(v.description for v in violations)}},
        "evidence": [{"name": e.title, **({"detail": e.description} if e.description else {})} for e in evidence],
        "procedure": {k: v for k, v in {
            "notice_date": case.notice_served_on.isoformat() if case.notice_served_on else None,
            "waived": case.statement_waived or None,
            "notified_penalties": [{"type": "罚款", "amount": notice["fine"]}] if notice.get("fine") else None}.items() if v},
        "violations": [{"qualification": v.description, "violated": _refs(v.violated_provision, store),
                        "penalty_basis": _refs(v.penalty_provision, store)} for v in violations],
        "penalties": [{"type": "罚款", "amount": amount}],
        "decision_date": (decision_date or date.today()).isoformat(),
    }


def draft_for_case(services, case_id: int, kind: str, *, fine: float | None = None, llm=None):
    from assistant.documents.context import context_from_dict
    from assistant.drafting import draft_document

    with services.db.session() as s:
        data = context_dict_for_case(s, case_id, services.statutes, fine=fine)
    ctx = context_from_dict(data, services.statutes)
    return draft_document(kind, ctx, store=services.statutes, llm=llm)
