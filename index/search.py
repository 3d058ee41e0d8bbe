"""``Searcher``: statute retrieval for officers' questions.

Pipeline for ``search(query)``:

1. **Direct lookup** — "食品安全法第一百二十四条", "食安法124条", "处罚法第37条" resolve through
   ``StatuteStore.resolve_lineage``/aliases + ``corpus.numerals`` and ``article_on`` (the version
   in force on ``as_of``); no vectors.
2. **Hybrid retrieval** — BM25 over the jieba/legal-dictionary tokens of the question plus its
   colloquial→legal expansion (``index/data/expansions.txt``), and dense e5 cosine; fused with
   RRF (``index.fusion.RRF_K``). A law named in the question boosts its articles.
3. **Legal structure** — for penalty questions (怎么处罚/罚多少/什么责任/罚款…) the 处罚依据
   (liability article) and 违法依据 (the violated prohibition) are surfaced together, using the
   store's ``penalty_links`` (built by ``corpus.links``; one source of legal-structure links).
4. **Filters** — only articles of law versions in force on ``as_of`` (default today), and
   optional level / law / domain. Repealed instruments name their successor in ``reason``.

Scores: higher is better. Direct lookups score 1.0; retrieved articles carry the fused score.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.errors import InputError
from corpus.numerals import CN_NUMBER, cn_to_int
from corpus.statutes import Article, Law, StatuteStore
from index.bm25 import BM25
from index.fusion import RRF_K, minmax, rrf
from index.store import check_fresh, read_manifest
from index.tokenize import expand_query, numbers_to_cn, tokenizer_for_store

log = logging.getLogger(__name__)

Role = Literal["violated", "penalty", "other"]

PENALTY_INTENT = re.compile(
    r"处罚|罚款|罚多少|怎么罚|如何罚|罚则|法律责任|什么责任|承担.{0,6}责任|吊销|没收|拘留|怎么处理|如何处理|处理依据|处罚依据"
)
LOOKUP_RE = re.compile(rf"第?\s*({CN_NUMBER})\s*条(?:\s*之\s*({CN_NUMBER}))?")
RECALL = 100          # candidates taken from each retriever
LINK_WEIGHT = 0.6     # share of a candidate's score given to its linked 违法/处罚 article
LIABILITY_PRIOR = 0.3  # boost of liability articles for penalty questions
LAW_BOOST = 0.5       # boost of articles of a law named in the question
EXPANSION_WEIGHT = 0.6  # BM25 weight of terms added by colloquial expansion


@dataclass(frozen=True)
class Hit:
    article_id: int
    law: str
    short_name: str
    article: str
    status: str
    score: float
    text: str
    role: Role
    reason: str
    linked_article_ids: tuple[int, ...] = field(default=())

    def to_json(self) -> dict:
        return {"law": self.law, "article": self.article, "status": self.status,
                "score": round(self.score, 6), "text": self.text, "role": self.role,
                "reason": self.reason, "article_id": self.article_id,
                "linked_article_ids": list(self.linked_article_ids)}


class Searcher:
    def __init__(self, settings, statutes: StatuteStore, directory: Path, *, fusion: str = "rrf",
                 use_dense: bool = True) -> None:
        self.settings = settings
        self.statutes = statutes
        self.dir = Path(directory)
        self.fusion = fusion
        self.manifest = read_manifest(self.dir)
        self.bm25 = BM25.load(self.dir)
        self.ids = np.asarray(self.manifest.article_ids, dtype=np.int64)
        self.row_of = {int(a): i for i, a in enumerate(self.ids)}
        by_id = {a.id: a for a in statutes.articles()}
        self.arts: dict[int, Article] = {int(i): by_id[int(i)] for i in self.ids if int(i) in by_id}
        self.laws: dict[str, Law] = {law.law_id: law for law in statutes.laws()}
        law_codes = {lid: n for n, lid in enumerate(sorted(self.laws))}
        self._law_list = sorted(self.laws)
        self.row_law = np.asarray([law_codes[self.arts[int(i)].law_id] for i in self.ids], dtype=np.int64)
        self.tokenizer = tokenizer_for_store(statutes)
        self.aliases = sorted(statutes.aliases().items(), key=lambda kv: (-len(kv[0]), kv[0]))
        self.pen_of: dict[int, set[int]] = {}
        self.vio_of: dict[int, set[int]] = {}
        self._load_links()
        self.dense = None
        self.dense_rows = None
        self._dense_mat = None
        self._embedder = None
        self._lock = threading.Lock()
        self._mask_cache: dict[tuple, np.ndarray] = {}
        if use_dense and self.manifest.dense_state == "ready" and (self.dir / "dense.faiss").exists():
            from index.dense import DenseIndex

            self.dense = DenseIndex.load(self.dir)
            self._dense_mat = self.dense.index.reconstruct_n(0, self.dense.index.ntotal)
            self.dense_rows = np.asarray([self.row_of.get(int(a), -1) for a in self.dense.ids], dtype=np.int64)
        self.notice = "" if self.dense is not None else (
            "语义索引尚未建成（或正在建立），当前仅用关键词检索；完成后请重新加载。运行：zhifa index build"
        )

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def load(cls, settings, statutes: StatuteStore, **kwargs) -> "Searcher":
        """Load the index at ``settings.index_dir``; raises StaleIndexError when the statute store
        or the embedding model changed since the build, SetupMissing when there is no index."""
        directory = Path(settings.index_dir)
        manifest = read_manifest(directory)
        check_fresh(manifest, corpus_hash=statutes.content_hash(), model=Path(settings.embedding_model).name)
        return cls(settings, statutes, directory, **kwargs)

    def _load_links(self) -> None:
        rows = self.statutes.con.execute("SELECT violated_id, penalty_id FROM penalty_links").fetchall()
        for v, p in rows:
            self.pen_of.setdefault(v, set()).add(p)
            self.vio_of.setdefault(p, set()).add(v)

    @property
    def embedder(self):
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    from index.dense import Embedder

                    self._embedder = Embedder(self.settings.embedding_model,
                                              max_seq_length=self.manifest.max_seq_length or 256)
        return self._embedder

    # -- filters -------------------------------------------------------------------------------
    def resolve_law(self, name: str) -> str | None:
        return self.statutes.resolve_lineage(name)

    def _mask(self, as_of: date, level: str | None, lineage: str | None, domain: str | None) -> np.ndarray:
        key = (as_of, level, lineage, domain)
        mask = self._mask_cache.get(key)
        if mask is None:
            ok = np.zeros(len(self._law_list), dtype=bool)
            for n, lid in enumerate(self._law_list):
                law = self.laws[lid]
                ok[n] = (law.in_force_on(as_of) and (not level or law.level == level)
                         and (not lineage or law.lineage == lineage) and (not domain or law.domain == domain))
            mask = ok[self.row_law]
            if len(self._mask_cache) > 64:
                self._mask_cache.clear()
            self._mask_cache[key] = mask
        return mask

    # -- helpers -------------------------------------------------------------------------------
    def _mentioned_laws(self, query: str) -> list[tuple[str, int, int]]:
        """(lineage, start, end) of law names/aliases in the query, longest first, no overlaps."""
        taken = [False] * len(query)
        out = []
        for alias, lineage in self.aliases:
            if len(alias) < 2:
                continue
            start = query.find(alias)
            while start >= 0:
                end = start + len(alias)
                if not any(taken[start:end]):
                    out.append((lineage, start, end))
                    for i in range(start, end):
                        taken[i] = True
                start = query.find(alias, end)
        return out

    def _role(self, a: Article) -> Role:
        if a.is_liability:
            return "penalty"
        if a.id in self.pen_of:
            return "violated"
        return "other"

    def _linked(self, a: Article) -> tuple[int, ...]:
        ids = self.vio_of.get(a.id, set()) if a.is_liability else self.pen_of.get(a.id, set())
        return tuple(sorted(ids))

    def _status_note(self, a: Article, as_of: date) -> str:
        law = self.laws[a.law_id]
        notes = []
        if not law.in_force_on(date.today()):
            if law.in_force_on(as_of):
                notes.append(f"该版本在{as_of.isoformat()}有效，现状态：{law.status}")
            else:
                notes.append(f"现状态：{law.status}")
            if law.replaced_by:
                when = law.repealed_on or law.in_force_until or ""
                notes.append(f"《{law.name}》已于{when}废止，由《{law.replaced_by}》取代")
            elif law.in_force_until:
                notes.append(f"该版本{law.in_force_until}起不再适用，请以现行版本为准")
        return "；".join(notes)

    def _hit(self, a: Article, score: float, reason: str, as_of: date) -> Hit:
        note = self._status_note(a, as_of)
        return Hit(a.id, a.law_name, a.short_name, a.article_no, a.law_status, float(score), a.text,
                   self._role(a), "；".join(x for x in (reason, note) if x), self._linked(a))

    # -- direct lookup -------------------------------------------------------------------------
    def direct_lookup(self, query: str, as_of: date) -> list[tuple[Article, str]]:
        out: list[tuple[Article, str]] = []
        for m in LOOKUP_RE.finditer(query):
            before = re.sub(r"[《》\s的]", "", query[:m.start()])
            if not before:
                continue
            lineage = None
            for alias, lin in self.aliases:
                if before.endswith(alias):
                    lineage = lin
                    break
            if lineage is None:
                continue
            try:
                number = cn_to_int(m.group(1))
                suffix = cn_to_int(m.group(2)) if m.group(2) else 0
            except ValueError:
                continue
            res = self.statutes.article_on(lineage, number, suffix, as_of)
            if res.article is None:
                continue
            reason = "按条号直接查找" + ("" if res.reason == "in_force" else f"（{res.message}）")
            if res.article.id not in {a.id for a, _ in out}:
                out.append((res.article, reason))
        return out

    # -- search --------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, as_of: date | None = None, level: str | None = None,
               law: str | None = None, domain: str | None = None) -> list[Hit]:
        query = (query or "").strip()
        if not query:
            raise InputError("检索内容为空：请输入问题、案情或条号")
        if k <= 0:
            raise InputError(f"返回条数 k 必须为正整数（收到 {k}）")
        as_of = as_of or date.today()
        lineage = None
        if law:
            lineage = self.resolve_law(law)
            if lineage is None:
                raise InputError(f"法条库中没有名为“{law}”的法律，请检查 --law 参数")
        mask = self._mask(as_of, level, lineage, domain)

        hits: list[Hit] = []
        seen: set[int] = set()
        for a, reason in self.direct_lookup(query, as_of):
            hits.append(self._hit(a, 1.0, reason, as_of))
            seen.add(a.id)
        if hits:  # linked 违法/处罚 articles right after a looked-up article
            for h in list(hits):
                for lid in h.linked_article_ids:
                    la = self.arts.get(lid)
                    row = self.row_of.get(lid)
                    if la is not None and lid not in seen and row is not None and mask[row]:
                        rel = "处罚依据" if la.is_liability else "违法依据"
                        hits.append(self._hit(la, 0.99, f"与{h.short_name}{h.article}关联的{rel}", as_of))
                        seen.add(lid)
            if len(hits) >= k:
                return hits[:k]

        for aid, score, reason in self._retrieve(query, mask, as_of, k + len(seen)):
            if aid in seen:
                continue
            hits.append(self._hit(self.arts[aid], score, reason, as_of))
            seen.add(aid)
            if len(hits) >= k:
                break
        return hits

    def _retrieve(self, query: str, mask: np.ndarray, as_of: date, k: int) -> list[tuple[int, float, str]]:
        expanded, added = expand_query(query)
        orig_tokens = set(self.tokenizer.tokenize(query))
        tokens = self.tokenizer.tokenize(expanded)
        weights = {t: (1.0 if t in orig_tokens else EXPANSION_WEIGHT) for t in tokens}
        rows, bscores = self.bm25.top(tokens, RECALL, mask=mask, weights=weights)
        bm25_ids = [int(self.ids[r]) for r in rows]
        bm25_scores = {int(self.ids[r]): float(s) for r, s in zip(rows, bscores)}

        dense_ids: list[int] = []
        dense_scores: dict[int, float] = {}
        if self.dense is not None:
            qv = self.embedder.embed_queries([numbers_to_cn(expanded)])[0]
            sims = self._dense_mat @ qv
            ok = self.dense_rows >= 0
            ok[ok] = mask[self.dense_rows[ok]]
            sims = np.where(ok, sims, -np.inf)
            n = min(RECALL, int(ok.sum()))
            if n > 0:
                top = np.argpartition(-sims, n - 1)[:n]
                top = top[np.argsort(-sims[top], kind="stable")]
                dense_ids = [int(self.dense.ids[i]) for i in top]
                dense_scores = {int(self.dense.ids[i]): float(sims[i]) for i in top}

        if self.fusion == "minmax":
            fused = minmax([bm25_scores, dense_scores], [1.0, 1.0])
        else:
            fused = rrf([bm25_ids, dense_ids], [1.0, 1.0], k=RRF_K)
        if not fused:
            return []
        brank = {a: i + 1 for i, a in enumerate(bm25_ids)}
        drank = {a: i + 1 for i, a in enumerate(dense_ids)}
        top_score = max(fused.values())

        mentioned = {lin for lin, _s, _e in self._mentioned_laws(query)}
        if mentioned:
            for a in fused:
                if self.arts[a].lineage in mentioned:
                    fused[a] *= 1 + LAW_BOOST

        link_note: dict[int, str] = {}
        penalty_q = bool(PENALTY_INTENT.search(query))
        if penalty_q:
            for a in fused:
                if self.arts[a].is_liability:
                    fused[a] *= 1 + LIABILITY_PRIOR
            base = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:30]
            for a, s in base:
                art = self.arts[a]
                partners = self.vio_of.get(a, ()) if art.is_liability else self.pen_of.get(a, ())
                for p in partners:
                    row = self.row_of.get(p)
                    if row is None or not mask[row]:
                        continue
                    fused[p] = fused.get(p, 0.0) + LINK_WEIGHT * s
                    pa = self.arts[p]
                    link_note.setdefault(p, f"与{art.short_name}{art.article_no}关联的{'处罚依据' if pa.is_liability else '违法依据'}")

        out = []
        for a, s in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]:
            parts = []
            if a in brank:
                parts.append(f"关键词第{brank[a]}名")
            if a in drank:
                parts.append(f"语义第{drank[a]}名")
            reason = "、".join(parts) if parts else "由法条关联补入"
            if a in link_note:
                reason += "；" + link_note[a]
            if mentioned and self.arts[a].lineage in mentioned:
                reason += "；属于问题中提到的法律"
            if penalty_q and self.arts[a].is_liability:
                reason += "；法律责任条款（处罚依据）"
            out.append((a, s / top_score if top_score else s, reason))
        return out
