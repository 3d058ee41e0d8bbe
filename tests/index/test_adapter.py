"""The query adapter: fitting, saving and loading, refusing a file that does not fit, and the
shipped matrix. On a real hybrid index (model in the loop) in ``test_dense.py`` (slow)."""
from pathlib import Path

import numpy as np
import pytest

from index.adapter import ADAPTER_FILE, QueryAdapter, fit, load_adapter

ROOT = Path(__file__).resolve().parents[2]


def _hit_at_1(questions, gold, articles, matrix=None):
    q = questions if matrix is None else QueryAdapter(matrix, "m").apply(questions)
    best = np.argmax(q @ articles.T, axis=1)
    return float(np.mean([b in g for b, g in zip(best, gold)]))


def test_fit_learns_a_systematic_shift_between_how_questions_and_articles_are_worded():
    """Questions are their gold article seen through a fixed distortion (everyday wording), plus
    noise; the identity ranks them poorly, the fitted map recovers the distortion for questions it
    was not trained on."""
    rng = np.random.default_rng(7)
    d, n_articles = 32, 400
    articles = rng.normal(size=(n_articles, d)).astype(np.float32)
    articles /= np.linalg.norm(articles, axis=1, keepdims=True)
    distortion = np.eye(d, dtype=np.float32) + 2.0 * rng.normal(size=(d, d)).astype(np.float32) / np.sqrt(d)
    gold = [[int(i)] for i in rng.integers(0, n_articles, size=600)]
    questions = np.stack([articles[g[0]] for g in gold]) @ distortion.T + 0.05 * rng.normal(size=(600, d))
    questions = (questions / np.linalg.norm(questions, axis=1, keepdims=True)).astype(np.float32)
    train, test = slice(0, 400), slice(400, 600)
    matrix = fit(questions[train], gold[train], articles, tau=0.05, l2=0.001, max_iter=200)
    before = _hit_at_1(questions[test], gold[test], articles)
    after = _hit_at_1(questions[test], gold[test], articles, matrix)
    assert matrix.shape == (d, d) and before < 0.5 and after > 0.9


def test_apply_normalises_and_the_identity_changes_nothing():
    v = np.asarray([[3.0, 4.0], [1.0, 0.0]], dtype=np.float32)
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    assert np.allclose(QueryAdapter(np.eye(2, dtype=np.float32), "m").apply(unit), unit)
    mapped = QueryAdapter(np.asarray([[2.0, 0.0], [0.0, 1.0]], dtype=np.float32), "m").apply(unit[0])
    assert mapped.shape == (2,) and np.isclose(np.linalg.norm(mapped), 1.0)


def test_save_and_load_keep_matrix_model_and_provenance_without_pickle(tmp_path):
    a = QueryAdapter(np.arange(9, dtype=np.float32).reshape(3, 3), "multilingual-e5-small",
                     {"trained_on": ["bench/x.jsonl"], "tau": 0.02})
    path = tmp_path / "adapter.npz"
    a.save(path)
    with np.load(path, allow_pickle=False) as z:  # plain arrays, nothing to unpickle
        assert set(z.files) == {"matrix", "meta"}
    b = load_adapter(path)
    assert np.array_equal(a.matrix, b.matrix) and b.model == a.model and b.provenance == a.provenance
    assert load_adapter(tmp_path / "missing.npz") is None


def test_a_file_that_does_not_fit_is_refused_with_a_message(tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not numpy")
    with pytest.raises(ValueError, match="不是可用的查询适配矩阵"):
        load_adapter(broken)
    for matrix in (np.ones((3, 4), dtype=np.float32), np.full((3, 3), np.nan, dtype=np.float32)):
        QueryAdapter(matrix, "m").save(broken)
        with pytest.raises(ValueError, match="矩阵形状或数值不对"):
            load_adapter(broken)
    a = QueryAdapter(np.eye(4, dtype=np.float32), "multilingual-e5-small")
    a.check("multilingual-e5-small", 4)
    with pytest.raises(ValueError, match="请重新训练"):
        a.check("bge-m3", 4)
    with pytest.raises(ValueError, match="1024 维"):
        a.check("multilingual-e5-small", 1024)


def test_the_shipped_adapter_fits_the_default_model_and_records_how_it_was_chosen():
    a = load_adapter()
    assert a is not None and ADAPTER_FILE.name == "query_adapter.npz"
    a.check("multilingual-e5-small", 384)
    assert np.isfinite(a.matrix).all() and not np.allclose(a.matrix, np.eye(384))
    for path in a.provenance["trained_on"]:
        assert (ROOT / path).exists(), path
    assert "bench/retrieval_blind12.jsonl" not in a.provenance["trained_on"]  # the untouched set
    cv = a.provenance.get("leave_one_set_out") or a.provenance["topic_folds"]
    fused = sum(v["fused"][1] for v in cv.values())
    adapted = sum(v["adapted"][1] for v in cv.values())
    assert adapted > fused  # accepted because it helped on sets it was not trained on
