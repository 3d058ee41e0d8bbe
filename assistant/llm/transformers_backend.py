"""Local causal LM through transformers (imported lazily; the domain never imports it)."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant.errors import SetupMissing

log = logging.getLogger(__name__)


class TransformersLLM:
    name = "transformers"

    def __init__(self, model_dir: str | Path, *, device: str = "cpu") -> None:
        self.model_dir = Path(model_dir)
        self.device = device
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            if not self.model_dir.is_dir():
                raise SetupMissing(f"本地大模型目录不存在：{self.model_dir}", fix="设置 ZHIFA_LLM_MODEL 为模型目录")
            try:
                from transformers import AutoModelForCausalLM, AutoTokenizer
            except ImportError as exc:  # pragma: no cover - declared dependency
                raise SetupMissing("未安装 transformers", fix=".venv/bin/pip install transformers") from exc
            log.info("加载本地大模型 %s", self.model_dir.name)
            self._tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir))
            self._model = AutoModelForCausalLM.from_pretrained(str(self.model_dir)).to(self.device)
            self._model.eval()
        return self._model, self._tokenizer

    def generate(self, prompt: str, *, max_tokens: int) -> str:
        import torch

        with self._lock:
            model, tok = self._load()
            if getattr(tok, "chat_template", None):
                text = tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                               add_generation_prompt=True)
            else:
                text = prompt
            enc = tok(text, return_tensors="pt").to(self.device)
            pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=max_tokens, do_sample=False, pad_token_id=pad)
            new = out[0][enc["input_ids"].shape[1]:]
            return tok.decode(new, skip_special_tokens=True)
