"""GGUF models through llama-cpp-python (optional dependency, imported lazily)."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant.errors import SetupMissing

log = logging.getLogger(__name__)
INSTALL_HINT = ".venv/bin/pip install llama-cpp-python  # 需从源码编译，双核约 4 分钟"


class GGUFLLM:
    name = "gguf"

    def __init__(self, path: str | Path, *, n_ctx: int = 4096, n_threads: int = 2) -> None:
        self.path = Path(path)
        self.n_ctx, self.n_threads = n_ctx, n_threads
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise SetupMissing("未安装 llama-cpp-python，无法使用 GGUF 模型", fix=INSTALL_HINT) from exc
            if not self.path.exists():
                raise SetupMissing(f"GGUF 模型文件不存在：{self.path}", fix="设置 ZHIFA_LLM_MODEL 为 GGUF 文件路径")
            log.info("加载 GGUF 模型 %s", self.path.name)
            self._model = Llama(model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False)
        return self._model

    def generate(self, prompt: str, *, max_tokens: int) -> str:
        with self._lock:
            model = self._load()
            out = model.create_chat_completion(messages=[{"role": "user", "content": prompt}],
                                               max_tokens=max_tokens, temperature=0.0)
        return out["choices"][0]["message"]["content"] or ""
