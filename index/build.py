"""Build the retrieval index: BM25 first (saved with ``dense_state = "building"``, so search works
at once, keyword-only), then the dense part with a tqdm progress bar, written atomically
(``dense/`` appears by rename) before the manifest says ``ready``. ``zhifa index build`` calls
:func:`build_index`. Speed figures: ``bench/index_build.py``."""
from __future__ import annotations

import logging
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from index.bm25 import BM25
from index.dense import MAX_SEQ_LENGTH, DenseIndex, Embedder, make_embedder, remove_dense
from index.store import Manifest, write_manifest
from index.tokenize import resources_hash, tokenizer_for_store

log = logging.getLogger(__name__)


def bm25_text(a) -> str:
    """What BM25 sees: law short name, chapter/section headings and the article text."""
    return " ".join(x for x in (a.short_name, a.chapter, a.section, a.text) if x)


def dense_text(a) -> str:
    """What the embedder sees: context (law short name + chapter) then the article text."""
    ctx = " ".join(x for x in (a.short_name, a.chapter, a.section) if x)
    return f"{ctx}：{a.text}"


def model_id(embedding_model: Path) -> str:
    return Path(embedding_model).name


def build_index(settings, statutes, progress: Callable[[str], None] = print, *, dense: bool = True,
                article_ids: Iterable[int] | None = None, embedder: Embedder | None = None) -> Manifest:
    """Build and persist the index at ``settings.index_dir``; returns the manifest.

    ``article_ids`` restricts the index to a subset (tests). The dense part covers the articles
    in force today (older versions are found by BM25 and direct lookup).
    """
    out = Path(settings.index_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    corpus_hash = statutes.content_hash()
    arts = statutes.articles()
    if article_ids is not None:
        keep = set(article_ids)
        arts = [a for a in arts if a.id in keep]
    arts.sort(key=lambda a: a.id)
    progress(f"分词并建立 BM25 索引：{len(arts)} 条")
    tok = tokenizer_for_store(statutes)
    bm25 = BM25.build([tok.tokenize(bm25_text(a)) for a in arts])
    bm25.save(out)
    (out / "links.json").unlink(missing_ok=True)  # links now come only from the statute store
    t_bm25 = time.perf_counter() - t0
    manifest = Manifest(
        model=model_id(settings.embedding_model), dimension=0, corpus_hash=corpus_hash,
        article_ids=[a.id for a in arts], built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        build_seconds={"bm25": round(t_bm25, 2)}, dense_state="building" if dense else "missing",
        tokenizer_words=len(tok.words), tokenizer_hash=resources_hash(),
    )
    write_manifest(out, manifest)  # says "building"/"missing" before the old dense part goes
    remove_dense(out)
    progress(f"BM25 索引已保存（{t_bm25:.1f} 秒）；此时已可检索（仅关键词）")
    if not dense:
        return manifest

    t1 = time.perf_counter()
    if embedder is None:
        embedder = make_embedder(settings, max_seq_length=MAX_SEQ_LENGTH, progress=progress)
    today = date.today()
    in_force = {law.law_id for law in statutes.laws() if law.in_force_on(today)}
    dense_arts = [a for a in arts if a.law_id in in_force]
    progress(f"生成句向量：{len(dense_arts)} 条现行有效条文（后端 {embedder.backend}，"
             f"max_seq_length={embedder.max_seq_length}）")
    from tqdm import tqdm

    with tqdm(total=len(dense_arts), unit="条", desc="句向量", mininterval=2.0) as bar:
        vecs = embedder.embed_passages([dense_text(a) for a in dense_arts], progress=bar.update)
    ids = np.asarray([a.id for a in dense_arts], dtype=np.int64)
    DenseIndex(vecs, ids).save(out, {"model": model_id(embedder.model_dir), "backend": embedder.backend,
                                     "corpus_hash": corpus_hash, "max_seq_length": embedder.max_seq_length})
    t_dense = time.perf_counter() - t1
    manifest.dimension = embedder.dimension
    manifest.model = model_id(embedder.model_dir)
    manifest.dense_state = "ready"
    manifest.dense_article_ids = ids.tolist()
    manifest.dense_as_of = today.isoformat()
    manifest.max_seq_length = embedder.max_seq_length
    manifest.backend = embedder.backend
    manifest.build_seconds["dense"] = round(t_dense, 2)
    manifest.build_seconds["total"] = round(time.perf_counter() - t0, 2)
    write_manifest(out, manifest)
    rate = len(dense_arts) / t_dense if t_dense else 0
    progress(f"句向量索引已保存：{len(dense_arts)} 条，{t_dense:.0f} 秒（{rate:.0f} 条/秒，{embedder.backend}）")
    return manifest
