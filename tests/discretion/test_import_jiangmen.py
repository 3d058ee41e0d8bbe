"""The real published 江门市生态环境局 table is imported without hand edits."""
from __future__ import annotations

import json

from assistant.discretion.model import CNY
from assistant.discretion.repository import load_benchmarks, save_report


def _by_code(report, code):
    return next(b for b in report.benchmarks if b.violation_code == code)


def test_counts_match_the_flattened_reference(jiangmen, shared_dir):
    flat = [json.loads(line) for line in (shared_dir / "data/discretion/jiangmen-eco-2020.flat.jsonl").open(encoding="utf-8")]
    assert jiangmen.violations == len(flat) == 165
    assert jiangmen.tiers == sum(len(r["tiers"]) for r in flat) == 678
    ours = {b.violation_code: len(b.bands) for b in jiangmen.benchmarks}
    assert ours == {r["id"]: len(r["tiers"]) for r in flat}


def test_no_row_is_silently_dropped(jiangmen):
    assert jiangmen.unparsed == []
    # the three bands whose 裁量标准 is hidden under a merged cell are reported, with row numbers
    merged = [w for w in jiangmen.warnings if "合并" in w.message]
    assert {(w.sheet, w.row) for w in merged} == {("大气污染防治法", 73), ("固废污染防治法", 37), ("噪声污染防治法", 16)}


def test_2_1_first_band_is_20k_to_50k_for_10_to_30_minutes(jiangmen):
    b = _by_code(jiangmen, "2-1")
    band = b.bands[0]
    assert band.level == "1"
    assert (band.min, band.max, band.unit) == (20000, 50000, CNY)
    r = band.conditions[0].ranges[0]
    assert (r.quantity, r.lo, r.hi) == ("分钟", 10, 30)
    assert (b.bands[1].min, b.bands[1].max) == (50000, 100000)
    assert (b.bands[2].min, b.bands[2].max) == (100000, 150000)
    assert "责令改正" in band.measures
    # statutory range read from the cited article: 处二万元以上二十万元以下的罚款
    assert (b.stat_min, b.stat_max) == (20000, 200000)
    assert b.penalty_provisions == ("《中华人民共和国水污染防治法》第八十一条",)


def test_units_multiples_and_percentages(jiangmen):
    b = _by_code(jiangmen, "1-1")  # 建设项目总投资额百分之一以上百分之二以下
    assert b.fine_unit == "投资额比例"
    assert (b.bands[0].min, b.bands[0].max) == (0.01, 0.02)
    assert (b.stat_min, b.stat_max) == (0.01, 0.05)
    b = _by_code(jiangmen, "3-10")  # 货值金额1倍以上2倍以下
    assert b.bands[0].unit == "货值比例" and (b.bands[0].min, b.bands[0].max) == (1, 2)
    units = {band.unit for b in jiangmen.benchmarks for band in b.bands}
    assert {"CNY", "违法所得倍数", "投资额比例", "直接损失比例"} <= units


def test_ranges_written_in_chinese(jiangmen):
    b = _by_code(jiangmen, "1-3")  # 处五十万元以上七十万元以下 … 一百五十万元以上二百万元以下
    assert (b.bands[0].min, b.bands[0].max) == (500000, 700000)
    assert (b.bands[-1].min, b.bands[-1].max) == (1500000, 2000000)
    assert b.bands[0].extra_penalties  # 并对…直接负责的主管人员…处五万元以上七万元以下的罚款


def test_old_environmental_articles_map_to_the_code_or_are_flagged(jiangmen):
    c = _by_code(jiangmen, "2-1").citations[0]
    assert c.status == "repealed_mapped"
    assert c.successor_citation == "《中华人民共和国生态环境法典》第一千二百二十九条"
    stats = jiangmen.citation_stats()
    assert stats["repealed_mapped"] >= 30
    flagged = {(c.law_name, c.article_no): c for c in jiangmen.flagged_citations()}
    # 固废法 is cited in its 2016 text; the store holds only the 2020 revision → flagged, not guessed
    assert flagged[("中华人民共和国固体废物污染环境防治法", "第六十八条")].status == "version_mismatch"
    # 行政法规 / 地方性法规 are reported as not verifiable in the store
    assert flagged[("建设项目环境保护管理条例", "第二十三条")].status == "not_in_store"
    assert "无法在库中核验" in flagged[("广东省环境保护条例", "第六十四条")].message


def test_stored_in_one_batch_and_reimport_replaces(jiangmen, session):
    save_report(session, jiangmen)
    session.commit()
    save_report(session, jiangmen)
    session.commit()
    loaded = load_benchmarks(session, source_key=jiangmen.source_key)
    assert len(loaded) == 165 and sum(len(b.bands) for b in loaded) == 678
    again = next(b for b in loaded if b.violation_code == "2-1")
    assert again == _by_code(jiangmen, "2-1")
