"""Fusing ranked lists (BM25, dense). Higher fused score is better.

- :func:`rrf` — Reciprocal Rank Fusion (Cormack et al. 2009): score(d) = Σ_i w_i / (K + rank_i(d)),
  rank starting at 1. ``RRF_K = 60`` is the constant from the paper; it damps the difference
  between the first few ranks so neither list dominates.
- :func:`minmax` — convex combination of per-list min–max-normalised scores (missing = 0).

Measured on ``bench/retrieval_queries.jsonl`` (see bench/README in the report): RRF is the default.
"""
from __future__ import annotations

from typing import Mapping, Sequence

RRF_K = 60


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
