"""Each automatic check of the 法制审核 checklist, with a failing and a passing example (real statute store)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from assistant.checklist import FAIL, ITEMS, PASS, ReviewContext, run_checklist, summary
from tests.review.conftest import PARTY, draft_text

CTX = ReviewContext(filed_on=date(2026, 9, 1), party_name=PARTY, party_kind="法人或者其他组织", notice_fine=50000,
                    statement_window_closed=True, hearing_threshold=50000, band_label="一般", band_min=50000,
                    band_max=70000, handlers=["zhang3", "li4"], handler_credentials_valid={"zhang3": True, "li4": True},
                    reviewer="sun_review", reviewer_qualified=True)
CLEAN = draft_text()


def status(text: str, store, ctx: ReviewContext = CTX) -> dict[str, str]:
    return summary(run_checklist(text, store, ctx))


def messages(text, store, item, ctx=CTX) -> list[str]:
    return [f.message for f in run_checklist(text, store, ctx) if f.item == item and f.status == FAIL]


def test_a_clean_draft_has_no_failing_item(statute_store):
    s = status(CLEAN, statute_store)
    assert set(s) == {name for name, _ in ITEMS}
    assert FAIL not in s.values(), run_checklist(CLEAN, statute_store, CTX)
    assert s["程序合法"] == s["事实清楚"] == s["文书规范齐备"] == s["裁量基准适当"] == PASS


def test_subject_needs_the_deciding_agency(statute_store):
    assert status(CLEAN, statute_store)["主体合法"] != FAIL
    no_agency = CLEAN.replace("某市市场监督管理局\n行政处罚决定书", "行政处罚决定书").replace("某市市场监督管理局\n2026", "2026")
    assert status(no_agency, statute_store)["主体合法"] == FAIL


def test_personnel_two_credentialed_handlers_and_separation_of_duties(statute_store):
    assert status(CLEAN, statute_store)["人员资格"] == PASS
    assert any("办审分离" in m for m in messages(CLEAN, statute_store, "人员资格", replace(CTX, reviewer="zhang3")))
    expired = replace(CTX, handler_credentials_valid={"zhang3": True, "li4": False})
    assert any("不足两人" in m for m in messages(CLEAN, statute_store, "人员资格", expired))
    assert messages(CLEAN, statute_store, "人员资格", replace(CTX, reviewer_qualified=False))


def test_procedure_ninety_days(statute_store):
    late = draft_text(decided="2026年12月15日")
    assert any("九十日" in m for m in messages(late, statute_store, "程序合法"))
    assert not messages(CLEAN, statute_store, "程序合法")


def test_procedure_hearing_notice_above_the_threshold(statute_store):
    no_hearing = CLEAN.replace("和要求听证的权利", "的权利").replace("、申辩和听证", "、申辩")
    assert "听证" not in no_hearing
    assert any("听证" in m for m in messages(no_hearing, statute_store, "程序合法"))
    below = replace(CTX, hearing_threshold=100000)
    assert not messages(no_hearing, statute_store, "程序合法", below)


def test_procedure_statement_window_and_prior_notice(statute_store):
    assert messages(CLEAN, statute_store, "程序合法", replace(CTX, statement_window_closed=False))
    after = replace(CTX, notice_date=date(2026, 10, 20))
    assert any("事先告知日期" in m for m in messages(CLEAN, statute_store, "程序合法", after))


def test_facts_party_name_consistency(statute_store):
    other = CLEAN.replace("经查，2026年8月20日，当事人", "经查，2026年8月20日，当事人某食品商贸有限公司", 1)
    assert any("前后不一致" in m for m in messages(other, statute_store, "事实清楚"))
    renamed = replace(CTX, party_name="另一食品有限公司")
    assert any("案件登记不一致" in m for m in messages(CLEAN, statute_store, "事实清楚", renamed))


def test_facts_amount_consistency_and_capital_figures(statute_store):
    big = draft_text(fine_big="陆万元整")
    assert any("大小写不一致" in m for m in messages(big, statute_store, "事实清楚"))
    twice = CLEAN.replace("将罚没款缴至", "将罚款60000元缴至")
    assert any("金额前后不一致" in m for m in messages(twice, statute_store, "事实清楚"))


def test_evidence_must_be_listed(statute_store):
    assert status(CLEAN, statute_store)["证据合法充分"] != FAIL
    no_evidence = "\n".join(ln for ln in CLEAN.split("\n") if "证据" not in ln)
    assert status(no_evidence, statute_store)["证据合法充分"] == FAIL


def test_law_repealed_and_fabricated_citations(statute_store):
    repealed = CLEAN.replace("《中华人民共和国食品安全法》第三十四条第（十）项", "《中华人民共和国大气污染防治法》第九十九条")
    assert messages(repealed, statute_store, "适用法律准确", replace(CTX, violation_date=date(2026, 9, 15)))
    fake = CLEAN.replace("第三十四条第（十）项", "第九百九十九条")
    assert any("第九百九十九条" in m for m in messages(fake, statute_store, "适用法律准确"))
    assert status(CLEAN, statute_store)["适用法律准确"] != FAIL


def test_discretion_statutory_maximum_band_and_notice(statute_store):
    over = draft_text(fine="150000", fine_big="壹拾伍万元整")
    wide = replace(CTX, notice_fine=None, band_min=None, band_max=None)
    assert any("法定上限" in m for m in messages(over, statute_store, "裁量基准适当", wide))
    assert any("档次" in m for m in messages(CLEAN, statute_store, "裁量基准适当", replace(CTX, band_min=10000, band_max=40000)))
    assert any("事先告知" in m for m in messages(CLEAN, statute_store, "裁量基准适当", replace(CTX, notice_fine=40000)))
    assert status(CLEAN, statute_store)["裁量基准适当"] == PASS


def test_authority_detention_only_by_police(statute_store):
    detention = CLEAN.replace("2.罚款人民币50000元（伍万元整）。", "2.罚款人民币50000元（伍万元整）；\n3.行政拘留五日。")
    assert status(detention, statute_store)["是否超越权限"] == FAIL
    assert status(CLEAN, statute_store)["是否超越权限"] == PASS


@pytest.mark.parametrize("change, words", [
    (lambda t: t.replace("六个月", "三个月"), "行政诉讼"),
    (lambda t: t.replace("六十日", "十五日"), "行政复议"),
    (lambda t: draft_text(payment=False), "十五日"),
    (lambda t: "\n".join(ln for ln in t.split("\n") if not ln.startswith("如不服")), "行政复议"),
    (lambda t: t.replace("某市监罚〔2026〕1号\n", ""), "文号"),
])
def test_documents_items_of_article_59_and_remedy_periods(statute_store, change, words):
    fails = messages(change(CLEAN), statute_store, "文书规范齐备")
    assert fails and any(words in m for m in fails), fails
    assert not messages(CLEAN, statute_store, "文书规范齐备")


def test_crime_referral_threshold_is_a_warning(statute_store):
    assert status(CLEAN, statute_store, replace(CTX, crime_threshold=20000))["涉嫌犯罪移送"] == "warn"
    assert status(CLEAN, statute_store)["涉嫌犯罪移送"] == "manual"


# -- the CLI on a .docx from anywhere ----------------------------------------------------------------

def _docx(path: Path, text: str) -> Path:
    d = docx.Document()
    for line in text.split("\n"):
        d.add_paragraph(line)
    d.save(str(path))
    return path


@pytest.fixture
def cli_env(tmp_path, statute_store, monkeypatch):
    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZHIFA_STATUTE_DB", str(statute_store.path))
    return tmp_path


def test_review_check_cli_on_a_docx(cli_env, statute_store, capsys):
    from assistant.cli import main

    good = _docx(cli_env / "good.docx", CLEAN)
    bad = _docx(cli_env / "bad.docx", CLEAN.replace("六个月", "三个月"))
    assert main(["review", "check", str(good), "--as-of", "2026-10-14"]) == 0
    out = capsys.readouterr().out
    assert "文书规范齐备" in out
    assert main(["review", "check", str(bad), "--json"]) == 1
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["文书规范齐备"] == "fail" and data["ok"] is False
