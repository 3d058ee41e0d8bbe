"""Train the re-ranker (``index.rerank``) on benchmark sets and check it set by set.

    python -m index.rerank_train bench/retrieval_queries.jsonl bench/retrieval_heldout.jsonl … \\
        [--out index/data/rerank.json] [--l2 1.0] [--depth 50]

For every set it first trains on all the *other* sets and measures the full search (direct
lookups, re-ranking, penalty pairing) on the left-out set against the fused ranking without the
re-ranker, in the same run: a leave-one-set-out estimate of what the model does on questions it
has not seen. Then it trains on all sets and writes the weights, with those figures, to ``--out``.

The model is linear and trained pairwise (RankNet loss: every gold article of a question should
score above every other of its leading candidates; each question weighs the same), with an L2
penalty, by L-BFGS (scipy). Questions answered by direct article-number lookup are left out of
training: the re-ranker never orders them.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.optimize import minimize

from assistant.errors import InputError, ZhifaError
from index.evaluate import evaluate, load_queries, ours
from index.rerank import FEATURES, WEIGHTS_FILE, Reranker


@dataclass
class Example:
    qid: str
    x: np.ndarray   # (n candidates, n features)
    y: np.ndarray   # 1 for gold


def examples(searcher, queries: Sequence[dict], depth: int, as_of: date) -> list[Example]:
    """Feature matrices of the leading candidates of every retrieval question with a gold one."""
    out = []
    for q in queries:
        if searcher.direct_lookup(q["query"], as_of):
            continue
        c = searcher.candidates(q["query"], as_of)
        ids = [a for a, _s in c.ranked()[:depth]]
        gold = set(q["gold"])
        y = np.asarray([(searcher.arts[a].law_name, searcher.arts[a].article_no) in gold for a in ids], dtype=float)
        if 0 < y.sum() < len(ids):
            out.append(Example(str(q.get("id")), searcher.features(c, ids), y))
    return out


def fit(train: Sequence[Example], l2: float, provenance: dict | None = None) -> Reranker:
    if not train:
        raise InputError("没有可训练的问题：评测集的标准答案都不在候选中，或都是条号直查")
    allx = np.vstack([e.x for e in train])
    mean = allx.mean(axis=0)
    scale = allx.std(axis=0)
    scale[scale < 1e-9] = 1.0
    # per question: differences (gold − other) of standardised features, weighted 1/#pairs
    diffs, wts = [], []
    for e in train:
        z = (e.x - mean) / scale
        pos, neg = z[e.y == 1], z[e.y == 0]
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, z.shape[1])
        diffs.append(d)
        wts.append(np.full(len(d), 1.0 / len(d)))
    d = np.vstack(diffs)
    w_pair = np.concatenate(wts) / len(train)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        m = d @ w
        val = np.sum(w_pair * np.logaddexp(0.0, -m)) + l2 * w @ w / len(train)
        sig = 1.0 / (1.0 + np.exp(m))  # d/dm log(1+e^-m) = -sigmoid(-m)
        grad = -(d * (w_pair * sig)[:, None]).sum(axis=0) + 2 * l2 * w / len(train)
        return float(val), grad

    res = minimize(loss, np.zeros(d.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return Reranker(FEATURES, mean, scale, res.x, provenance or {})


def measure(searcher, queries: Sequence[dict], reranker: Reranker | None) -> tuple[int, int]:
    """(Hit@1, Hit@5) counts of the full search with this re-ranker (None: fused order)."""
    with searcher.reranked_by(reranker):
        r = evaluate(ours(searcher), queries, 10)
    ranks = [q["rank"] for q in r["queries"]]
    return sum(1 for x in ranks if x == 1), sum(1 for x in ranks if x is not None and x <= 5)


def main(argv: Sequence[str] | None = None) -> int:
    from index.fusion import Ranking

    p = argparse.ArgumentParser(prog="python -m index.rerank_train", description=__doc__.split("\n\n")[0])
    p.add_argument("sets", nargs="+", type=Path, help="benchmark JSONL files (id, query, gold)")
    p.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    p.add_argument("--l2", type=float, default=1.0)
    p.add_argument("--depth", type=int, default=Ranking().rerank_depth)
    p.add_argument("--no-write", action="store_true", help="only the leave-one-set-out report")
    args = p.parse_args(argv)
    try:
        return train(args)
    except ZhifaError as exc:  # bad set file, no or stale index, nothing to train on
        print(f"错误：{exc}", file=sys.stderr)
        return 2


def train(args: argparse.Namespace) -> int:
    from assistant.settings import load_settings
    from corpus.statutes import StatuteStore
    from index.fusion import Ranking
    from index.search import Searcher

    if len(args.sets) < 2:
        raise InputError("至少需要两个评测集：每个集合都要用其余集合训练的模型来检验")
    sets = {path.stem: load_queries(path) for path in args.sets}
    settings = load_settings()
    searcher = Searcher.load(settings, StatuteStore(settings.statute_db),
                             ranking=replace(Ranking(), rerank_depth=args.depth))
    if searcher.dense is None:
        raise InputError("语义索引尚未建成：排序模型要在混合检索的候选上训练。运行：zhifa index build")
    today = date.today()
    data = {name: examples(searcher, qs, args.depth, today) for name, qs in sets.items()}
    cv = {}
    totals = np.zeros(5, dtype=int)
    print(f"{'left-out set':<24}{'n':>4}  fused H@1/H@5   re-ranked H@1/H@5")
    for name, qs in sets.items():
        model = fit([e for other, ex in data.items() if other != name for e in ex], args.l2)
        base, new = measure(searcher, qs, None), measure(searcher, qs, model)
        cv[name] = {"n": len(qs), "fused": list(base), "reranked": list(new)}
        totals += (len(qs), *base, *new)
        print(f"{name:<24}{len(qs):>4}  {base[0]:>5}/{base[1]:<5}      {new[0]:>5}/{new[1]:<5}", flush=True)
    n = totals[0]
    print(f"{'all':<24}{n:>4}  {totals[1]:>5}/{totals[2]:<5}      {totals[3]:>5}/{totals[4]:<5}"
          f"   (Hit@1 {totals[1] / n:.3f} → {totals[3] / n:.3f}, Hit@5 {totals[2] / n:.3f} → {totals[4] / n:.3f})")
    if args.no_write:
        return 0
    pool = [e for ex in data.values() for e in ex]
    provenance = {"trained_on": [str(p) for p in args.sets], "questions": len(pool), "l2": args.l2,
                  "depth": args.depth, "date": today.isoformat(), "leave_one_set_out": cv}
    model = fit(pool, args.l2, provenance)
    args.out.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"weights written to {args.out} ({len(pool)} questions)")
    for name, w in sorted(zip(FEATURES, model.weights), key=lambda kv: -abs(kv[1])):
        print(f"  {name:<20} {w:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
