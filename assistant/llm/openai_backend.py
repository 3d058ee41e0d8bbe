"""OpenAI-compatible chat endpoint (vLLM, llama.cpp server, …) over plain httpx.

The API key is sent in the Authorization header only; it is never logged nor part of ``repr``.
"""
from __future__ import annotations

import logging

from assistant.errors import ZhifaError

log = logging.getLogger(__name__)


class LLMCallError(ZhifaError):
    code = "llm_call"


class OpenAICompatibleLLM:
    name = "openai"

    def __init__(self, url: str, model: str, *, api_key: str = "", timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"OpenAICompatibleLLM(url={self.url!r}, model={self.model!r})"

    def generate(self, prompt: str, *, max_tokens: int) -> str:
        import httpx

        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        body = {"model": self.model, "messages": [{"role": "user", "content": prompt}],
                "max_tokens": max_tokens, "temperature": 0}
        endpoint = self.url if self.url.endswith("/chat/completions") else f"{self.url}/chat/completions"
        try:
            with httpx.Client(timeout=self.timeout, trust_env=False) as client:
                resp = client.post(endpoint, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise LLMCallError(f"大模型接口不可用：{type(exc).__name__}") from None
        if resp.status_code != 200:
            raise LLMCallError(f"大模型接口返回错误状态 {resp.status_code}")
        try:
            content = resp.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMCallError("大模型接口返回格式无法识别") from exc
        log.debug("LLM answer received from %s (%d chars)", self.url, len(content or ""))
        return content or ""
