"""``Searcher``: statute retrieval for officers' questions.

Pipeline for ``search(query)``:

1. **Direct lookup** — "食品安全法第一百二十四条", "食安法124条", "处罚法第37条", "道交法 90",
   "湿地法28条", "国赔法第四条" resolve through aliases, unique tails of law names (also without
   保护/管理/…), unique abbreviations (first character + one or two later ones + 法) +
   ``corpus.numerals`` and ``article_on`` (the version in force on ``as_of``); no vectors.
2. **Hybrid retrieval** — BM25 over the jieba/legal-dictionary tokens of the question plus its
   colloquial→legal expansion (``index/data/expansions.txt``), and dense e5 cosine of the question
   vector mapped by the learned query adapter (``index.adapter``, ``index/data/query_adapter.npz``:
   it moves everyday wording towards the statutes' wording; article vectors are as built); fused with
   RRF (``index.fusion.Ranking``: every ranking constant lives there). A law named in the question
   boosts its articles; so, less, does a law whose name stem occurs in it ("消防" → 消防法).
3. **Intent and legal structure** (``index.intent``, rules in ``index/data/intents.txt``) — for
   penalty questions (怎么处罚/罚多少/什么责任…) the 处罚依据 (liability article) and 违法依据
   (the violated prohibition) are surfaced together, using the store's ``penalty_links`` (built by
   ``corpus.links``; one source of legal-structure links). The same links expand the BM25 text of
   each 处罚依据 with the opening words of what it punishes (``index.build.bm25_text``).
   Procedural questions (听证/送达/复议…) that name no law boost the general procedure law they
   are about (行政处罚法, 行政强制法, …).
   Deadline questions (多少天内/期限/最长多久) lift articles that set a time limit, most of all the
   article behind the procedural deadline the product itself computes (``assistant/data/clocks.json``).
4. **Learned re-ranking** (``index.rerank``) — the first 50 candidates are re-ordered by a linear
   model over what steps 2–3 know about each (BM25 and dense ranks, the boosts, the penalty links,
   the article's place and length, how much of the question it covers, how many leading candidates
   share its law, how well the question matches the article's law as a whole — its vocabulary and
   its mean article vector); weights in ``index/data/rerank.json``, trained by
   ``python -m index.rerank_train``. A question bank (``index.bank``; opt-in, none shipped) adds the
   gold articles of the known questions nearest to this one to those candidates, with their
   closeness as features.
   Only for hybrid search; a hit it moved, or one the bank supplied, says so in ``reason``.
   Then penalty questions get their 处罚依据/违法依据 pair placed together.
5. **Filters** — only articles of law versions in force on ``as_of`` (default today), and
   optional level / law / domain. Repealed instruments name their successor in ``reason``.
   Amending instruments (修正案, 修改决定) are left out unless named with ``law``.

Scores: higher is better. Direct lookups score 1.0; retrieved articles carry the fused score.
"""
from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.errors import InputError
from corpus.numerals import CN_NUMBER, cn_to_int
from corpus.statutes import Article, Law, StatuteStore
from index.bm25 import B, BM25, K1
from index.adapter import QueryAdapter, load_adapter
from index.bank import QuestionBank, load_bank
from index.fusion import Ranking, minmax, rrf
from index.intent import TIME_LIMIT_RE, detect_intent
from index.dense import dense_present, expected_backend_id
from index.rerank import Candidates, Reranker, features, load_reranker
from index.store import check_fresh, read_manifest
from index.tokenize import expand_query, numbers_to_cn, resources_hash, tokenizer_for_store

log = logging.getLogger(__name__)

Role = Literal["violated", "penalty", "other"]

