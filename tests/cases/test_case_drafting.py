"""Drafting from the case store (``zhifa draft CASE_ID``): every document kind builds from the case's
own records — handlers for the 立案审批表, the head's 不予处罚 ground, the decided penalty and number."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from assistant import cases as svc
from assistant.case_drafting import draft_for_case
from assistant.errors import InputError
from assistant.parties import PartyInput

FILED = date(2026, 10, 9)


def _case(db, world) -> int:
    with db.session() as s:
        case = svc.create_case(s, agency_id=world.agency_id, cause="未按规定明码标价", actor=world.handlers[0],
                               handlers=list(world.handlers), filed_on=FILED, violation_date=date(2026, 10, 8),
                               party=PartyInput("法人", "某商贸有限公司", credit_code="91440300708461136T",
                                                address="某市某路1号"),
                               salt="test-salt", today=FILED)
        svc.add_violation(s, case.id, actor=world.handlers[0], description="当事人经营水果时，12种商品未标示价格。",
                          violated_provision="《中华人民共和国价格法》第十三条第一款",
                          penalty_provision="《中华人民共和国价格法》第四十二条")
        return case.id


def test_filing_form_and_no_penalty_decision_from_the_case(db, world, statute_store):
    services = SimpleNamespace(db=db, statutes=statute_store)
    case_id = _case(db, world)

    filing = draft_for_case(services, case_id, "立案审批表")  # no penalty is needed to file a case
    assert filing.can_submit and "张三" in filing.text and "李四" in filing.text
    assert not [f for f in filing.findings if f.code in ("handlers", "confiscation_missing")]

    with pytest.raises(InputError, match="不予处罚理由"):
        draft_for_case(services, case_id, "不予处罚")
    with pytest.raises(InputError, match="罚款金额"):
        draft_for_case(services, case_id, "决定书")

    with db.session() as s:
        svc.advance(s, case_id, "调查取证", actor=world.handlers[0], today=FILED)
        svc.advance(s, case_id, "不予处罚", actor=world.head, today=date(2026, 10, 20),
                    payload={"ground": "违法行为轻微并及时改正，没有造成危害后果，依据《中华人民共和国行政处罚法》第三十三条第一款"})
        number = svc.get_case(s, case_id).decision_number
    draft = draft_for_case(services, case_id, "不予处罚")
    assert number in draft.text and "第三十三条第一款" in draft.text and "不予行政处罚" in draft.text
    assert draft.text.count("《中华人民共和国行政处罚法》第三十三条第一款，依据") == 0  # reason without the citation
