"""The DEMO benchmark cites only national-law articles that exist in the store, with statutory ranges
that match the article text; the 江门 首违不罚 list imports as structured entries."""
from __future__ import annotations

from corpus.benchmarks import import_first_offence_md, parse_citations
from corpus.numerals import int_to_cn


def test_demo_is_marked_and_published(demo):
    assert demo.violations == 5
    for b in demo.benchmarks:
        assert b.demo and b.published_at is not None
        assert b.agency in ("示范市综合行政执法局", "示范市市场监督管理局")


def test_demo_citations_exist_in_store(demo, statute_store):
    for b in demo.benchmarks:
        assert b.citations and all(c.status == "current" for c in b.citations), b.violation_code
        for text in b.penalty_provisions + b.violated_provisions:
            (c,) = parse_citations(text)
            lineage = statute_store.resolve_lineage(c.law)
            assert statute_store.find_article(statute_store.current_version(lineage).law_id, c.number) is not None


def _article_text(store, citation):
    (c,) = parse_citations(citation)
    law = store.current_version(store.resolve_lineage(c.law))
    return store.find_article(law.law_id, c.number).text


def test_demo_statutory_ranges_match_the_article_text(demo, statute_store):
    expect = {
        "SJ-001": "货值金额不足一万元的，并处五万元以上十万元以下罚款；货值金额一万元以上的，并处货值金额十倍以上二十倍以下罚款",
        "JG-001": "可以并处五千元以下的罚款",
        "GG-001": "处广告费用三倍以上五倍以下的罚款",
        "ZL-001": "货值金额百分之五十以上三倍以下的罚款",
        "CG-001": "处建设工程造价百分之五以上百分之十以下的罚款",
    }
    for b in demo.benchmarks:
        assert expect[b.violation_code] in _article_text(statute_store, b.penalty_provisions[0])
    ranges = {b.violation_code: (b.fine_unit, b.stat_min, b.stat_max) for b in demo.benchmarks}
    assert ranges["SJ-001"] == ("CNY", 50000, 100000)
    assert ranges["JG-001"] == ("CNY", 0, 5000)
    assert ranges["GG-001"][1:] == (3, 10)  # 五倍以上十倍以下 for 严重情节
    assert ranges["ZL-001"] == ("货值比例", 0.5, 3)
    assert ranges["CG-001"] == ("造价比例", 0.05, 0.10)
    for b in demo.benchmarks:  # every band lies inside the statutory range of its unit
        for band in b.bands:
            if band.min is not None and band.unit == b.fine_unit:
                assert b.stat_min <= band.min <= band.max <= b.stat_max, (b.violation_code, band.level)


def test_first_offence_list(shared_dir):
    entries = import_first_offence_md(shared_dir / "data/discretion/jiangmen-eco-first-offence-list.md")
    assert len(entries) >= 20
    first = entries[0]
    assert first.violation_name == "建设单位未依法备案建设项目环境影响登记表"
    assert first.agency == "江门市生态环境局"
    assert first.requires == ("first_offence", "corrected", "harm_slight")
    assert first.violated_provisions[0].startswith("《中华人民共和国环境影响评价法》第二十二条")
    assert str(first.effective_from) == "2022-02-01" and str(first.effective_to) == "2025-02-01"
    assert int_to_cn(first.seq) == "一"
