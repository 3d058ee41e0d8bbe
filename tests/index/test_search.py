"""Search behaviour read as legal rules (BM25-only subset index of the real store)."""
import json
from datetime import date

import pytest

from assistant.errors import InputError, StaleIndexError
from index.search import MAX_QUERY_CHARS, Searcher
from index.store import read_manifest, write_manifest


def _find(hits, article):
    return next((i for i, h in enumerate(hits) if h.article == article), None)


def test_article_number_questions_are_answered_by_direct_lookup(searcher):
    for q in ("食品安全法第一百二十四条", "食安法124条", "《中华人民共和国食品安全法》第124条"):
        hit = searcher.search(q, k=3)[0]
        assert (hit.short_name, hit.article) == ("食品安全法", "第一百二十四条")
        assert hit.reason.startswith("按条号直接查找") and hit.score == 1.0
    hit = searcher.search("处罚法第37条", k=1)[0]
    assert (hit.short_name, hit.article) == ("行政处罚法", "第三十七条")


def test_penalty_question_surfaces_penalty_and_violated_article(searcher):
    hits = searcher.search("销售过期食品怎么处罚", k=5)
    pen, vio = _find(hits, "第一百二十四条"), _find(hits, "第三十四条")
    assert pen is not None and vio is not None
    assert hits[pen].role == "penalty" and hits[vio].role == "violated"
    assert hits[vio].article_id in hits[pen].linked_article_ids


def test_repealed_law_excluded_by_default_and_found_with_older_date(searcher):
    q = "大气污染防治法 排放 大气污染物 罚款"
    today = searcher.search(q, k=10)
    assert all(h.short_name != "大气污染防治法" for h in today)
    old = searcher.search(q, k=10, as_of=date(2025, 1, 1))
    air = [h for h in old if h.short_name == "大气污染防治法"]
    assert air and "生态环境法典" in air[0].reason and air[0].status == "已废止"
    # the point-in-time standing on the query date, beside today's status
    assert air[0].status_on_date == "有效" and air[0].to_json()["as_of"] == "2025-01-01"
    assert all(h.status_on_date == "有效" for h in today)


def test_law_filter_and_bad_input(searcher):
    hits = searcher.search("罚款", k=5, law="广告法")
    assert hits and all(h.short_name == "广告法" for h in hits)
    with pytest.raises(InputError):
        searcher.search("  ")
    with pytest.raises(InputError):
        searcher.search("罚款", law="不存在的法")
    long_facts = "当事人销售超过保质期的食品。" * 400  # 5,600 characters: a document, not a question
    with pytest.raises(InputError, match="检索内容过长（5600 字）"):
        searcher.search(long_facts)
    assert searcher.search(long_facts[:MAX_QUERY_CHARS], k=3)


def test_stale_index_is_refused_with_the_fix(bm25_index, statute_store, tmp_path):
    import shutil

    from assistant.settings import load_settings

    copy = tmp_path / "index"
    shutil.copytree(bm25_index.index_dir, copy)
    m = read_manifest(copy)
    m.corpus_hash = "0" * 64
    write_manifest(copy, m)
    settings = load_settings(env={"ZHIFA_HOME": str(tmp_path), "ZHIFA_INDEX_DIR": str(copy)}, config_file=None)
    with pytest.raises(StaleIndexError) as err:
        Searcher.load(settings, statute_store)
    assert "zhifa index build" in err.value.message and "过期" in err.value.message


def test_manifest_records_corpus_and_no_pickle(bm25_index, statute_store):
    m = read_manifest(bm25_index.index_dir)
    assert m.corpus_hash == statute_store.content_hash() and m.article_ids
    assert m.dense_state == "missing"
    assert not list(bm25_index.index_dir.glob("*.pkl"))


def test_cli_json_output(bm25_index, statute_store, monkeypatch, capsys):
    from assistant.cli import main

    monkeypatch.setenv("ZHIFA_HOME", str(bm25_index.home))
    monkeypatch.setenv("ZHIFA_STATUTE_DB", str(statute_store.path))
    monkeypatch.setenv("ZHIFA_INDEX_DIR", str(bm25_index.index_dir))
    assert main(["search", "食安法第124条", "-k", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["law"] == "中华人民共和国食品安全法" and data[0]["article"] == "第一百二十四条"
    assert {"law", "article", "status", "score", "text", "role"} <= set(data[0])
