"""Article-number questions with shortened law names, amending instruments kept out of retrieval,
and deadline questions (real statute store, BM25-only index over a few laws)."""
import pytest

from index.build import build_index
from index.intent import TIME_LIMIT_RE, detect_intent
from index.search import Searcher

from tests.index.conftest import index_settings

LAWS = ("中华人民共和国居民身份证法", "中华人民共和国刑法", "中华人民共和国刑法修正案（十一）",
        "中华人民共和国行政许可法", "中华人民共和国农产品质量安全法", "中华人民共和国税收征收管理法",
        "中华人民共和国网络安全法", "全国人民代表大会常务委员会关于修改《中华人民共和国网络安全法》的决定",
        "中华人民共和国行政复议法")


@pytest.fixture(scope="module")
def lookup_searcher(tmp_path_factory, statute_store):
    ids = [r[0] for r in statute_store.con.execute(
        f"SELECT a.id FROM articles a JOIN laws l USING (law_id) WHERE l.lineage IN ({','.join('?' * len(LAWS))})", LAWS)]
    settings = index_settings(tmp_path_factory.mktemp("lookup"), statute_store)
    build_index(settings, statute_store, lambda m: None, dense=False, article_ids=ids)
    return Searcher.load(settings, statute_store)


@pytest.mark.parametrize("question, law, article", [
    ("身份证法17条", "中华人民共和国居民身份证法", "第十七条"),          # the unique tail of 居民身份证法
    ("质量安全法第71条", "中华人民共和国农产品质量安全法", "第七十一条"),  # longer than the alias 安全法
    ("税收征管法第六十二条", "中华人民共和国税收征收管理法", "第六十二条"),  # bundled alias
    ("征管法 62条", "中华人民共和国税收征收管理法", "第六十二条"),
])
def test_shortened_law_names_are_looked_up_directly(lookup_searcher, question, law, article):
    hit = lookup_searcher.search(question, k=3)[0]
    assert (hit.law, hit.article) == (law, article)
    assert hit.reason.startswith("按条号直接查找")


def test_an_ambiguous_tail_is_not_taken_for_a_law(lookup_searcher):
    tails = {name for name, _lin in lookup_searcher.lookup_names}
    assert "身份证法" in tails and "管理法" not in tails and "保护法" not in tails
    assert not any(h.reason.startswith("按条号直接查找") for h in lookup_searcher.search("管理法第十条", k=3))


def test_amending_instruments_are_not_retrieved_unless_named(lookup_searcher):
    question = "在生产作业中违反安全管理规定，有发生重大伤亡事故的现实危险"
    hits = lookup_searcher.search(question, k=10)
    assert hits and not any("修正案" in h.law or "关于修改" in h.law for h in hits)
    assert any((h.short_name, h.article) == ("刑法", "第一百三十四条之一") for h in hits)
    named = lookup_searcher.search(question, k=3, law="中华人民共和国刑法修正案（十一）")
    assert named and all(h.law == "中华人民共和国刑法修正案（十一）" for h in named)


def test_deadline_questions_are_told_from_penalty_questions():
    for q in ("行政处罚案件多少天内要作出决定", "申请行政许可多少天内给答复", "起诉的期限是几个月",
              "传唤后最长能问多长时间"):
        it = detect_intent(q)
        assert it.deadline and not it.penalty, q
    for q in ("嫖娼被抓到拘留几天", "电梯检验过期好几个月了还在用，怎么处罚"):
        it = detect_intent(q)
        assert not it.deadline, q
    assert detect_intent("电梯检验过期好几个月了还在用，怎么处罚").penalty
    assert TIME_LIMIT_RE.search("应当自受理行政许可申请之日起二十日内作出行政许可决定")
    assert TIME_LIMIT_RE.search("合并执行的，最长不超过二十日")
    assert not TIME_LIMIT_RE.search("处五日以上十日以下拘留")


def test_deadline_question_prefers_the_article_that_sets_the_time_limit(lookup_searcher):
    hits = lookup_searcher.search("申请行政许可多少天内给答复", k=10)
    assert any(h.short_name == "行政许可法" and h.article == "第四十二条" for h in hits)
    with_limit = [h for h in hits if "规定了期限" in h.reason]
    assert with_limit and all(TIME_LIMIT_RE.search(h.text) for h in with_limit)


