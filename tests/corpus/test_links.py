"""Penalty links: the 法律责任 article that punishes each prohibition (违法依据 → 处罚依据)."""
from corpus.links import explicit_refs, parse_refs


def _law_id(store, name):
    return store.current_version(store.resolve_lineage(name)).law_id


def _links(store, law, violated_no, penalty_no):
    law_id = _law_id(store, law)
    v = store.find_article(law_id, violated_no)
    p = store.find_article(law_id, penalty_no)
    return [link for link in store.penalty_links_for(v.id) if link.penalty_id == p.id]


def test_food_safety_art34_item10_expired_food_is_punished_by_art124_kuan1_item5(statute_store):
    links = _links(statute_store, "食品安全法", 34, 124)
    assert any(l.method == "item_match" and l.penalty_kuan == 1 and l.penalty_xiang == 5 for l in links)
    assert any("超过保质期" in l.evidence for l in links)


def test_food_safety_art34_item9_contaminated_packaging_is_punished_by_art125(statute_store):
    links = _links(statute_store, "食品安全法", 34, 125)
    assert any(l.penalty_xiang == 1 for l in links)


def test_explicit_reference_violation_of_art64_is_punished_by_art130(statute_store):
    # 食品安全法 第一百三十条: "违反本法第六十四条规定的，…"
    links = _links(statute_store, "食品安全法", 64, 130)
    assert links and links[0].method == "explicit" and "第六十四条" in links[0].evidence


def test_explicit_reference_with_kuan_keeps_the_paragraph(statute_store):
    # 广告法 第六十一条: "违反本法第三十八条第一款规定，…"
    links = _links(statute_store, "广告法", 38, 61)
    assert any(l.method == "explicit" and l.violated_kuan == 1 for l in links)


def test_every_linked_pair_stays_inside_one_law_version(statute_store):
    bad = statute_store.con.execute(
        "SELECT count(*) FROM penalty_links p JOIN articles v ON v.id = p.violated_id "
        "JOIN articles q ON q.id = p.penalty_id WHERE v.law_id != q.law_id"
    ).fetchone()[0]
    assert bad == 0
    assert statute_store.counts()["penalty_links"] > 1500


def test_reference_grammar_lists_ranges_kuan_and_items():
    text = "违反本法第一百一十八条、第一百二十条第一款、第四款的规定"
    refs = [r for r, _ in explicit_refs(text)]
    assert refs == [(118, 0, 0, 0), (120, 0, 1, 0), (120, 0, 4, 0)]
    refs, _ = parse_refs("第一百八十一条至第一百八十四条规定", 0)
    assert [r[0] for r in refs] == [181, 182, 183, 184]
    refs, _ = parse_refs("第十七条之一第二款第（三）项", 0)
    assert refs == [(17, 1, 2, 3)]


def test_dispositions_that_are_not_violations_are_not_links():
    assert explicit_refs("依照本法第一百二十四条的规定给予处罚") == []
