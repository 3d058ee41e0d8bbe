"""zhifa (执法): the domain — cases, discretion, drafting, review, records, publicity, teaching.

The domain never imports gradio, faiss, transformers, langchain or faster-whisper directly; it sees
them through the Protocols in :mod:`assistant.ports`, with adapters at the edge.
"""
__version__ = "0.1.0"
