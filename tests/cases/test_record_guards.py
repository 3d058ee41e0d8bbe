"""Case records: only the case's 承办人 add violations and evidence (第四十二条), and the audit log never
carries a natural person's identifiers (民法典 第一千零三十四条; audit detail is kept for years)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from assistant import cases as svc
from assistant.errors import PermissionDenied
from assistant.parties import PartyInput
from assistant.store.audit_tables import AuditEntry
from assistant.store.case_tables import Evidence, Violation

PERSON = PartyInput("自然人", "欧阳明辉", id_number="11010519491231002X", address="某市某区幸福路88号2栋301房",
                    phone="13912345678")
WITNESS = PartyInput("自然人", "司马晓燕", phone="13800001111", address="某市某区和平街6号")


def _case(s, world, party=None, cause="销售超过保质期的食品") -> int:
    return svc.create_case(s, agency_id=world.agency_id, cause=cause, actor="zhang3",
                           handlers=list(world.handlers), party=party or PartyInput("法人", "某食品有限公司",
                                                                                   credit_code="91440300708461136T"),
                           salt="test-salt", filed_on=date(2026, 9, 1), violation_date=date(2026, 8, 20),
                           today=date(2026, 9, 1)).id


def test_natural_person_identifiers_never_reach_the_audit_log(db, world):
    with db.session() as s:
        case_id = _case(s, world, PERSON)
        svc.add_party(s, case_id, WITNESS, actor="zhang3", salt="test-salt")
        svc.add_evidence(s, case_id, actor="zhang3", type="证人证言", title="司马晓燕的证言")
        svc.add_violation(s, case_id, actor="zhang3", description="当事人欧阳明辉（电话13912345678）销售过期牛奶",
                          violated_provision="《中华人民共和国食品安全法》第三十四条第（十）项",
                          penalty_provision="《中华人民共和国食品安全法》第一百二十四条")
    with db.session() as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id)).scalars().all()
        party_rows = [r for r in rows if r.action == "case.add_party"]
    assert len(party_rows) == 2 and {r.detail["name"] for r in party_rows} == {"欧阳某某", "司马某某"}
    dumped = "\n".join(json.dumps(r.detail, ensure_ascii=False) + r.actor + r.action for r in rows)
    for identifier in ("欧阳明辉", "司马晓燕", "11010519491231002X", "13912345678", "13800001111", "幸福路88号",
                       "和平街6号", PERSON.id_number[-6:]):
        assert identifier not in dumped, identifier


def test_party_names_in_free_text_are_masked_by_the_audit_safety_net(db, world):
    """Free text that callers log as written (案由, an escalation record) still never carries a
    natural-person party's full name."""
    from assistant.audit import log_action

    with db.session() as s:
        case_id = _case(s, world, PERSON, cause="欧阳明辉销售超过保质期的食品案")
        log_action(s, case_id=case_id, actor="zhang3", action="review.escalate",
                   detail={"record": "欧阳明辉对罚款数额有异议，承办人与审核人意见不一"})
    with db.session() as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id)).scalars().all()
    dumped = "\n".join(json.dumps(r.detail, ensure_ascii=False) for r in rows)
    assert "欧阳明辉" not in dumped and "欧阳某某对罚款数额有异议" in dumped
    assert verify_chain_ok(db, case_id)


def verify_chain_ok(db, case_id) -> bool:
    from assistant.audit import verify_chain

    with db.session(readonly=True) as s:
        return verify_chain(s, case_id).ok


def test_entity_names_stay_in_the_audit_log(db, world):
    with db.session() as s:
        case_id = _case(s, world)
        row = s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id,
                                                 AuditEntry.action == "case.add_party")).scalar_one()
        assert row.detail["name"] == "某食品有限公司"


@pytest.mark.parametrize("actor", ["chen_head", "sun_review", "wang5"])
def test_only_the_cases_handlers_add_violations_and_evidence(db, world, actor):
    with db.session() as s:
        case_id = _case(s, world)
    with pytest.raises(PermissionDenied, match="不是本案承办人.*第四十二条"):
        with db.session() as s:
            svc.add_violation(s, case_id, actor=actor, description="销售超过保质期的食品",
                              violated_provision="《中华人民共和国食品安全法》第三十四条第（十）项",
                              penalty_provision="《中华人民共和国食品安全法》第一百二十四条")
    with pytest.raises(PermissionDenied, match="不是本案承办人，不能登记证据"):
        with db.session() as s:
            svc.add_evidence(s, case_id, actor=actor, type="书证", title="销售记录")
    with db.session() as s:  # nothing half-saved
        assert s.execute(select(func.count()).select_from(Violation).where(Violation.case_id == case_id)).scalar() == 0
        assert s.execute(select(func.count()).select_from(Evidence).where(Evidence.case_id == case_id)).scalar() == 0
        svc.add_evidence(s, case_id, actor="li4", type="书证", title="销售记录")  # the second handler may
