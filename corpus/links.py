"""Penalty links: which 法律责任 article punishes which prohibition/duty article (违法依据 →
处罚依据). Two methods, both restricted to one law version:

- ``explicit``: the liability paragraph names the article — "违反本法第X条(第Y款)(第（Z）项)规定",
  "违反本法第X条、第Y条", "第X条至第Y条", "未依照本法第X条规定" (also 本条例/本办法/本规定 for
  user-imported instruments).
- ``item_match``: "违反本法规定，有下列情形之一的…：（一）…" names no article; each 项 (or the act
  clause of a 款 "违反本法规定，<act>的，由…处…") is matched against the law's non-liability 款/项
  by character n-gram TF-IDF cosine (食品安全法 第一百二十四条第一款第（五）项 "生产经营…超过保质期的
  食品" ↔ 第三十四条第（十）项). Only the best unit above :data:`ITEM_MATCH_THRESHOLD` is kept.

Also holds :class:`NgramIndex`, the small TF-IDF used here and by :mod:`corpus.successors`.
"""
from __future__ import annotations

import logging
import math
import re
import sqlite3
from collections import Counter, defaultdict
from typing import Iterable, Sequence

from corpus.numerals import CN_NUMBER, cn_to_int
from corpus.statutes import StatuteStore

log = logging.getLogger(__name__)

ITEM_MATCH_THRESHOLD = 0.35  # cosine; chosen by sampling 40 links (errors cluster below 0.35)
ITEM_MATCH_MARGIN = 0.03     # a second unit this close to the best is kept too (ties)
MAX_RANGE = 40               # "第X条至第Y条" expands to at most this many articles

_SELF = r"本(?:法|条例|办法|规定|细则|决定|规则|实施条例)"
_TRIGGER_RE = re.compile(rf"(?:违反|未依照|未按照|不按照|不依照|未按|不执行|未执行|不符合|未遵守|不遵守){_SELF}(?=第)")
_TOKEN_RE = re.compile(
    rf"第({CN_NUMBER})条(?:之({CN_NUMBER}))?|第({CN_NUMBER})款|第[（(]?({CN_NUMBER})[）)]?项|(至)|(?:、|和|及|以及|或者|与|的)"
)
_PENALTY_WORDS = re.compile(r"罚款|警告|吊销|没收|责令|处分|拘留|通报批评|暂扣|关闭|停业|取缔")
_ACT_RE = re.compile(rf"^(?:.{{0,20}}?{_SELF}规定，)?(.{{4,160}}?)的，(?:由|处|责令|依照|给予|没收|对|可以|县级)")


# -- TF-IDF over character n-grams ---------------------------------------------------------------
_NON_TEXT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
_BOILERPLATE = re.compile(
    rf"^[（(]{CN_NUMBER}[）)]|{_SELF}规定|有下列(?:情形|行为)之一的?|禁止|不得|应当|生产经营者?|单位或者个人"
)


def _normalise(text: str) -> str:
    return _NON_TEXT.sub("", _BOILERPLATE.sub("", text))


def ngrams(text: str, sizes: Sequence[int] = (2, 3)) -> Counter:
    t = _normalise(text)
    out: Counter = Counter()
    for n in sizes:
        out.update(t[i:i + n] for i in range(len(t) - n + 1))
    return out


