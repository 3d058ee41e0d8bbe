"""The recommender applies 行政处罚法 as rules: 时效, 不予, bands, 从轻/减轻, 从重, clamping, units."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from assistant.discretion import CaseFacts, RecommenderConfig, check_proposed, recommend
from assistant.discretion.model import STATUTORY_FACTORS

CFG = RecommenderConfig(hearing_thresholds={"natural_person": 10000, "legal_person": 100000, "other_org": 100000},
                        today=date(2026, 1, 10))
D = dict(violation_date=date(2020, 5, 1), decision_date=date(2020, 6, 1))


@pytest.fixture(scope="module")
def all_benchmarks(jiangmen, demo):
    return jiangmen.benchmarks + demo.benchmarks


def rec(facts, bms, store=None, **kw):
    return recommend(facts, bms, store, config=kw.pop("config", CFG), **kw)


def test_statutory_factor_sources_quote_the_store(statute_store):
    lineage = statute_store.resolve_lineage("行政处罚法")
    for f in STATUTORY_FACTORS:
        number = f.legal_source.split("》")[1].split("条")[0] + "条"
        from corpus.numerals import parse_article_no
        n, _ = parse_article_no(number)
        art = statute_store.article_on(lineage, n, 0, date(2026, 1, 1)).article
        assert f.quote in art.text, f.code


def test_band_selected_by_duration(all_benchmarks, statute_store):
    r = rec(CaseFacts(violation_code="2-1", quantities={"分钟": 20}, **D), all_benchmarks, statute_store)
    assert r.outcome == "penalty" and r.band.level == "1"
    assert (r.band_min, r.band_max, r.proposed) == (20000, 50000, 35000)
    r = rec(CaseFacts(violation_code="2-1", quantities={"分钟": 45}, **D), all_benchmarks, statute_store)
    assert r.band.level == "2" and (r.band_min, r.band_max) == (50000, 100000)
    assert any("第八十一条在2020-05-01有效" in s.text for s in r.explanation)


def test_text_match_picks_the_violation(all_benchmarks):
    r = rec(CaseFacts(violation_text="当事人经营超过保质期的食品", quantities={"货值": 3000}, **D), all_benchmarks)
    assert r.benchmark.violation_code == "SJ-001" and r.band.level == "一般"


def test_article_32_mitigation_is_mandatory_and_moves_toward_the_minimum(all_benchmarks):
    base = CaseFacts(violation_code="2-1", quantities={"分钟": 20}, **D)
    plain = rec(base, all_benchmarks)
    lighter = rec(replace(base, factors=("P32-1",), factor_evidence={"P32-1": ("整改报告",)}), all_benchmarks)
    assert lighter.lighter and lighter.proposed < plain.proposed
    assert lighter.proposed == 27500 // 100 * 100  # 2万 + 3万 × 0.25 → rounded to 100
    assert (lighter.range_min, lighter.range_max) == (20000, 35000)
    assert any("第三十二条第（一）项" in s.source for s in lighter.explanation)


def test_minor_aged_14_to_18_gets_mitigation(all_benchmarks):
    r = rec(CaseFacts(violation_code="JG-001", party_type="natural_person", age=16, quantities={"个数": 20}, **D),
            all_benchmarks)
    assert r.lighter and r.factors[0].code == "P30-MINOR" and r.proposed < 2000


def test_mitigation_goes_below_statutory_minimum_with_configurable_floor(all_benchmarks):
    f = CaseFacts(violation_code="2-1", quantities={"分钟": 20}, factors=("P32-3",), prefer_mitigated=True, **D)
    r = rec(f, all_benchmarks)
    assert r.mitigated and (r.range_min, r.range_max) == (10000, 20000) and r.proposed == 15000
    assert check_proposed(12000, r) == []  # below statutory minimum is lawful when 减轻 applies
    r = rec(f, all_benchmarks, config=replace(CFG, mitigation_floor=0.8))
    assert r.range_min == 16000


def test_article_33_no_penalty_with_education_and_correction(all_benchmarks):
    f = CaseFacts(violation_code="2-1", minor_violation=True, corrected=True, harm="none", **D)
    r = rec(f, all_benchmarks)
    assert r.outcome == "no_penalty" and r.measures == ("教育", "责令改正") and not r.optional_no_penalty
    assert r.factors[0].legal_source.endswith("第三十三条第一款")
    assert [x.code for x in check_proposed(20000, r)] == ["no_penalty"]


def test_under_14_and_no_fault_are_not_punished(all_benchmarks):
    r = rec(CaseFacts(violation_code="JG-001", party_type="natural_person", age=13, **D), all_benchmarks)
    assert r.outcome == "no_penalty" and r.factors[0].code == "P30-UNDER14"
    r = rec(CaseFacts(violation_code="JG-001", no_fault=True, **D), all_benchmarks)
    assert r.factors[0].code == "P33-NOFAULT"


def test_first_offence_exemption_is_optional(all_benchmarks):
    f = CaseFacts(violation_code="JG-001", first_offence=True, corrected=True, harm="slight",
                  quantities={"个数": 5}, **D)
    r = rec(f, all_benchmarks)
    assert r.outcome == "no_penalty" and r.optional_no_penalty
    assert check_proposed(500, r)[0].severity == "warning"
    declined = rec(replace(f, apply_first_offence_exemption=False), all_benchmarks)
    assert declined.outcome == "penalty" and declined.band.level == "轻微"


def test_first_offence_list_entry_is_cited(jiangmen, shared_dir):
    from corpus.benchmarks import import_first_offence_md

    entries = import_first_offence_md(shared_dir / "data/discretion/jiangmen-eco-first-offence-list.md")
    f = CaseFacts(violation_code="1-2", first_offence=True, corrected=True, harm="slight", **D)
    r = rec(f, jiangmen.benchmarks, first_offence_list=entries)
    assert r.outcome == "no_penalty" and "未依法备案建设项目环境影响登记表" in r.explanation[-2].text


def test_no_aggravation_unless_the_benchmark_lists_it(all_benchmarks):
    base = CaseFacts(violation_code="SJ-001", quantities={"货值": 3000}, **D)
    plain = rec(base, all_benchmarks)
    unlisted = rec(replace(base, factors=("REPEAT-UNLISTED",)), all_benchmarks)
    assert unlisted.proposed == plain.proposed and not unlisted.heavier
    listed = rec(replace(base, factors=("SJ-001-H1",), factor_evidence={"SJ-001-H1": ("销售记录",)}), all_benchmarks)
    assert listed.heavier and listed.proposed > plain.proposed and listed.proposed <= listed.band_max


def test_clamped_to_statutory_range(all_benchmarks):
    from assistant.discretion.model import BenchmarkBand

    bm = next(b for b in all_benchmarks if b.violation_code == "JG-001")
    wide = replace(bm, id="x", violation_code="JG-WIDE",
                   bands=(BenchmarkBand("一般", "任何情形", (), 4000, 8000),))  # a band beyond 五千元以下
    r = rec(CaseFacts(violation_code="JG-WIDE", **D), [wide])
    assert r.proposed == 5000 and r.range_max == 5000
    assert any(s.step == "法定幅度" for s in r.explanation)


def test_illegal_gains_multiples_and_confiscation(jiangmen):
    b = next(b for b in jiangmen.benchmarks if any(x.unit == "违法所得倍数" for x in b.bands))
    band = next(x for x in b.bands if x.unit == "违法所得倍数")
    f = CaseFacts(violation_code=b.violation_code, band=band.level, quantities={"违法所得": 20000},
                  quantity_evidence={"违法所得": ("银行流水",)}, **D)
    r = rec(f, jiangmen.benchmarks)
    assert r.base_quantity == "违法所得" and r.band_min == band.min * 20000 and r.band_max == band.max * 20000
    assert "没收违法所得2万元" in r.accessories and r.confiscation == 20000


def test_goods_value_ratio_needs_the_evidenced_base(all_benchmarks):
    r = rec(CaseFacts(violation_code="ZL-001", band="一般", **D), all_benchmarks)
    assert r.outcome == "needs_quantity" and r.base_quantity == "货值"
    r = rec(CaseFacts(violation_code="ZL-001", quantities={"货值": 40000}, **D), all_benchmarks)
    assert (r.stat_min, r.stat_max) == (20000, 120000) and (r.band_min, r.band_max) == (20000, 60000)
    assert any("未关联证据" in w for w in r.warnings)


def test_limitation_period(all_benchmarks):
    f = CaseFacts(violation_code="JG-001", violation_date=date(2020, 1, 1), discovered_date=date(2022, 3, 1))
    r = rec(f, all_benchmarks)
    assert r.outcome == "time_barred" and r.explanation[-1].source.endswith("第三十六条")
    assert check_proposed(1000, r)[0].code == "time_barred"
    # 五年 for 生命健康安全 with harm
    r = rec(replace(f, life_health_or_financial=True, harm="slight", quantities={"个数": 5}), all_benchmarks)
    assert r.outcome == "penalty"
    # continuing act: counted from its end
    r = rec(replace(f, violation_end_date=date(2021, 6, 1), quantities={"个数": 5}), all_benchmarks)
    assert r.outcome == "penalty"


def test_out_of_band_and_above_max_findings(all_benchmarks):
    r = rec(CaseFacts(violation_code="2-1", quantities={"分钟": 20}, **D), all_benchmarks)
    assert check_proposed(35000, r) == []
    assert [f.code for f in check_proposed(80000, r)] == ["outside_band"]
    codes = [f.code for f in check_proposed(250000, r)]
    assert "above_statutory_max" in codes and "outside_band" in codes
    assert "below_statutory_min" in [f.code for f in check_proposed(10000, r)]


def test_hearing_and_review_flags(all_benchmarks):
    r = rec(CaseFacts(violation_code="SJ-001", quantities={"货值": 20000}, **D), all_benchmarks)
    assert r.hearing_required and r.review_required
    r = rec(CaseFacts(violation_code="2-1", quantities={"分钟": 20}, **D), all_benchmarks)
    assert not r.hearing_required
    r = rec(CaseFacts(violation_code="2-1", quantities={"分钟": 20}, **D), all_benchmarks,
            config=replace(CFG, hearing_thresholds={"legal_person": 30000}))
    assert r.hearing_required and r.review_required  # 经过听证 → 法制审核 (第五十八条第一款第（二）项)


def test_one_fine_for_one_act_higher_rule_wins(all_benchmarks):
    f = CaseFacts(violation_code="JG-001", additional_violation_codes=("2-1",), quantities={"个数": 5, "分钟": 20}, **D)
    r = rec(f, all_benchmarks)
    assert r.benchmark.violation_code == "2-1"
    assert r.explanation[-1].source.endswith("第二十九条")


def test_peer_percentile_alert(all_benchmarks):
    f = CaseFacts(violation_code="2-1", quantities={"分钟": 20}, **D)
    r = rec(f, all_benchmarks, peers=[20000, 21000, 22000, 22000, 23000, 24000, 25000])
    assert r.peer_stats["n"] == 7 and any("10–90分位" in w for w in r.warnings)


def test_unpublished_benchmark_is_unusable(all_benchmarks):
    bm = next(b for b in all_benchmarks if b.violation_code == "JG-001")
    r = rec(CaseFacts(violation_code="JG-001", **D), [replace(bm, published_at=None)])
    assert r.outcome == "no_benchmark" and any("未公布" in w for w in r.warnings)
