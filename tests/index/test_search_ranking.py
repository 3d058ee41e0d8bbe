"""Ranking behaviour added for officers' questions: intent detection, colloquial expansion,
penalty + violated pairing, procedural routing, law restriction (real statute store, BM25-only
subset index from ``tests/index/conftest.py``)."""
from index.intent import detect_intent
from index.tokenize import expand_query


def _pos(hits, short_name, article):
    return next((i for i, h in enumerate(hits) if (h.short_name, h.article) == (short_name, article)), None)


def test_penalty_and_procedural_intents_are_told_apart():
    assert detect_intent("销售过期食品怎么处罚").penalty
    assert detect_intent("超市卖过期牛奶要罚多少钱").penalty
    fine = detect_intent("罚款多久内要交")
    assert fine.procedure and not fine.penalty and fine.procedure_laws == ("行政处罚法",)
    assert detect_intent("对处罚不服多久内可以申请行政复议").procedure_laws[0] == "行政复议法"
    assert "行政强制法" in detect_intent("查封扣押的期限是多长").procedure_laws
    assert "行政处罚法" in detect_intent("听证要在几天内申请").procedure_laws
    assert detect_intent("超市冷柜里的酸奶过期了还在卖，按什么查处").penalty  # enforcement verbs count too
    plain = detect_intent("食品生产经营者要建立进货查验记录制度吗")
    assert not plain.penalty and not plain.procedure


def test_colloquial_terms_are_expanded_to_statute_wording():
    text, added = expand_query("销售过期食品怎么处罚")
    assert "超过保质期" in added and text.startswith("销售过期食品怎么处罚")
    assert "未取得建设工程规划许可证" in expand_query("违法建设怎么处理")[1]
    assert "夜间" in expand_query("晚上能不能强制执行")[1]
    # a phrase inside a longer matched phrase is expanded once, and nothing is added twice
    _, added = expand_query("过了保质期的食品")
    assert added.count("超过保质期") == 0 or len(added) == len(set(added))
    assert expand_query("行政处罚法第三十七条") == ("行政处罚法第三十七条", [])
    assert "盗窃" in expand_query("超市里顺手牵羊拿了几包烟")[1]
    assert "期限" in expand_query("多少天内可以申请行政复议")[1]  # statutes count in 日 and speak of 期限
    assert "社会保险费" in expand_query("公司不给员工交社保")[1]
    # the longer phrase wins: an inspection that is overdue is not food past its shelf life
    assert "超过保质期" not in expand_query("电梯检验过期了还在用")[1]


def test_selling_expired_food_gives_penalty_and_violated_article_together(searcher):
    hits = searcher.search("销售过期食品怎么处罚", k=5)
    pen, vio = _pos(hits, "食品安全法", "第一百二十四条"), _pos(hits, "食品安全法", "第三十四条")
    assert pen is not None and vio is not None and max(pen, vio) <= 2
    assert hits[pen].role == "penalty" and "处罚依据" in hits[pen].reason
    assert hits[vio].role == "violated"
    assert hits[vio].article_id in hits[pen].linked_article_ids


def test_procedural_question_is_answered_from_the_procedure_law(searcher):
    hits = searcher.search("听证要在几天内申请", k=5)
    assert hits[0].short_name == "行政处罚法"
    assert "程序性问题" in hits[0].reason
    assert _pos(hits, "行政处罚法", "第六十四条") is not None


def test_law_named_in_question_or_filter_restricts_the_answer(searcher):
    hits = searcher.search("广告法 罚款 责令停止发布广告", k=5)
    assert hits[0].short_name == "广告法" and "属于问题中提到的法律" in hits[0].reason
    only = searcher.search("超过保质期 罚款", k=5, law="食安法")
    assert only and all(h.short_name == "食品安全法" for h in only)


def test_law_name_stem_in_question_prefers_that_law(searcher):
    hits = searcher.search("广告中使用国家级最佳等用语", k=3)
    assert hits[0].short_name == "广告法"
    assert "法律名称与问题用语相符" in hits[0].reason


def test_bare_article_number_question_is_filled_from_that_law_only(searcher):
    hits = searcher.search("食安法124条", k=6)
    assert (hits[0].short_name, hits[0].article) == ("食品安全法", "第一百二十四条")
    assert all(h.short_name == "食品安全法" for h in hits)


def test_law_name_stems_match_longest_first_and_skip_party_words(searcher):
    _named, stems = searcher._law_hints("公司一直不给员工交社会保险，农业农村局能管吗")
    assert "中华人民共和国社会保险法" in stems
    assert "中华人民共和国保险法" not in stems       # inside 社会保险, already used
    assert "中华人民共和国公司法" not in stems       # 公司 names a party, not the subject
    assert "中华人民共和国农业法" not in stems       # 农业 names the agency here
