"""Successor articles: for a repealed law whose ``replaced_by`` names its successor (the single
environmental laws → 《中华人民共和国生态环境法典》, in force 2026-08-15), map each old article to the
most similar article of the successor, so an old citation (e.g. in a discretion benchmark written
against 大气污染防治法 第九十九条) can be carried to the code.

Similarity: character 2/3-gram TF-IDF cosine (:class:`corpus.links.NgramIndex`) within the successor
law; an article of the old 法律责任 chapter is compared only with the successor's liability
articles, any other article only with its non-liability articles. The best candidate is kept if its
score reaches :data:`SUCCESSOR_THRESHOLD`; a runner-up within :data:`SUCCESSOR_MARGIN` of it is kept
too (the code often splits one old article in two). These are suggestions (method
``tfidf_char_ngram``), not an official concordance table.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from typing import Iterable

from corpus.links import NgramIndex
from corpus.statutes import StatuteStore
from corpus.structure import ITEM_RE

log = logging.getLogger(__name__)

SUCCESSOR_THRESHOLD = 0.30
SUCCESSOR_MARGIN = 0.05
METHOD = "tfidf_char_ngram"
ITEM_THRESHOLD = 0.25  # one 项 against a whole article: shorter text, lower cosine
MAX_SUCCESSORS = 5


def _is_liability(chapter: str | None, section: str | None, flagged: int) -> bool:
    heading = f"{chapter or ''}{section or ''}"
    return "法律责任" in heading or "罚则" in heading


_SANCTION_RE = re.compile(r"[，,](?:由|处|并处|可以处|责令)[^\n]*$")


def _emphasise_acts(text: str) -> str:
    """For liability articles the sanction wording is near-identical everywhere; repeat the act
    part (each line up to "，由…") so that it decides the match."""
    acts = [_SANCTION_RE.sub("", ln) for ln in text.split("\n")]
    return text + "\n" + "\n".join(acts) * 2


def build_successor_map(store: StatuteStore, *, law_ids: Iterable[str] | None = None) -> int:
    """(Re)build ``successor_articles`` for repealed laws with ``replaced_by``; returns the number of
    rows written for those laws."""
    con = store.con
    old_laws = con.execute(
        "SELECT law_id, replaced_by FROM laws WHERE replaced_by IS NOT NULL AND replaced_by != ''"
    ).fetchall()
    if law_ids is not None:
        wanted = set(law_ids)
        old_laws = [r for r in old_laws if r[0] in wanted]
    by_successor: dict[str, list[str]] = defaultdict(list)
    for law_id, replaced_by in old_laws:
        by_successor[replaced_by].append(law_id)

    rows: list[tuple] = []
    for successor_name, olds in by_successor.items():
        lineage = store.resolve_lineage(successor_name)
        new_law = store.current_version(lineage) if lineage else None
        if new_law is None:
            log.warning("successor %s not in the store", successor_name)
            continue
        new_arts = con.execute(
            "SELECT id, chapter, section, is_liability, text FROM articles WHERE law_id = ? ORDER BY seq", (new_law.law_id,)
        ).fetchall()
        index = NgramIndex(_emphasise_acts(a[4]) if _is_liability(a[1], a[2], a[3]) else a[4] for a in new_arts)
        liab = {i for i, a in enumerate(new_arts) if _is_liability(a[1], a[2], a[3])}
        other = {i for i, a in enumerate(new_arts) if i not in liab and "附则" not in (a[1] or "")}
        for old_law_id in olds:
            for oid, chapter, section, flagged, text in con.execute(
                "SELECT id, chapter, section, is_liability, text FROM articles WHERE law_id = ? ORDER BY seq", (old_law_id,)
            ):
                is_liab = _is_liability(chapter, section, flagged)
                hits = index.query(_emphasise_acts(text) if is_liab else text, k=3, allowed=liab if is_liab else other)
                found: dict[int, float] = {}
                if hits and hits[0][1] >= SUCCESSOR_THRESHOLD:
                    best = hits[0][1]
                    found.update((i, sc) for i, sc in hits if sc >= SUCCESSOR_THRESHOLD and best - sc <= SUCCESSOR_MARGIN)
                if is_liab:
                    # a list of sanctioned acts is often split over several articles of the code:
                    # each 项 goes to its own best liability article
                    for line in text.split("\n"):
                        if not ITEM_RE.match(line):
                            continue
                        item_hits = index.query(line, k=1, allowed=liab)
                        if item_hits and item_hits[0][1] >= ITEM_THRESHOLD:
                            i, sc = item_hits[0]
                            found[i] = max(found.get(i, 0.0), sc)
                for i, score in sorted(found.items(), key=lambda x: -x[1])[:MAX_SUCCESSORS]:
                    rows.append((oid, new_arts[i][0], round(score, 4), METHOD))

    ids = [law_id for olds in by_successor.values() for law_id in olds]
    with store.transaction() as tx:
        if ids:
            ph = ",".join("?" * len(ids))
            tx.execute(f"DELETE FROM successor_articles WHERE old_id IN (SELECT id FROM articles WHERE law_id IN ({ph}))", ids)
        tx.executemany("INSERT OR REPLACE INTO successor_articles VALUES (?,?,?,?)", rows)
    log.info("successor articles: %d", len(rows))
    return len(rows)
