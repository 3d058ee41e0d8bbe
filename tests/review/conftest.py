"""Review-area fixtures: the case-store fixtures of tests/cases (``db`` per backend, ``world``) and a
case driven to the end of the statement window, ready to be submitted for 法制审核."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant import cases as svc
from assistant.parties import PartyInput
from tests.cases.conftest import (BACKENDS, World, WORLD, _fast_argon2, backend, db, pg_databases,  # noqa: F401
                                  pg_server, sqlite_template, world)

FILED = date(2026, 9, 1)
NOTICE_DAY = date(2026, 9, 28)
AFTER_WINDOW = date(2026, 10, 12)
PARTY = "某食品有限公司"
CREDIT = "91440300708461136T"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "decisions"


def make_case(db, world, *, fine: float = 50000, review_required: bool = True) -> int:
    """立案 → 调查取证 → 事先告知 (served NOTICE_DAY, hearing rights stated) → 放弃陈述申辩."""
    with db.session() as s:
        case = svc.create_case(s, agency_id=world.agency_id, cause="销售超过保质期的食品", actor="zhang3",
                               handlers=list(world.handlers), party=PartyInput("法人", PARTY, credit_code=CREDIT),
                               salt="test-salt", filed_on=FILED, violation_date=date(2026, 8, 20), today=FILED)
        svc.add_violation(s, case.id, actor="zhang3", description="销售超过保质期的食品",
                          violated_provision="《中华人民共和国食品安全法》第三十四条第（十）项",
                          penalty_provision="《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
                          quantities={"货值金额": 156})
        svc.add_evidence(s, case.id, actor="zhang3", type="现场笔录", title="现场检查笔录")
        svc.advance(s, case.id, "调查取证", actor="zhang3", today=FILED)
        svc.advance(s, case.id, "事先告知", actor="zhang3", today=NOTICE_DAY, payload={
            "facts": "经查，当事人销售超过保质期的食品。", "reasons": "违法事实清楚",
            "basis": "《中华人民共和国食品安全法》第一百二十四条", "hearing_rights_stated": True,
            "penalty": {"types": ["罚款"], "fine": fine}, "served_on": NOTICE_DAY})
        svc.record_statement(s, case.id, actor="zhang3", kind="放弃陈述申辩", on=date(2026, 9, 29))
        svc.record_statement(s, case.id, actor="zhang3", kind="放弃听证", on=date(2026, 9, 29))
        if review_required:
            svc.set_flags(s, case.id, actor="zhang3", review_required=True)
        return case.id


def draft_text(*, fine: str = "50000", fine_big: str = "伍万元整", decided: str = "2026年10月14日",
               payment: bool = True) -> str:
    pay = ("当事人应当自收到本决定书之日起十五日内，将罚没款缴至指定银行或者通过电子支付系统缴纳。"
           "逾期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。\n") if payment else ""
    return (
        "某市市场监督管理局\n行政处罚决定书\n某市监罚〔2026〕1号\n\n"
        f"当事人：{PARTY}\n统一社会信用代码：{CREDIT}\n住所：某市某区某路1号\n法定代表人：王某\n\n"
        "2026年8月25日，本局接到投诉，反映当事人销售超过保质期的食品。2026年9月1日，本局依法对当事人立案调查。\n"
        "经查，2026年8月20日，当事人在其经营场所销售超过保质期的沙琪玛共计12袋，货值金额共计156元，违法所得16.9元。\n"
        "上述事实，主要有以下证据证明：1.现场笔录；2.询问笔录；3.涉案产品照片；4.销售凭证。\n"
        "本局于2026年9月28日向当事人送达了行政处罚事先告知书，告知当事人陈述、申辩和要求听证的权利，当事人放弃陈述、申辩和听证。\n"
        "本局认为，当事人的上述行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。当事人系初次违法，属于一般违法情形。\n"
        "依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项的规定，本局决定对当事人作出如下行政处罚：\n"
        f"1.没收违法所得16.9元；\n2.罚款人民币{fine}元（{fine_big}）。\n"
        f"{pay}"
        "如不服本决定，可以在收到本决定书之日起六十日内向某市人民政府申请行政复议，或者在六个月内向某区人民法院提起行政诉讼。\n\n"
        f"某市市场监督管理局\n{decided}\n（印章）\n"
    )


@pytest.fixture
def case_id(db, world) -> int:
    return make_case(db, world)