LOOKUP_RE = re.compile(rf"第?\s*({CN_NUMBER})\s*条(?:\s*之\s*({CN_NUMBER}))?")
# "道交法 90", "文物保护法83": Arabic digits right after a law name, without 条, and followed only by
# the end, a space or punctuation ("海关法 3倍", "劳动法 8小时", "2025年" are not article numbers)
BARE_NUMBER_RE = re.compile(r"第?\s*(?<!\d)(\d{1,4})(?=$|\s|[，。,;；:：？?！!、）)》]|\.(?!\d))")
# generic words officers drop from a law's name: "湿地法" for 湿地保护法, "药品法" for 药品管理法
DROPPABLE_NAME_WORDS = ("保护", "管理", "促进", "防治")
Mode = Literal["hybrid", "bm25", "dense"]
# a question, the facts of a case or a pasted passage; beyond this it is a document, not a question
# (cost grows with length: ~0.25 s at 5,500 characters on 2 cores)
MAX_QUERY_CHARS = 5000
STEM_EXCLUDED = frozenset({"行政处罚", "公司", "农业"})
# Amending instruments ("刑法修正案（十一）", "关于修改《…》的决定") are instructions to change another
# law; their text is already in that law's current version, so they are not retrieved unless asked
# for by name (--law) or by article number ("刑法修正案（十一）条目四").
AMENDING_DOC_TYPES = frozenset({"修正案", "修改决定"})


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
    status_on_date: str = ""  # 有效 / 尚未施行 / 已失效 on the query's as-of date
    as_of: str = ""

    def to_json(self) -> dict:
        return {"law": self.law, "article": self.article, "status": self.status,
                "as_of": self.as_of, "status_on_date": self.status_on_date,
                "score": round(self.score, 6), "text": self.text, "role": self.role,
                "reason": self.reason, "article_id": self.article_id,
                "linked_article_ids": list(self.linked_article_ids)}


