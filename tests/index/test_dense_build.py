"""Dense build: length bucketing keeps input order, the CTranslate2 backend reproduces the fp32
reference, the manifest's backend must match the query backend, and search serves BM25 alone
(with a notice) while the dense part is missing or still being built."""
import json
import shutil

import numpy as np
import pytest

from assistant.errors import ConfigError, StaleIndexError
from assistant.settings import load_settings
from index.dense import (DenseIndex, Embedder, dense_dir, dense_present, expected_backend_id, length_batches,
                         remove_dense)
from index.store import Manifest, check_fresh, read_manifest, write_manifest


class _LengthEmbedder(Embedder):
    """Stands in for model quality only: the vector encodes the text itself, so any mix-up of rows
    between input and output shows."""

    def __init__(self, tmp_path):
        (tmp_path / "modules.json").write_text("[]", encoding="utf-8")
        super().__init__(tmp_path, max_seq_length=512)
        self.dimension = 3
        self.batches = []

    def token_ids(self, texts):
        return [list(range(len(t))) for t in texts]

    def encode_ids(self, ids, texts):
        self.batches.append([len(x) for x in ids])
        return np.asarray([[len(t), sum(map(ord, t)) % 9973, 1.0] for t in texts], dtype=np.float32)


def test_length_batches_cover_every_text_once_longest_first():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 600, size=1000)
    batches = length_batches(lengths, max_batch=64, max_tokens=4096)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(1000))
    longest = [int(lengths[b].max()) for b in batches]
    assert longest == sorted(longest, reverse=True)
    for b in batches:
        assert len(b) <= 64
        assert len(b) == 1 or len(b) * int(lengths[b].max()) <= 4096


def test_bucketed_embedding_returns_rows_in_input_order(tmp_path):
    emb = _LengthEmbedder(tmp_path)
    texts = ["短", "一段很长很长很长的条文" * 20, "中等长度的条文内容", "", "x" * 700, "中等长度的条文内容"]
    done = []
    out = emb.embed_passages(texts, progress=done.append, max_batch=2, max_tokens=10_000)
    expected = [[len("passage: " + t), sum(map(ord, "passage: " + t)) % 9973, 1.0] for t in texts]
    np.testing.assert_array_equal(out, np.asarray(expected, dtype=np.float32))
    assert sum(done) == len(texts) and len(emb.batches) == 3
    assert emb.batches[0][0] == max(len("passage: " + t) for t in texts)  # longest first


def test_dense_part_is_written_atomically_and_round_trips(tmp_path):
    vecs = np.eye(4, 8, dtype=np.float32)
    DenseIndex(vecs, np.asarray([11, 12, 13, 14])).save(tmp_path, {"backend": "ctranslate2-int8"})
    assert dense_present(tmp_path)
    assert not list(tmp_path.glob("dense.partial-*"))
    assert json.loads((dense_dir(tmp_path) / "dense.json").read_text(encoding="utf-8"))["backend"] == "ctranslate2-int8"
    ix = DenseIndex.load(tmp_path)
    ids, scores = ix.search(vecs[2], 2)
    assert ids[0] == 13 and scores[0] == pytest.approx(1.0)
    remove_dense(tmp_path)
    assert not dense_present(tmp_path)


def _manifest(**kw) -> Manifest:
    base = dict(model="multilingual-e5-small", dimension=384, corpus_hash="abc", article_ids=[1],
                built_at="2026-11-22T00:00:00+00:00", dense_state="ready", backend="torch-fp32")
    base.update(kw)
    return Manifest(**base)


def test_backend_mismatch_is_refused_as_stale():
    with pytest.raises(StaleIndexError) as exc:
        check_fresh(_manifest(), corpus_hash="abc", model="multilingual-e5-small", backend="ctranslate2-int8")
    assert "句向量后端" in exc.value.message and "重建索引" in exc.value.message
    assert exc.value.fix == "zhifa index build"
    check_fresh(_manifest(), corpus_hash="abc", model="multilingual-e5-small", backend="torch-fp32")
    # an index from before backends were recorded is stale once its dense part is ready
    with pytest.raises(StaleIndexError):
        check_fresh(_manifest(backend=""), corpus_hash="abc", backend="torch-fp32")
    # a BM25-only index does not depend on the embedding backend
    check_fresh(_manifest(dense_state="missing", backend=""), corpus_hash="abc", backend="ctranslate2-int8")


