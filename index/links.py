"""Derived 违法依据 ↔ 处罚依据 links, a fallback beside the store's ``penalty_links`` table.

Two general mechanisms, computed at index build and saved in ``links.json``:

- ``explicit_ref``: a liability article that says "违反本法第三十四条…" links to 第三十四条 of the
  same law version.
- ``item_overlap``: a liability article whose 项 restates a prohibition ("违反本法规定，有下列情形
  之一…（二）用超过保质期的食品原料…") links to the non-liability article of the same law version
  whose line shares most of its character bigrams (overlap ≥ ``OVERLAP_MIN`` of the shorter line).
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

from corpus.numerals import CN_NUMBER, cn_to_int

REF_RE = re.compile(rf"违反本法(?:规定)?((?:第{CN_NUMBER}条(?:之{CN_NUMBER})?(?:第{CN_NUMBER}款)?[、，,和及或者]*)+)")
NUM_RE = re.compile(rf"第({CN_NUMBER})条(?:之({CN_NUMBER}))?")
ITEM_PREFIX = re.compile(rf"^\s*[（(]{CN_NUMBER}[）)]\s*")
OVERLAP_MIN = 0.6
MIN_BIGRAMS = 6


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _lines(text: str) -> list[str]:
    out = []
    for ln in text.split("\n"):
        ln = ITEM_PREFIX.sub("", ln)
        out.extend(s for s in re.split(r"[；;]", ln) if s.strip())
    return out


def derive_links(articles: Iterable) -> list[tuple[int, int, str]]:
    """(violated_id, penalty_id, method) for the given articles (grouped per law version)."""
    by_law: dict[str, list] = defaultdict(list)
    for a in articles:
        by_law[a.law_id].append(a)
    out: set[tuple[int, int, str]] = set()
    for arts in by_law.values():
        by_no = {(a.number, a.suffix): a for a in arts}
        # general provisions (总则: scope, definitions) restate everything; not a violated article
        plain = [a for a in arts if not a.is_liability and "总则" not in (a.chapter or "")]
        plain_lines = [(a, _bigrams(ln)) for a in plain for ln in _lines(a.text)]
        plain_lines = [(a, bg) for a, bg in plain_lines if len(bg) >= MIN_BIGRAMS]
        for p in arts:
            if not p.is_liability:
                continue
            for m in REF_RE.finditer(p.text):
                for n in NUM_RE.finditer(m.group(1)):
                    try:
                        key = (cn_to_int(n.group(1)), cn_to_int(n.group(2)) if n.group(2) else 0)
                    except ValueError:
                        continue
                    v = by_no.get(key)
                    if v is not None and v.id != p.id:
                        out.add((v.id, p.id, "explicit_ref"))
            if "违反本法规定" not in p.text and "下列" not in p.text:
                continue
            for ln in _lines(p.text)[1:]:
                bg = _bigrams(ln)
                if len(bg) < MIN_BIGRAMS:
                    continue
                best, best_score = None, 0.0
                for a, abg in plain_lines:
                    score = len(bg & abg) / min(len(bg), len(abg))
                    if score > best_score:
                        best, best_score = a, score
                if best is not None and best_score >= OVERLAP_MIN:
                    out.add((best.id, p.id, "item_overlap"))
    return sorted(out)
