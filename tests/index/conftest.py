"""Index fixtures: a BM25-only index over a subset of the real statute store (fast), built once."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import load_settings
from index.build import build_index

SUBSET_LAWS = ("中华人民共和国食品安全法", "中华人民共和国行政处罚法", "中华人民共和国大气污染防治法",
               "中华人民共和国生态环境法典", "中华人民共和国广告法")


def subset_ids(store) -> list[int]:
    rows = store.con.execute(
        f"SELECT a.id FROM articles a JOIN laws l USING (law_id) WHERE l.lineage IN ({','.join('?' * len(SUBSET_LAWS))})",
        SUBSET_LAWS).fetchall()
    return [r[0] for r in rows]


def index_settings(tmp: Path, store):
    return load_settings(env={"ZHIFA_HOME": str(tmp / "home"), "ZHIFA_STATUTE_DB": str(store.path),
                              "ZHIFA_INDEX_DIR": str(tmp / "index")}, config_file=None)


@pytest.fixture(scope="session")
def bm25_index(tmp_path_factory, statute_store):
    tmp = tmp_path_factory.mktemp("bm25index")
    settings = index_settings(tmp, statute_store)
    build_index(settings, statute_store, lambda m: None, dense=False, article_ids=subset_ids(statute_store))
    return settings


@pytest.fixture(scope="session")
def searcher(bm25_index, statute_store):
    from index.search import Searcher

    return Searcher.load(bm25_index, statute_store)
