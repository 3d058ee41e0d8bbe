"""Precedent cases (相似案例): import past 决定书 files, keep decided cases, and find similar ones.

Similarity is hybrid: character-bigram TF-IDF over the facts, plus structure — the same violated
or penalty article, the same benchmark violation, and similar quantities. Every result says why
it is similar. Natural persons are stored only as their public form (surname + 某).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.errors import InputError
from assistant.store.precedent_tables import PrecedentRow
from corpus.decisions import parse_decision, read_document_text
from corpus.statutes import StatuteStore

SUPPORTED = (".docx", ".txt", ".md")
# weights of the structural signals, added to the text cosine (0..1); documented in the explanation
W_VIOLATED, W_PENALTY, W_CODE, W_QUANTITY = 0.35, 0.25, 0.2, 0.1


@dataclass(frozen=True)
class ImportReport:
    path: str
    precedent_id: int | None
    document_no: str | None
    missing: list[str]
    error: str | None = None


@dataclass(frozen=True)
class Similar:
    precedent_id: int
    score: float
    document_no: str | None
    agency: str | None
    decided_on: date | None
    band: str | None
    fine: float | None
    penalty_types: list[str]
    facts: str
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    """What a case or draft looks like to the similarity search."""

    facts: str
    violated_article_ids: list[int] = field(default_factory=list)
    penalty_article_ids: list[int] = field(default_factory=list)
    violation_code: str | None = None
    quantity: float | None = None  # 货值 / 违法所得 / 造价, whichever the case has
    exclude_case_id: int | None = None


def public_party_name(name: str | None, kind: str | None) -> str | None:
    if not name:
        return None
    if kind == "自然人":
        from assistant.redaction import mask_person_name

        return mask_person_name(name)
    return name


def _article_ids(store: StatuteStore | None, citations: list[str], as_of: date | None) -> list[int]:
    if store is None or not citations:
        return []
    from assistant.citations import verify_citations

    ids = []
    for c in verify_citations("；".join(citations), store, as_of=as_of):
        if c.article_id is not None:
            ids.append(c.article_id)
    return ids


def _citations_in(text: str | None) -> list[str]:
    if not text:
        return []
    return re.findall(r"《[^》]+》(?:第[一二三四五六七八九十百千零\d]+条(?:之[一二三四五六七八九十])?)(?:第[一二三四五六七八九十\d]+款)?(?:第[（(][一二三四五六七八九十\d]+[）)]项)?(?:[、，和及](?:第[一二三四五六七八九十百千零\d]+条(?:第[一二三四五六七八九十\d]+款)?(?:第[（(][一二三四五六七八九十\d]+[）)]项)?))*", text)


def import_file(session: Session, path: Path, store: StatuteStore | None) -> ImportReport:
    """Import one 决定书 (.docx/.txt/.md). Re-importing the same file is a no-op."""
    try:
        text = read_document_text(path)
    except InputError as exc:
        return ImportReport(str(path), None, None, [], exc.message)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = session.execute(select(PrecedentRow).where(PrecedentRow.source_sha256 == sha)).scalar_one_or_none()
    if existing:
        return ImportReport(str(path), existing.id, existing.document_no, existing.missing)
    d = parse_decision(text)
    if not d.facts and not d.penalty_types:
        return ImportReport(str(path), None, d.document_no, d.missing, f"{path.name} 不像行政处罚决定书：既没有违法事实也没有处罚内容")
    violated, penalty = _citations_in(d.violated_text), _citations_in(d.penalty_text)
    as_of = d.violation_date or d.decided_on
    row = PrecedentRow(
        source="import", document_no=d.document_no, agency=d.agency, decided_on=d.decided_on, party_kind=d.party_kind,
        party_public_name=public_party_name(d.party_name, d.party_kind), facts=_public_text(d.facts or "", d.party_name, d.party_kind),
        violated=violated, penalty=penalty, violated_article_ids=_article_ids(store, violated, as_of),
        penalty_article_ids=_article_ids(store, penalty, as_of), penalty_types=d.penalty_types, fine=d.fine,
        confiscation=d.confiscation, illegal_gains=d.illegal_gains, goods_value=d.goods_value, band=d.band,
        missing=d.missing, source_sha256=sha, demo=False,
    )
    session.add(row)
    session.flush()
    return ImportReport(str(path), row.id, d.document_no, d.missing)


def _public_text(text: str, party_name: str | None, kind: str | None) -> str:
    from assistant.redaction import redact_text

    known = [party_name] if party_name and kind == "自然人" else []
    return redact_text(text, known_names=known)


def import_path(session: Session, path: Path, store: StatuteStore | None) -> list[ImportReport]:
    """A file, or every supported file in a folder (sorted, non-recursive)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED)
        if not files:
            raise InputError(f"文件夹 {path} 中没有 .docx、.txt 或 .md 文件")
        return [import_file(session, f, store) for f in files]
    return [import_file(session, path, store)]


