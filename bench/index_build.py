"""Dense index build speed: naive baseline vs the optimised path, measured in the same run.

On the same random sample of articles in force (default 1,000, seeded) it embeds

- **naive**: sentence-transformers fp32, texts in corpus order, ``batch_size=32``,
  ``max_seq_length=512`` (how the first build did it; also the reference vectors);
- **torch-bucketed** (optional): the same fp32 model through ``TorchEmbedder`` (length buckets);
- **optimised**: ``make_embedder(settings)`` — the default backend (CTranslate2 int8 when
  installed) with length bucketing, ``MAX_BATCH_TOKENS`` and the CPU ISA chosen by
  :func:`index.ct2_runtime.ct2_cpu_isa` (recorded as ``cpu_isa`` = the ``CT2_FORCE_CPU_ISA`` value
  in effect; CTranslate2's own "Selected ISA" is only visible with ``CT2_VERBOSE=1``).

``--incremental`` also measures a real incremental rebuild: the existing index
(``settings.index_dir``, built by ``zhifa index build`` with passage hashes) is copied to a
temporary directory and rebuilt by :func:`index.build.build_index` after changing the text of 1 %
of the articles in force (seeded); it reports BM25 / dense / total seconds and how many vectors
were reused and embedded.

It reports articles/s, the ratio to the naive baseline, the projected time for all articles in
force, and fidelity vs the fp32 reference: per-article cosine (mean / p1 / min) and retrieval
agreement on ``bench/retrieval_queries.jsonl`` (dense-only top-10 over the sample plus the queries'
gold articles: mean top-10 overlap, top-1 agreement, gold Hit@10 of each). Timings on a shared
machine are contended: compare the ratios, which are measured in the same run.

    .venv/bin/python bench/index_build.py                    # writes bench/results/index_build.json
    .venv/bin/python bench/index_build.py --sample 300 --no-torch-bucketed
    .venv/bin/python bench/index_build.py --no-torch-bucketed --incremental
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from assistant.settings import load_settings
from corpus.statutes import StatuteStore
from index.build import build_index, dense_text
from index.ct2_runtime import AVX512_FLAGS, CPUINFO, ENV, cpu_flags
from index.dense import MAX_BATCH, MAX_BATCH_TOKENS, PASSAGE_PROMPT, QUERY_PROMPT, TorchEmbedder, make_embedder
from index.dense import dense_dir, dense_present

ROOT = Path(__file__).resolve().parent
QUERIES = ROOT / "retrieval_queries.jsonl"
RESULTS = ROOT / "results" / "index_build.json"


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover
        return float("nan")


def _naive_model(model_dir: Path):
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(os.cpu_count() or 1)
    m = SentenceTransformer(str(model_dir), device="cpu")
    m.max_seq_length = 512
    return m


def _naive_encode(model, texts: list[str], batch_size: int = 32) -> np.ndarray:
    return np.asarray(model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False), dtype=np.float32)


def _timed(fn):
    load0, t0 = _load(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, (load0 + _load()) / 2


def _cosine(a: np.ndarray, ref: np.ndarray) -> dict:
    c = np.sum(a * ref, axis=1)
    return {"mean": round(float(c.mean()), 6), "p1": round(float(np.percentile(c, 1)), 6),
            "min": round(float(c.min()), 6)}


def _topk(qv: np.ndarray, pv: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(qv @ pv.T), axis=1, kind="stable")[:, :k]


def _mrr(top: np.ndarray, gold_rows: list[set[int]], rows: list[int]) -> float:
    rr = [next((1.0 / (r + 1) for r, x in enumerate(top[i]) if x in gold_rows[i]), 0.0) for i in rows]
    return round(float(np.mean(rr)), 4)


def _retrieval(q_ref, p_ref, q_opt, p_opt, gold_rows: list[set[int]], k: int = 10) -> dict:
    ref, opt = _topk(q_ref, p_ref, k), _topk(q_opt, p_opt, k)
    overlap = [len(set(a) & set(b)) / k for a, b in zip(ref, opt)]
    with_gold = [i for i, g in enumerate(gold_rows) if g]
    return {
        "queries": len(ref), "top10_overlap_mean": round(float(np.mean(overlap)), 4),
        "top10_overlap_min": round(float(np.min(overlap)), 4),
        "top1_agreement": round(float(np.mean(ref[:, 0] == opt[:, 0])), 4),
        "gold_queries": len(with_gold),
        "hit10_reference": round(float(np.mean([bool(gold_rows[i] & set(ref[i])) for i in with_gold])), 4) if with_gold else None,
        "hit10_optimised": round(float(np.mean([bool(gold_rows[i] & set(opt[i])) for i in with_gold])), 4) if with_gold else None,
        "mrr10_reference": _mrr(ref, gold_rows, with_gold) if with_gold else None,
        "mrr10_optimised": _mrr(opt, gold_rows, with_gold) if with_gold else None,
    }


class _Edited:
    """The statute store with the text of ``changed`` articles altered (a corpus update)."""

    def __init__(self, store, changed: set[int]) -> None:
        self.store, self.changed = store, changed

    def articles(self, **kw):
        return [replace(a, text=a.text + "（修订）") if a.id in self.changed else a for a in self.store.articles(**kw)]

    def __getattr__(self, name):
        return getattr(self.store, name)


def incremental(settings, statutes, arts, seed: int, fraction: float = 0.01, say=print) -> dict:
    """Rebuild a copy of the existing index after changing ``fraction`` of the articles in force."""
    src = Path(settings.index_dir)
    if not dense_present(src) or not (dense_dir(src) / "dense_sha.npy").exists():
        say(f"[incremental] 跳过：{src} 没有带句向量哈希的索引，请先运行 zhifa index build")
        return {"skipped": f"no dense index with passage hashes at {src}"}
    changed = set(a.id for a in random.Random(seed).sample(arts, max(1, round(len(arts) * fraction))))
    with tempfile.TemporaryDirectory(prefix="zhifa-bench-index-") as tmp:
        index_dir = Path(tmp) / "index"
        shutil.copytree(src, index_dir)
        said: list[str] = []
        load0, t0 = _load(), time.perf_counter()
        m = build_index(replace(settings, index_dir=index_dir), _Edited(statutes, changed), said.append)
        secs = time.perf_counter() - t0
        info = json.loads((dense_dir(index_dir) / "dense.json").read_text(encoding="utf-8"))
    entry = {"changed_articles": len(changed), "fraction": fraction, "seconds": round(secs, 2),
             "build_seconds": m.build_seconds, "reused": info.get("reused"), "embedded": info.get("embedded"),
             "load_avg": round((load0 + _load()) / 2, 2), "messages": said[-3:]}
    say(f"[incremental] 改动 {len(changed)} 条后重建：{secs:.1f} 秒 {m.build_seconds}；"
        f"复用 {entry['reused']}，新算 {entry['embedded']}")
    return entry


def run(sample_size: int, seed: int, torch_bucketed: bool, say=print, incremental_build: bool = False) -> dict:
    settings = load_settings()
    statutes = StatuteStore(settings.statute_db)
    today = date.today()
    in_force = {law.law_id for law in statutes.laws() if law.in_force_on(today)}
    arts = sorted((a for a in statutes.articles() if a.law_id in in_force), key=lambda a: a.id)
    total = len(arts)
    sample = random.Random(seed).sample(arts, min(sample_size, total))
    texts = [dense_text(a) for a in sample]
    say(f"现行有效条文 {total} 条；抽样 {len(sample)} 条（seed={seed}）；CPU {os.cpu_count()} 核，负载 {_load():.2f}")

    queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_key = {}
    for a in arts:
        by_key[(a.law_name, a.article_no)] = a
        by_key.setdefault((a.lineage, a.article_no), a)
    in_sample = {a.id: i for i, a in enumerate(sample)}
    extra = []
    for q in queries:
        for law, no in q["gold"]:
            a = by_key.get((law, no))
            if a is not None and a.id not in in_sample:
                in_sample[a.id] = len(sample) + len(extra)
                extra.append(a)
    extra_texts = [dense_text(a) for a in extra]
    gold_rows = [{in_sample[by_key[(law, no)].id] for law, no in q["gold"] if (law, no) in by_key} for q in queries]
    qtexts = [q["query"] for q in queries]

    report: dict = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "host": platform.node(),
                    "cpus": os.cpu_count(), "articles_in_force": total,
                    "cpu_avx512_flags": sorted(AVX512_FLAGS & _cpu_flags()),
                    "ct2_force_cpu_isa_before": os.environ.get(ENV), "sample": len(sample), "seed": seed,
                    "contended_note": "shared 2-core machine with other jobs running: absolute rates are "
                                      "contended; ratios are measured in the same run", "runs": {}}

    t0 = time.perf_counter()
    naive = _naive_model(settings.embedding_model)
    say(f"[naive] 模型加载 {time.perf_counter() - t0:.1f} 秒；开始（sentence-transformers fp32，原序，batch 32，max 512）")
    ref, secs, load = _timed(lambda: _naive_encode(naive, [PASSAGE_PROMPT + t for t in texts]))
    ref_extra = _naive_encode(naive, [PASSAGE_PROMPT + t for t in extra_texts])
    ref_q = _naive_encode(naive, [QUERY_PROMPT + t for t in qtexts], batch_size=16)
    naive = None  # free the fp32 model before the next run
    base_rate = len(texts) / secs
    report["runs"]["naive"] = {"backend": "sentence-transformers fp32 (unsorted, batch 32, max_seq_length 512)",
                               "seconds": round(secs, 2), "articles_per_s": round(base_rate, 2), "ratio": 1.0,
                               "projected_full_build_s": round(total / base_rate, 1), "load_avg": round(load, 2)}
    say(f"[naive] {secs:.1f} 秒，{base_rate:.1f} 条/秒，负载 {load:.2f}")

    candidates = []
    if torch_bucketed:
        candidates.append(("torch-bucketed", lambda: TorchEmbedder(settings.embedding_model)))
    candidates.append(("optimised", lambda: make_embedder(settings, progress=say)))
    for name, factory in candidates:
        t0 = time.perf_counter()
        emb = factory()
        load_s = time.perf_counter() - t0
        say(f"[{name}] 后端 {emb.backend}，加载 {load_s:.1f} 秒；开始")
        emb.embed_passages(texts[:32])  # warm-up (first-call allocations)
        vecs, secs, load = _timed(lambda: emb.embed_passages(texts))
        rate = len(texts) / secs
        vx = emb.embed_passages(extra_texts)
        vq = emb.embed_queries(qtexts)
        entry = {"backend": emb.backend, "cpu_isa": emb.cpu_isa or None, "ct2_force_cpu_isa": os.environ.get(ENV),
                 "max_batch": MAX_BATCH, "max_batch_tokens": MAX_BATCH_TOKENS,
                 "max_seq_length": emb.max_seq_length, "seconds": round(secs, 2),
                 "articles_per_s": round(rate, 2), "ratio": round(rate / base_rate, 2),
                 "projected_full_build_s": round(total / rate, 1), "load_avg": round(load, 2),
                 "model_load_s": round(load_s, 2),
                 "cosine_vs_fp32": _cosine(vecs, ref), "query_cosine_vs_fp32": _cosine(vq, ref_q),
                 "retrieval_vs_fp32": _retrieval(ref_q, np.vstack([ref, ref_extra]), vq, np.vstack([vecs, vx]),
                                                 gold_rows)}
        report["runs"][name] = entry
        say(f"[{name}] {secs:.1f} 秒，{rate:.1f} 条/秒，×{entry['ratio']}（CPU 指令集 {entry['cpu_isa']}）；余弦 {entry['cosine_vs_fp32']}；"
            f"检索一致性 {entry['retrieval_vs_fp32']}")
        emb = None
    if incremental_build:
        report["incremental"] = incremental(settings, statutes, arts, seed, say=say)
    return report


def _cpu_flags() -> frozenset[str]:
    try:
        return cpu_flags(CPUINFO.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return frozenset()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="句向量索引构建速度基准（与朴素基线同场对比）")
    ap.add_argument("--sample", type=int, default=1000, help="抽样条文数（默认 1000）")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-torch-bucketed", action="store_true", help="不跑 torch 分桶对照")
    ap.add_argument("--incremental", action="store_true",
                    help="另测增量重建：复制现有索引，改动 1%% 现行条文后用 build_index 重建")
    ap.add_argument("--out", type=Path, default=RESULTS, help=f"结果 JSON（默认 {RESULTS}）")
    args = ap.parse_args(argv)
    report = run(args.sample, args.seed, not args.no_torch_bucketed, incremental_build=args.incremental)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已写入 {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
