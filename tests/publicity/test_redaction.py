"""Redaction rules as domain rules (domain-spec §5, document-formats B7)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import GateRefused, InputError
from assistant.publicity import Party
from assistant.redaction import (KnownPeople, RedactionPolicy, Redactor, mask_name, mask_person_name,
                                 personal_identifiers, redact, redact_text)

REPO = Path(__file__).resolve().parents[2]


def test_surname_is_kept_and_compound_surnames_are_recognised():
    assert mask_name("张三") == "张某"
    assert mask_name("张三丰") == "张某某"
    assert mask_name("欧阳娜娜") == "欧阳某某"
    assert mask_name("诸葛亮") == "诸葛某"
    assert mask_name("司马光") == "司马某"
    assert mask_name("张三丰", "某") == "张某"
    assert mask_name("张三", "某某") == "张某某"
    assert mask_person_name("上官婉儿") == "上官某某"


def test_unknown_policy_is_refused_with_a_chinese_message():
    with pytest.raises(InputError, match="姓名脱敏方式"):
        RedactionPolicy(name_style="x")


@pytest.mark.parametrize("text, secret", [
    ("身份证号44070319850312451X，", "44070319850312451X"),
    ("身份证号码：440703198503124518。", "440703198503124518"),
    ("旧身份证号440703850312451，", "440703850312451"),
    ("手机13800138000。", "13800138000"),
    ("手机 138 0013 8000。", "138 0013 8000"),
    ("手机138-0013-8000。", "138-0013-8000"),
    ("电话+86 139 2345 6789。", "139 2345 6789"),
    ("电话+8613923456789。", "13923456789"),
    ("座机0750-3201234。", "3201234"),
    ("电话020-87654321转123。", "87654321"),
    ("电话（0755）83216789。", "83216789"),
    ("邮箱zhang.san@example.com。", "zhang.san@example.com"),
    ("卡号6222 0212 3456 7890 123，开户行工商银行", "6222 0212 3456 7890 123"),
    ("账号6222021234567890，开户行农业银行", "6222021234567890"),
    ("车牌粤A12345的货车", "粤A12345"),
    ("新能源车粤B·D12345停放", "D12345"),
    ("微信号：zhangsan_1985", "zhangsan_1985"),
])
def test_identifiers_are_removed_from_free_text(text, secret):
    out, reds = Redactor().redact_text(text)
    assert secret not in out
    assert reds and all(r.basis for r in reds)


def test_home_address_keeps_only_the_county():
    out, reds = Redactor().redact_text("当事人住址：广东省江门市蓬江区某某路12号。")
    assert out == "当事人住址：广东省江门市蓬江区。"
    assert reds[0].category == "address" and "第一千零三十四条" in reds[0].basis


@pytest.mark.parametrize("text, name", [
    ("证人李四称其看见了销售过程。", "李四"),
    ("举报人欧阳娜娜反映情况。", "欧阳娜娜"),
    ("法定代表人王五签字确认。", "王五"),
    ("经营者赵六在店内。", "赵六"),
    ("询问了陈小明，男，现住蓬江区。", "陈小明"),
    ("员工苗秋、雷仁玲二人均证实。", "雷仁玲"),
    ("2.对褚振的询问笔录；", "褚振"),
])
def test_names_found_by_cues_are_masked(text, name):
    out = redact_text(text)
    assert name not in out


def test_third_parties_lose_the_surname_too_and_parties_keep_it():
    out = redact_text("当事人张三丰与证人李四到场。", known_names=["张三丰"], third_parties=["李四"])
    assert out == "当事人张某某与证人某某到场。"


@pytest.mark.parametrize("text", [
    "江门市鑫源食品有限公司（统一社会信用代码91440703MA4UQ8XX2B）违反了《中华人民共和国食品安全法》第一百二十四条第一款第（三）项。",
    "依据江蓬市监罚〔2024〕12号决定，罚款人民币50000元，没收违法所得2246元，货值金额4417.43元。",
    "本局于2024年3月5日立案，2024年5月20日作出决定，当事人应当自收到本决定书之日起十五日内缴纳罚款。",
    "当事人陈述申辩称其不知情；当事人于本局检查时未能提供进货凭证；当事人车辆停放整齐。",
    "检验报告编号：202403151234，抽样单号SC2024031500012。",
    "执法人员李明（执法证号44070012345）、黄志强到场检查。",
])
def test_hard_negatives_are_not_masked(text):
    known = KnownPeople(keep={"李明", "黄志强"})
    out, reds = Redactor().redact_text(text, known)
    assert out == text, [r.as_dict() for r in reds]


def test_officers_and_entities_are_kept(firm_decision):
    pv = redact(firm_decision)
    assert pv.fields["party_name"] == "江门市鑫源食品有限公司"
    assert pv.fields["credit_code"] == "91440703MA4UQ8XX2B"
    assert pv.fields["party_address"] == "江门市蓬江区白沙大道西8号"  # registered address: kept
    assert pv.fields["legal_representative"] == "欧阳某某"
    assert "欧阳娜娜" not in json.dumps(pv.fields, ensure_ascii=False)
    assert "陈伟（执法证号：3708821034）" in pv.fields["officers"]


def test_legal_representative_policy_is_configurable(firm_decision):
    assert redact(firm_decision, RedactionPolicy(legal_rep="keep")).fields["legal_representative"] == "欧阳娜娜"
    assert redact(firm_decision, RedactionPolicy(legal_rep="remove")).fields["legal_representative"] == "某某"


def test_decision_public_version_and_preview_diff(person_decision):
    pv = redact(person_decision)
    blob = json.dumps(pv.fields, ensure_ascii=False)
    for ident in personal_identifiers(person_decision):
        assert ident not in blob, ident
    assert pv.fields["party_name"] == "张某某"
    assert pv.fields["party_address"] == "广东省江门市蓬江区"
    assert "证人某某的证言" in pv.fields["evidence"]
    assert "没收违法所得" in pv.fields["penalty_text"] and "50,000" in pv.fields["penalty_text"]
    cats = pv.counts()
    for c in ("party_name", "third_party", "id_number", "phone", "bank_account", "plate", "address"):
        assert cats.get(c), c
    rows = pv.preview_rows()
    assert {"字段", "原文", "公开版本", "类别", "依据"} <= set(rows[0])
    assert any("个人信息保护法 第二十八条" in r["依据"] for r in rows)   # bank account: 金融账户


def test_trade_secret_spans_are_removed(firm_decision):
    from dataclasses import replace

    rec = replace(firm_decision, facts=firm_decision.facts + "其配方为面粉62%、白砂糖20%。",
                  trade_secrets=("配方为面粉62%、白砂糖20%",))
    pv = redact(rec)
    assert "面粉62%" not in pv.fields["facts"]
    assert "商业秘密" in pv.fields["facts"]
    assert any(r.category == "trade_secret" and "反不正当竞争法 第十条" in r.basis for r in pv.redactions)


def test_minors_are_not_published(person_decision):
    from dataclasses import replace

    minor = replace(person_decision, party=Party(kind="natural_person", name="小明同学", minor=True))
    with pytest.raises(GateRefused) as exc:
        redact(minor)
    assert "未成年人" in exc.value.message and "个人信息保护法 第二十八条" in exc.value.article


def test_nothing_personal_is_logged(person_decision, caplog):
    caplog.set_level("DEBUG")
    redact(person_decision)
    text = caplog.text
    assert "公示脱敏完成" in text
    for ident in personal_identifiers(person_decision):
        assert ident not in text
