import numpy as np

from index.fusion import RRF_K, minmax, rrf, top_k


def test_rrf_formula_and_agreement_wins():
    fused = rrf([[1, 2, 3], [3, 1, 4]])
    assert fused[1] == 1 / (RRF_K + 1) + 1 / (RRF_K + 2)
    assert top_k(fused, 1)[0][0] == 1
    assert fused[4] < fused[3]


def test_rrf_on_random_vectors_prefers_items_high_in_both():
    rng = np.random.default_rng(0)
    docs = rng.normal(size=(200, 16))
    docs /= np.linalg.norm(docs, axis=1, keepdims=True)
    q = docs[7] + 0.01 * rng.normal(size=16)
    a = list(np.argsort(-(docs @ q)))
    b = list(np.argsort(-(docs @ (q + 0.3 * rng.normal(size=16)))))
    fused = rrf([a, b])
    assert top_k(fused, 1)[0][0] == 7


def test_minmax_normalises_each_list():
    fused = minmax([{1: 10.0, 2: 0.0}, {2: 0.9, 3: 0.1}])
    assert fused[1] == 1.0 and fused[2] == 1.0 and fused[3] == 0.0
