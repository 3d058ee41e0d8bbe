"""Checks before a draft can be submitted: citations in force, amounts, numbers, procedure."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from assistant.documents import cite
from assistant.drafting import draft_document
from assistant.errors import InputError


def test_cite_resolves_text_from_store(statute_store):
    ref = cite(statute_store, "大气污染防治法", 99, kuan=1, xiang=1, as_of=date(2025, 9, 1))
    assert ref.label == "《中华人民共和国大气污染防治法》第九十九条第一款第（一）项"
    assert ref.text.startswith("（一）未依法取得排污许可证")
    assert "十万元以上一百万元以下" in ref.article_text


def test_citation_refused_when_not_in_force_on_violation_date(statute_store):
    # 大气污染防治法 was replaced by 生态环境法典 on 2026-08-15
    with pytest.raises(InputError, match="已于2026-08-15废止"):
        cite(statute_store, "大气污染防治法", 99, as_of=date(2026, 9, 1))


def test_context_with_repealed_citation_is_refused(make_ctx, data):
    data["case"]["violation_date"] = "2026-09-01"
    with pytest.raises(InputError, match=r"violations\[0\]\.violated\[0\]"):
        make_ctx(data)


def test_unknown_law_article_and_kuan_are_refused(statute_store):
    with pytest.raises(InputError, match="没有《"):
        cite(statute_store, "不存在的法", 1, as_of=date(2025, 1, 1))
    with pytest.raises(InputError):
        cite(statute_store, "行政处罚法", 999, as_of=date(2025, 1, 1))
    with pytest.raises(InputError, match="没有第九款"):
        cite(statute_store, "行政处罚法", 28, kuan=9, as_of=date(2025, 1, 1))


def test_stale_ref_in_context_is_a_blocking_finding(ctx, statute_store):
    moved = replace(ctx, case=replace(ctx.case, violation_date=date(2026, 9, 1)))
    draft = draft_document("决定书", moved, store=statute_store)
    assert not draft.can_submit
    assert any(f.code == "citation_repealed" for f in draft.blocking)


def _codes(draft):
    return {f.code: f.message for f in draft.findings}


def test_fine_outside_band(make_ctx, data, statute_store):
    data["discretion"]["band"] = [20000, 50000]
    data["penalties"] = [{"type": "罚款", "amount": 80000}]
    data["procedure"]["notified_penalties"] = [{"type": "罚款", "amount": 80000}]
    draft = draft_document("决定书", make_ctx(data), store=statute_store)
    assert _codes(draft)["fine_outside_band"] == "罚款 8 万元超出所选档次 2–5 万元"
    assert not draft.can_submit


def test_fine_above_statutory_maximum_read_from_the_article(make_ctx, data, statute_store):
    data["discretion"]["band"] = [1000000, 2000000]
    data["penalties"] = [{"type": "罚款", "amount": 1500000}]
    data["procedure"]["notified_penalties"] = [{"type": "罚款", "amount": 1500000}]
    codes = _codes(draft_document("决定书", make_ctx(data), store=statute_store))
    assert "超过法定最高额 100 万元" in codes["fine_above_statutory"]


def test_decision_heavier_than_notice(make_ctx, data, statute_store):
    data["penalties"] = [{"type": "罚款", "amount": 200000}]
    codes = _codes(draft_document("决定书", make_ctx(data), store=statute_store))
    assert "第四十五条" in codes["heavier_than_notice"]


def test_confiscation_must_equal_illegal_gains(make_ctx, data, statute_store):
    data["case"]["facts"]["illegal_gains"] = 2246
    data["penalties"].append({"type": "没收违法所得", "amount": 2000})
    data["procedure"]["notified_penalties"].append({"type": "没收违法所得", "amount": 2000})
    draft = draft_document("决定书", make_ctx(data), store=statute_store)
    assert "不一致" in _codes(draft)["confiscation_mismatch"]
    assert "没收违法所得人民币2000元（大写：人民币贰仟元整）" in draft.text


def test_every_number_must_come_from_the_context(ctx, statute_store):
    from assistant.drafting import check_numbers

    findings = check_numbers("罚款人民币150000元，另罚款人民币7777元（大写：人民币柒仟柒佰柒拾柒元整）", ctx, [])
    assert [f.message for f in findings] == ["文书中的数字“7777”在案件信息中找不到来源"]
    findings = check_numbers("罚款人民币150000元（大写：人民币壹拾伍元整）", ctx, [])
    assert findings and findings[0].code == "daxie_mismatch"


def test_filing_needs_two_handlers(make_ctx, data, statute_store):
    data["case"]["handlers"] = ["张三"]
    draft = draft_document("立案审批表", make_ctx(data), store=statute_store)
    assert "不得少于两人" in _codes(draft)["handlers"]


def test_bad_context_fields_are_named(make_ctx, data):
    data["penalties"] = [{"type": "罚金", "amount": 1}]
    with pytest.raises(InputError, match=r"penalties\[0\]\.type"):
        make_ctx(data)
    data["penalties"] = []
    data["party"]["kind"] = "公司"
    with pytest.raises(InputError, match="party.kind"):
        make_ctx(data)


def test_free_text_citations_are_verified_too(make_ctx, data, statute_store):
    # a fabricated article quoted in the 复核 reasons is caught by assistant.citations
    data["procedure"]["review_reasons"] = "依据《中华人民共和国行政处罚法》第二百条，申辩理由不成立"
    draft = draft_document("决定书", make_ctx(data), store=statute_store)
    assert any(f.code == "citation_article_not_found" and "告知与陈述申辩" in f.message for f in draft.blocking)
