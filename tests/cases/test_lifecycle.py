"""The ordinary-procedure lifecycle, read as legal rules: each gate refuses a skipped step and names
its article (《中华人民共和国行政处罚法》unless stated)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from assistant import cases as svc
from assistant.audit import verify_chain
from assistant.errors import GateRefused, InputError
from assistant.parties import PartyInput
from assistant.store.case_tables import Case, CaseEvent

FILED = date(2026, 9, 1)
NOTICE_DAY = date(2026, 9, 28)        # statement window (5 working days) closes 2026-10-10
AFTER_WINDOW = date(2026, 10, 12)
CREDIT = "91440300708461136T"
NOTICE = {"facts": "经查，当事人销售过期食品。", "reasons": "违法事实清楚", "basis": "《中华人民共和国食品安全法》第三十四条",
          "penalty": {"types": ["罚款"], "fine": 5000}}


def law(label: str) -> str:
    return f"《中华人民共和国行政处罚法》{label}"


def new_case(db, world, *, handlers=None, kind="法人", **kw) -> int:
    party = PartyInput(kind, "某食品有限公司", credit_code=CREDIT) if kind != "自然人" else \
        PartyInput("自然人", "张某", id_number="11010519491231002X")
    with db.session() as s:
        case = svc.create_case(s, agency_id=world.agency_id, cause="销售超过保质期的食品", actor="zhang3",
                               handlers=list(handlers or world.handlers), party=party, salt="test-salt",
                               filed_on=kw.pop("filed_on", FILED), violation_date=date(2026, 8, 20), today=FILED, **kw)
        svc.add_violation(s, case.id, actor="zhang3", description="销售超过保质期的食品",
                          violated_provision="《中华人民共和国食品安全法》第三十四条第（十）项",
                          penalty_provision="《中华人民共和国食品安全法》第一百二十四条")
        svc.add_evidence(s, case.id, actor="zhang3", type="现场笔录", title="现场检查笔录")
        return case.id


def to_notice(db, case_id, notice=None, served_on=NOTICE_DAY):
    with db.session() as s:
        svc.advance(s, case_id, "调查取证", actor="zhang3", today=FILED)
        svc.advance(s, case_id, "事先告知", actor="zhang3", payload={**(notice or NOTICE), "served_on": served_on},
                    today=served_on)


def refused(db, fn, article: str):
    with pytest.raises(GateRefused) as err:
        with db.session() as s:
            fn(s)
    assert err.value.article == article, err.value.message
    return err.value


def state(db, case_id) -> str:
    with db.session(readonly=True) as s:
        return s.get(Case, case_id).state


def test_filing_numbers_the_case_and_needs_two_credentialed_handlers(db, world):
    case_id = new_case(db, world)
    with db.session(readonly=True) as s:
        view = svc.show_case(s, case_id, today=FILED)
    assert view.case_number == "某市监立〔2026〕1号" and view.state == "立案"
    assert view.parties[0]["credit_code"] == CREDIT
    e = refused(db, lambda s: svc.create_case(s, agency_id=world.agency_id, cause="x", actor="zhang3",
                                              handlers=["zhang3"], today=FILED), law("第四十二条"))
    assert "不得少于两人" in e.message
    e = refused(db, lambda s: svc.create_case(s, agency_id=world.agency_id, cause="x", actor="zhang3",
                                              handlers=["zhang3", world.expired], today=FILED), law("第四十二条"))
    assert world.expired in e.message
    refused(db, lambda s: svc.create_case(s, agency_id=world.agency_id, cause="x", actor="zhang3",
                                          handlers=["zhang3", world.no_credential], today=FILED), law("第四十二条"))


def test_violations_older_than_two_years_are_not_filed(db, world):
    refused(db, lambda s: svc.create_case(s, agency_id=world.agency_id, cause="x", actor="zhang3",
                                          handlers=list(world.handlers), violation_date=date(2024, 8, 1),
                                          today=FILED), law("第三十六条"))


def test_a_handler_cannot_skip_from_filing_to_decision(db, world):
    case_id = new_case(db, world)
    e = refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head, payload=NOTICE, today=FILED),
                law("第五十四条至第六十二条"))
    assert "不能从“立案”直接进入“决定”" in e.message


def test_only_a_handler_of_the_case_carries_out_investigation_steps(db, world):
    case_id = new_case(db, world)
    refused(db, lambda s: svc.advance(s, case_id, "调查取证", actor=world.head, today=FILED), law("第四十二条"))


def test_the_prior_notice_must_state_facts_reasons_basis_and_penalty(db, world):
    case_id = new_case(db, world)
    with db.session() as s:
        svc.advance(s, case_id, "调查取证", actor="zhang3", today=FILED)
    e = refused(db, lambda s: svc.advance(s, case_id, "事先告知", actor="zhang3",
                                          payload={"penalty": {"fine": 5000}}, today=NOTICE_DAY), law("第四十四条"))
    assert "事实、理由、依据" in e.message


def test_a_large_fine_requires_the_notice_to_state_hearing_rights(db, world):
    case_id = new_case(db, world)
    big = {**NOTICE, "penalty": {"types": ["罚款"], "fine": 200000}}
    with db.session() as s:
        svc.advance(s, case_id, "调查取证", actor="zhang3", today=FILED)
    e = refused(db, lambda s: svc.advance(s, case_id, "事先告知", actor="zhang3", payload=big, today=NOTICE_DAY),
                law("第六十三条"))
    assert "听证" in e.message
    with db.session() as s:
        svc.advance(s, case_id, "事先告知", actor="zhang3", payload={**big, "hearing_rights_stated": True}, today=NOTICE_DAY)
        case = s.get(Case, case_id)
        assert case.hearing_required and case.notice["number"] == "某市监告〔2026〕1号"
        assert case.review_required  # large fine matches the review rule table


def test_the_hearing_threshold_is_configurable_per_agency(db, world):
    from assistant.store.case_tables import Agency

    with db.session() as s:
        s.get(Agency, world.agency_id).settings = {"hearing_thresholds": {"fine_at_least": {"法人": 3000}}}
    case_id = new_case(db, world)
    with db.session() as s:
        svc.advance(s, case_id, "调查取证", actor="zhang3", today=FILED)
    refused(db, lambda s: svc.advance(s, case_id, "事先告知", actor="zhang3", payload=NOTICE, today=NOTICE_DAY),
            law("第六十三条"))


def test_no_decision_before_the_statement_window_closes_or_a_waiver(db, world):
    case_id = new_case(db, world)
    to_notice(db, case_id)
    decide = {"penalty": {"types": ["罚款"], "fine": 5000}}
    e = refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=date(2026, 10, 9)),
                law("第六十二条"))
    assert "2026-10-10" in e.message
    with db.session() as s:
        svc.record_waiver(s, case_id, actor="zhang3", on=date(2026, 10, 9), content="当事人书面放弃陈述申辩")
        svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=date(2026, 10, 9))
    assert state(db, case_id) == "决定"


def test_the_decision_may_not_be_heavier_than_the_notice(db, world):
    case_id = new_case(db, world)
    to_notice(db, case_id)
    e = refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head,
                                          payload={"penalty": {"types": ["罚款"], "fine": 8000}}, today=AFTER_WINDOW),
                law("第四十五条"))
    assert "8000" in e.message
    refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head,
                                      payload={"penalty": {"types": ["罚款", "没收违法所得"], "fine": 5000,
                                                           "confiscation": 100}}, today=AFTER_WINDOW),
            law("第四十五条"))
    with db.session() as s:  # lighter is fine; 责令改正 is not a penalty (第二十八条)
        svc.advance(s, case_id, "决定", actor=world.head,
                    payload={"penalty": {"types": ["罚款", "责令改正"], "fine": 3000}}, today=AFTER_WINDOW)
        assert s.get(Case, case_id).decision_number == "某市监罚〔2026〕1号"


def test_only_the_agency_head_decides_and_never_on_a_case_they_handle(db, world):
    case_id = new_case(db, world, handlers=[*world.handlers, world.head_handler])
    to_notice(db, case_id)
    decide = {"penalty": {"types": ["罚款"], "fine": 5000}}
    e = refused(db, lambda s: svc.advance(s, case_id, "决定", actor="zhang3", payload=decide, today=AFTER_WINDOW),
                law("第五十七条"))
    assert "机关负责人" in e.message
    e = refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head_handler, payload=decide,
                                          today=AFTER_WINDOW), law("第五十七条"))
    assert "不能审批或决定自己承办的案件" in e.message


def test_legal_review_is_required_when_the_rule_table_matches_and_cannot_be_cleared(db, world):
    case_id = new_case(db, world)
    to_notice(db, case_id, notice={**NOTICE, "penalty": {"types": ["罚款", "吊销许可证件"], "fine": 5000},
                                   "hearing_rights_stated": True})
    with db.session() as s:
        svc.record_statement(s, case_id, actor="zhang3", kind="放弃听证", on=date(2026, 9, 29))
    decide = {"penalty": {"types": ["罚款", "吊销许可证件"], "fine": 5000}}
    e = refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=AFTER_WINDOW),
                law("第五十八条"))
    assert "吊销许可证件" in e.message
    refused(db, lambda s: svc.set_flags(s, case_id, actor=world.head, review_required=False), law("第五十八条"))
    with db.session() as s:
        svc.advance(s, case_id, "法制审核", actor="zhang3", today=AFTER_WINDOW)
    # the handler cannot review their own case; a non-reviewer cannot review; first-timers need 法律职业资格
    refused(db, lambda s: svc.mark_review_passed(s, case_id, "zhang3"), law("第五十八条"))
    refused(db, lambda s: svc.mark_review_passed(s, case_id, world.head), law("第五十八条"))
    refused(db, lambda s: svc.mark_review_passed(s, case_id, world.reviewer_unqualified), law("第五十八条第二款"))
    with db.session() as s:
        svc.mark_review_failed(s, case_id, world.reviewer, "裁量说明不充分", findings=[{"item": "裁量基准适当"}])
    refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=AFTER_WINDOW),
            law("第五十八条"))
    with db.session() as s:
        svc.mark_review_passed(s, case_id, world.reviewer)
        svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=AFTER_WINDOW)
    assert state(db, case_id) == "决定"


def test_collective_discussion_when_flagged_and_only_after_review(db, world):
    case_id = new_case(db, world)
    to_notice(db, case_id)
    with db.session() as s:
        svc.set_flags(s, case_id, actor="zhang3", major=True)  # 重大 → 集体讨论 and 法制审核
        case = s.get(Case, case_id)
        assert case.collective_required and case.review_required
    refused(db, lambda s: svc.advance(s, case_id, "集体讨论", actor="zhang3", today=AFTER_WINDOW), law("第五十八条"))
    with db.session() as s:
        svc.advance(s, case_id, "法制审核", actor="zhang3", today=AFTER_WINDOW)
        svc.mark_review_passed(s, case_id, world.reviewer)
    decide = {"penalty": {"types": ["罚款"], "fine": 5000}}
    refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=AFTER_WINDOW),
            law("第五十七条第二款"))
    with db.session() as s:
        svc.advance(s, case_id, "集体讨论", actor="zhang3", today=AFTER_WINDOW)
        svc.record_collective_discussion(s, case_id, actor=world.head, participants=["陈局长", "刘副局长", "王科长"],
                                         conclusion="同意罚款五千元")
        svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=AFTER_WINDOW)


def test_the_decision_must_come_within_ninety_days_of_filing_unless_extended(db, world):
    case_id = new_case(db, world)
    to_notice(db, case_id)
    late = date(2026, 12, 1)  # filed 2026-09-01 → due 2026-11-30
    decide = {"penalty": {"types": ["罚款"], "fine": 5000}}
    e = refused(db, lambda s: svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=late),
                law("第六十条"))
    assert "2026-11-30" in e.message
    with db.session() as s:
        svc.record_extension(s, case_id, actor=world.head, days=30, basis="《某部门行政处罚程序规定》第X条（经批准延长）")
        svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=late)


def test_hearing_request_within_five_working_days_host_not_an_investigator_and_decision_waits(db, world):
    case_id = new_case(db, world)
    to_notice(db, case_id, notice={**NOTICE, "penalty": {"types": ["罚款"], "fine": 200000}, "hearing_rights_stated": True})
    refused(db, lambda s: svc.record_statement(s, case_id, actor="zhang3", kind="听证申请", on=date(2026, 10, 12)),
            law("第六十四条第（一）项"))
    with db.session() as s:
        svc.record_statement(s, case_id, actor="zhang3", kind="听证申请", on=date(2026, 10, 9))
    decide = {"penalty": {"types": ["罚款"], "fine": 200000}}
    with db.session() as s:
        svc.advance(s, case_id, "陈述申辩", actor="zhang3", today=AFTER_WINDOW)
    refused(db, lambda s: svc.advance(s, case_id, "法制审核", actor="zhang3", today=AFTER_WINDOW), law("第六十四条"))
    refused(db, lambda s: svc.schedule_hearing(s, case_id, actor="zhang3", host="li4", hearing_date=date(2026, 10, 30),
                                               notified_on=date(2026, 10, 12)), law("第六十四条第（四）项"))
    refused(db, lambda s: svc.schedule_hearing(s, case_id, actor="zhang3", host=world.host,
                                               hearing_date=date(2026, 10, 20), notified_on=date(2026, 10, 12)),
            law("第六十四条第（二）项"))
    with db.session() as s:
        svc.schedule_hearing(s, case_id, actor="zhang3", host=world.host, hearing_date=date(2026, 10, 21),
                             notified_on=date(2026, 10, 12))
        svc.record_hearing_held(s, case_id, actor=world.host, held_on=date(2026, 10, 21))
        case = s.get(Case, case_id)
        assert case.review_required and any(r["id"] == "hearing_held" for r in case.review_reasons)
        svc.advance(s, case_id, "法制审核", actor="zhang3", today=date(2026, 10, 22))
        svc.mark_review_passed(s, case_id, world.reviewer)
        svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=date(2026, 10, 23))


def test_full_ordinary_path_to_closure_with_service_payment_and_audit_chain(db, world):
    case_id = new_case(db, world)
    to_notice(db, case_id)
    with db.session() as s:
        svc.record_statement(s, case_id, actor="zhang3", kind="申辩", content="初次违法", on=date(2026, 9, 30))
        svc.advance(s, case_id, "陈述申辩", actor="zhang3", today=date(2026, 9, 30))
        svc.advance(s, case_id, "决定", actor=world.head, payload={"penalty": {"types": ["罚款"], "fine": 4000}},
                    today=AFTER_WINDOW)
    refused(db, lambda s: svc.advance(s, case_id, "送达", actor="zhang3", payload={}, today=AFTER_WINDOW),
            law("第六十一条"))
    with db.session() as s:
        svc.advance(s, case_id, "送达", actor="zhang3", payload={"served_on": "2026-10-13", "method": "直接送达"},
                    today=date(2026, 10, 13))
    refused(db, lambda s: svc.advance(s, case_id, "结案", actor=world.head, today=date(2026, 10, 14)), law("第六十六条"))
    with db.session() as s:
        svc.advance(s, case_id, "执行", actor="zhang3", today=date(2026, 10, 20))
        svc.advance(s, case_id, "结案", actor=world.head, today=date(2026, 10, 28))
        view = svc.show_case(s, case_id, today=date(2026, 10, 28), actor=world.head)
        assert view.state == "结案" and view.next_states == []
        clocks = {c.key: c for c in view.clocks}
        assert clocks["decision"].done and clocks["payment"].due == date(2026, 10, 28)
        transitions = [e.to_state for e in s.execute(select(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.kind == "transition").order_by(CaseEvent.id)).scalars()]
        assert transitions == ["立案", "调查取证", "事先告知", "陈述申辩", "决定", "送达", "执行", "结案"]
        report = verify_chain(s, case_id)
        assert report.ok and report.entries > 10


def test_no_penalty_transfer_and_termination_are_head_decisions(db, world):
    a, b, c = new_case(db, world), new_case(db, world), new_case(db, world)
    refused(db, lambda s: svc.advance(s, a, "移送", actor="zhang3", payload={"reason": "涉嫌犯罪"}, today=FILED),
            law("第五十七条"))
    with db.session() as s:
        svc.advance(s, a, "移送", actor=world.head, payload={"reason": "涉嫌犯罪，移送公安机关"}, today=FILED)
        svc.advance(s, a, "结案", actor=world.head, today=FILED)
        svc.advance(s, b, "调查取证", actor="zhang3", today=FILED)
        svc.advance(s, b, "不予处罚", actor=world.head, payload={"ground": "违法行为轻微并及时改正，没有造成危害后果"},
                    today=FILED)
        assert s.get(Case, b).decision_number == "某市监不罚〔2026〕1号"
        svc.advance(s, b, "送达", actor="zhang3", payload={"served_on": "2026-09-02", "method": "直接送达"}, today=FILED)
        svc.advance(s, b, "结案", actor=world.head, today=FILED)
        svc.advance(s, c, "终止", actor=world.head, payload={"reason": "当事人注销"}, today=FILED)
    refused(db, lambda s: svc.advance(s, c, "调查取证", actor="zhang3", today=FILED), law("第五十四条至第六十二条"))


def test_evidence_types_are_those_of_section_46(db, world):
    case_id = new_case(db, world)
    with db.session() as s, pytest.raises(InputError, match="第四十六条"):
        svc.add_evidence(s, case_id, actor="zhang3", type="照片", title="现场照片")
    assert svc.EVIDENCE_TYPES == ("书证", "物证", "视听资料", "电子数据", "证人证言", "当事人的陈述", "鉴定意见",
                                  "勘验笔录", "现场笔录")


def test_the_same_party_is_one_dossier_across_cases_and_id_numbers_are_hashed(db, world):
    a = new_case(db, world, kind="自然人")
    b = new_case(db, world, kind="自然人")
    with db.session(readonly=True) as s:
        pa, pb = svc.show_case(s, a).parties[0], svc.show_case(s, b).parties[0]
        assert pa["id"] == pb["id"] and pa["id_number_masked"] == "110***********002X"
        from assistant.store.audit_tables import AuditEntry
        details = " ".join(str(e.detail) for e in s.execute(select(AuditEntry)).scalars())
        assert "11010519491231002X" not in details
