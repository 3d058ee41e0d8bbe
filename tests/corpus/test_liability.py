"""Which articles are 处罚依据 (法律责任): the rule in ``corpus.structure.is_liability_text``, on real
articles of the national store, and the upgrade of a store labelled by the previous rule."""
import pytest

from assistant.prepare import doctor, prepare_statutes
from corpus.pipeline import liability_rules_current, relabel_liability
from corpus.statutes import StatuteStore
from corpus.structure import LIABILITY_RULES, is_liability_text
from tests.conftest import copy_store


def _article(store, lineage, article_no):
    row = store.con.execute(
        "SELECT a.id, a.chapter, a.section, a.text, a.is_liability FROM articles a JOIN laws l USING (law_id) "
        "WHERE l.lineage = ? AND a.article_no = ? ORDER BY l.in_force_from DESC", (lineage, article_no)).fetchone()
    assert row is not None, (lineage, article_no)
    return row


@pytest.mark.parametrize("law, article", [
    ("中华人民共和国食品安全法", "第一百二十四条"),     # in the 法律责任 chapter
    ("中华人民共和国商标法", "第六十一条"),            # sanction worded outside that chapter
    ("中华人民共和国治安管理处罚法", "第五十八条"),     # 第三章 违反治安管理的行为和处罚
    ("中华人民共和国护照法", "第十七条"),              # "…的，由…收缴护照…；由公安机关处…罚款"
])
def test_sanction_articles_are_liability(statute_store, law, article):
    _id, chapter, section, text, flagged = _article(statute_store, law, article)
    assert is_liability_text(text, chapter, section) and flagged


@pytest.mark.parametrize("law, article", [
    ("中华人民共和国行政处罚法", "第五十一条"),   # 当场处罚的条件: procedure, although it mentions 罚款
    ("中华人民共和国行政处罚法", "第四十六条"),   # 证据的种类, chapter "行政处罚的决定"
    ("中华人民共和国治安管理处罚法", "第九十七条"),  # 第四章 处罚程序
    ("中华人民共和国医师法", "第十六条"),         # "不予注册：…（三）被吊销…" is a list of grounds
    ("中华人民共和国行政强制法", "第四十五条"),   # 加处罚款 is an enforcement measure
    ("中华人民共和国刑法", "第二百一十四条"),     # criminal sanction (有期徒刑、罚金)
    ("中华人民共和国个人所得税法", "第十三条"),
])
def test_procedure_grounds_and_criminal_articles_are_not_liability(statute_store, law, article):
    _id, chapter, section, text, flagged = _article(statute_store, law, article)
    assert not is_liability_text(text, chapter, section) and not flagged


def test_the_general_penalty_law_has_no_liability_articles_outside_its_liability_chapter(statute_store):
    rows = statute_store.con.execute(
        "SELECT a.article_no, a.chapter FROM articles a JOIN laws l USING (law_id) "
        "WHERE l.lineage = '中华人民共和国行政处罚法' AND l.status = '现行有效' AND a.is_liability = 1").fetchall()
    assert rows and all("法律责任" in (chapter or "") for _no, chapter in rows)


def test_a_store_labelled_by_the_old_rule_is_relabelled_by_prepare(statute_store, settings):
    old = copy_store(statute_store, settings.statute_db)
    art_id = _article(old, "中华人民共和国行政处罚法", "第五十一条")[0]
    with old.transaction() as con:  # a prepared store, labelled by the previous rule
        con.execute("UPDATE articles SET is_liability = 1 WHERE id = ?", (art_id,))
        old.set_meta(con, "liability_rules", "1")
        old.set_meta(con, "links_built", "1")
    assert not liability_rules_current(old)
    assert not next(c for c in doctor(settings) if c.name == "法条库").ok

    said = []
    prepare_statutes(settings, said.append)
    store = StatuteStore(settings.statute_db)
    assert store.meta("liability_rules") == LIABILITY_RULES and liability_rules_current(store)
    assert store.con.execute("SELECT is_liability FROM articles WHERE id = ?", (art_id,)).fetchone()[0] == 0
    assert any("重新标注" in m for m in said)
    assert store.counts()["penalty_links"] == statute_store.counts()["penalty_links"]
    assert next(c for c in doctor(settings) if c.name == "法条库").ok
    said.clear()
    prepare_statutes(settings, said.append)  # idempotent: nothing to relabel the second time
    assert not any("重新标注" in m for m in said)


def test_relabelling_rebuilds_links_of_the_changed_articles(statute_store, tmp_path):
    store = copy_store(statute_store, tmp_path / "statutes.db")
    before = store.counts()["penalty_links"]
    with store.transaction() as con:
        con.execute("DELETE FROM penalty_links")
    assert before > 2000 and relabel_liability(store) == before


def test_an_interrupted_relabelling_leaves_flags_links_and_rule_version_as_they_were(statute_store, tmp_path, monkeypatch):
    import corpus.links

    store = copy_store(statute_store, tmp_path / "statutes.db")
    art_id = store.con.execute("SELECT id FROM articles WHERE is_liability = 1 LIMIT 1").fetchone()[0]
    with store.transaction() as con:  # a store flagged by an older rule: one flag wrong, one link gone
        con.execute("UPDATE articles SET is_liability = 0 WHERE id = ?", (art_id,))
        con.execute("DELETE FROM penalty_links WHERE penalty_id = (SELECT penalty_id FROM penalty_links LIMIT 1)")
        store.set_meta(con, "liability_rules", "older")
    links = store.counts()["penalty_links"]

    def interrupted(tx, ids, rows):
        tx.execute("DELETE FROM penalty_links")
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus.links, "_replace_links", interrupted)
    with pytest.raises(KeyboardInterrupt):
        relabel_liability(store)
    assert store.con.execute("SELECT is_liability FROM articles WHERE id = ?", (art_id,)).fetchone()[0] == 0
    assert store.counts()["penalty_links"] == links and store.meta("liability_rules") == "older"
    monkeypatch.undo()
    assert relabel_liability(store) == statute_store.counts()["penalty_links"]
    assert store.con.execute("SELECT is_liability FROM articles WHERE id = ?", (art_id,)).fetchone()[0] == 1
    assert liability_rules_current(store)
