"""Incremental dense rebuild: unchanged passages keep their vectors, only new or changed ones are
embedded, the result equals a build from scratch, and vectors are never reused across backends."""
from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np

from index.build import build_index, dense_text
from index.dense import SHA_FILE, DenseIndex, Embedder, VectorCache, dense_dir, passage_hashes

from .conftest import index_settings

LAWS = ("中华人民共和国行政处罚法", "中华人民共和国广告法")


class _CountingEmbedder(Embedder):
    """Deterministic unit vectors from the text itself (a stand-in for the model) that records
    every passage it is asked to embed."""

    backend = "fake-v1"

    def __init__(self, model_dir):
        model_dir.mkdir(parents=True, exist_ok=True)
        (model_dir / "modules.json").write_text("[]", encoding="utf-8")
        super().__init__(model_dir, max_seq_length=512)
        self.dimension = 8
        self.embedded: list[str] = []

    def token_ids(self, texts):
        return [list(range(len(t))) for t in texts]

    def encode_ids(self, ids, texts):
        self.embedded.extend(texts)
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(t.encode("utf-8")).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dimension)
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


class _OtherBackend(_CountingEmbedder):
    backend = "fake-v2"


class _EditedStore:
    """The real statute store with one article's text changed, as after a corpus update."""

    def __init__(self, store, article_id: int) -> None:
        self.store, self.article_id = store, article_id

    def articles(self, **kw):
        return [replace(a, text=a.text + "（本条已修改）") if a.id == self.article_id else a
                for a in self.store.articles(**kw)]

    def __getattr__(self, name):
        return getattr(self.store, name)


def _ids(store) -> list[int]:
    rows = store.con.execute(f"SELECT a.id FROM articles a JOIN laws l USING (law_id) "
                             f"WHERE l.lineage IN ({','.join('?' * len(LAWS))})", LAWS).fetchall()
    return [r[0] for r in rows]


def _vectors(settings) -> tuple[np.ndarray, np.ndarray]:
    ix = DenseIndex.load(settings.index_dir)
    return ix.ids, ix.index.reconstruct_n(0, ix.index.ntotal)


def test_second_build_embeds_only_the_changed_article(statute_store, tmp_path):
    ids = _ids(statute_store)
    settings = index_settings(tmp_path / "a", statute_store)
    model_dir = tmp_path / "model"
    first = _CountingEmbedder(model_dir)
    m1 = build_index(settings, statute_store, lambda s: None, article_ids=ids, embedder=first)
    n = len(m1.dense_article_ids)
    assert m1.dense_state == "ready" and n > 100 and len(first.embedded) == n
    assert (dense_dir(settings.index_dir) / SHA_FILE).exists()

    changed = m1.dense_article_ids[n // 2]
    edited = _EditedStore(statute_store, changed)
    new_text = next(dense_text(a) for a in edited.articles() if a.id == changed)
    second, said = _CountingEmbedder(model_dir), []
    m2 = build_index(settings, edited, said.append, article_ids=ids, embedder=second)
    assert second.embedded == ["passage: " + new_text]  # (a) only the changed article
    assert f"复用 {n - 1} 条已有句向量，新算 1 条" in said
    assert m2.dense_article_ids == m1.dense_article_ids

    scratch = index_settings(tmp_path / "b", statute_store)  # (b) equals a build from scratch
    build_index(scratch, edited, lambda s: None, article_ids=ids, embedder=_CountingEmbedder(model_dir))
    inc_ids, inc = _vectors(settings)
    ref_ids, ref = _vectors(scratch)
    np.testing.assert_array_equal(inc_ids, ref_ids)
    np.testing.assert_allclose(inc, ref, atol=1e-6)
    cache = VectorCache.load(settings.index_dir)
    np.testing.assert_array_equal(cache.hashes, VectorCache.load(scratch.index_dir).hashes)

    other, said = _OtherBackend(model_dir), []  # (c) another backend: nothing reused
    m3 = build_index(settings, edited, said.append, article_ids=ids, embedder=other)
    assert len(other.embedded) == n and m3.backend == "fake-v2"
    assert any("不复用" in s for s in said) and not any(s.startswith("复用") for s in said)


def test_no_reuse_without_hashes_or_with_other_model_settings(statute_store, tmp_path):
    ids = _ids(statute_store)
    settings = index_settings(tmp_path, statute_store)
    model_dir = tmp_path / "model"
    build_index(settings, statute_store, lambda s: None, article_ids=ids, embedder=_CountingEmbedder(model_dir))
    n = len(VectorCache.load(settings.index_dir).hashes)

    longer = _CountingEmbedder(model_dir)
    longer.max_seq_length = 256  # other truncation: other vectors
    build_index(settings, statute_store, lambda s: None, article_ids=ids, embedder=longer)
    assert len(longer.embedded) == n

    (dense_dir(settings.index_dir) / SHA_FILE).unlink()  # an index from before hashes were stored
    assert VectorCache.load(settings.index_dir) is None
    again = _CountingEmbedder(model_dir)
    again.max_seq_length = 256
    build_index(settings, statute_store, lambda s: None, article_ids=ids, embedder=again)
    assert len(again.embedded) == n

    reweighted = _CountingEmbedder(model_dir)  # same name, new weight file: other vectors
    reweighted.max_seq_length = 256
    (model_dir / "model.safetensors").write_bytes(b"new weights")
    build_index(settings, statute_store, lambda s: None, article_ids=ids, embedder=reweighted)
    assert len(reweighted.embedded) == n


def test_passage_hashes_cover_the_prompt_and_every_byte():
    h = passage_hashes(["甲", "甲 ", "乙"])
    assert h.shape == (3, 32) and h.dtype == np.uint8
    assert h[0].tobytes() == hashlib.sha256("passage: 甲".encode("utf-8")).digest()
    assert len({row.tobytes() for row in h}) == 3
    assert passage_hashes([]).shape == (0, 32)
