"""Retrieval: jieba/BM25, dense (sentence-transformers + faiss), fusion, filters, persistence."""
