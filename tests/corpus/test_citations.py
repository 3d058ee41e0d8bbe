"""Citation verification: every citation in a draft must name a real article, in force on the
relevant date (行政处罚法 第三十七条); fabricated laws and articles are flagged."""
import dataclasses
import json
from datetime import date

from assistant.citations import extract_citations, verify_citations

DAY = date(2026, 11, 22)


def _one(store, text, day=DAY):
    checks = verify_citations(text, store, day)
    assert len(checks) == 1, checks
    return checks[0]


def test_real_citation_is_ok_and_returns_the_cited_item_text(statute_store):
    c = _one(statute_store, "违反了《中华人民共和国食品安全法》第一百二十四条第一款第（五）项")
    assert c.ok and c.reason == "ok"
    assert "超过保质期" in c.cited_text
    assert c.canonical == "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"
    assert c.law_id and c.version_from == "2025-12-01"


def test_fabricated_law_is_flagged(statute_store):
    c = _one(statute_store, "依据《中华人民共和国行政执法证据法》第五条")
    assert not c.ok and c.reason == "law_not_found" and "没有" in c.message


def test_fabricated_article_is_flagged(statute_store):
    c = _one(statute_store, "《行政处罚法》第九百条")
    assert not c.ok and c.reason == "article_not_found"


def test_missing_kuan_and_item_are_flagged(statute_store):
    assert _one(statute_store, "《行政处罚法》第三十二条第五款").reason == "kuan_not_found"
    assert _one(statute_store, "《行政处罚法》第三十二条第一款第（九）项").reason == "xiang_not_found"


def test_repealed_law_after_the_code_took_effect_points_to_the_successor(statute_store):
    c = _one(statute_store, "《大气污染防治法》第九十九条")
    assert not c.ok and c.reason == "repealed"
    assert c.successors[0].law_name == "中华人民共和国生态环境法典"
    assert "生态环境法典" in c.message


def test_short_names_and_arabic_numerals_resolve(statute_store):
    a = _one(statute_store, "依据食安法第124条")
    b = _one(statute_store, "处罚法第32条")
    assert a.ok and a.article_no == "第一百二十四条"
    assert b.ok and b.law_name == "中华人民共和国行政处罚法"


def test_bare_name_without_guillemets(statute_store):
    c = _one(statute_store, "依据食品安全法第一百二十四条作出处罚")
    assert c.ok and c.citation.law_name == "食品安全法"


def test_same_law_back_reference_and_lists(statute_store):
    text = "违反《食品安全法》第三十四条第（十）项，依据同法第一百二十四条、第一百二十五条"
    checks = verify_citations(text, statute_store, DAY)
    assert [c.citation.number for c in checks] == [34, 124, 125]
    assert all(c.ok for c in checks)
    assert checks[1].citation.back_reference
    assert "超过保质期" in checks[0].cited_text


def test_ranges_expand(statute_store):
    cites = extract_citations("《行政处罚法》第五十一条至第五十三条")
    assert [c.number for c in cites] == [51, 52, 53]


def test_article_of_a_law_not_yet_in_force_on_the_day(statute_store):
    c = _one(statute_store, "《生态环境法典》第一条", date(2025, 1, 1))
    assert not c.ok and c.reason == "not_yet_in_force"


def test_spans_point_into_the_input(statute_store):
    text = "经查，当事人违反《行政处罚法》第九百条。"
    (c,) = verify_citations(text, statute_store, DAY)
    assert text[c.citation.start:c.citation.end] == c.citation.text == "《行政处罚法》第九百条"


def test_checks_are_json_serialisable(statute_store):
    checks = verify_citations("《食品安全法》第三十四条；《大气污染防治法》第九十九条", statute_store, DAY)
    json.dumps([dataclasses.asdict(c) for c in checks], ensure_ascii=False)


def test_user_instrument_is_a_warning_until_confirmed(writable_store, regs_dir):
    from corpus.regulations import confirm_instrument, import_instrument

    r = import_instrument(writable_store, regs_dir / "示例市市容和环境卫生管理办法.txt")
    c = _one(writable_store, "《示例市市容和环境卫生管理办法》第三条第（二）项")
    assert c.ok and c.reason == "user_unverified" and c.severity == "warning"
    assert "涂写" in c.cited_text
    confirm_instrument(writable_store, r.law_id)
    assert _one(writable_store, "市容办法第三条之一").reason == "ok"
