"""Fusing ranked lists (BM25, dense) and every ranking constant, in one place. Higher is better.

- :func:`rrf` — Reciprocal Rank Fusion (Cormack et al. 2009): score(d) = Σ_i w_i / (K + rank_i(d)),
  rank starting at 1. ``RRF_K = 60`` is the constant from the paper; it damps the difference
  between the first few ranks so neither list dominates.
- :func:`minmax` — convex combination of per-list min–max-normalised scores (missing = 0).

:class:`Ranking` holds the constants ``index.search.Searcher`` uses (fusion method, recall depth,
boosts of the legal-structure stage). The defaults were chosen on the dev set
``bench/retrieval_queries.jsonl`` only and checked once on ``bench/retrieval_heldout.jsonl``
(``python -m index.evaluate`` prints both systems side by side).

Fusion, measured 2026-11-22 on the dev set (82 questions; BM25 b=0.5, e5-small ctranslate2-int8):
RRF K=60 1:1 Hit@1 0.720 / Hit@5 0.927 / MRR 0.804 vs min–max 1:1 0.695 / 0.902 / 0.784; min–max
lost at every weighting tried (1:0.5 … 0.5:1), K=20/40 and other RRF weightings moved at most one
question. RRF is the default. Penalty pairing is by placement (``pair_top``), not by adding
linked scores (``link_weight`` 0.3 cost 6 points Hit@1 on dev: the regex-built links are noisy).
Deadline questions (多少天内/期限/最长多久, ``index.intent``) are not penalty questions and lift the
articles that set a time limit (``deadline_boost``; 0.2–0.8 gave the same Hit@1 on dev + held-out +
the first blind set, 0.3 kept); the article behind the matching deadline in
``assistant/data/clocks.json`` is lifted more (``clock_boost`` ×1.5: +5 questions; ×2 … ×5 the same).
After fusion and these boosts, the learned re-ranker (``index.rerank``, ``rerank``/``rerank_depth``)
re-orders the leading candidates of a hybrid search. Current figures on every set, and the variants
tried and rejected:
``bench/results/retrieval.md``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

RRF_K = 60


@dataclass(frozen=True)
class Ranking:
    fusion: str = "rrf"            # rrf | minmax
    rrf_k: int = RRF_K
    bm25_weight: float = 1.0       # weight of the BM25 list in the fusion
    dense_weight: float = 1.0      # weight of the dense list in the fusion
    recall: int = 100              # candidates taken from each retriever
    expansion_weight: float = 0.6  # BM25 weight of terms added by colloquial expansion
    dense_expanded: bool = True    # embed the expanded question (True) or the question as asked
    law_boost: float = 0.5         # articles of a law named in the question (名称/简称)
    stem_boost: float = 0.25       # articles of a law whose name stem occurs in the question (“消防”→消防法)
    intent_law_boost: float = 0.5  # procedural question → the general procedure law it is about
    liability_prior: float = 0.3   # liability articles (法律责任) for penalty questions
    link_weight: float = 0.0       # share of a candidate's score added to its linked 违法/处罚 article
    link_depth: int = 30           # how many top candidates pass score to their linked articles
    deadline_boost: float = 0.3    # deadline questions: articles that set a time limit
    clock_boost: float = 0.5       # deadline questions: the article behind the procedural deadline asked about
    pair_top: int = 1              # penalty questions: each of the first n results is followed by its best-linked partner
    query_adapter: bool = True     # map the question vector with index/data/query_adapter.npz (index.adapter)
    question_bank: bool = True     # re-rank with the votes of index/data/question_bank.npz when trained (index.bank, opt-in)
    rerank: bool = True            # re-order the leading candidates with index/data/rerank.json (index.rerank)
    rerank_depth: int = 50         # how many leading candidates the re-ranker re-orders


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float] | None = None,
        k: int = RRF_K) -> dict[int, float]:
    """``rankings``: lists of ids, best first. Returns id → fused score."""
    weights = weights or [1.0] * len(rankings)
    out: dict[int, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, doc in enumerate(ranking, start=1):
            out[doc] = out.get(doc, 0.0) + w / (k + rank)
    return out


def minmax(score_lists: Sequence[Mapping[int, float]], weights: Sequence[float] | None = None) -> dict[int, float]:
    """``score_lists``: id → raw score per retriever. Returns id → Σ w_i·normalised score."""
    weights = weights or [1.0] * len(score_lists)
    out: dict[int, float] = {}
    for scores, w in zip(score_lists, weights):
        if not scores:
            continue
        lo, hi = min(scores.values()), max(scores.values())
        span = (hi - lo) or 1.0
        for doc, s in scores.items():
            out[doc] = out.get(doc, 0.0) + w * (s - lo) / span
    return out


def top_k(scores: Mapping[int, float], k: int) -> list[tuple[int, float]]:
    """Best k (id, score), ties broken by id for determinism."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
