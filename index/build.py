"""Build the retrieval index: BM25 first (saved with ``dense_state = "building"``, so search works
at once, keyword-only), then the dense part with a tqdm progress bar, written atomically
(``dense/`` appears by rename) before the manifest says ``ready``. ``zhifa index build`` calls
:func:`build_index`. Speed figures: ``bench/index_build.py``.

Incremental: vectors of the previous dense part are reused for passages whose text is unchanged
when they were made by the same model, backend, dimension, max_seq_length, CPU ISA and weight
files (:class:`index.dense.VectorCache`); only new or changed passages are embedded."""
from __future__ import annotations

import logging
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from index.bm25 import BM25
from index.dense import (MAX_SEQ_LENGTH, DenseIndex, Embedder, VectorCache, make_embedder, passage_hashes,
                         remove_dense)
from index.store import Manifest, write_manifest
from index.tokenize import resources_hash, tokenizer_for_store

log = logging.getLogger(__name__)


# How much of each linked 违法依据 the BM25 text of a 处罚依据 carries (its opening clause, which names
# the duty or prohibition). Measured on 414 benchmark questions, same run: 25 / 40 / 60 / 80 / 200
# characters gave +7 / +9 / +9 / +7 / +5 questions at Hit@1 over none, 40 the best Hit@5 (+3).
VIOLATED_OPENING = 40


def bm25_text(a, violated: Sequence[str] = ()) -> str:
    """What BM25 sees: law short name, chapter/section headings and the article text; for a
    处罚依据, also the opening of each article it punishes (``violated``: their texts).

    A penalty article often names the act only as "违反本法第三十四条规定"; the words of the
    violated article let a question in those words reach the article that sets the penalty
    (document expansion through ``StatuteStore.penalty_link_pairs``)."""
    openings = [t[:VIOLATED_OPENING] for t in violated]
    return " ".join(x for x in (a.short_name, a.chapter, a.section, a.text, *openings) if x)


def violated_texts(pairs: Iterable[tuple[int, int]], arts) -> dict[int, list[str]]:
    """penalty article id → texts of the articles it punishes (``pairs``: (违法依据, 处罚依据) ids,
    sorted), for :func:`bm25_text`. ``arts``: every article of the store (by id)."""
    by_id = {a.id: a for a in arts}
    out: dict[int, list[str]] = {}
    for v, p in pairs:
        if p in by_id and by_id[p].is_liability and v in by_id:
            out.setdefault(p, []).append(by_id[v].text)
    return out


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
    violated = violated_texts(statutes.penalty_link_pairs(), arts)
    if article_ids is not None:
        keep = set(article_ids)
        arts = [a for a in arts if a.id in keep]
    arts.sort(key=lambda a: a.id)
    cache = VectorCache.load(out) if dense else None  # read before the old dense part is removed
    progress(f"分词并建立 BM25 索引：{len(arts)} 条")
    tok = tokenizer_for_store(statutes)
    bm25 = BM25.build([tok.tokenize(bm25_text(a, violated.get(a.id, ()))) for a in arts])
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
    isa = f"，CPU 指令集 {embedder.cpu_isa}" if embedder.cpu_isa else ""
    progress(f"生成句向量：{len(dense_arts)} 条现行有效条文（后端 {embedder.backend}{isa}，"
             f"max_seq_length={embedder.max_seq_length}）")
    texts = [dense_text(a) for a in dense_arts]
    hashes = passage_hashes(texts)
    vecs = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    rows = np.full(len(texts), -1, dtype=np.int64)
    if cache is not None and not cache.usable_for(embedder):
        progress("已有句向量由不同的模型、后端或设置生成，不复用，全部重新计算")
    elif cache is not None:
        rows = cache.rows_for(embedder, hashes)
        vecs[rows >= 0] = cache.vectors[rows[rows >= 0]]
    todo = np.flatnonzero(rows < 0)
    reused = len(texts) - len(todo)
    if cache is not None and reused:
        progress(f"复用 {reused} 条已有句向量，新算 {len(todo)} 条")
    cache = None  # free the old vectors
    from tqdm import tqdm

    t_embed = time.perf_counter()
    with tqdm(total=len(todo), unit="条", desc="句向量", mininterval=2.0) as bar:
        if len(todo):
            vecs[todo] = embedder.embed_passages([texts[i] for i in todo], progress=bar.update)
    t_embed = time.perf_counter() - t_embed
    ids = np.asarray([a.id for a in dense_arts], dtype=np.int64)
    DenseIndex(vecs, ids).save(out, {**embedder.vector_identity(), "corpus_hash": corpus_hash,
                                     "reused": reused, "embedded": len(todo)}, hashes=hashes)
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
    rate = len(todo) / t_embed if t_embed else 0
    speed = f"，{rate:.0f} 条/秒" if len(todo) else ""
    progress(f"句向量索引已保存：{len(dense_arts)} 条，{t_dense:.0f} 秒（新算 {len(todo)} 条{speed}；"
             f"复用 {reused} 条；{embedder.backend}{isa}）")
    return manifest
