"""简易程序 (第五十一条至第五十三条): 警告 or a small fine on the spot, no 立案, no 90-day clock, no
法制审核 — but still two officers (第四十二条), notice (第四十四条) and hearing the party (第四十五条)."""
from __future__ import annotations

from datetime import date

import pytest

from assistant import cases as svc
from assistant.errors import GateRefused
from assistant.parties import PartyInput

TODAY = date(2026, 10, 12)
NOTICE = {"facts": "当事人在禁停路段停放车辆。", "reasons": "事实确凿", "basis": "《某市市容管理条例》第X条",
          "penalty": {"types": ["罚款"], "fine": 200}}


def law(label):
    return f"《中华人民共和国行政处罚法》{label}"


def on_spot(db, world, kind="自然人", handlers=None):
    party = PartyInput("自然人", "李某", id_number="11010519491231002X") if kind == "自然人" else \
        PartyInput("法人", "某公司", credit_code="914403001922038216")
    with db.session() as s:
        case = svc.create_case(s, agency_id=world.agency_id, cause="违规停车", actor="zhang3", procedure="简易",
                               handlers=list(handlers or world.handlers), party=party, salt="s", today=TODAY)
        assert case.case_number is None and case.filed_on is None and case.state == "当场处置"
        return case.id


def refused(db, fn, article):
    with pytest.raises(GateRefused) as err:
        with db.session() as s:
            fn(s)
    assert err.value.article == article, err.value.message
    return err.value


def test_on_the_spot_fine_of_200_yuan_for_a_citizen_after_hearing_the_party(db, world):
    case_id = on_spot(db, world)
    with db.session() as s:
        svc.advance(s, case_id, "当场告知", actor="zhang3", payload=NOTICE, today=TODAY)
    refused(db, lambda s: svc.advance(s, case_id, "当场决定", actor="zhang3", payload=NOTICE, today=TODAY),
            law("第四十五条"))
    with db.session() as s:
        svc.record_statement(s, case_id, actor="zhang3", kind="陈述", content="临时停车", on=TODAY)
        svc.advance(s, case_id, "当场决定", actor="zhang3", payload=NOTICE, today=TODAY)
        svc.advance(s, case_id, "执行", actor="zhang3", today=TODAY)
        svc.advance(s, case_id, "结案", actor="zhang3", today=TODAY)
        view = svc.show_case(s, case_id, today=TODAY)
    assert view.state == "结案"
    assert "decision" not in {c.key for c in view.clocks}
    assert not view.flags["review_required"]


def test_a_fine_above_200_yuan_for_a_citizen_needs_the_ordinary_procedure(db, world):
    case_id = on_spot(db, world)
    big = {**NOTICE, "penalty": {"types": ["罚款"], "fine": 201}}
    with db.session() as s:
        svc.advance(s, case_id, "当场告知", actor="zhang3", payload=big, today=TODAY)
        svc.record_waiver(s, case_id, actor="zhang3", on=TODAY)
    e = refused(db, lambda s: svc.advance(s, case_id, "当场决定", actor="zhang3", payload=big, today=TODAY),
                law("第五十一条"))
    assert "200" in e.message


def test_organisations_may_be_fined_up_to_3000_yuan_on_the_spot_but_not_have_a_licence_revoked(db, world):
    case_id = on_spot(db, world, kind="法人")
    ok = {**NOTICE, "penalty": {"types": ["罚款"], "fine": 3000}}
    with db.session() as s:
        svc.advance(s, case_id, "当场告知", actor="zhang3", payload=ok, today=TODAY)
        svc.record_waiver(s, case_id, actor="zhang3", on=TODAY)
    refused(db, lambda s: svc.advance(s, case_id, "当场决定", actor="zhang3",
                                      payload={"penalty": {"types": ["吊销许可证件"]}}, today=TODAY), law("第五十一条"))
    with db.session() as s:
        svc.advance(s, case_id, "当场决定", actor="zhang3", payload=ok, today=TODAY)


def test_two_officers_are_still_required_on_the_spot(db, world):
    with pytest.raises(GateRefused) as err:
        with db.session() as s:
            svc.create_case(s, agency_id=world.agency_id, cause="违规停车", actor="zhang3", procedure="简易",
                            handlers=["zhang3", world.expired], today=TODAY)
    assert err.value.article == law("第四十二条")


def test_the_simple_path_has_no_filing_review_or_collective_discussion_states(db, world):
    case_id = on_spot(db, world)
    refused(db, lambda s: svc.advance(s, case_id, "法制审核", actor="zhang3", today=TODAY), law("第五十一条至第五十三条"))
