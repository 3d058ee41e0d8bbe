"""Learned query adapter: a linear map applied to the question's embedding before dense search.

The small e5 model places an officer's everyday words ("卖过期酸奶", "没办证") far from the statute's
wording; a map ``W`` (d × d, starting at the identity) learned from benchmark questions and their gold
articles moves questions towards the articles that answer them. Only the question side changes, so the
article vectors and the index stay as built. ``W`` is fitted by a softmax over every article in
force (temperature ``tau``) with an L2 penalty on ``W − I``; training, with a leave-one-set-out
check, is part of ``python -m index.rerank_train``.

The matrix is data, ``index/data/query_adapter.npz`` (NumPy, ``allow_pickle=False``), with the
embedding model it belongs to and how it was trained. A file for another model or dimension is
refused with a message and dense search runs on the plain question vector.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from index.learned import RETRAIN, check_model, read_npz, write_npz
from index.tokenize import DATA_DIR

ADAPTER_FILE = DATA_DIR / "query_adapter.npz"
TAU = 0.02      # softmax temperature over cosine scores (e5 was trained at 0.01)
L2 = 0.1        # penalty on ‖W − I‖²
MAX_ITER = 100  # L-BFGS iterations


@dataclass(frozen=True)
class QueryAdapter:
    matrix: np.ndarray           # (d, d)
    model: str                   # embedding model the question vectors come from
    provenance: dict = field(default_factory=dict)

    @property
    def dimension(self) -> int:
        return int(self.matrix.shape[0])

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Mapped and re-normalised question vector(s): (d,) or (n, d)."""
        out = np.asarray(vectors, dtype=np.float32) @ self.matrix.T
        norm = np.linalg.norm(out, axis=-1, keepdims=True)
        return out / np.where(norm > 0, norm, 1.0)

    def save(self, path: Path | str) -> None:
        write_npz(path, {"model": self.model, **self.provenance}, matrix=self.matrix.astype(np.float32))

    @classmethod
    def load(cls, path: Path | str) -> "QueryAdapter":
        arrays, meta = read_npz(path, ("matrix",), "查询适配矩阵")
        matrix = arrays["matrix"].astype(np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or not np.isfinite(matrix).all():
            raise ValueError(f"{path} 的矩阵形状或数值不对（{matrix.shape}），{RETRAIN}")
        model = str(meta.pop("model", ""))
        return cls(matrix, model, meta)

    def check(self, model: str, dimension: int) -> None:
        """Refuse an adapter trained for another embedding model or dimension."""
        check_model("查询适配矩阵", self.model, self.dimension, model, dimension)


def load_adapter(path: Path | str | None = None) -> QueryAdapter | None:
    """The shipped adapter (``ADAPTER_FILE``, read at call time), None when there is none; a broken
    file raises ``ValueError`` with a Chinese message."""
    path = Path(path) if path is not None else ADAPTER_FILE
    return QueryAdapter.load(path) if path.exists() else None


def fit(questions: np.ndarray, gold: Sequence[Sequence[int]], articles: np.ndarray, *, tau: float = TAU,
        l2: float = L2, max_iter: int = MAX_ITER) -> np.ndarray:
    """``W`` minimising the mean cross-entropy of each question's softmax over ``articles`` (rows,
    unit vectors) against its gold rows (weight shared equally), plus ``l2``·‖W − I‖²."""
    from scipy.optimize import minimize

    d = questions.shape[1]
    q0 = np.asarray(questions, dtype=np.float32)
    m = np.asarray(articles, dtype=np.float32)
    n = len(q0)
    # the target distribution is sparse: each question's gold rows share weight 1
    rows_of = [sorted(set(rows)) for rows in gold]
    gi = np.concatenate([np.full(len(rows), i, dtype=np.int64) for i, rows in enumerate(rows_of)])
    gj = np.concatenate([np.asarray(rows, dtype=np.int64) for rows in rows_of])
    gw = np.concatenate([np.full(len(rows), 1.0 / len(rows), dtype=np.float32) for rows in rows_of])
    eye = np.eye(d, dtype=np.float32)

    def loss(a: np.ndarray) -> tuple[float, np.ndarray]:
        w = eye + a.reshape(d, d).astype(np.float32)
        q = q0 @ w.T
        length = np.linalg.norm(q, axis=1, keepdims=True)
        qn = q / length
        p = (qn @ m.T) / tau
        p -= p.max(axis=1, keepdims=True)
        np.exp(p, out=p)
        p /= p.sum(axis=1, keepdims=True)
        value = -float((gw * np.log(p[gi, gj] + 1e-12)).sum()) / n + l2 * float(a @ a)
        p[gi, gj] -= gw       # p − target
        p *= 1.0 / (n * tau)  # d value / d score
        dqn = p @ m
        dq = (dqn - qn * (dqn * qn).sum(axis=1, keepdims=True)) / length
        return value, (dq.T @ q0).ravel().astype(np.float64) + 2 * l2 * a

    res = minimize(loss, np.zeros(d * d), jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    return eye + res.x.reshape(d, d).astype(np.float32)
