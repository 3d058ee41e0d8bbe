"""Adapter: a case in the case store → :class:`DraftContext` → a draft document.

Citations come from the violations' recorded provisions (resolved against the statute store as of
the violation date); amounts come from the case's notice / decision data — never from an LLM.
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from assistant.cases import _handlers, get_agency, get_case
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


def _act(description: str) -> str:
    """'当事人在其经营场所销售…。' → '在其经营场所销售…' (the template supplies 当事人 and the full stop)."""
    text = description.strip().rstrip("。；;")
    return text[3:] if text.startswith("当事人") else text


def _qualification(description: str, cause: str, count: int) -> str:
    """定性 phrase for "当事人…的行为，违反了…": the 案由 for a single violation (the facts paragraph
    already gives place, quantities and amounts; repeating them reads badly), else the act's first clause."""
    cause = re.sub(r"（[^（）]*）$", "", (cause or "").strip())
    if count == 1 and cause:
        return cause
    return re.split(r"[，,；;]", _act(description), maxsplit=1)[0]


def _penalty_items(data: dict, fine: float | None) -> list[dict]:
    """Penalty items from the notice/decision record; the fine may be overridden (--fine)."""
    amount = fine if fine is not None else data.get("fine")
    items = []
    for t in data.get("types") or []:
        if t == "罚款":
            continue
        if t == "没收违法所得":
            items.append({"type": t, **({"amount": data["confiscation"]} if data.get("confiscation") else {})})
        elif t not in ("责令改正", "责令限期改正"):
            items.append({"type": t})
    if amount:
        items.insert(0, {"type": "罚款", "amount": amount})
    return items


def context_dict_for_case(session, case_id: int, store, *, fine: float | None = None,
                          decision_date: date | None = None, kind: str = "决定书") -> dict:
    from assistant.documents.kinds import doc_kind

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
    # after the decision the decided penalty is the source; before it, the notified one (第四十五条)
    record = case.decision if case.decision and doc_kind(kind).category != "告" else notice
    penalties = _penalty_items(record, fine)
    # 立案审批表 and 不予处罚决定书 carry no penalty; every other document needs the amount from the
    # notice/decision (or --fine from the recommender), never from an LLM
    if not penalties and doc_kind(kind).category not in ("立", "不罚"):
        raise InputError("尚未确定罚款金额：请先完成事先告知（告知的罚款金额即决定书金额；命令行草拟时也可用 --fine 指定裁量建议的金额）。金额不由大模型生成。")
    no_penalty = None
    if doc_kind(kind).category == "不罚":
        ground = str((case.decision or {}).get("ground") or "").strip()
        if not ground:
            raise InputError("尚未登记不予处罚理由：请先由机关负责人作出不予处罚决定"
                             "（zhifa case advance 案件id 不予处罚 --ground 理由），或用案件信息 JSON 起草")
        reason = re.split(r"[，,；;]?\s*(?:依据|根据|依照)《", ground)[0].strip() or ground
        no_penalty = {"ground": _refs(ground, store) or [{"law": "中华人民共和国行政处罚法", "article": 33}],
                      "reason": reason, "education": "指出其违法行为，责令立即改正"}
    on = decision_date or case.decided_on or date.today()
    category = doc_kind(kind).category
    number = {"罚": case.decision_number if case.outcome != "不予处罚" else None,
              "不罚": case.decision_number if case.outcome == "不予处罚" else None,
              "告": notice.get("number"), "立": case.case_number}.get(category)
    cfg = agency.settings or {}
    quantities: dict = {}
    for v in violations:
        quantities.update(v.quantities or {})
    facts = {"time": f"{case.violation_date.year}年{case.violation_date.month}月{case.violation_date.day}日"
             if case.violation_date else "（待补充）",
             "place": party.address or "（待补充）",
             "act": "；".join(_act(v.description) for v in violations)}
    for key, names in (("illegal_gains", ("违法所得", "illegal_gains")), ("goods_value", ("货值金额", "货值", "goods_value"))):
        value = next((quantities[n] for n in names if quantities.get(n) is not None), None)
        if value is not None:
            facts[key] = value
    corrective = [t for t in (record.get("types") or []) if t in ("责令改正", "责令限期改正")]
    return {
        "agency": {"name": agency.name, "code": agency.code, "seal_name": agency.name,
                   "review_body": cfg.get("review_body", f"{agency.region or ''}人民政府"),
                   "court": cfg.get("court", f"{agency.region or ''}人民法院")},
        "doc_number": number or f"{agency.code}{category}〔{on.year}〕（待编号）",
        "party": {"kind": _KIND.get(party.kind, party.kind), "name": party.name,
                  "id_code": party.credit_code or party.id_number or "", "address": party.address or "",
                  "legal_rep": party.legal_representative or ""},
        "case": {"number": case.case_number or str(case.id), "cause": case.cause, "source": case.source or "日常检查",
                 "handlers": [u.display_name for u in _handlers(session, case.id)],
                 "filed_on": case.filed_on.isoformat() if case.filed_on else None,
                 "violation_date": case.violation_date.isoformat() if case.violation_date else None,
                 "facts": facts},
        "evidence": [{"name": e.title, **({"detail": e.description} if e.description else {})} for e in evidence],
        "procedure": {k: v for k, v in {
            "notice_date": case.notice_served_on.isoformat() if case.notice_served_on else None,
            "waived": case.statement_waived or None,
            "notified_penalties": _penalty_items(notice, None) or None}.items() if v},
        "violations": [{"qualification": _qualification(v.description, case.cause, len(violations)), "violated": _refs(v.violated_provision, store),
                        "penalty_basis": _refs(v.penalty_provision, store)} for v in violations],
        "penalties": penalties,
        **({"no_penalty": no_penalty} if no_penalty else {}),
        **({"order_to_correct": "立即改正违法行为"} if corrective else {}),
        "approved": case.review_passed_at is not None,
        "decision_date": on.isoformat(),
    }


def draft_for_case(services, case_id: int, kind: str, *, fine: float | None = None, llm=None):
    from assistant.documents.context import context_from_dict
    from assistant.drafting import draft_document

    with services.db.session() as s:
        data = context_dict_for_case(s, case_id, services.statutes, fine=fine, kind=kind)
    ctx = context_from_dict(data, services.statutes)
    return draft_document(kind, ctx, store=services.statutes, llm=llm)
