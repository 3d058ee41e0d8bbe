"""The persisted index: one directory with

- ``manifest.json``  — model name, dimension, corpus hash (``StatuteStore.content_hash()``),
  article ids, built_at, build seconds, state of each part (``bm25`` / ``dense``);
- ``bm25.npz`` + ``bm25_vocab.json`` — the sparse BM25 matrix (saved first: usable while the
  dense part is still being built);
- ``dense/`` (``dense.faiss`` + ``dense_ids.npy`` + ``dense.json`` + ``dense_sha.npy``) — faiss
  IndexFlatIP over unit vectors, plus each row's passage hash so the next build reuses unchanged
  vectors (:class:`index.dense.VectorCache`); written to a temporary directory and renamed into
  place when complete, after which the manifest's ``dense_state`` becomes ``ready``. Until then
  search serves BM25 only.

The manifest records the embedding ``backend`` (e.g. ``ctranslate2-int8``, ``torch-fp32``):
queries must be embedded by the backend that embedded the passages.

No pickle anywhere. Loading an index whose corpus hash, model or backend differs raises
:class:`StaleIndexError` with the fix command.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.errors import SetupMissing, StaleIndexError

FIX = "zhifa index build"
MANIFEST = "manifest.json"


@dataclass
class Manifest:
    model: str
    dimension: int
    corpus_hash: str
    article_ids: list[int]
    built_at: str
    build_seconds: dict[str, float] = field(default_factory=dict)
    dense_state: str = "missing"  # missing | building | ready
    dense_article_ids: list[int] = field(default_factory=list)
    dense_as_of: str = ""
    max_seq_length: int = 0
    backend: str = ""  # embedding backend of the dense part, e.g. ctranslate2-int8 | torch-fp32
    tokenizer_words: int = 0
    tokenizer_hash: str = ""  # index.tokenize.resources_hash() at build time ("" = built before it was recorded)
    version: int = 1

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def write_manifest(directory: Path, manifest: Manifest) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)


def read_manifest(directory: Path) -> Manifest:
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise SetupMissing(f"检索索引不存在：{directory}", fix=FIX)
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, TypeError) as exc:
        raise StaleIndexError(f"检索索引清单 {path} 已损坏（{exc}）", fix=FIX) from exc


def check_fresh(manifest: Manifest, *, corpus_hash: str, model: str | None = None,
                backend: str | None = None, tokenizer_hash: str | None = None) -> None:
    """Raise StaleIndexError when the index was built on another corpus, word lists, model or
    embedding backend (the model and backend only matter once the dense part is ready)."""
    if manifest.corpus_hash != corpus_hash:
        raise StaleIndexError(
            f"检索索引已过期：法条库内容已变化（索引基于 {manifest.corpus_hash[:12]}，"
            f"当前法条库为 {corpus_hash[:12]}），需要重建索引",
            fix=FIX, indexed=manifest.corpus_hash, current=corpus_hash,
        )
    if tokenizer_hash and manifest.tokenizer_hash != tokenizer_hash:
        why = ("分词词表（index/data/legal_terms.txt 或 stopwords.txt）已变化" if manifest.tokenizer_hash
               else "索引由旧版本建立，未记录所用的分词词表")
        raise StaleIndexError(f"检索索引已过期：{why}，需要重建索引",
                              fix=FIX, indexed=manifest.tokenizer_hash, current=tokenizer_hash)
    if model is not None and manifest.dense_state == "ready" and manifest.model != model:
        raise StaleIndexError(
            f"检索索引与句向量模型不一致（索引用“{manifest.model}”，当前设置为“{model}”），需要重建索引",
            fix=FIX, indexed=manifest.model, current=model,
        )
    if backend is not None and manifest.dense_state == "ready" and manifest.backend != backend:
        raise StaleIndexError(
            f"向量索引由句向量后端“{manifest.backend or '未记录'}”生成，当前检索将使用“{backend}”，"
            "两者的向量不能混用，需要重建索引（或把 ZHIFA_EMBEDDING_BACKEND 设回原后端）",
            fix=FIX, indexed=manifest.backend, current=backend,
        )


def replace_dir(tmp: Path, dest: Path) -> None:
    """Put the completed directory ``tmp`` in place of ``dest`` (rename; the old one is removed first)."""
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)


def write_json(path: Path, data) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path, default=None):
    if not path.exists():
        return default
    return json.loads(path.read_text(encoding="utf-8"))
