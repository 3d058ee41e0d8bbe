"""Point-in-time selection (行政处罚法 第三十七条) and the structure of the imported store."""
from datetime import date

import pytest

from assistant.errors import SetupMissing
from corpus.statutes import StatuteStore
from corpus.structure import clean_article_text, split_paragraphs


def test_every_national_article_is_imported_with_history(statute_store):
    c = statute_store.counts()
    assert c["laws"] == 378 and c["articles"] == 26196
    # all versions of a revised law are kept
    assert len(statute_store.versions("中华人民共和国农业法")) == 2


def test_short_names_resolve(statute_store):
    assert statute_store.resolve_lineage("食安法") == "中华人民共和国食品安全法"
    assert statute_store.resolve_lineage("行政处罚法") == "中华人民共和国行政处罚法"
    assert statute_store.resolve_lineage("中华人民共和国行政处罚法") == "中华人民共和国行政处罚法"
    assert statute_store.resolve_lineage("不存在的法") is None


def test_version_in_force_is_chosen_by_date(statute_store):
    lineage = "中华人民共和国农业法"
    old, new = statute_store.versions(lineage)
    assert statute_store.law_on(lineage, date(2026, 11, 22)).law_id == old.law_id
    assert statute_store.law_on(lineage, date(2027, 1, 1)).law_id == new.law_id


def test_repealed_environmental_law_points_to_the_code(statute_store):
    lineage = "中华人民共和国大气污染防治法"
    before = statute_store.article_on(lineage, 99, 0, date(2024, 9, 1))
    assert before.reason == "in_force"
    after = statute_store.article_on(lineage, 99, 0, date(2026, 9, 1))
    assert after.reason == "repealed"
    law = after.law
    assert law.repealed_on == "2026-08-15"
    assert law.replaced_by == "中华人民共和国生态环境法典"
    assert "第一千二百四十二条" in law.repeal_basis


def test_amended_text_dates_from_the_amendment_decision(statute_store):
    # 食品安全法 stored as the 2025 amendment; the 修改决定 takes effect 2025-12-01
    law = statute_store.law_on("中华人民共和国食品安全法", date(2026, 1, 1))
    assert law.in_force_from == "2025-12-01"
    earlier = statute_store.article_on("中华人民共和国食品安全法", 124, 0, date(2020, 1, 1))
    assert earlier.reason == "earlier_version_not_stored"
    assert earlier.article.article_no == "第一百二十四条"


def test_fabricated_article_is_not_found(statute_store):
    assert statute_store.article_on("中华人民共和国行政处罚法", 999, 0, date(2026, 1, 1)).reason == "article_not_found"


def test_paragraphs_and_items_are_addressable(statute_store):
    art = statute_store.find_article(statute_store.law_on("中华人民共和国食品安全法", date(2026, 1, 1)).law_id, 124)
    item5 = statute_store.paragraph(art.id, 1, 5)
    assert item5.text.startswith("（五）生产经营标注虚假生产日期")
    assert statute_store.paragraph(art.id, 3, 0).text.startswith("生产食品相关产品新品种")


def test_stray_heading_is_stripped():
    text = "自然人的个人信息受法律保护。\n第五编 婚姻家庭"
    assert clean_article_text(text) == "自然人的个人信息受法律保护。"
    paras = split_paragraphs("有下列情形之一的：\n（一）甲；\n（二）乙。\n前款规定……")
    assert [(p.kuan, p.xiang) for p in paras] == [(1, 0), (1, 1), (1, 2), (2, 0)]


def test_missing_store_says_how_to_fix(tmp_path):
    with pytest.raises(SetupMissing) as err:
        StatuteStore(tmp_path / "nope.db")
    assert "zhifa prepare" in err.value.message
