"""The learned re-ranker: features on real candidates (real statute store, BM25 subset index from
``conftest.py``), training and re-ordering, the shipped weights, and its gating to hybrid search.
Training end to end on a real hybrid index is in ``test_dense.py`` (slow)."""
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.evaluate import load_queries
from index.rerank import FEATURES, WEIGHTS_FILE, Reranker, load_reranker
from index.rerank_train import Example, fit

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 22)


def _candidates(searcher, question):
    c = searcher.candidates(question, TODAY)
    ids = [a for a, _s in c.ranked()[:50]]
    return c, ids, searcher.features(c, ids)


def test_shipped_weights_match_the_features_and_record_how_they_were_chosen():
    model = load_reranker()
    assert model is not None and model.names == FEATURES
    prov = model.provenance
    assert prov["questions"] >= 500
    for path in prov["trained_on"]:  # every training set is in the repository
        assert (ROOT / path).exists(), path
    cv = prov.get("leave_one_set_out") or prov["topic_folds"]  # checked set by set or on unseen topics
    assert sum(v["n"] for v in cv.values()) == sum(len(load_queries(ROOT / p)) for p in prov["trained_on"])
    fused = sum(v["fused"][1] for v in cv.values())
    reranked = sum(v["reranked"][1] for v in cv.values())
    assert reranked > fused  # accepted because it beat the fused ranking on questions it was not trained on
    assert (ROOT / "bench/retrieval_blind12.jsonl").exists()  # the untouched set, measured once
    assert "bench/retrieval_blind12.jsonl" not in prov["trained_on"]
    assert prov["cross_fit"] >= 2  # trained on searches by an adapter and a bank that had not seen the question


def test_features_of_a_penalty_question(searcher):
    c, ids, x = _candidates(searcher, "销售过期食品怎么处罚")
    assert c.intent.penalty and x.shape == (len(ids), len(FEATURES)) and np.isfinite(x).all()
    col = {n: i for i, n in enumerate(FEATURES)}
    by_article = {(searcher.arts[a].short_name, searcher.arts[a].article_no): x[i] for i, a in enumerate(ids)}
    penalty = by_article[("食品安全法", "第一百二十四条")]
    assert penalty[col["liability"]] == penalty[col["penalty_liability"]] == 1.0
    duty = by_article[("食品安全法", "第三十四条")]
    assert duty[col["penalty_violated"]] == 1.0 and duty[col["liability"]] == 0.0
    assert duty[col["partner"]] > 0  # its penalty article is among the leading candidates
    assert (0 <= x[:, col["coverage"]]).all() and (x[:, col["coverage"]] <= 1).all()
    assert x[:, col["coverage"]].max() > 0.5
    share = x[:, col["law_share"]]
    assert 0 < share[0] <= 1 and (share >= 0).all() and penalty[col["law_share"]] > 0.5  # 食品安全法 leads
    assert x[0, col["fused"]] == 1.0 and x[0, col["fused_rank"]] == 0.0
    # a question with no penalty wording marks no penalty interaction
    _c, _ids, plain = _candidates(searcher, "食品生产经营者要建立进货查验记录制度吗")
    assert not plain[:, col["penalty_liability"]].any() and not plain[:, col["penalty_partner"]].any()


def test_fit_learns_an_order_from_real_features_and_reorder_keeps_every_candidate(searcher):
    col = FEATURES.index("liability")
    questions = ["销售过期食品怎么处罚", "广告里说包治百病", "饭店后厨老鼠乱窜", "听证要在几天内申请", "工厂冒黑烟"]
    train = []
    for q in questions:  # synthetic labels: "the 法律责任 articles are the answer"
        _c, _ids, x = _candidates(searcher, q)
        y = x[:, col].copy()
        if 0 < y.sum() < len(y):
            train.append(Example(q, x, y))
    assert len(train) >= 3
    model = fit(train, l2=0.1)
    assert model.weights[col] > 0 and model.weights[col] == max(model.weights, key=abs)
    _c, ids, x = _candidates(searcher, "商店卖假冒伪劣食品")
    ranked = [(a, 1.0 / (i + 1)) for i, a in enumerate(ids)] + [(10**9 + i, 0.001 / (i + 1)) for i in range(3)]
    out = model.reorder(ranked, x)
    assert sorted(a for a, _s in out) == sorted(a for a, _s in ranked)
    head = out[:len(ids)]
    liab = [searcher.arts[a].is_liability for a, _s in head]
    assert liab[:sum(liab)] == [True] * sum(liab)  # every liability article ahead of the others
    scores = [s for _a, s in out]
    assert scores == sorted(scores, reverse=True)
    assert [a for a, _s in out[-3:]] == [10**9, 10**9 + 1, 10**9 + 2]  # the rest follows in fused order
    assert out[len(ids)][1] < head[-1][1]