class Searcher:
    def __init__(self, settings, statutes: StatuteStore, directory: Path, *, fusion: str | None = None,
                 use_dense: bool = True, ranking: Ranking | None = None, mode: Mode = "hybrid") -> None:
        self.settings = settings
        self.statutes = statutes
        self.dir = Path(directory)
        ranking = ranking or Ranking()
        if fusion:
            from dataclasses import replace

            ranking = replace(ranking, fusion=fusion)
        self.ranking = ranking
        self.fusion = ranking.fusion
        self.mode: Mode = mode if use_dense else "bm25"
        self.manifest = read_manifest(self.dir)
        self.bm25 = BM25.load(self.dir)
        self.ids = np.asarray(self.manifest.article_ids, dtype=np.int64)
        self.row_of = {int(a): i for i, a in enumerate(self.ids)}
        by_id = {a.id: a for a in statutes.articles()}
        self.arts: dict[int, Article] = {int(i): by_id[int(i)] for i in self.ids if int(i) in by_id}
        self.laws: dict[str, Law] = {law.law_id: law for law in statutes.laws()}
        law_codes = {lid: n for n, lid in enumerate(sorted(self.laws))}
        self._law_list = sorted(self.laws)
        self._law_code = law_codes
        self.row_law = np.asarray([law_codes[self.arts[int(i)].law_id] for i in self.ids], dtype=np.int64)
        self.tokenizer = tokenizer_for_store(statutes)
        self.aliases = sorted(statutes.aliases().items(), key=lambda kv: (-len(kv[0]), kv[0]))
        self.stems = self._law_stems()
        # names an article-number question may end with: aliases, then unique tails; longest first
        known = {alias for alias, _lin in self.aliases}
        tails = [(t, lin) for t, lin in self._unique_suffixes() if t not in known]
        known |= {t for t, _lin in tails}
        abbreviations = [(a, lin) for a, lin in self._abbreviations() if a not in known]
        self.lookup_names = sorted([*self.aliases, *tails, *abbreviations], key=lambda kv: (-len(kv[0]), kv[0]))
        self._lookup_of = {name: lin for name, lin in reversed(self.lookup_names) if len(name) >= 2}
        self._lookup_lengths = sorted({len(n) for n in self._lookup_of}, reverse=True)
        self.time_limit = {aid for aid, a in self.arts.items() if TIME_LIMIT_RE.search(a.text)}
        self.clocks = self._deadline_clocks()
        self.pen_of: dict[int, set[int]] = {}
        self.vio_of: dict[int, set[int]] = {}
        self._load_links()
        self.dense = None
        self.dense_rows = None
        self._dense_mat = None
        self._embedder = None
        self._lock = threading.Lock()
        self._mask_cache: dict[tuple, np.ndarray] = {}
        try:
            self._reranker = load_reranker()
        except ValueError as exc:  # weights of another feature set: rank by the fused score
            log.warning("re-ranker disabled: %s", exc)
            self._reranker = None
            self._reranker_problem = str(exc)
        else:
            self._reranker_problem = ""
        if self.mode != "bm25" and self.manifest.dense_state == "ready" and dense_present(self.dir):
            from index.dense import DenseIndex

            self.dense = DenseIndex.load(self.dir)
            self._dense_mat = self.dense.index.reconstruct_n(0, self.dense.index.ntotal)
            self.dense_rows = np.asarray([self.row_of.get(int(a), -1) for a in self.dense.ids], dtype=np.int64)
        self._adapter, self._adapter_problem = self._load_query_part(load_adapter, "query adapter")
        self._bank, self._bank_problem = self._load_query_part(load_bank, "question bank")
        self._law_terms, self._law_idf, self._law_centroids = self._law_profiles()
        notices = []
        if (round(self.bm25.k1, 4), round(self.bm25.b, 4)) != (K1, B):
            log.warning("BM25 index built with k1=%s b=%s, code expects k1=%s b=%s", self.bm25.k1, self.bm25.b, K1, B)
            notices.append("关键词索引的参数与当前程序不一致，检索结果可能偏差；请重建索引。运行：zhifa index build")
        if self._reranker_problem:
            notices.append(f"排序模型不可用，已改用融合排序：{self._reranker_problem}")
        if self._adapter_problem:
            notices.append(f"查询适配矩阵不可用，语义检索改用原问题向量：{self._adapter_problem}")
        if self._bank_problem:
            notices.append(f"问题库不可用，排序时不参考相近问题的答案：{self._bank_problem}")
        if self.dense is None and self.mode != "bm25":
            notices.append("语义索引尚未建成（或正在建立），当前仅用关键词检索；完成后请重新加载。运行：zhifa index build")
        self.notice = "\n".join(notices)

    def _load_query_part(self, load, what: str) -> tuple:
        """(a learned part on the question vector — query adapter or question bank — for this
        index's embedding model, why there is none)."""
        if self._dense_mat is None:
            return None, ""
        try:
            part = load()
            if part is not None:
                part.check(Path(self.settings.embedding_model).name, self._dense_mat.shape[1])
        except ValueError as exc:
            log.warning("%s disabled: %s", what, exc)
            return None, str(exc)
        return part, ""

    def _law_profiles(self) -> tuple:
        """Each law as a whole: which index terms occur anywhere in it (weighted by how few laws
        use them) and the mean of its article vectors — what a question shares with a law beyond
        any one article ("假耐克" with 商标法's vocabulary)."""
        from scipy import sparse

        n_laws, n_rows = len(self._law_list), len(self.ids)
        member = sparse.csr_matrix((np.ones(n_rows, dtype=np.float32), (self.row_law, np.arange(n_rows))),
                                   shape=(n_laws, n_rows))
        counts = (member @ (self.bm25.weights > 0).astype(np.float32)).tocsc()  # articles using the term
        sizes = np.asarray(member.sum(axis=1)).ravel()
        df = np.diff(counts.indptr).astype(np.float64)  # laws using the term (csc: per column)
        present = counts.copy()
        present.data = np.log1p(present.data) / np.log1p(sizes[present.indices])
        idf = np.log((n_laws + 1) / (df + 0.5)).astype(np.float32)
        centroids = None
        if self._dense_mat is not None:
            ok = self.dense_rows >= 0
            codes = self.row_law[self.dense_rows[ok]]
            centroids = np.zeros((n_laws, self._dense_mat.shape[1]), dtype=np.float32)
            np.add.at(centroids, codes, self._dense_mat[ok])
            norms = np.linalg.norm(centroids, axis=1, keepdims=True)
            centroids /= np.where(norms > 0, norms, 1.0)
        return present, idf, centroids

    def _law_match(self, tokens, qv) -> tuple[np.ndarray, np.ndarray]:
        """(lexical, dense) match of the question with every law (by law code)."""
        cols = sorted({self.bm25.vocab[t] for t in tokens if t in self.bm25.vocab})
        if cols:
            w = self._law_idf[cols]
            lex = np.asarray(self._law_terms[:, cols] @ w).ravel() / float(w.sum())
        else:
            lex = np.zeros(len(self._law_list), dtype=np.float32)
        return lex, self._law_centroids @ qv

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def load(cls, settings, statutes: StatuteStore, **kwargs) -> "Searcher":
        """Load the index at ``settings.index_dir``; raises StaleIndexError when the statute store
        or the embedding model changed since the build, SetupMissing when there is no index."""
        directory = Path(settings.index_dir)
        manifest = read_manifest(directory)
        check_fresh(manifest, corpus_hash=statutes.content_hash(), model=Path(settings.embedding_model).name,
                    backend=expected_backend_id(settings), tokenizer_hash=resources_hash())
        return cls(settings, statutes, directory, **kwargs)

    def _law_stems(self) -> list[tuple[str, str]]:
        """(stem, lineage): a law's short name without the final 法 ("消防法" → "消防"), at least
        two characters, longest first. Left out (``STEM_EXCLUDED``): 行政处罚法, because "行政处罚"
        occurs in questions about every sector law (procedural questions are routed by intent
        instead); 公司法 and 农业法, because "公司" and "农业" name the party ("装修公司") or the agency
        ("农业执法", "农业农村局") far more often than the subject."""
        out: dict[str, str] = {}
        for law in self.laws.values():
            name = law.short_name or ""
            if not name.endswith("法") or name.startswith("全国人民代表大会"):
                continue
            stem = name[:-1]
            if len(stem) < 2 or stem in STEM_EXCLUDED:
                continue
            out.setdefault(stem, law.lineage)
        return sorted(out.items(), key=lambda kv: (-len(kv[0]), kv[0]))

    def _unique_suffixes(self) -> list[tuple[str, str]]:
        """(tail, lineage) for the tail of a law's short name that no other law's short name ends
        with, at least three characters and ending in 法 ("身份证法" → 居民身份证法, "质量安全法" →
        农产品质量安全法). Officers drop leading qualifiers and generic words
        (:data:`DROPPABLE_NAME_WORDS`: "湿地法" → 湿地保护法); an ambiguous tail resolves to nothing."""
        owners: dict[str, set[str]] = {}
        for law in self.laws.values():
            name = law.short_name or ""
            if not name.endswith("法") or name.startswith("全国人民代表大会"):
                continue
            forms = {name} | {name.replace(w, "", 1) for w in DROPPABLE_NAME_WORDS if w in name[1:-1]}
            for form in forms:
                for i in range(0 if form != name else 1, len(form) - 2):
                    owners.setdefault(form[i:], set()).add(law.lineage)
        return [(tail, next(iter(lins))) for tail, lins in owners.items() if len(lins) == 1]

    def _abbreviations(self) -> list[tuple[str, str]]:
        """(abbreviation, lineage) for the way officers shorten a law's name before an article
        number: its first character, one or two later characters in order, and 法 ("国赔法" →
        国家赔偿法, "水保法" → 水土保持法, "特设法" → 特种设备安全法). Kept only when one law yields it and
        it occurs inside no law's name ("安全法" is part of many names, so "信息安全法第5条" does not
        become 安全生产法); used only for article-number lookups, behind aliases and name tails."""
        owners: dict[str, set[str]] = {}
        names: list[str] = []
        for law in self.laws.values():
            name = law.short_name or ""
            names.append(name)
            if not name.endswith("法") or name.startswith("全国人民代表大会"):
                continue
            head, rest = name[0], name[1:-1]
            picks = {rest[i] for i in range(len(rest))} | {rest[i] + rest[j] for i in range(len(rest))
                                                            for j in range(i + 1, len(rest))}
            for pick in picks:
                owners.setdefault(head + pick + "法", set()).add(law.lineage)
        every_name = "\n".join(names)
        return [(abbr, next(iter(lins))) for abbr, lins in owners.items()
                if len(lins) == 1 and abbr not in every_name]

    def _deadline_clocks(self) -> list[tuple[str, str, int]]:
        """(clock name, lineage, article number) for every procedural deadline the product computes
        (``assistant/data/clocks.json``: 申请行政复议 → 行政复议法第二十条, 提起行政诉讼 → 行政诉讼法第四十六条 …):
        the same table tells a deadline question which article sets that deadline."""
        from assistant.citations import extract_citations
        from assistant.data import load

        out = []
        for clock in load("clocks.json")["clocks"]:
            for cited in extract_citations(clock["article"]):
                lineage = self.resolve_law(cited.law_name)
                if lineage:
                    out.append((clock["name"], lineage, cited.number))
        return out

    def _clock_articles(self, query: str, lineages: set[str], as_of: date) -> set[int]:
        """Articles that set the deadline a question asks about: the clocks of the procedure laws
        it is routed to whose name shares a word (two characters) with it — or all of that law's
        clocks when none does."""
        out: set[int] = set()
        grams = {query[i:i + 2] for i in range(len(query) - 1)}
        for lineage in lineages:
            clocks = [(name, num) for name, lin, num in self.clocks if lin == lineage]
            named = [c for c in clocks if any(c[0][i:i + 2] in grams for i in range(len(c[0]) - 1))]
            for _name, number in named or clocks:
                found = self.statutes.article_on(lineage, number, 0, as_of).article
                if found is not None:
                    out.add(found.id)
        return out

    def _load_links(self) -> None:
        for v, p in self.statutes.penalty_link_pairs():
            self.pen_of.setdefault(v, set()).add(p)
            self.vio_of.setdefault(p, set()).add(v)

    @property
    def reranker(self) -> Reranker | None:
        """The learned re-ranker; only for the hybrid ranking it was trained on (not while the
        dense index is still building, nor for the single-retriever ablations)."""
        if self.ranking.rerank and self.mode == "hybrid" and self.dense is not None:
            return self._reranker
        return None

    def candidates(self, query: str, as_of: date | None = None) -> Candidates:
        """The fused candidates of a question among the articles in force on ``as_of`` (no other
        filter), before re-ranking: what the re-ranker is trained on."""
        as_of = as_of or date.today()
        return self._candidates(query, self._mask(as_of, None, None, None), as_of)

    def question_vectors(self, queries: list[str]) -> np.ndarray:
        """Dense vectors of questions as search embeds them (with their expansion), before the
        query adapter."""
        return self.embedder.embed_queries([self._dense_text(q, expand_query(q)[0]) for q in queries])

    def _dense_text(self, query: str, expanded: str) -> str:
        """What dense search embeds for a question: its expansion (or the question as asked, per
        ``Ranking.dense_expanded``) with Arabic numbers also in Chinese."""
        return numbers_to_cn(expanded if self.ranking.dense_expanded else query)

    def article_vectors(self, as_of: date) -> tuple[np.ndarray, list[int]]:
        """(vectors, article ids) of the articles in force on ``as_of`` that have a dense vector."""
        if self._dense_mat is None:
            return np.zeros((0, 0), dtype=np.float32), []
        ok = self.dense_rows >= 0
        ok[ok] = self._mask(as_of, None, None, None)[self.dense_rows[ok]]
        rows = np.flatnonzero(ok)
        return self._dense_mat[rows], [int(self.dense.ids[i]) for i in rows]

    @contextmanager
    def learned(self, reranker: Reranker | None, adapter: QueryAdapter | None, bank: QuestionBank | None = None):
        """Search with these learned parts (None: without) inside the block — for measuring them
        offline (``index.rerank_train``); not for a searcher that serves other threads meanwhile."""
        keep = self._reranker, self._adapter, self._bank
        self._reranker, self._adapter, self._bank = reranker, adapter, bank
        try:
            yield self
        finally:
            self._reranker, self._adapter, self._bank = keep

    @property
    def adapter(self) -> QueryAdapter | None:
        """The query adapter, when dense search is on and the ranking asks for it."""
        return self._adapter if self.ranking.query_adapter and self.mode != "bm25" else None

    @property
    def bank(self) -> QuestionBank | None:
        """The question bank, for hybrid search when the ranking asks for it (its votes only
        matter to the re-ranker)."""
        return self._bank if self.ranking.question_bank and self.mode == "hybrid" else None

    @cached_property
    def _ids_of_key(self) -> dict[tuple[str, str], list[int]]:
        """(law name, article as written) → the indexed articles (every version): how bank votes
        name articles. Built on the first vote, not at start-up (the bank is opt-in)."""
        out: dict[tuple[str, str], list[int]] = {}
        for aid, a in self.arts.items():
            out.setdefault((a.law_name, a.article_no), []).append(aid)
        return out

    def rerank_window(self, c: Candidates, depth: int) -> list[int]:
        """The candidates the re-ranker orders: the first ``depth`` in fused order, then the
        articles the question bank voted for that are not among them (closest vote first)."""
        head = [a for a, _s in c.ranked()[:depth]]
        seen = set(head)
        return head + sorted((a for a in c.bank if a not in seen), key=lambda a: (-c.bank[a], a))

    @property
    def recall_depth(self) -> int:
        return self.ranking.recall

    def features(self, c: Candidates, ids: list[int]) -> np.ndarray:
        return features(c, ids, self)

    @property
    def embedder(self):
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    from index.dense import make_embedder

                    self._embedder = make_embedder(self.settings, max_seq_length=self.manifest.max_seq_length or 512)
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
                         and (law.lineage == lineage if lineage else law.doc_type not in AMENDING_DOC_TYPES)
                         and (not domain or law.domain == domain))
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
                successors = self.statutes.successors_of(a.id)
                if successors:
                    new, _score, _method = successors[0]
                    notes.append(f"对应《{new.short_name or new.law_name}》{new.article_no}（自动对应，请核对）")
            elif law.in_force_until:
                notes.append(f"该版本{law.in_force_until}起不再适用，请以现行版本为准")
        return "；".join(notes)

    def _hit(self, a: Article, score: float, reason: str, as_of: date) -> Hit:
        note = self._status_note(a, as_of)
        return Hit(a.id, a.law_name, a.short_name, a.article_no, a.law_status, float(score), a.text,
                   self._role(a), "；".join(x for x in (reason, note) if x), self._linked(a),
                   status_on_date=self.laws[a.law_id].status_on(as_of), as_of=as_of.isoformat())

    def _residual(self, query: str) -> str:
        """What is left of the question without law names, article numbers and filler."""
        rest = query
        for start, end, *_ in sorted(self._lookups(query), key=lambda t: -t[0]):
            rest = rest[:start] + " " + rest[end:]
        rest = LOOKUP_RE.sub(" ", rest)
        for _lin, start, end in sorted(self._mentioned_laws(rest), key=lambda t: -t[1]):
            rest = rest[:start] + " " + rest[end:]
        return re.sub(r"[\s《》〈〉\"“”'‘’，。、；：？！,.;:?!()（）第的条款项]", "", rest)

    # -- direct lookup -------------------------------------------------------------------------
    def _lookups(self, query: str) -> list[tuple[int, int, str, int, int]]:
        """(start, end, lineage, number, suffix) of each article number that follows a law name:
        "食安法124条", "食品安全法第一百二十四条之一", "道交法 90"."""
        out = []
        window = 2 * self._lookup_lengths[0] + 8 if self._lookup_lengths else 0
        for regex in (LOOKUP_RE, BARE_NUMBER_RE):  # disjoint: a bare number is never followed by 条
            for m in regex.finditer(query):
                # only the stretch a law name can occupy (linear in the question's length)
                before = re.sub(r"[《》\s的]", "", query[max(0, m.start() - window):m.start()])
                lineage = next((self._lookup_of[before[-n:]] for n in self._lookup_lengths
                                if n <= len(before) and before[-n:] in self._lookup_of), None)
                if lineage is None:
                    continue
                try:
                    number = cn_to_int(m.group(1))
                    suffix = cn_to_int(m.group(2)) if regex is LOOKUP_RE and m.group(2) else 0
                except ValueError:
                    continue
                out.append((m.start(), m.end(), lineage, number, suffix))
        return sorted(out)

    def direct_lookup(self, query: str, as_of: date) -> list[tuple[Article, str]]:
        out: list[tuple[Article, str]] = []
        for _start, _end, lineage, number, suffix in self._lookups(query):
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
        if len(query) > MAX_QUERY_CHARS:
            raise InputError(f"检索内容过长（{len(query)} 字）：请只保留与违法行为有关的事实，"
                             f"不超过 {MAX_QUERY_CHARS} 字")
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

        if hits and not self._residual(query):
            # a bare article-number question ("道交法第91条"): fill up from the named law only
            named = {lin for lin, _s, _e in self._mentioned_laws(query)}
            mask = mask & np.isin(self.row_law, [n for n, lid in enumerate(self._law_list)
                                                 if self.laws[lid].lineage in named])
        for aid, score, reason in self._retrieve(query, mask, as_of, k + len(seen)):
            if aid in seen:
                continue
            hits.append(self._hit(self.arts[aid], score, reason, as_of))
            seen.add(aid)
            if len(hits) >= k:
                break
        return hits

    def _pair_up(self, ranked: list[tuple[int, float]], mask: np.ndarray, n: int,
                 link_note: dict[int, str]) -> list[tuple[int, float]]:
        """Put the best-scoring linked partner (违法依据 of a 处罚依据, or the reverse) right after
        each of the first ``n`` results, so a penalty question gets both bases together."""
        score = dict(ranked)
        order = [a for a, _s in ranked]
        placed = 0
        i = 0
        while i < len(order) and placed < n:
            a = order[i]
            art = self.arts[a]
            partners = self.vio_of.get(a, ()) if art.is_liability else self.pen_of.get(a, ())
            ok = [p for p in partners if (r := self.row_of.get(p)) is not None and mask[r]]
            if ok:
                best = max(ok, key=lambda p: (score.get(p, 0.0), -p))
                if best not in order[:i + 1]:
                    if best in order:
                        order.remove(best)
                    order.insert(i + 1, best)
                    score[best] = min(score.get(best, 0.0), score[a])
                    pa = self.arts[best]
                    link_note.setdefault(best, f"与{art.short_name}{art.article_no}关联的{'处罚依据' if pa.is_liability else '违法依据'}")
                    i += 1
            placed += 1
            i += 1
        out = [(a, score[a]) for a in order]
        for j in range(1, len(out) - 1):  # an inserted partner shows a score between its neighbours
            if out[j][1] < out[j + 1][1] <= out[j - 1][1]:
                out[j] = (out[j][0], out[j + 1][1])
        return out

    def _law_hints(self, query: str) -> tuple[set[str], set[str]]:
        """(lineages named in the query, lineages whose name stem occurs in the query). Stems are
        matched longest first and a matched stretch is used once, so "社会保险" hints at 社会保险法
        and not also at 保险法."""
        named = {lin for lin, _s, _e in self._mentioned_laws(query)}
        stems = set()
        rest = query
        for stem, lineage in self.stems:
            if stem in rest:
                rest = rest.replace(stem, "\u0000")
                if lineage not in named:
                    stems.add(lineage)
        return named, stems

    def _candidates(self, query: str, mask: np.ndarray, as_of: date) -> Candidates:
        """Everything the retrieval stage knows about the candidates of a question: BM25 and dense
        lists, their RRF fusion lifted by the legal-structure boosts, and why each was lifted."""
        cfg = self.ranking
        expanded, _added = expand_query(query)
        bm25_ids: list[int] = []
        bm25_scores: dict[int, float] = {}
        orig_tokens = set(self.tokenizer.tokenize(query))
        if self.mode != "dense" or self.dense is None:
            tokens = self.tokenizer.tokenize(expanded)
            weights = {t: (1.0 if t in orig_tokens else cfg.expansion_weight) for t in tokens}
            rows, bscores = self.bm25.top(tokens, cfg.recall, mask=mask, weights=weights)
            bm25_ids = [int(self.ids[r]) for r in rows]
            bm25_scores = {int(self.ids[r]): float(s) for r, s in zip(rows, bscores)}

        dense_ids: list[int] = []
        dense_scores: dict[int, float] = {}
        qv = None
        if self.dense is not None and self.mode != "bm25":
            raw = qv = self.embedder.embed_queries([self._dense_text(query, expanded)])[0]
            if self.adapter is not None:
                qv = self.adapter.apply(qv)
            sims = self._dense_mat @ qv
            ok = self.dense_rows >= 0
            ok[ok] = mask[self.dense_rows[ok]]
            sims = np.where(ok, sims, -np.inf)
            n = min(cfg.recall, int(ok.sum()))
            if n > 0:
                top = np.argpartition(-sims, n - 1)[:n]
                top = top[np.argsort(-sims[top], kind="stable")]
                dense_ids = [int(self.dense.ids[i]) for i in top]
                dense_scores = {int(self.dense.ids[i]): float(sims[i]) for i in top}

        if cfg.fusion == "minmax":
            fused = minmax([bm25_scores, dense_scores], [cfg.bm25_weight, cfg.dense_weight])
        else:
            fused = rrf([bm25_ids, dense_ids], [cfg.bm25_weight, cfg.dense_weight], k=cfg.rrf_k)
        intent = detect_intent(query)
        named, stems = self._law_hints(query)
        routed: set[str] = set()
        if intent.procedure and not named:
            routed = {lin for lin in (self.resolve_law(n) for n in intent.procedure_laws) if lin}
        clock_articles = self._clock_articles(query, routed or named, as_of) if intent.deadline and cfg.clock_boost else set()
        c = Candidates(fused=fused, bm25_ids=bm25_ids, dense_ids=dense_ids, bm25_scores=bm25_scores,
                       dense_scores=dense_scores, query_tokens=sorted(orig_tokens), intent=intent,
                       named=named, stems=stems, routed=routed, clock_articles=clock_articles)
        if self.mode == "hybrid" and qv is not None:  # re-ranker features; it orders hybrid search only
            if self.bank is not None:
                c.bank = {a: sim for key, sim in self.bank.votes(raw).items()
                          for a in self._ids_of_key.get(key, ()) if mask[self.row_of[a]]}
            lex, dense_law = self._law_match(orig_tokens, qv)
            codes = {self.arts[a].law_id: self._law_code[self.arts[a].law_id] for a in (*fused, *c.bank)}
            c.law_lex = {lid: float(lex[n]) for lid, n in codes.items()}
            c.law_dense = {lid: float(dense_law[n]) for lid, n in codes.items()}
        for a in fused:
            lin = self.arts[a].lineage
            if lin in named:
                fused[a] *= 1 + cfg.law_boost
            elif lin in stems:
                fused[a] *= 1 + cfg.stem_boost
            if lin in routed:
                fused[a] *= 1 + cfg.intent_law_boost
            if intent.deadline and a in self.time_limit:
                fused[a] *= 1 + cfg.deadline_boost
            if a in clock_articles:
                fused[a] *= 1 + cfg.clock_boost

        if intent.penalty:
            for a in fused:
                if self.arts[a].is_liability:
                    fused[a] *= 1 + cfg.liability_prior
        # each article learns its best-scoring linked partner among the leading candidates (max, not
        # sum: an article linked from many candidates must not become a hub that outranks them all)
        base = c.ranked()[:cfg.link_depth]
        for a, s in base:
            art = self.arts[a]
            partners = self.vio_of.get(a, ()) if art.is_liability else self.pen_of.get(a, ())
            for p in partners:
                row = self.row_of.get(p)
                if row is None or not mask[row] or c.partner_score.get(p, 0.0) >= s:
                    continue
                c.partner_score[p] = s
                pa = self.arts[p]
                c.link_note[p] = f"与{art.short_name}{art.article_no}关联的{'处罚依据' if pa.is_liability else '违法依据'}"
        if intent.penalty and cfg.link_weight:
            for p, s in c.partner_score.items():
                fused[p] = fused.get(p, 0.0) + cfg.link_weight * s
        return c

    def _retrieve(self, query: str, mask: np.ndarray, as_of: date, k: int) -> list[tuple[int, float, str]]:
        cfg = self.ranking
        c = self._candidates(query, mask, as_of)
        if not c.fused:
            return []
        ranked = c.ranked()
        moved: dict[int, tuple[int, int]] = {}  # article → (fused place, re-ranked place) where they differ
        if self.reranker is not None:
            fused_place = {a: i + 1 for i, (a, _s) in enumerate(ranked)}
            window = self.rerank_window(c, cfg.rerank_depth)
            inside = set(window)
            ranked = [(a, c.fused.get(a, 0.0)) for a in window] + [(a, s) for a, s in ranked if a not in inside]
            ranked = self.reranker.reorder(ranked, self.features(c, window))
            moved = {a: (fused_place[a], i + 1) for i, (a, _s) in enumerate(ranked[:len(window)])
                     if a in fused_place and fused_place[a] != i + 1}
        top_score = ranked[0][1]
        link_note = {p: n for p, n in c.link_note.items() if c.intent.penalty}
        if c.intent.penalty and cfg.pair_top:
            ranked = self._pair_up(ranked, mask, cfg.pair_top, link_note)
        brank = {a: i + 1 for i, a in enumerate(c.bm25_ids)}
        drank = {a: i + 1 for i, a in enumerate(c.dense_ids)}
        intent, named, stems, routed = c.intent, c.named, c.stems, c.routed
        out = []
        for a, s in ranked[:k]:
            parts = []
            if a in brank:
                parts.append(f"关键词第{brank[a]}名")
            if a in drank:
                parts.append(f"语义第{drank[a]}名")
            reason = "、".join(parts) if parts else ("由问题库补入" if a in c.bank and a not in c.fused else "由法条关联补入")
            if a in link_note:
                reason += "；" + link_note[a]
            lin = self.arts[a].lineage
            if lin in named:
                reason += "；属于问题中提到的法律"
            elif lin in stems:
                reason += "；法律名称与问题用语相符"
            if lin in routed:
                reason += "；程序性问题，适用该程序法"
            if intent.penalty and self.arts[a].is_liability:
                reason += "；法律责任条款（处罚依据）"
            if a in c.clock_articles:
                reason += "；规定了所问的办案期限"
            elif intent.deadline and a in self.time_limit:
                reason += "；规定了期限"
            if a in c.bank and self.reranker is not None:
                reason += f"；问题库中相近问题（相似度 {c.bank[a]:.2f}）的答案"
            if a in moved:
                reason += "；排序模型将其从融合第{}名调至第{}名".format(*moved[a])
            out.append((a, s / top_score if top_score else s, reason))
        return out
