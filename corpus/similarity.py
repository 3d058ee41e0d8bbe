"""Character n-gram TF-IDF with an inverted index: small, dependency-free, fast enough to compare
every 项 of a law's 法律责任 chapter with its prohibition articles (and every article of a repealed
law with the 生态环境法典). Scores are cosine similarities in [0, 1], higher is better.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Iterable, Sequence

_NON_TEXT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
# 项 markers and boilerplate that every article of a law shares carry no signal.
_MARKERS = re.compile(r"^[（(][零一二三四五六七八九十百]+[）)]|违反本(?:法|条例|办法|规定)规定|有下列(?:情形|行为)之一的?")


def normalise(text: str) -> str:
    return _NON_TEXT.sub("", _MARKERS.sub("", text))


def ngrams(text: str, sizes: Sequence[int] = (2, 3)) -> Counter:
    t = normalise(text)
    out: Counter = Counter()
    for n in sizes:
        out.update(t[i:i + n] for i in range(len(t) - n + 1))
    return out


class NgramIndex:
    """TF-IDF (sublinear tf, smoothed idf) over documents; ``query`` returns the best matches."""

    def __init__(self, docs: Iterable[str], sizes: Sequence[int] = (2, 3)) -> None:
        self.sizes = tuple(sizes)
        grams = [ngrams(d, self.sizes) for d in docs]
        self.n = len(grams)
        df: Counter = Counter()
        for g in grams:
            df.update(g.keys())
        self.idf = {t: math.log((1 + self.n) / (1 + c)) + 1.0 for t, c in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, g in enumerate(grams):
            vec = self._weights(g)
            for t, w in vec.items():
                self.postings[t].append((i, w))

    def _weights(self, g: Counter) -> dict[str, float]:
        vec = {t: (1.0 + math.log(c)) * self.idf.get(t, math.log(1 + self.n) + 1.0) for t, c in g.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {t: w / norm for t, w in vec.items()}

    def query(self, text: str, k: int = 3, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        vec = self._weights(ngrams(text, self.sizes))
        scores: dict[int, float] = defaultdict(float)
        for t, w in vec.items():
            for i, dw in self.postings.get(t, ()):
                scores[i] += w * dw
        items = scores.items() if allowed is None else ((i, s) for i, s in scores.items() if i in allowed)
        return sorted(items, key=lambda x: -x[1])[:k]
