"""Articles of laws repealed by the 生态环境法典 (2026-08-15) map to their likely successors."""


def _article(store, law, number):
    return store.find_article(store.current_version(store.resolve_lineage(law)).law_id, number)


def test_air_pollution_art99_excess_emission_maps_to_the_code_liability_article(statute_store):
    old = _article(statute_store, "大气污染防治法", 99)
    succ = statute_store.successors_of(old.id)
    assert succ, "第九十九条 should have a successor"
    best = succ[0][0]
    assert best.law_name == "中华人民共和国生态环境法典" and best.is_liability
    assert "超过污染物排放标准" in best.text


def test_liability_articles_map_only_to_liability_articles(statute_store):
    rows = statute_store.con.execute(
        "SELECT count(*) FROM successor_articles s JOIN articles o ON o.id = s.old_id JOIN articles n ON n.id = s.new_id "
        "WHERE o.chapter LIKE '%法律责任%' AND n.chapter NOT LIKE '%法律责任%'"
    ).fetchone()[0]
    assert rows == 0


def test_most_articles_of_the_repealed_laws_have_a_successor(statute_store):
    total, mapped = statute_store.con.execute(
        "SELECT count(*), count(DISTINCT s.old_id) FROM articles a JOIN laws l USING (law_id) "
        "LEFT JOIN successor_articles s ON s.old_id = a.id WHERE l.replaced_by = '中华人民共和国生态环境法典'"
    ).fetchone()
    assert total > 800 and mapped / total > 0.75


def test_verbatim_carried_over_article_scores_near_one(statute_store):
    old = _article(statute_store, "大气污染防治法", 121)  # 重污染天气预警信息
    (best, score, method), *_ = statute_store.successors_of(old.id)
    assert score > 0.85 and method == "tfidf_char_ngram"
