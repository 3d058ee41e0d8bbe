"""Seams between the domain and heavy components (models, indexes, speech). Adapters live at the
edge (``assistant/llm/``, ``assistant/adapters/``); the domain only sees these Protocols.
"""
from __future__ import annotations

from typing import Any, Protocol, Sequence, runtime_checkable


@runtime_checkable
class LLM(Protocol):
    """A text generator. Implementations: ``assistant.llm`` (transformers, gguf, openai, fakes).

    ``generate`` returns only the continuation (never the prompt) and raises on failure; callers
    treat every output as untrusted and check it before use. Backends may expose a ``name``.
    """

    def generate(self, prompt: str, *, max_tokens: int) -> str: ...


@runtime_checkable
class Embedder(Protocol):
    """Sentence embeddings, L2-normalised (inner product = cosine, higher is better)."""

    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> Any: ...

    def embed_passages(self, texts: Sequence[str]) -> Any: ...


@runtime_checkable
class Retriever(Protocol):
    def search(self, query: str, *, k: int = 10, **filters: Any) -> list[Any]: ...


@runtime_checkable
class Transcriber(Protocol):
    def transcribe(self, audio_path: str, **options: Any) -> Any: ...
