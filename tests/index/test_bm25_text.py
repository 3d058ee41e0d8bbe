"""BM25 document expansion through penalty links: a 处罚依据 also carries the opening words of each
violated article (``index.build.bm25_text``), and the corpus hash covers the links (real store)."""
from index.bm25 import BM25
from index.build import VIOLATED_OPENING, bm25_text, violated_texts

from tests.conftest import copy_store


def _current(store, law, article_no):
    return next(a for a in store.articles(law_id=store.current_version(law).law_id) if a.article_no == article_no)


def test_a_penalty_article_carries_the_opening_of_each_article_it_punishes(statute_store):
    penalty = _current(statute_store, "中华人民共和国食品安全法", "第一百二十六条")
    duty = _current(statute_store, "中华人民共和国食品安全法", "第四十五条")  # 从业人员健康管理制度
    assert (duty.id, penalty.id) in statute_store.penalty_link_pairs()
    violated = violated_texts(statute_store.penalty_link_pairs(), statute_store.articles())
    assert duty.text in violated[penalty.id] and duty.id not in violated  # duty articles get nothing
    text = bm25_text(penalty, violated[penalty.id])
    assert text.startswith(bm25_text(penalty)) and duty.text[:VIOLATED_OPENING] in text
    assert duty.text[:VIOLATED_OPENING + 10] not in text


def test_words_of_the_violated_article_reach_the_penalty_article(statute_store):
    penalty = _current(statute_store, "中华人民共和国食品安全法", "第一百二十六条")
    violated = violated_texts(statute_store.penalty_link_pairs(), statute_store.articles())[penalty.id]
    assert "健康管理制度" not in penalty.text
    plain = BM25.build([list(bm25_text(penalty))])
    expanded = BM25.build([list(bm25_text(penalty, violated))])
    query = list("健康管理制度")
    assert plain.scores(query)[0] < expanded.scores(query)[0]


def test_the_corpus_hash_covers_penalty_links_and_liability_flags(statute_store, tmp_path):
    store = copy_store(statute_store, tmp_path / "s.db")
    before = store.content_hash()
    with store.con:
        store.con.execute("DELETE FROM penalty_links WHERE rowid IN (SELECT rowid FROM penalty_links LIMIT 1)")
    after_links = store.content_hash()
    with store.con:
        store.con.execute("UPDATE articles SET is_liability = 1 - is_liability WHERE id = (SELECT min(id) FROM articles)")
    assert len({before, after_links, store.content_hash()}) == 3
