import math

import numpy as np

from index.bm25 import B, BM25, K1


def _reference(docs, query, k1=K1, b=B):
    n = len(docs)
    avgdl = sum(map(len, docs)) / n
    out = []
    for d in docs:
        s = 0.0
        for t in set(query):
            df = sum(1 for x in docs if t in x)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = d.count(t)
            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return np.array(out)


DOCS = [["罚款", "警告"], ["罚款", "罚款", "没收", "违法所得"], ["听证", "告知"], ["警告"]]


def test_scores_match_the_formula():
    bm = BM25.build(DOCS)
    for q in (["罚款"], ["罚款", "警告"], ["听证", "没收", "不存在"]):
        np.testing.assert_allclose(bm.scores(q), _reference(DOCS, q), rtol=1e-5)


def test_top_is_sorted_and_respects_mask():
    bm = BM25.build(DOCS)
    idx, s = bm.top(["罚款"], 10)
    assert list(idx) == [1, 0] and s[0] > s[1]
    idx, _ = bm.top(["罚款"], 10, mask=np.array([True, False, True, True]))
    assert list(idx) == [0]


def test_unknown_terms_give_zero_and_roundtrip(tmp_path):
    bm = BM25.build(DOCS)
    assert not bm.scores(["无"]).any()
    bm.save(tmp_path)
    assert not list(tmp_path.glob("*.pkl"))
    again = BM25.load(tmp_path)
    np.testing.assert_allclose(again.scores(["罚款", "听证"]), bm.scores(["罚款", "听证"]))