class NgramIndex:
    """TF-IDF (sublinear tf, smoothed idf) with an inverted index; cosine scores, higher is better."""

    def __init__(self, docs: Iterable[str], sizes: Sequence[int] = (2, 3)) -> None:
        self.sizes = tuple(sizes)
        grams = [ngrams(d, self.sizes) for d in docs]
        self.n = len(grams)
        df: Counter = Counter()
        for g in grams:
            df.update(g.keys())
        self.idf = {t: math.log((1 + self.n) / (1 + c)) + 1.0 for t, c in df.items()}
        self._unseen = math.log(1 + self.n) + 1.0
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, g in enumerate(grams):
            for t, w in self._weights(g).items():
                self.postings[t].append((i, w))

    def _weights(self, g: Counter) -> dict[str, float]:
        vec = {t: (1.0 + math.log(c)) * self.idf.get(t, self._unseen) for t, c in g.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {t: w / norm for t, w in vec.items()}

    def query(self, text: str, k: int = 3, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        for t, w in self._weights(ngrams(text, self.sizes)).items():
            for i, dw in self.postings.get(t, ()):
                scores[i] += w * dw
        items = scores.items() if allowed is None else [(i, s) for i, s in scores.items() if i in allowed]
        return sorted(items, key=lambda x: -x[1])[:k]


# -- explicit references ---------------------------------------------------------------------------
def parse_refs(text: str, start: int) -> tuple[list[tuple[int, int, int, int]], int]:
    """Parse "第X条之一第Y款第（Z）项、第W条至第V条" from ``start``; returns
    ``[(number, suffix, kuan, xiang)]`` and the end offset. A 款/项 without a 条 belongs to the last 条."""
    refs: list[list[int]] = []
    pos, pending_range = start, False
    while True:
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            break
        art, suf, kuan, xiang, rng = m.groups()
        if art:
            try:
                num, sfx = cn_to_int(art), cn_to_int(suf) if suf else 0
            except ValueError:
                break
            if pending_range and refs and 0 < num - refs[-1][0] <= MAX_RANGE:
                refs.extend([n, 0, 0, 0] for n in range(refs[-1][0] + 1, num))
            refs.append([num, sfx, 0, 0])
            pending_range = False
        elif kuan and refs:
            k = cn_to_int(kuan)
            if refs[-1][2] and refs[-1][2] != k:
                refs.append([refs[-1][0], refs[-1][1], k, 0])
            else:
                refs[-1][2] = k
        elif xiang and refs:
            x = cn_to_int(xiang)
            if refs[-1][3] and refs[-1][3] != x:
                refs.append([refs[-1][0], refs[-1][1], refs[-1][2], x])
            else:
                refs[-1][3] = x
        elif rng:
            pending_range = True
        elif m.group(0) == "的":
            break
        pos = m.end()
    return [tuple(r) for r in refs], pos  # type: ignore[misc]


def explicit_refs(paragraph: str) -> list[tuple[tuple[int, int, int, int], str]]:
    """Every (ref, evidence snippet) for "违反本法第…规定" style references in one paragraph."""
    out = []
    for m in _TRIGGER_RE.finditer(paragraph):
        refs, end = parse_refs(paragraph, m.end())
        snippet = paragraph[m.start(): min(len(paragraph), end + 4)]
        out.extend((r, snippet) for r in refs)
    return out


def _act_of(paragraph: str, xiang: int) -> str | None:
    """The act described by a liability 项 (its whole text) or 款 ("违反本法规定，<act>的，由…")."""
    if xiang:
        return paragraph
    if paragraph.rstrip().endswith(("：", ":")) or not _PENALTY_WORDS.search(paragraph):
        return None
    m = _ACT_RE.match(paragraph)
    if not m:
        return None
    act = m.group(1)
    if re.search(r"构成犯罪|追究刑事责任|造成.{0,6}损失|承担.{0,4}责任$", act) or len(_normalise(act)) < 6:
        return None
    return act


# -- builder ---------------------------------------------------------------------------------------
def build_penalty_links(store: StatuteStore, *, law_ids: Iterable[str] | None = None,
                        tx: sqlite3.Connection | None = None) -> int:
    """(Re)build penalty links for ``law_ids`` (default: every law); returns rows in the table for
    those laws. Written in one transaction of its own, or, given ``tx`` (an open transaction of the
    store), computed from what that transaction sees and written in it, to commit or roll back
    together with the caller's own changes."""
    if tx is not None:
        return _replace_links(tx, *_link_rows(tx, law_ids))
    ids, rows = _link_rows(store.con, law_ids)
    with store.transaction() as own:
        return _replace_links(own, ids, rows)


def _link_rows(con: sqlite3.Connection, law_ids: Iterable[str] | None) -> tuple[list[str], list[tuple]]:
    ids = list(law_ids) if law_ids is not None else [r[0] for r in con.execute("SELECT law_id FROM laws")]
    arts_by_law: dict[str, list[tuple]] = defaultdict(list)
    for row in con.execute("SELECT id, law_id, number, suffix, is_liability FROM articles"):
        arts_by_law[row[1]].append(row)
    paras_by_art: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for aid, kuan, xiang, text in con.execute("SELECT article_id, kuan, xiang, text FROM paragraphs ORDER BY article_id, kuan, xiang"):
        paras_by_art[aid].append((kuan, xiang, text))

    rows: list[tuple] = []
    for law_id in ids:
        arts = arts_by_law.get(law_id, [])
        if not arts:
            continue
        by_no = {(n, s): aid for aid, _l, n, s, _li in arts}
        liability = [a for a in arts if a[4]]
        # explicit "违反本法第X条…处…罚款" also occurs outside articles flagged as liability
        for aid, _l, _n, _s, is_liab in arts:
            if is_liab:
                continue
            for kuan, xiang, text in paras_by_art[aid]:
                if _PENALTY_WORDS.search(text):
                    for (num, suf, vk, _vx), snippet in explicit_refs(text):
                        vid = by_no.get((num, suf))
                        if vid is not None and vid != aid:
                            rows.append((vid, aid, vk, kuan, xiang, "explicit", snippet))
        index: NgramIndex | None = None
        units: list[tuple[int, int, int, str]] = []  # (article_id, kuan, xiang, text)
        for aid, _l, _n, _s, is_liab in arts:
            if not is_liab:
                units.extend((aid, k, x, t) for k, x, t in paras_by_art[aid] if len(_normalise(t)) >= 6)
        for pid, _l, _n, _s, _li in liability:
            leads = {k: t for k, x, t in paras_by_art[pid] if x == 0}
            for kuan, xiang, text in paras_by_art[pid]:
                refs = explicit_refs(text)
                if refs:
                    for (num, suf, vk, _vx), snippet in refs:
                        vid = by_no.get((num, suf))
                        if vid is not None and vid != pid:
                            rows.append((vid, pid, vk, kuan, xiang, "explicit", snippet))
                    continue
                if xiang and not _PENALTY_WORDS.search(leads.get(kuan, "")):
                    continue  # a list that is not a list of sanctioned acts (行政诉讼法 第十二条)
                act = _act_of(text, xiang)
                if act is None or not units:
                    continue
                if index is None:
                    index = NgramIndex(u[3] for u in units)
                hits = index.query(act, k=2)
                if not hits or hits[0][1] < ITEM_MATCH_THRESHOLD:
                    continue
                best = hits[0][1]
                for ui, score in hits:
                    if score < ITEM_MATCH_THRESHOLD or best - score > ITEM_MATCH_MARGIN:
                        continue
                    vid, vk, vx, vtext = units[ui]
                    evidence = f"{act[:60]} ≈ {vtext[:60]}（相似度 {score:.2f}）"
                    rows.append((vid, pid, vk, kuan, xiang, "item_match", evidence))

    return ids, rows


def _replace_links(tx: sqlite3.Connection, ids: list[str], rows: list[tuple]) -> int:
    placeholders = ",".join("?" * len(ids))
    if ids:
        tx.execute(
            f"DELETE FROM penalty_links WHERE penalty_id IN (SELECT id FROM articles WHERE law_id IN ({placeholders}))", ids
        )
    tx.executemany("INSERT OR IGNORE INTO penalty_links VALUES (?,?,?,?,?,?,?)", rows)
    n = tx.execute(
        f"SELECT count(*) FROM penalty_links WHERE penalty_id IN (SELECT id FROM articles WHERE law_id IN ({placeholders}))", ids
    ).fetchone()[0] if ids else 0
    log.info("penalty links: %d", n)
    return n
