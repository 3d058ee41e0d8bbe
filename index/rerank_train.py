"""Train the learned parts of retrieval on benchmark sets and check them set by set: the query
adapter (``index.adapter``: a linear map of the question vector before dense search), the re-ranker
(``index.rerank``: a linear model over the leading fused candidates) and, on request, the question
bank (``index.bank``: the nearest known questions vote for their gold articles).

    python -m index.rerank_train bench/retrieval_queries.jsonl bench/retrieval_heldout.jsonl … \\
        [--out index/data/rerank.json] [--adapter-out index/data/query_adapter.npz] [--l2 1.0] \\
        [--depth 50] [--tau 0.02] [--adapter-l2 0.1] [--cross-fit 4] [--bank [--bank-out F]] \\
        [--split sets|topics] [--no-write]

For every set it first trains the parts on all the *other* sets (the adapter first, then the
re-ranker on the candidates the adapted search yields) and measures the full search (direct lookups,
re-ranking, penalty pairing) on the left-out set three ways in the same run: fused ranking without
learned parts, with the adapter, with all of them. That is a leave-one-set-out estimate of what they
do on questions they have not seen. Sets written independently still share topics (expired food, no
licence, blocked fire exits …), so ``--split topics`` checks on five folds that share no gold article
with their training questions: what the learned parts do on topics they have never seen. Then it
trains them on all sets and writes them, with the figures of the check.

Cross-fitting (``--cross-fit K``, default 4): the re-ranker learns from searches by adapters (and
banks) fitted on the other K − 1 random parts of its training questions, never on the question
itself — as at search time, where the question is new. Trained on the adapter's own training
questions, it over-trusted the adapted dense score. With ``--bank`` every question is searched twice
for the re-ranker: with the votes of the other parts' questions, and with a bank holding no question
that shares a gold article with it (its topic new, every vote wrong), so that it learns when votes
deserve trust.

The re-ranker is linear and trained pairwise (RankNet loss: every gold article of a question should
score above every other of its leading candidates; each question weighs the same), with an L2
penalty, by L-BFGS (scipy). The adapter is fitted by a softmax over every article in force (see
``index.adapter.fit``). Questions answered by direct article-number lookup are left out of training:
no part touches them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.optimize import minimize

from assistant.errors import InputError, ZhifaError
from index import adapter as qa
from index.evaluate import evaluate, load_queries, ours
from index.bank import BANK_FILE, QuestionBank, make_bank
from index.rerank import FEATURES, WEIGHTS_FILE, Reranker

CROSS_FIT = 4


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
        ids = searcher.rerank_window(c, depth)
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


def measure(searcher, queries: Sequence[dict], reranker: Reranker | None, adapter: qa.QueryAdapter | None,
            bank: QuestionBank | None = None) -> tuple[int, int]:
    """(Hit@1, Hit@5) counts of the full search with these learned parts (None: without)."""
    with searcher.learned(reranker, adapter, bank):
        r = evaluate(ours(searcher), queries, 10)
    ranks = [q["rank"] for q in r["queries"]]
    return sum(1 for x in ranks if x == 1), sum(1 for x in ranks if x is not None and x <= 5)


@dataclass
class Trainable:
    """A retrieval question the adapter trains on: its vector as search embeds it and the rows of
    its gold articles among the article vectors."""
    vector: np.ndarray
    rows: list[int]


def trainables(searcher, queries: Sequence[dict], row_of: dict[tuple[str, str], int],
               as_of: date) -> dict[int, Trainable]:
    """Position in ``queries`` → Trainable, for questions with a gold article in force that are
    not answered by direct article-number lookup."""
    kept = {}
    for i, q in enumerate(queries):
        rows = sorted({row_of[g] for g in q["gold"] if g in row_of})
        if rows and not searcher.direct_lookup(q["query"], as_of):
            kept[i] = rows
    vectors = searcher.question_vectors([queries[i]["query"] for i in kept]) if kept else []
    return {i: Trainable(v, rows) for (i, rows), v in zip(kept.items(), vectors)}


def topic_folds(queries: Sequence[dict], k: int, seed: int = 0) -> list[list[int]]:
    """``k`` folds of question positions such that no gold article is in two folds: questions that
    share a gold article (directly or through others) stay together, so each fold is a set of topics
    the other folds never saw."""
    parent = list(range(len(queries)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[tuple[str, str], int] = {}
    for i, q in enumerate(queries):
        for g in q["gold"]:
            if g in first:
                parent[root(i)] = root(first[g])
            else:
                first[g] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(queries)):
        groups.setdefault(root(i), []).append(i)
    order = list(groups.values())
    np.random.default_rng(seed).shuffle(order)  # topics of one size in a seeded random order
    folds: list[list[int]] = [[] for _ in range(k)]
    for group in sorted(order, key=len, reverse=True):  # largest first, into the smallest fold
        min(folds, key=len).extend(group)
    return [sorted(f) for f in folds]


def cross_fitted(positions: Sequence[int], k: int, fit_parts, seed: int = 0):
    """(question positions, the learned parts to search them with) pairs covering ``positions``:
    ``k`` seeded random parts, each with ``fit_parts`` of the other parts, so that no question is
    searched with parts that learned from it."""
    order = list(positions)
    np.random.default_rng(seed).shuffle(order)
    parts = [sorted(order[j::k]) for j in range(k) if order[j::k]]
    return [(part, fit_parts(sorted(set(positions) - set(part)))) for part in parts]


def write_together(outputs: Sequence[tuple[Path, object]]) -> None:
    """Write the learned parts as one: each ``(path, write)`` first to a temporary file beside it,
    then all moved into place; ``write`` None removes the file (a bank left from earlier training
    would feed votes a re-ranker trained without one ignores). A failed write leaves every file as
    it was."""
    temps = []
    try:
        for path, write in outputs:
            if write is not None:
                temp = path.with_name(path.name + ".tmp")
                temps.append(temp)
                write(temp)
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    for path, write in outputs:
        if write is None:
            path.unlink(missing_ok=True)
        else:
            os.replace(path.with_name(path.name + ".tmp"), path)


def main(argv: Sequence[str] | None = None) -> int:
    from index.fusion import Ranking

    p = argparse.ArgumentParser(prog="python -m index.rerank_train", description=__doc__.split("\n\n")[0])
    p.add_argument("sets", nargs="+", type=Path, help="benchmark JSONL files (id, query, gold)")
    p.add_argument("--out", type=Path, default=WEIGHTS_FILE, help="re-ranker weights (JSON)")
    p.add_argument("--adapter-out", type=Path, default=qa.ADAPTER_FILE, help="query adapter (NumPy .npz)")
    p.add_argument("--l2", type=float, default=1.0, help="re-ranker L2 penalty")
    p.add_argument("--depth", type=int, default=Ranking().rerank_depth)
    p.add_argument("--tau", type=float, default=qa.TAU, help="adapter softmax temperature")
    p.add_argument("--adapter-l2", type=float, default=qa.L2, help="adapter penalty on ‖W − I‖²")
    p.add_argument("--split", choices=["sets", "topics"], default="sets",
                   help="check by leaving out one set at a time (default), or by 5 folds of topics: "
                        "no gold article of a left-out question is a gold article of a training question")
    p.add_argument("--bank", action="store_true",
                   help="also learn a question bank (index.bank): better on topics asked before, worse on new ones")
    p.add_argument("--bank-out", type=Path, default=BANK_FILE, help="question bank (NumPy .npz)")
    p.add_argument("--cross-fit", type=int, default=CROSS_FIT,
                   help="train the re-ranker on searches by an adapter and a bank learned without the "
                        "question, in this many parts (0: by those learned from all questions)")
    p.add_argument("--no-write", action="store_true", help="only the check, write nothing")
    args = p.parse_args(argv)
    try:
        return train(args)
    except ZhifaError as exc:  # bad set file, no or stale index, nothing to train on
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an output path that cannot be written
        print(f"错误：无法写入训练结果（{exc.filename or ''}）：{exc.strerror or exc}", file=sys.stderr)
        return 2


def train(args: argparse.Namespace) -> int:
    from assistant.settings import load_settings
    from corpus.statutes import StatuteStore
    from index.fusion import Ranking
    from index.search import Searcher

    if len(args.sets) < 2:
        raise InputError("至少需要两个评测集：每个集合都要用其余集合训练的模型来检验")
    if not (args.tau > 0 and args.l2 >= 0 and args.adapter_l2 >= 0 and args.depth >= 2
            and (args.cross_fit == 0 or args.cross_fit >= 2)):
        raise InputError(f"训练参数不合理：--tau 须大于 0（{args.tau}），--l2、--adapter-l2 不得为负"
                         f"（{args.l2}、{args.adapter_l2}），--depth 至少为 2（{args.depth}），"
                         f"--cross-fit 为 0 或至少为 2（{args.cross_fit}）")
    if args.cross_fit == 0 and args.bank:
        raise InputError("--bank 不能与 --cross-fit 0 同用：问题库里有被训练的题本身，排序模型会学到“问题库总是对的”")
    sets = {path.stem: load_queries(path) for path in args.sets}
    settings = load_settings()
    searcher = Searcher.load(settings, StatuteStore(settings.statute_db),
                             ranking=replace(Ranking(), rerank_depth=args.depth))
    if searcher.dense is None:
        raise InputError("语义索引尚未建成：查询适配与排序模型都要在混合检索上训练。运行：zhifa index build")
    today = date.today()
    model = Path(settings.embedding_model).name
    articles, article_ids = searcher.article_vectors(today)
    row_of = {(searcher.arts[a].law_name, searcher.arts[a].article_no): i for i, a in enumerate(article_ids)}
    queries = [q for qs in sets.values() for q in qs]
    trainable = trainables(searcher, queries, row_of, today)
    if not trainable:
        raise InputError("评测集中没有可训练的检索题（金标条文须现行有效，且不是按条号直接查找的题）")

    def fit_adapter(positions: Sequence[int], provenance: dict | None = None) -> qa.QueryAdapter:
        used = [trainable[i] for i in positions if i in trainable]
        if not used:  # nothing to learn from (a tiny set): the identity
            return qa.QueryAdapter(np.eye(articles.shape[1], dtype=np.float32), model, provenance or {})
        matrix = qa.fit(np.stack([t.vector for t in used]), [t.rows for t in used], articles,
                        tau=args.tau, l2=args.adapter_l2)
        return qa.QueryAdapter(matrix, model, provenance or {})

    def fit_bank(positions: Sequence[int], provenance: dict | None = None) -> QuestionBank | None:
        if not args.bank:
            return None
        kept = [i for i in positions if i in trainable]
        return make_bank(np.stack([trainable[i].vector for i in kept]) if kept else np.zeros((0, articles.shape[1])),
                         [queries[i]["gold"] for i in kept], model, provenance)

    def fit_query_side(positions: Sequence[int], provenance: dict | None = None):
        return fit_adapter(positions, provenance), fit_bank(positions, provenance)

    def fit_all(positions: Sequence[int], provenance: dict | None = None):
        """(re-ranker, adapter, bank) learned from these questions."""
        adapter, bank = fit_query_side(positions, provenance)
        # the re-ranker learns from searches by an adapter and a bank that never saw the question
        # (cross-fitting), as at search time; --cross-fit 0: by the adapter just fitted
        plan = (cross_fitted(positions, args.cross_fit, fit_query_side) if args.cross_fit
                else [(list(positions), (adapter, bank))])
        pool = []
        for part, (inner_adapter, inner_bank) in plan:
            asked = [queries[i] for i in part]
            with searcher.learned(None, inner_adapter, inner_bank):
                pool += examples(searcher, asked, args.depth, today)
            if inner_bank is not None:  # and once more as if their topics were new: without every
                # bank question that shares a gold article with them, so every vote is wrong
                golds, inside = {g for q in asked for g in q["gold"]}, set(part)
                others = [j for j in positions if j not in inside and not golds & set(queries[j]["gold"])]
                with searcher.learned(None, inner_adapter, fit_bank(others)):
                    pool += examples(searcher, asked, args.depth, today)
        if not pool:
            raise InputError("评测集中没有可训练的检索题（金标须在前列候选中）")
        return fit(pool, args.l2, provenance), adapter, bank

    if args.split == "sets":
        spans, start = {}, 0
        for name, qs in sets.items():
            spans[name] = list(range(start, start + len(qs)))
            start += len(qs)
        folds = spans
    else:
        folds = {f"topics {n + 1}/5": fold for n, fold in enumerate(topic_folds(queries, 5))}
    cv = {}
    totals = np.zeros(7, dtype=int)
    print(f"{'left out':<24}{'n':>4}  fused H@1/H@5   +adapter H@1/H@5   +re-ranker H@1/H@5", flush=True)
    for name, held in folds.items():
        held_set = set(held)
        reranker, adapter, bank = fit_all([i for i in range(len(queries)) if i not in held_set])
        qs = [queries[i] for i in held]
        base, adapted, both = (measure(searcher, qs, None, None), measure(searcher, qs, None, adapter),
                               measure(searcher, qs, reranker, adapter, bank))
        cv[name] = {"n": len(qs), "fused": list(base), "adapted": list(adapted), "reranked": list(both)}
        totals += (len(qs), *base, *adapted, *both)
        print(f"{name:<24}{len(qs):>4}  {base[0]:>5}/{base[1]:<5}      {adapted[0]:>5}/{adapted[1]:<5}"
              f"        {both[0]:>5}/{both[1]:<5}", flush=True)
    n = totals[0]
    print(f"{'all':<24}{n:>4}  {totals[1]:>5}/{totals[2]:<5}      {totals[3]:>5}/{totals[4]:<5}"
          f"        {totals[5]:>5}/{totals[6]:<5}   (Hit@1 {totals[1] / n:.3f} → {totals[3] / n:.3f} → "
          f"{totals[5] / n:.3f}, Hit@5 {totals[2] / n:.3f} → {totals[4] / n:.3f} → {totals[6] / n:.3f})")
    if args.no_write:
        return 0
    check = "leave_one_set_out" if args.split == "sets" else "topic_folds"
    provenance = {"trained_on": [str(p) for p in args.sets], "l2": args.l2, "depth": args.depth,
                  "tau": args.tau, "adapter_l2": args.adapter_l2, "cross_fit": args.cross_fit,
                  "date": today.isoformat(), "questions": len(trainable), check: cv}
    reranker, adapter, bank = fit_all(range(len(queries)), provenance)
    stale_bank = bank is None and args.bank_out.exists()
    write_together([(args.adapter_out, adapter.save),
                    (args.bank_out, bank.save if bank is not None else None),
                    (args.out, lambda path: path.write_text(json.dumps(reranker.to_json(), ensure_ascii=False,
                                                                       indent=1) + "\n", encoding="utf-8"))])
    if stale_bank:
        print(f"removed the question bank {args.bank_out}: this re-ranker was trained without one")
    print(f"query adapter written to {args.adapter_out}; re-ranker weights written to {args.out}"
          + (f"; question bank ({len(bank)} questions) written to {args.bank_out}" if bank is not None else ""))
    for name, w in sorted(zip(FEATURES, reranker.weights), key=lambda kv: -abs(kv[1])):
        print(f"  {name:<20} {w:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
