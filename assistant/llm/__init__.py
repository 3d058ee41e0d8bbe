"""LLM backends behind :class:`assistant.ports.LLM` (``generate(prompt, *, max_tokens) -> str``).

- ``none`` (default): no model; documents use the deterministic narrative from the templates.
- ``transformers``: a local model directory (AutoModelForCausalLM + AutoTokenizer, chat template
  if the tokenizer has one).
- ``gguf``: a GGUF file through llama-cpp-python (optional; a clear SetupMissing if absent).
- ``openai``: an OpenAI-compatible ``/chat/completions`` endpoint (URL, key, model) over httpx.

The LLM may only write or polish narrative prose; :mod:`assistant.llm.guard` builds the prompt
(facts in a delimited data block) and checks every output before it is used.
"""
from __future__ import annotations

from assistant.errors import ConfigError
from assistant.llm.fake import ScriptedLLM
from assistant.ports import LLM


def make_llm(settings) -> LLM | None:
    """The configured backend, or None for ``none``. Models load lazily on first ``generate``."""
    backend = settings.llm_backend
    if backend == "none":
        return None
    if backend == "transformers":
        if not settings.llm_model:
            raise ConfigError("大模型后端为 transformers，但未设置模型目录（ZHIFA_LLM_MODEL）")
        from assistant.llm.transformers_backend import TransformersLLM

        return TransformersLLM(settings.llm_model)
    if backend == "gguf":
        if not settings.llm_model:
            raise ConfigError("大模型后端为 gguf，但未设置 GGUF 文件路径（ZHIFA_LLM_MODEL）")
        from assistant.llm.gguf_backend import GGUFLLM

        return GGUFLLM(settings.llm_model)
    if backend == "openai":
        if not settings.llm_url or not settings.llm_model:
            raise ConfigError("大模型后端为 openai，须同时设置接口地址（ZHIFA_LLM_URL）和模型名（ZHIFA_LLM_MODEL）")
        from assistant.llm.openai_backend import OpenAICompatibleLLM

        return OpenAICompatibleLLM(settings.llm_url, settings.llm_model, api_key=settings.llm_api_key)
    raise ConfigError(f"不支持的大模型后端“{backend}”")


__all__ = ["LLM", "ScriptedLLM", "make_llm"]