def test_changed_word_lists_make_the_index_stale():
    from index.tokenize import resources_hash

    current = resources_hash()
    check_fresh(_manifest(tokenizer_hash=current), corpus_hash="abc", tokenizer_hash=current)
    with pytest.raises(StaleIndexError) as exc:
        check_fresh(_manifest(tokenizer_hash="0" * 64), corpus_hash="abc", tokenizer_hash=current)
    assert "分词词表" in exc.value.message and exc.value.fix == "zhifa index build"
    # an index from before the hash was recorded cannot prove its word lists: rebuild
    with pytest.raises(StaleIndexError) as exc:
        check_fresh(_manifest(tokenizer_hash=""), corpus_hash="abc", tokenizer_hash=current)
    assert "旧版本" in exc.value.message and exc.value.fix == "zhifa index build"


def test_unknown_backend_setting_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match="句向量后端"):
        load_settings(env={"ZHIFA_HOME": str(tmp_path), "ZHIFA_EMBEDDING_BACKEND": "onnx"}, config_file=None)
    s = load_settings(env={"ZHIFA_HOME": str(tmp_path), "ZHIFA_EMBEDDING_BACKEND": "torch"}, config_file=None)
    assert expected_backend_id(s) == "torch-fp32"


def _copy_index(bm25_index, tmp_path, statute_store, **env):
    """A private copy of the session's BM25-only subset index, with its own settings."""
    settings = load_settings(env={"ZHIFA_HOME": str(tmp_path / "home"), "ZHIFA_STATUTE_DB": str(statute_store.path),
                                  "ZHIFA_INDEX_DIR": str(tmp_path / "index"), **env}, config_file=None)
    shutil.copytree(bm25_index.index_dir, settings.index_dir)
    return settings


def test_searcher_refuses_index_embedded_by_another_backend(bm25_index, statute_store, tmp_path):
    from index.search import Searcher

    settings = _copy_index(bm25_index, tmp_path, statute_store, ZHIFA_EMBEDDING_BACKEND="torch")
    m = read_manifest(settings.index_dir)
    m.dense_state, m.backend, m.dimension = "ready", "ctranslate2-int8", 384
    write_manifest(settings.index_dir, m)
    with pytest.raises(StaleIndexError, match="句向量后端"):
        Searcher.load(settings, statute_store)


@pytest.mark.parametrize("state", ["building", "missing", "ready"])
def test_bm25_only_while_dense_part_is_absent(bm25_index, statute_store, tmp_path, state):
    """"building": BM25 written, dense still running; "ready" without files: dense part deleted."""
    from assistant.prepare import _index_state
    from index.search import Searcher

    settings = _copy_index(bm25_index, tmp_path, statute_store)
    m = read_manifest(settings.index_dir)
    m.dense_state = state
    m.backend = expected_backend_id(settings) if state == "ready" else ""
    write_manifest(settings.index_dir, m)
    assert not dense_present(settings.index_dir)
    s = Searcher.load(settings, statute_store)
    assert s.dense is None and "仅用关键词检索" in s.notice
    hits = s.search("销售过期食品怎么处罚", k=5)
    assert "第一百二十四条" in {h.article for h in hits}
    ready, detail = _index_state(settings, statute_store)  # what `zhifa doctor` shows
    assert not ready and "仅用关键词检索" in detail


@pytest.mark.slow
def test_ct2_backend_agrees_with_fp32_reference(tmp_path_factory):
    """Measured on 1,000 real articles (bench/index_build.py): cosine min 0.9991; 0.998 leaves margin."""
    from index.dense import make_embedder
    from index.e5model import ct2_path, ensure_ct2_model

    home = tmp_path_factory.mktemp("e5ct2")
    settings = load_settings(env={"ZHIFA_HOME": str(home)}, config_file=None)
    texts = ["生产经营超过保质期的食品，处货值金额十倍以上罚款。",
             "行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定。\n法律另有规定的除外。",
             "食品安全法：第九章 法律责任：违反本法规定，有下列情形之一的，由县级以上人民政府食品安全监督管理部门"
             "没收违法所得和违法生产经营的食品、食品添加剂。" * 8]
    fast = make_embedder(settings, backend="ctranslate2", progress=lambda m: None)
    ref = make_embedder(settings, backend="torch")
    assert fast.backend == "ctranslate2-int8" and ref.backend == "torch-fp32"
    assert fast.model_dir == ref.model_dir and ct2_path(fast.model_dir).is_dir()
    cos = np.sum(fast.embed_passages(texts) * ref.embed_passages(texts), axis=1)
    assert (cos > 0.998).all(), cos
    q = "饭店用过期的面粉做包子卖给顾客，怎么处罚"
    assert float(fast.embed_queries([q])[0] @ ref.embed_queries([q])[0]) > 0.998
    calls = []
    ensure_ct2_model(fast.model_dir, progress=calls.append)
    assert calls == []  # converted once, then reused
