"""One tokenizer for statutes and questions: jieba (search mode) + a legal user dictionary.

The dictionary is ``index/data/legal_terms.txt`` (terms such as 违法所得, 货值金额, 责令改正)
plus every law name, short name and alias in the statute store (``StatuteStore.aliases()``), so
"食安法" and "吊销许可证" stay one token. Stopwords: ``index/data/stopwords.txt``.
Colloquial → legal query expansion (``index/data/expansions.txt``) is data, applied to questions
only (:func:`expand_query`); documents are never expanded.

jieba is initialised once per word set, with its own ``jieba.Tokenizer`` instance (no global
dictionary mutation), deterministically (words added in sorted order) and quietly.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from corpus.numerals import int_to_cn

log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"[\u4e00-\u9fff\w]+")
_DIGITS_RE = re.compile(r"\d+")
_lock = threading.Lock()
DATA_DIR = Path(__file__).resolve().parent / "data"


def _data_lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def resources_hash() -> str:
    """SHA-256 of the word lists that shape document tokens (legal terms, stopwords): an index built
    with other lists is stale. Query-only data (expansions, intents) is not part of it."""
    import hashlib

    h = hashlib.sha256()
    for name in ("legal_terms.txt", "stopwords.txt"):
        h.update(name.encode() + b"\0" + (DATA_DIR / name).read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_data_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def legal_terms() -> tuple[tuple[str, int], ...]:
    out = []
    for line in _data_lines("legal_terms.txt"):
        parts = line.split()
        out.append((parts[0], int(parts[1]) if len(parts) > 1 else 1000))
    return tuple(out)


@lru_cache(maxsize=1)
def expansions() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(colloquial phrase, legal terms) pairs, longest phrase first."""
    out = []
    for line in _data_lines("expansions.txt"):
        key, _, terms = line.partition("\t")
        if terms.strip():
            out.append((key.strip(), tuple(terms.split())))
    out.sort(key=lambda kv: (-len(kv[0]), kv[0]))
    return tuple(out)


class LegalTokenizer:
    """``tokenize(text) -> list[str]``: jieba search-mode tokens without stopwords/punctuation;
    Arabic numbers also yield their Chinese form (15 → 十五) so "15日" matches "十五日"."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self.words = tuple(sorted({w for w in extra_words if w and len(w) >= 2}))
        self._jieba = jieba.Tokenizer()
        with _lock:
            self._jieba.initialize()
            for word, freq in legal_terms():
                self._jieba.add_word(word, freq)
            for word in self.words:
                self._jieba.add_word(word, 3000)
        self._stop = stopwords()

    def tokenize(self, text: str) -> list[str]:
        out: list[str] = []
        for tok in self._jieba.cut_for_search(text or "", HMM=True):
            tok = tok.strip().lower()
            if not tok or tok in self._stop or not _TOKEN_RE.fullmatch(tok):
                continue
            out.append(tok)
            if tok.isdigit() and 0 < int(tok) < 10000:
                out.append(int_to_cn(int(tok)))
        return out

    __call__ = tokenize


@lru_cache(maxsize=4)
def get_tokenizer(extra_words: tuple[str, ...] = ()) -> LegalTokenizer:
    """Shared tokenizer per word set (jieba's dictionary load takes ~1 s, do it once)."""
    return LegalTokenizer(extra_words)


def tokenizer_for_store(store) -> LegalTokenizer:
    return get_tokenizer(tuple(sorted(store.aliases())))


def expand_query(question: str) -> tuple[str, list[str]]:
    """Append the legal terms for colloquial phrases found in ``question``.

    Returns (expanded text, list of added terms); a phrase inside a longer matched phrase is not
    expanded twice.
    """
    added: list[str] = []
    taken = question
    for key, terms in expansions():
        if key and key in taken:
            taken = taken.replace(key, "\u0000")
            for t in terms:
                if t not in added and t not in question:
                    added.append(t)
    return (question + " " + " ".join(added)) if added else question, added


def numbers_to_cn(text: str) -> str:
    """'15日' → '十五日' (for dense queries, statutes write numbers in Chinese)."""
    def sub(m: re.Match) -> str:
        n = int(m.group(0))
        return int_to_cn(n) if 0 < n < 10000 else m.group(0)
    return _DIGITS_RE.sub(sub, text)
