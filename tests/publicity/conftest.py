"""Fixtures for 公示, statistics and teaching: realistic decision records and a real SQLite file."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from assistant.publicity import (Citation, DecisionRecord, Officer, Party, PenaltyItem, Person,
                                 ReviewRound)
from assistant.store.db import Database

# identifiers that must never reach a public output
PARTY_ID = "44070319850312451X"
PARTY_PHONE = "13800138000"
WITNESS_PHONE = "0750-3201234"
BANK = "6222021234567890123"
PLATE = "粤J·D12345"


@pytest.fixture
def session(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'publicity.db'}")
    db.migrate()
    with Session(db.engine) as s:
        yield s
        s.rollback()
    db.dispose()


def natural_person_decision(**over) -> DecisionRecord:
    base = dict(
        decision_id="JM-2026-001", case_id=11, agency="江门市蓬江区市场监督管理局",
        document_number="江蓬市监罚〔2026〕3号", decided_on=date(2026, 2, 12), kind="行政处罚",
        case_name="张三丰销售过期食品案", violation_type="销售超过保质期的食品", domain="市场监管",
        filed_on=date(2025, 12, 1),
        party=Party(kind="natural_person", name="张三丰", id_number=PARTY_ID,
                    address="广东省江门市蓬江区建设路12号3栋502房", phone=PARTY_PHONE),
        facts=("经查，当事人张三丰，男，1985年3月12日出生，身份证号44070319850312451X，住广东省江门市蓬江区建设路12号3栋502房，"
               "联系电话13800138000。2025年11月20日，张三丰在其经营的蓬江区某某便利店内销售超过保质期的牛奶24盒，"
               "货值金额360元，违法所得120元。举报人李四（电话0750-3201234）于2025年11月18日向本局举报。"
               f"当事人通过银行卡{BANK}收取货款，并使用车牌号为{PLATE}的车辆送货。"),
        evidence="1.现场检查笔录；2.对张三丰的询问笔录；3.证人王小明的证言；4.涉案产品照片；5.进货单据",
        violated_provisions=(Citation("食品安全法", 34, kuan=0, xiang=10),),
        penalty_provisions=(Citation("食品安全法", 124, kuan=1),),
        basis_text="当事人的行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定，依据《中华人民共和国食品安全法》第一百二十四条第一款的规定",
        penalties=(PenaltyItem("没收违法所得", Decimal("120")), PenaltyItem("罚款", Decimal("50000"))),
        hearing_held=True, statement="当事人张三丰申辩称不知道牛奶已过期，请求从轻处罚。",
        disputes=("当事人是否明知食品超过保质期",), discretion_band="一般",
        discretion_factors=("初次违法", "积极配合调查"),
        procedural_notes=("现场检查时两名执法人员出示了执法证件。",),
        reviews=(ReviewRound(1, "存在问题", ("证人王小明的证言未签名",), ("补充了王小明签名的证言",), "审核员甲"),
                 ReviewRound(2, "同意", (), (), "审核员甲")),
        officers=(Officer("李明", "44070012345", "liming"), Officer("黄志强", "44070310021", "huangzq")),
        third_parties=(Person("李四", "举报人", phone=WITNESS_PHONE), Person("王小明", "证人")),
    )
    base.update(over)
    return DecisionRecord(**base)


def company_decision(**over) -> DecisionRecord:
    base = dict(
        decision_id="JM-2026-002", case_id=12, agency="江门市蓬江区市场监督管理局",
        document_number="江蓬市监罚〔2026〕4号", decided_on=date(2026, 9, 29), kind="行政处罚",
        case_name="江门市鑫源食品有限公司标签不合规案", violation_type="生产经营标签不符合规定的食品", domain="市场监管",
        filed_on=date(2026, 7, 1),
        party=Party(kind="legal_person", name="江门市鑫源食品有限公司", credit_code="91440703MA4UQ8XX2B",
                    address="江门市蓬江区白沙大道西8号", legal_representative="欧阳娜娜", phone="0750-3888888"),
        facts="经查，当事人江门市鑫源食品有限公司生产的沙琪玛标签未标示“泡打粉”成分，法定代表人欧阳娜娜对此予以确认。货值金额2497元。",
        evidence="现场笔录、询问笔录、涉案产品照片、销售凭证",
        violated_provisions=(Citation("食品安全法", 71, kuan=1),), penalty_provisions=(Citation("食品安全法", 125, kuan=2),),
        penalties=(PenaltyItem("罚款", Decimal("5000")),), confiscation=Decimal("0"),
        reviews=(ReviewRound(1, "同意"),),
        officers=(Officer("陈伟", "3708821034", "chenwei"), Officer("刘洋", "51050200331", "liuyang")),
    )
    base.update(over)
    return DecisionRecord(**base)


@pytest.fixture
def person_decision() -> DecisionRecord:
    return natural_person_decision()


@pytest.fixture
def firm_decision() -> DecisionRecord:
    return company_decision()


@pytest.fixture
def make_person_decision():
    return natural_person_decision


@pytest.fixture
def make_company_decision():
    return company_decision
