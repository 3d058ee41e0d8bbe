"""Dense retrieval: a sentence-transformers ``Embedder`` (e5 prompts ``query: `` / ``passage: ``,
L2-normalised) and a faiss ``IndexFlatIP``. Scores are inner products of unit vectors = cosine:
**higher is better** (range −1…1).

Build speed (2 CPU cores): articles are sorted by length and encoded in length buckets (little
padding), truncated to ``MAX_SEQ_LENGTH`` tokens (p99 of statute articles is ~275 tokens, so 256
cuts only the tail of ~1 % of articles), with ``torch.set_num_threads(cpu_count)``.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.errors import SetupMissing

log = logging.getLogger(__name__)

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
MAX_SEQ_LENGTH = 256
BATCH_SIZE = 64
CHUNK = 512  # texts per progress update


def _quiet_transformers() -> None:
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except Exception:  # pragma: no cover - optional
        pass


class Embedder:
    """Wraps a sentence-transformers model folder. ``dimension`` and ``name`` are for the manifest."""

    def __init__(self, model_dir: Path | str, *, max_seq_length: int = MAX_SEQ_LENGTH,
                 threads: int | None = None) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - dependency missing
            raise SetupMissing("未安装 sentence-transformers / torch", fix="make install") from exc
        _quiet_transformers()
        torch.set_num_threads(threads or os.cpu_count() or 1)
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "modules.json").exists():
            raise SetupMissing(f"句向量模型不存在：{self.model_dir}", fix="zhifa index build")
        self.model = SentenceTransformer(str(self.model_dir), device="cpu")
        self.model.max_seq_length = max_seq_length
        self.max_seq_length = max_seq_length
        dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(dim())
        self.name = self.model_dir.name

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([QUERY_PROMPT + t for t in texts], batch_size=16)

    def embed_passages(self, texts: Sequence[str], *, batch_size: int = BATCH_SIZE,
                       progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Encode in length order (buckets of similar length → little padding), return in input
        order. ``progress(n_done)`` is called after each chunk."""
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), CHUNK):
            idx = order[start:start + CHUNK]
            out[idx] = self._encode([PASSAGE_PROMPT + texts[i] for i in idx], batch_size=batch_size)
            if progress:
                progress(len(idx))
        return out

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)


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

    def save(self, directory: Path) -> None:
        faiss = _faiss()
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / "dense.faiss.tmp"
        faiss.write_index(self.index, str(tmp))
        np.save(directory / "dense_ids.npy", self.ids, allow_pickle=False)
        os.replace(tmp, directory / "dense.faiss")

    @classmethod
    def load(cls, directory: Path) -> "DenseIndex":
        faiss = _faiss()
        obj = cls.__new__(cls)
        obj.index = faiss.read_index(str(directory / "dense.faiss"))
        obj.ids = np.load(directory / "dense_ids.npy", allow_pickle=False)
        obj.dimension = obj.index.d
        obj._row_of = {int(a): i for i, a in enumerate(obj.ids)}
        return obj


def _faiss():
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover
        raise SetupMissing("未安装 faiss-cpu", fix="pip install faiss-cpu") from exc
    return faiss
