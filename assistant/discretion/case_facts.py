"""A case in the case store → the recommender's :class:`CaseFacts` (``zhifa discretion recommend CASE_ID``).

Only structured, evidenced fields are used: the violations' benchmark code, text and quantities, the
party type and the violation date. Officer-selected circumstances (情节, 从轻/从重 factors) are not
guessed; pass them in a FACTS.json file instead.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.discretion.recommend import CaseFacts

_PARTY_TYPE = {"自然人": "natural_person", "法人": "legal_person", "其他组织": "other_org"}


def facts_for_case(session: Session, case_id: int) -> CaseFacts:
    from assistant.cases import _parties, get_case
    from assistant.errors import InputError
    from assistant.store.case_tables import Violation

    case = get_case(session, case_id)
    violations = session.execute(select(Violation).where(Violation.case_id == case.id)
                                 .order_by(Violation.id)).scalars().all()
    if not violations:
        raise InputError(f"案件 {case_id} 尚未登记违法行为（zhifa case violation），无法给出裁量建议")
    parties = _parties(session, case.id)
    quantities: dict = {}
    for v in violations:
        quantities.update({k: float(x) for k, x in (v.quantities or {}).items() if x is not None})
    codes = [v.benchmark_ref for v in violations if v.benchmark_ref]
    data = {
        "violation_code": codes[0] if codes else None,
        "additional_violation_codes": codes[1:],
        "violation_text": "；".join([case.cause] + [v.description for v in violations]),
        "party_type": _PARTY_TYPE.get(parties[0].kind, "legal_person") if parties else "legal_person",
        "violation_date": case.violation_date.isoformat() if case.violation_date else None,
        "discovered_date": case.filed_on.isoformat() if case.filed_on else None,
        "quantities": quantities,
    }
    if case.notice and case.notice.get("fine"):
        data["proposed_amount"] = float(case.notice["fine"])
    return CaseFacts.from_dict({k: v for k, v in data.items() if v not in (None, [], {})})



def recommend_with_peers(session: Session, facts: CaseFacts, store, *, config=None, exclude_case_id: int | None = None):
    """Recommend from the stored benchmarks; when a tier matches, recommend again with the amounts of
    decided / recommended cases of the same violation and tier (同案同罚 statistics)."""
    from assistant.discretion.recommend import recommend
    from assistant.discretion.repository import load_benchmarks, load_first_offence, peer_amounts

    benchmarks = load_benchmarks(session)
    entries = load_first_offence(session)
    rec = recommend(facts, benchmarks, store, config=config, first_offence_list=entries)
    if rec.benchmark and rec.band:
        peers = peer_amounts(session, rec.benchmark.violation_code, rec.band.level, exclude_case_id=exclude_case_id)
        if peers:
            rec = recommend(facts, benchmarks, store, peers, config=config, first_offence_list=entries)
    return rec


def recommend_for_case(session: Session, case_id: int, store, *, config=None, actor: str | None = None):
    """The recommendation for a stored case, saved with the case (and audit-logged) when ``actor`` is
    given. Returns ``(facts, recommendation)``. Used by the CLI and the app alike."""
    from assistant.discretion.repository import save_case_recommendation

    facts = facts_for_case(session, case_id)
    rec = recommend_with_peers(session, facts, store, config=config, exclude_case_id=case_id)
    if actor:
        save_case_recommendation(session, case_id, rec, actor=actor)
    return facts, rec