def seed_demo_precedents(session: Session, store: StatuteStore | None) -> int:
    data = json.loads((resources.files("corpus") / "data" / "demo_precedents.json").read_text(encoding="utf-8"))
    added = 0
    for p in data["precedents"]:
        sha = hashlib.sha256(json.dumps(p, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
        if session.execute(select(PrecedentRow.id).where(PrecedentRow.source_sha256 == sha)).first():
            continue
        decided = date.fromisoformat(p["decided_on"])
        session.add(PrecedentRow(
            source="demo", document_no=p["document_no"], agency=p["agency"], decided_on=decided,
            party_kind=p["party_kind"], party_public_name=p["party_name"], facts=p["facts"], violated=p["violated"],
            penalty=p["penalty"], violated_article_ids=_article_ids(store, p["violated"], decided),
            penalty_article_ids=_article_ids(store, p["penalty"], decided), penalty_types=p["penalty_types"],
            fine=p.get("fine"), confiscation=p.get("confiscation"), illegal_gains=p.get("illegal_gains"),
            goods_value=p.get("goods_value"), construction_cost=p.get("construction_cost"), band=p.get("band"),
            violation_code=p.get("violation_code"), missing=[], source_sha256=sha, demo=True,
        ))
        added += 1
    session.flush()
    return added


# -- similarity ------------------------------------------------------------------------------------
def _bigrams(text: str) -> list[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return ["".join(chars[i:i + 2]) for i in range(len(chars) - 1)]


def _tfidf(docs: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    vocab: dict[str, int] = {}
    bags = []
    for d in docs:
        bag: dict[int, int] = {}
        for g in _bigrams(d):
            idx = vocab.setdefault(g, len(vocab))
            bag[idx] = bag.get(idx, 0) + 1
        bags.append(bag)
    mat = np.zeros((len(docs), max(len(vocab), 1)), dtype=np.float32)
    df = np.zeros(max(len(vocab), 1), dtype=np.float32)
    for i, bag in enumerate(bags):
        for j, n in bag.items():
            mat[i, j] = 1 + math.log(n)
            df[j] += 1
    mat *= np.log((1 + len(docs)) / (1 + df)) + 1
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return mat / np.where(norms == 0, 1, norms), vocab


def _quantity(row: PrecedentRow) -> float | None:
    return row.goods_value or row.illegal_gains or row.construction_cost


def find_similar(session: Session, query: Query, *, k: int = 5) -> list[Similar]:
    rows = [r for r in session.execute(select(PrecedentRow)).scalars() if r.case_id is None or r.case_id != query.exclude_case_id]
    if not rows:
        return []
    mat, _ = _tfidf([query.facts] + [r.facts for r in rows])
    text_sim = mat[1:] @ mat[0]
    out = []
    for row, sim in zip(rows, text_sim):
        score, reasons = float(sim), [f"事实描述相似度 {float(sim):.2f}"]
        if set(query.violated_article_ids) & set(row.violated_article_ids):
            score += W_VIOLATED
            reasons.append("违反同一条款：" + "、".join(row.violated))
        if set(query.penalty_article_ids) & set(row.penalty_article_ids):
            score += W_PENALTY
            reasons.append("适用同一处罚依据：" + "、".join(row.penalty))
        if query.violation_code and query.violation_code == row.violation_code:
            score += W_CODE
            reasons.append(f"裁量基准中的同一违法行为（{row.violation_code}）")
        q, rq = query.quantity, _quantity(row)
        if q and rq:
            closeness = max(0.0, 1 - abs(math.log10(q) - math.log10(rq)) / 2)
            if closeness > 0.5:
                score += W_QUANTITY * closeness
                reasons.append(f"涉案数量相近（{rq:g} 元 对 {q:g} 元）")
        out.append(Similar(row.id, round(score, 4), row.document_no, row.agency, row.decided_on, row.band, row.fine,
                           list(row.penalty_types), row.facts, reasons))
    out.sort(key=lambda s: -s.score)
    return out[:k]


def add_decided_case(session: Session, *, case_id: int, document_no: str | None, agency: str | None,
                     decided_on: date | None, party_kind: str | None, party_name: str | None, facts: str,
                     violated: list[str], penalty: list[str], violated_ids: list[int], penalty_ids: list[int],
                     penalty_types: list[str], fine: float | None, confiscation: float | None,
                     illegal_gains: float | None, goods_value: float | None, band: str | None,
                     violation_code: str | None) -> PrecedentRow:
    """Every decided case becomes a precedent (called when the decision is issued)."""
    row = session.execute(select(PrecedentRow).where(PrecedentRow.case_id == case_id)).scalar_one_or_none() or PrecedentRow(source="case", case_id=case_id)
    row.document_no, row.agency, row.decided_on, row.party_kind = document_no, agency, decided_on, party_kind
    row.party_public_name = public_party_name(party_name, party_kind)
    row.facts = _public_text(facts, party_name, party_kind)
    row.violated, row.penalty, row.violated_article_ids, row.penalty_article_ids = violated, penalty, violated_ids, penalty_ids
    row.penalty_types, row.fine, row.confiscation = penalty_types, fine, confiscation
    row.illegal_gains, row.goods_value, row.band, row.violation_code = illegal_gains, goods_value, band, violation_code
    row.missing, row.demo = [], False
    session.add(row)
    session.flush()
    return row
