"""Seams between the domain and heavy components (models, indexes, speech). Adapters live at the
edge (``assistant/llm/``, ``assistant/adapters/``); the domain only sees these Protocols.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:  # records only; no heavy import at runtime
    import numpy as np

    from assistant.transcription import DecodeOptions, Segment


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
    """Speech to text. Implementations: ``assistant.adapters.whisper.WhisperTranscriber``
    (faster-whisper) and ``assistant.transcription.FakeTranscriber`` (UI tests only).

    ``transcribe`` takes 16 kHz mono float32 samples (one window of a file; the caller streams the
    file and offsets timestamps) and yields :class:`assistant.transcription.Segment` s lazily and in
    order, timestamps relative to ``samples``. ``name`` identifies the model in saved transcripts.
    """

    name: str

    def transcribe(self, samples: "np.ndarray", options: "DecodeOptions") -> Iterator["Segment"]: ...
