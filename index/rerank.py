"""Learned re-ranking of the leading candidates: a linear model over what the retrieval stage
already knows about each article (its BM25 and dense ranks, the law-name and intent boosts, the
penalty links, the article's place in its law, how much of the question it covers).

The weights are data, ``index/data/rerank.json`` (JSON, no pickle), written by
``python -m index.rerank_train`` from the benchmark sets named in the file, which also records the
leave-one-set-out figures it was accepted on. Without that file retrieval falls back to the fused
score (``Ranking.rerank = False`` does the same).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from corpus.statutes import Article, Law
from index.bank import FLOOR as BANK_FLOOR
from index.bm25 import BM25
from index.intent import Intent
from index.tokenize import DATA_DIR

WEIGHTS_FILE = DATA_DIR / "rerank.json"
LAW_SHARE_DEPTH = 20  # "how many of the first 20 candidates come from this article's law"

FEATURES = (
    "fused",               # fused score (RRF × boosts) relative to the best candidate
    "fused_rank",          # log(1 + place in the fused order)
    "bm25_rank",           # log of the BM25 rank (absent: log of twice the recall depth)
    "dense_rank",          # log of the dense rank (absent: as above)
    "bm25_rel",            # BM25 score / best BM25 score
    "dense_gap",           # cosine − best cosine
    "named_law",           # the article's law is named in the question
    "stem_law",            # its name stem occurs in the question ("消防" → 消防法)
    "routed_law",          # procedural question routed to this procedure law
    "liability",           # article of a 法律责任 chapter
    "penalty_liability",   # penalty question × liability article
    "penalty_violated",    # penalty question × article some liability article punishes
    "procedure_liability",  # procedural question × liability article
    "partner",             # best fused score of a linked 违法/处罚 partner among the leading candidates
    "penalty_partner",     # penalty question × the above
    "deadline_limit",      # deadline question × article that sets a time limit
    "clock",               # the article behind the procedural deadline asked about
    "level_law",           # instrument level 法律
    "level_regulation",    # instrument level 行政法规
    "opening",             # article 1 or 2 (立法目的、适用范围)
    "supplementary",       # 附则 chapter
    "length",              # log of the article's length in characters
    "coverage",            # idf-weighted share of the question's own words found in the article
    "law_share",           # share of the leading candidates from the same law
    "law_lex",             # the question's words found anywhere in the article's law (law-idf weighted), / best
    "law_dense",           # cosine of the question with the law's mean article vector − best
    "bank_hit",            # a gold article of one of the nearest question-bank questions (index.bank)
    "bank_sim",            # by how much the closest bank question that lists it exceeds the floor (0: none)
)


@dataclass
class Candidates:
    """What the retrieval stage knows about one question's candidates. ``fused`` is already
    lifted by the law-name, intent and deadline boosts."""
    fused: dict[int, float]
    bm25_ids: list[int]
    dense_ids: list[int]
    bm25_scores: dict[int, float]
    dense_scores: dict[int, float]
    query_tokens: list[str]
    intent: Intent
    named: set[str]
    stems: set[str]
    routed: set[str]
    clock_articles: set[int]
    partner_score: dict[int, float] = field(default_factory=dict)
    link_note: dict[int, str] = field(default_factory=dict)
    law_lex: dict[str, float] = field(default_factory=dict)    # law_id → lexical match of the whole law
    law_dense: dict[str, float] = field(default_factory=dict)  # law_id → cosine with the law's centroid
    bank: dict[int, float] = field(default_factory=dict)       # article → closest bank question's cosine

    def ranked(self) -> list[tuple[int, float]]:
        """(id, fused score), best first, ties by id: the order the re-ranker sees in search and
        in training alike."""
        return sorted(self.fused.items(), key=lambda kv: (-kv[1], kv[0]))


class CorpusView(Protocol):
    """The parts of ``index.search.Searcher`` the features read."""
    arts: dict[int, Article]
    laws: dict[str, Law]
    bm25: BM25
    row_of: dict[int, int]
    time_limit: set[int]
    pen_of: dict[int, set[int]]
    recall_depth: int


def features(c: Candidates, ids: Sequence[int], view: CorpusView) -> np.ndarray:
    """(len(ids), len(FEATURES)) feature matrix; ``ids`` in fused order, best first."""
    x = np.zeros((len(ids), len(FEATURES)), dtype=np.float64)
    if not ids:
        return x
    col = {name: i for i, name in enumerate(FEATURES)}
    top_fused = max(c.fused.values()) or 1.0
    brank = {a: i + 1 for i, a in enumerate(c.bm25_ids)}
    drank = {a: i + 1 for i, a in enumerate(c.dense_ids)}
    absent = math.log(2 * view.recall_depth)
    top_b = max(c.bm25_scores.values(), default=0.0) or 1.0
    top_d = max(c.dense_scores.values(), default=0.0)
    low_d = min(c.dense_scores.values(), default=0.0)
    laws_ahead = [view.arts[a].law_id for a in ids[:LAW_SHARE_DEPTH]]
    coverage = _coverage(c.query_tokens, ids, view)
    pen = c.intent.penalty
    top_lex = max(c.law_lex.values(), default=0.0) or 1.0
    top_law_dense = max(c.law_dense.values(), default=0.0)
    for i, a in enumerate(ids):
        art = view.arts[a]
        law = view.laws[art.law_id]
        liab = float(art.is_liability)
        violated = float(not art.is_liability and a in view.pen_of)
        partner = c.partner_score.get(a, 0.0) / top_fused
        row = x[i]
        row[col["fused"]] = c.fused.get(a, 0.0) / top_fused
        row[col["fused_rank"]] = math.log1p(i)
        row[col["bm25_rank"]] = math.log(brank[a]) if a in brank else absent
        row[col["dense_rank"]] = math.log(drank[a]) if a in drank else absent
        row[col["bm25_rel"]] = c.bm25_scores.get(a, 0.0) / top_b
        row[col["dense_gap"]] = c.dense_scores.get(a, low_d - 0.02) - top_d if c.dense_scores else 0.0
        row[col["named_law"]] = float(art.lineage in c.named)
        row[col["stem_law"]] = float(art.lineage in c.stems)
        row[col["routed_law"]] = float(art.lineage in c.routed)
        row[col["liability"]] = liab
        row[col["penalty_liability"]] = liab * pen
        row[col["penalty_violated"]] = violated * pen
        row[col["procedure_liability"]] = liab * c.intent.procedure
        row[col["partner"]] = partner
        row[col["penalty_partner"]] = partner * pen
        row[col["deadline_limit"]] = float(c.intent.deadline and a in view.time_limit)
        row[col["clock"]] = float(a in c.clock_articles)
        row[col["level_law"]] = float(law.level == "法律")
        row[col["level_regulation"]] = float(law.level == "行政法规")
        row[col["opening"]] = float(art.number <= 2)
        row[col["supplementary"]] = float("附则" in (art.chapter or ""))
        row[col["length"]] = math.log(max(len(art.text), 1))
        row[col["coverage"]] = coverage[i]
        row[col["law_share"]] = laws_ahead.count(art.law_id) / len(laws_ahead)
        row[col["law_lex"]] = c.law_lex.get(art.law_id, 0.0) / top_lex
        row[col["law_dense"]] = c.law_dense.get(art.law_id, top_law_dense) - top_law_dense
        row[col["bank_hit"]] = float(a in c.bank)
        row[col["bank_sim"]] = c.bank[a] - BANK_FLOOR if a in c.bank else 0.0
    return x


def _coverage(tokens: Sequence[str], ids: Sequence[int], view: CorpusView) -> np.ndarray:
    """idf-weighted share of the question's tokens that occur in each article's BM25 text."""
    cols = [view.bm25.vocab[t] for t in tokens if t in view.bm25.vocab]
    rows = [view.row_of.get(a, -1) for a in ids]
    if not cols:
        return np.zeros(len(ids))
    idf = view.bm25.idf[cols].astype(np.float64)
    present = (view.bm25.weights[:, cols].tocsr()[[max(r, 0) for r in rows]].toarray() > 0)
    out = present @ idf / idf.sum()
    out[[i for i, r in enumerate(rows) if r < 0]] = 0.0
    return out


@dataclass(frozen=True)
class Reranker:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    provenance: dict

    def score(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights

    def reorder(self, ranked: list[tuple[int, float]], x: np.ndarray) -> list[tuple[int, float]]:
        """The first ``len(x)`` of ``ranked`` (fused order) re-sorted by the model; scores become
        the model's probability-like value, and the rest follow below the last re-ranked one."""
        n = len(x)
        if n == 0:
            return ranked
        z = self.score(x)
        p = 1.0 / (1.0 + np.exp(-z))
        order = sorted(range(n), key=lambda i: (-z[i], i))
        head = [(ranked[i][0], float(p[i])) for i in order]
        tail = ranked[n:]
        if not tail:
            return head
        floor = min(s for _a, s in head) * 0.999
        first = tail[0][1] or 1.0
        return head + [(a, floor * s / first) for a, s in tail]

    def to_json(self) -> dict:
        return {"features": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "provenance": self.provenance}

    @classmethod
    def from_json(cls, data: dict) -> "Reranker":
        if not isinstance(data, dict) or not all(key in data for key in ("features", "mean", "scale", "weights")):
            raise ValueError("index/data/rerank.json 缺少 features/mean/scale/weights，请重新训练：python -m index.rerank_train")
        names = tuple(data["features"])
        if names != FEATURES:
            raise ValueError("index/data/rerank.json 的特征与程序不一致，请重新训练：python -m index.rerank_train")
        arr = [np.asarray(data[key], dtype=np.float64) for key in ("mean", "scale", "weights")]
        if any(a.shape != (len(FEATURES),) for a in arr):
            raise ValueError("index/data/rerank.json 的权重维数不对，请重新训练：python -m index.rerank_train")
        return cls(names, arr[0], arr[1], arr[2], data.get("provenance", {}))


def load_reranker(path: Path | None = None) -> Reranker | None:
    """The re-ranker in ``path`` (default ``WEIGHTS_FILE``); None when there is no such file."""
    path = path or WEIGHTS_FILE
    if not path.exists():
        return None
    return Reranker.from_json(json.loads(path.read_text(encoding="utf-8")))