def test_bad_weights_are_refused_with_a_message(tmp_path):
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    wrong = dict(data, features=data["features"][:-1])
    with pytest.raises(ValueError, match="特征与程序不一致"):
        Reranker.from_json(wrong)
    short = dict(data, weights=data["weights"][:-1])
    with pytest.raises(ValueError, match="维数"):
        Reranker.from_json(short)
    assert load_reranker(tmp_path / "missing.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text('{"features": [', encoding="utf-8")
    with pytest.raises(ValueError):  # json.JSONDecodeError is a ValueError: the searcher falls back
        load_reranker(broken)
    with pytest.raises(ValueError, match="缺少"):
        Reranker.from_json({"weights": []})


def test_searcher_falls_back_to_the_fused_order_when_the_weights_do_not_fit(bm25_index, statute_store, monkeypatch,
                                                                             tmp_path):
    import index.rerank
    from index.search import Searcher

    bad = tmp_path / "rerank.json"
    bad.write_text(json.dumps({"features": ["x"], "mean": [0], "scale": [1], "weights": [1]}), encoding="utf-8")
    monkeypatch.setattr(index.rerank, "WEIGHTS_FILE", bad)
    s = Searcher.load(bm25_index, statute_store)
    assert s._reranker is None and "排序模型不可用" in s.notice
    assert s.search("销售过期食品怎么处罚", k=3)


def test_reranker_only_for_hybrid_search(searcher):
    assert searcher.dense is None  # the subset index of conftest has no dense part
    assert searcher._reranker is not None and searcher.reranker is None
    hits = searcher.search("销售过期食品怎么处罚", k=5)
    assert {"第三十四条", "第一百二十四条"} <= {h.article for h in hits}


def test_training_without_an_index_says_what_to_run(statute_store, monkeypatch, tmp_path, capsys):
    from index.rerank_train import main

    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZHIFA_STATUTE_DB", str(statute_store.path))
    monkeypatch.setenv("ZHIFA_INDEX_DIR", str(tmp_path / "no-index"))
    sets = [str(ROOT / "bench/retrieval_queries.jsonl"), str(ROOT / "bench/retrieval_heldout.jsonl")]
    assert main([*sets, "--no-write"]) == 2
    err = capsys.readouterr().err
    assert "检索索引不存在" in err and "zhifa index build" in err
    assert main([str(ROOT / "bench/missing.jsonl"), sets[0], "--no-write"]) == 2
    assert "评测文件不存在" in capsys.readouterr().err
    for bad in (["--tau", "0"], ["--adapter-l2", "-1"], ["--depth", "1"], ["--cross-fit", "1"]):
        assert main([*sets, *bad]) == 2  # refused before anything is read
        assert "训练参数不合理" in capsys.readouterr().err
    assert main([*sets, "--cross-fit", "0", "--bank"]) == 2
    assert "--bank 不能与 --cross-fit 0 同用" in capsys.readouterr().err


def test_cross_fitting_searches_every_question_with_parts_learned_without_it():
    from index.rerank_train import cross_fitted

    seen = []

    def fit_parts(positions):
        seen.append(positions)
        return f"parts from {positions}"

    plan = cross_fitted(range(10), 4, fit_parts)
    assert sorted(i for part, _learned in plan for i in part) == list(range(10))
    for part, learned in plan:
        assert learned == f"parts from {sorted(set(range(10)) - set(part))}"  # never its own questions
    assert len(plan) == len(seen) == 4 and cross_fitted(range(10), 4, fit_parts)[0][0] == plan[0][0]  # seeded
    assert len(cross_fitted(range(3), 4, fit_parts)) == 3  # no empty part


def test_topic_folds_share_no_gold_article_and_cover_every_question():
    from index.rerank_train import topic_folds

    food, fire, tax = ("食品安全法", "第三十四条"), ("消防法", "第二十八条"), ("税收征收管理法", "第六十二条")
    queries = [{"gold": [food]}, {"gold": [food, ("食品安全法", "第一百二十四条")]},
               {"gold": [("食品安全法", "第一百二十四条")]}, {"gold": [fire]}, {"gold": [fire]}, {"gold": [tax]},
               {"gold": [("行政处罚法", "第三十六条")]}]
    folds = topic_folds(queries, 3)
    assert sorted(i for f in folds for i in f) == list(range(len(queries)))
    gold_of = [{g for i in f for g in queries[i]["gold"]} for f in folds]
    assert all(not (gold_of[a] & gold_of[b]) for a in range(3) for b in range(a + 1, 3))
    assert any({0, 1, 2} <= set(f) for f in folds)  # linked through 第一百二十四条: one topic
    assert topic_folds(queries, 3) == folds  # seeded


def test_the_learned_parts_are_written_together_or_not_at_all(tmp_path):
    from index.rerank_train import write_together

    adapter, bank, weights = tmp_path / "adapter.npz", tmp_path / "bank.npz", tmp_path / "rerank.json"
    for path in (adapter, bank, weights):
        path.write_text("old", encoding="utf-8")

    def fail(path):
        raise OSError(28, "No space left on device", str(path))

    with pytest.raises(OSError):
        write_together([(adapter, lambda p: p.write_text("new")), (bank, None), (weights, fail)])
    assert [p.read_text() for p in (adapter, bank, weights)] == ["old"] * 3  # nothing half-saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter.npz", "bank.npz", "rerank.json"]
    write_together([(adapter, lambda p: p.write_text("new")), (bank, None), (weights, lambda p: p.write_text("new"))])
    assert adapter.read_text() == weights.read_text() == "new" and not bank.exists()
