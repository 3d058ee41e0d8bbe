"""Files of the learned parts of retrieval (``index.adapter``, ``index.bank``): NumPy ``.npz`` with
named arrays and a JSON ``meta`` string (model, provenance), read with ``allow_pickle=False``."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

RETRAIN = "请重新训练：python -m index.rerank_train"


def write_npz(path: Path | str, meta: dict, **arrays: np.ndarray) -> None:
    with open(path, "wb") as fh:  # np.savez would append .npz to a name without it
        np.savez(fh, meta=np.asarray(json.dumps(meta, ensure_ascii=False)), **arrays)


def read_npz(path: Path | str, names: tuple[str, ...], what: str) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays by name, meta) of a file written by ``write_npz``; ``ValueError`` naming ``what``
    when the file is unreadable or lacks an array."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: np.asarray(z[name]) for name in names}
            meta = json.loads(str(z["meta"]))
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{path} 不是可用的{what}（{exc}），{RETRAIN}") from exc
    if not isinstance(meta, dict):
        raise ValueError(f"{path} 不是可用的{what}（说明信息不是字典），{RETRAIN}")
    return arrays, meta


def check_model(what: str, model: str, dimension: int, want_model: str, want_dimension: int) -> None:
    """Refuse a learned part made for another embedding model or dimension."""
    if model != want_model or dimension != want_dimension:
        raise ValueError(f"{what}属于 {model}（{dimension} 维），当前向量模型是 {want_model}"
                         f"（{want_dimension} 维），{RETRAIN}")
