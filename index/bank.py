"""Question bank: questions whose answering articles are known — the benchmark sets, or an agency's
own questions with the articles its reviewers confirmed. Officers return to the same violations
(expired food, no licence, blocked fire exits …), so the articles that answered the nearest known
questions are strong candidates for a new one.

A new question's ``NEIGHBOURS`` nearest bank questions at cosine ``FLOOR`` or above (cosine of the
question vectors dense search embeds, before the query adapter) vote for their gold articles. The votes do not rank anything by
themselves: the voted articles join the candidates the re-ranker (``index.rerank``) re-orders, with
how close the voting question was as features (``bank_hit``, ``bank_sim``), and the re-ranker,
trained on votes from banks that did not hold the question (``index.rerank_train``), weighs them.

It is opt-in (``python -m index.rerank_train … --bank``) and none is shipped: measured in session 8,
it lifted blind set 11 (questions on topics the training sets had asked about) from 44 / 61 to
55 / 66 (Hit@1 / Hit@5 of 70), but on topics no training question touched it pushed wrong articles
up (three topic folds, 543 questions: 328 / 457 without it, 300 / 450 with it). An agency whose
officers keep asking about the same violations, with reviewer-confirmed answers, can turn it on.

The bank is data, ``index/data/question_bank.npz`` (NumPy, ``allow_pickle=False``): the question
vectors, each question's gold articles as (law name, article as written) and the embedding model —
not the questions' text, so an agency's own questions (names, places) are not kept in it.
A file for another model or dimension is refused with a message and search runs without votes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from index.learned import RETRAIN, check_model, read_npz, write_npz
from index.tokenize import DATA_DIR

BANK_FILE = DATA_DIR / "question_bank.npz"
NEIGHBOURS = 10  # nearest bank questions that vote …
# … when at least this close. Measured on the 904 questions of dev … blind 11 (each against the
# others' 10 nearest): share of neighbours with a gold article in common, by cosine — below 0.90:
# 3 %, 0.90–0.92: 8 %, 0.92–0.94: 29 %, 0.94–0.96: 70 %, 0.96–0.98: 87 %, ≥ 0.98: 98 %.
FLOOR = 0.92

Key = tuple[str, str]  # (law name, article as written)


@dataclass(frozen=True)
class QuestionBank:
    vectors: np.ndarray                  # (n, d) unit question vectors
    gold: tuple[tuple[Key, ...], ...]    # per question, its gold articles
    model: str                           # embedding model the vectors come from
    provenance: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.gold) or not np.isfinite(self.vectors).all():
            raise ValueError(f"问题库的向量与标准答案数目不符或数值不对（{self.vectors.shape}、{len(self.gold)} 题），{RETRAIN}")

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.gold)

    def votes(self, vector: np.ndarray, k: int = NEIGHBOURS, floor: float = FLOOR) -> dict[Key, float]:
        """Gold article → cosine of the closest of the ``k`` nearest bank questions (at cosine
        ``floor`` or above) that list it."""
        if not self.gold:
            return {}
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        out: dict[Key, float] = {}
        for i in top[np.argsort(-sims[top], kind="stable")]:
            if sims[i] < floor:
                break
            for key in self.gold[i]:
                out.setdefault(key, float(sims[i]))
        return out

    def save(self, path: Path | str) -> None:
        write_npz(path, {"model": self.model, "gold": [[list(k) for k in g] for g in self.gold], **self.provenance},
                  vectors=self.vectors.astype(np.float32))

    @classmethod
    def load(cls, path: Path | str) -> "QuestionBank":
        arrays, meta = read_npz(path, ("vectors",), "问题库")
        try:
            gold = tuple(tuple((str(law), str(art)) for law, art in g) for g in meta.pop("gold"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path} 的标准答案格式不对（{exc}），{RETRAIN}") from exc
        model = str(meta.pop("model", ""))
        return cls(arrays["vectors"].astype(np.float32), gold, model, meta)

    def check(self, model: str, dimension: int) -> None:
        """Refuse a bank embedded with another model or dimension."""
        check_model("问题库", self.model, self.dimension, model, dimension)


def make_bank(vectors: np.ndarray, gold: Sequence[Sequence[Key]], model: str,
              provenance: dict | None = None) -> QuestionBank:
    return QuestionBank(np.asarray(vectors, dtype=np.float32), tuple(tuple(tuple(k) for k in g) for g in gold), model, provenance or {})


def load_bank(path: Path | str | None = None) -> QuestionBank | None:
    """The shipped bank (``BANK_FILE``, read at call time), None when there is none; a broken file
    raises ``ValueError`` with a Chinese message."""
    path = Path(path) if path is not None else BANK_FILE
    return QuestionBank.load(path) if path.exists() else None