def test_deadline_question_gets_the_article_behind_the_deadline_the_product_computes(lookup_searcher):
    """assistant/data/clocks.json says 申请行政复议 runs 60 days under 行政复议法第二十条; a question
    about that deadline is pointed to that article."""
    assert ("申请行政复议", "中华人民共和国行政复议法", 20) in lookup_searcher.clocks
    # read with the citation parser: "《行政处罚法》第四十四条、第六十二条" gives both articles
    assert {("陈述申辩期限", "中华人民共和国行政处罚法", n) for n in (44, 62)} <= set(lookup_searcher.clocks)
    hits = lookup_searcher.search("对处罚决定不服，多少天内可以申请行政复议", k=5)
    top = next(i for i, h in enumerate(hits) if (h.short_name, h.article) == ("行政复议法", "第二十条"))
    assert top <= 2 and "规定了所问的办案期限" in hits[top].reason
    # not for a question that does not ask about a deadline
    assert not any("所问的办案期限" in h.reason for h in lookup_searcher.search("行政复议由哪个机关管辖", k=5))


@pytest.mark.parametrize("question, law, article", [
    ("征管法 62", "中华人民共和国税收征收管理法", "第六十二条"),         # Arabic number without 条
    ("身份证法17", "中华人民共和国居民身份证法", "第十七条"),
    ("行政复议法第20 期限", "中华人民共和国行政复议法", "第二十条"),
    ("湿地法28条", "中华人民共和国湿地保护法", "第二十八条"),          # 保护 dropped from the name
    ("药品法第98条", "中华人民共和国药品管理法", "第九十八条"),        # 管理 dropped from the name
])
def test_bare_numbers_and_names_without_generic_words_are_looked_up(lookup_searcher, question, law, article):
    hit = lookup_searcher.search(question, k=3)[0]
    assert (hit.law, hit.article) == (law, article)
    assert hit.reason.startswith("按条号直接查找")


@pytest.mark.parametrize("question", ["征管法 3倍罚款", "网络安全法 2025年修改了什么", "行政许可法 20日内", "罚款 62",
                                      "征管法 8小时", "网络安全法5层楼", "征管法 3.5万"])
def test_a_number_with_a_unit_or_without_a_law_name_is_not_an_article(lookup_searcher, question):
    assert lookup_searcher._lookups(question) == []


def test_a_name_without_generic_words_must_still_be_unique(lookup_searcher):
    tails = dict(lookup_searcher.lookup_names)
    assert tails["湿地法"] == tails["湿地保护法"]
    assert tails["水污染法"] != tails["大气污染法"]  # 水污染防治法, 大气污染防治法
    assert "污染法" not in tails  # a tail of both


@pytest.mark.parametrize("question, law, article", [
    ("国赔法第四条", "中华人民共和国国家赔偿法", "第四条"),             # first character + 赔 + 法
    ("水保法 第48条", "中华人民共和国水土保持法", "第四十八条"),
    ("特设法83条", "中华人民共和国特种设备安全法", "第八十三条"),
    ("反电诈法第31条", "中华人民共和国反电信网络诈骗法", "第三十一条"),  # two later characters
])
def test_abbreviated_law_names_are_looked_up(lookup_searcher, question, law, article):
    hit = lookup_searcher.search(question, k=3)[0]
    assert (hit.law, hit.article) == (law, article)
    assert hit.reason.startswith("按条号直接查找")


def test_an_abbreviation_is_kept_only_when_one_law_yields_it_and_no_name_contains_it(lookup_searcher):
    abbreviations = dict(lookup_searcher._abbreviations())
    assert abbreviations["国赔法"] == lookup_searcher.resolve_law("中华人民共和国国家赔偿法")
    assert "安全法" not in abbreviations  # inside many names (网络安全法, 食品安全法, …)
    assert "环保法" not in abbreviations  # 环境保护法 and 环境保护税法 both yield it
    names = "\n".join(law.short_name or "" for law in lookup_searcher.laws.values())
    assert not [abbr for abbr in abbreviations if abbr in names]
    # an unknown law ending in an abbreviation-like tail is not looked up
    assert not any(h.reason.startswith("按条号直接查找") for h in lookup_searcher.search("信息赔法第四条", k=3))
