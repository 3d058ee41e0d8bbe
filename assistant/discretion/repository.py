"""Persistence of benchmarks, bands, factors and 首违不罚 entries in the case DB.

Every write is one transaction: an import replaces its whole batch (``source_key``) or nothing.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from assistant.discretion.model import (
    STATUTORY_FACTORS, BenchmarkBand, CitationCheck, Condition, DiscretionBenchmark, DiscretionFactor,
    FirstOffenceEntry, QuantityRange, to_dict,
)
from assistant.store.discretion_tables import (
    BenchmarkBandRow, CaseDiscretionRow, DiscretionBenchmarkRow, DiscretionFactorRow, FirstOffenceRow,
)

if TYPE_CHECKING:  # pragma: no cover
    from corpus.benchmarks import ImportReport

log = logging.getLogger(__name__)



@contextmanager
def open_session(database_url: str) -> Iterator[Session]:
    """A session on the case DB (migrated to head), committed on success."""
    from assistant.store.db import Database

    db = Database(database_url)
    db.migrate()
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


# --- conversions ------------------------------------------------------------------------------------
def _cond_from(d: dict) -> Condition:
    return Condition(d.get("text", ""), tuple(QuantityRange(**r) for r in d.get("ranges", [])),
                     tuple(d.get("flags", [])))


def _band_row(b: BenchmarkBand) -> BenchmarkBandRow:
    return BenchmarkBandRow(
        order=b.order, level=b.level, conditions_text=b.conditions_text,
        conditions=[to_dict(c) for c in b.conditions], min=b.min, max=b.max, unit=b.unit,
        penalty_types=list(b.penalty_types), extra_penalties=list(b.extra_penalties), measures=list(b.measures),
        standard_text=b.standard_text, branch=b.branch, hearing_trigger=b.hearing_trigger,
        review_trigger=b.review_trigger, source_row=b.source_row)


def _band_from(r: BenchmarkBandRow) -> BenchmarkBand:
    return BenchmarkBand(
        level=r.level, conditions_text=r.conditions_text, conditions=tuple(_cond_from(c) for c in r.conditions),
        min=r.min, max=r.max, unit=r.unit, penalty_types=tuple(r.penalty_types),
        extra_penalties=tuple(r.extra_penalties), measures=tuple(r.measures), standard_text=r.standard_text,
        branch=r.branch, hearing_trigger=r.hearing_trigger, review_trigger=r.review_trigger,
        source_row=r.source_row, order=r.order)


def benchmark_to_row(b: DiscretionBenchmark, now: datetime) -> DiscretionBenchmarkRow:
    row = DiscretionBenchmarkRow(
        id=b.id, source_key=b.source_key, agency=b.agency, region=b.region, version=b.version,
        violation_code=b.violation_code, violation_name=b.violation_name, effective_from=b.effective_from,
        effective_to=b.effective_to, published_at=b.published_at, publish_url=b.publish_url,
        violated_provisions=list(b.violated_provisions), penalty_provisions=list(b.penalty_provisions),
        penalty_types=list(b.penalty_types), fine_unit=b.fine_unit, stat_min=b.stat_min, stat_max=b.stat_max,
        accessories=list(b.accessories), factors=[to_dict(f) for f in b.factors],
        citations=[to_dict(c) for c in b.citations], legal_basis_text=b.legal_basis_text, note=b.note,
        category=b.category, source=b.source, demo=b.demo, imported_at=now)
    row.bands = [_band_row(x) for x in b.bands]
    return row


def benchmark_from_row(r: DiscretionBenchmarkRow) -> DiscretionBenchmark:
    return DiscretionBenchmark(
        id=r.id, agency=r.agency, region=r.region, version=r.version, violation_code=r.violation_code,
        violation_name=r.violation_name, effective_from=r.effective_from, effective_to=r.effective_to,
        published_at=r.published_at, publish_url=r.publish_url,
        violated_provisions=tuple(r.violated_provisions), penalty_provisions=tuple(r.penalty_provisions),
        penalty_types=tuple(r.penalty_types), fine_unit=r.fine_unit, stat_min=r.stat_min, stat_max=r.stat_max,
        accessories=tuple(r.accessories), bands=tuple(_band_from(x) for x in r.bands),
        factors=tuple(DiscretionFactor(**f) for f in r.factors), legal_basis_text=r.legal_basis_text,
        note=r.note, category=r.category, source=r.source, source_key=r.source_key, demo=r.demo,
        citations=tuple(CitationCheck(**c) for c in r.citations))


# --- writes -----------------------------------------------------------------------------------------
def sync_factors(session: Session) -> int:
    """Write the statutory factor table (idempotent)."""
    for f in STATUTORY_FACTORS:
        session.merge(DiscretionFactorRow(**to_dict(f)))
    return len(STATUTORY_FACTORS)


def save_report(session: Session, report: "ImportReport") -> dict[str, int]:
    """Replace the batch ``report.source_key`` with the report's records (caller commits)."""
    now = datetime.now()
    key = report.source_key
    if report.benchmarks:
        session.execute(delete(BenchmarkBandRow).where(BenchmarkBandRow.benchmark_id.in_(
            select(DiscretionBenchmarkRow.id).where(DiscretionBenchmarkRow.source_key == key))))
        session.execute(delete(DiscretionBenchmarkRow).where(DiscretionBenchmarkRow.source_key == key))
        session.flush()
        session.add_all(benchmark_to_row(b, now) for b in report.benchmarks)
    if report.first_offence:
        session.execute(delete(FirstOffenceRow).where(FirstOffenceRow.source_key == key))
        for e in report.first_offence:
            d = to_dict(e)
            for k in ("effective_from", "effective_to", "published_at"):
                d[k] = getattr(e, k)
            session.add(FirstOffenceRow(**d))
    sync_factors(session)
    session.flush()
    return {"benchmarks": len(report.benchmarks), "first_offence": len(report.first_offence)}


def record_case_discretion(session: Session, rec, *, case_id: int | None = None) -> int:
    """Store an adopted recommendation (peer statistics are computed from these rows)."""
    row = CaseDiscretionRow(
        case_id=case_id, benchmark_id=rec.benchmark.id if rec.benchmark else None,
        violation_code=rec.benchmark.violation_code if rec.benchmark else None,
        band=rec.band.level if rec.band else None, factors=[f.code for f in rec.factors],
        computed_min=rec.range_min, computed_max=rec.range_max, proposed=rec.proposed,
        explanation=[to_dict(s) for s in rec.explanation], peer_stats=rec.peer_stats or {},
        created_at=datetime.now())
    session.add(row)
    session.flush()
    return row.id


# --- reads ------------------------------------------------------------------------------------------
def load_benchmarks(session: Session, *, source_key: str | None = None, agency: str | None = None,
                    violation_code: str | None = None) -> list[DiscretionBenchmark]:
    q = select(DiscretionBenchmarkRow).options(selectinload(DiscretionBenchmarkRow.bands))
    if source_key:
        q = q.where(DiscretionBenchmarkRow.source_key == source_key)
    if agency:
        q = q.where(DiscretionBenchmarkRow.agency == agency)
    if violation_code:
        q = q.where(DiscretionBenchmarkRow.violation_code == violation_code)
    return [benchmark_from_row(r) for r in session.scalars(q.order_by(DiscretionBenchmarkRow.id))]


def load_first_offence(session: Session) -> list[FirstOffenceEntry]:
    out = []
    for r in session.scalars(select(FirstOffenceRow).order_by(FirstOffenceRow.source_key, FirstOffenceRow.seq)):
        out.append(FirstOffenceEntry(
            id=r.id, agency=r.agency, list_name=r.list_name, category=r.category, seq=r.seq,
            violation_name=r.violation_name, violated_provisions=tuple(r.violated_provisions),
            conditions_text=r.conditions_text, conditions=tuple(r.conditions), requires=tuple(r.requires),
            effective_from=r.effective_from, effective_to=r.effective_to, published_at=r.published_at,
            source=r.source, source_key=r.source_key))
    return out


def peer_amounts(session: Session, violation_code: str, band: str, *, exclude_case_id: int | None = None) -> list[float]:
    """Fines of the same violation and tier, one per case: the decided fine where the case is decided
    (its precedent row), else the saved recommendation; the case being recommended is left out."""
    from assistant.store.precedent_tables import PrecedentRow

    decided = {r.case_id: float(r.fine) for r in session.scalars(
        select(PrecedentRow).where(PrecedentRow.case_id.is_not(None), PrecedentRow.violation_code == violation_code,
                                   PrecedentRow.band == band, PrecedentRow.fine.is_not(None)))}
    q = select(CaseDiscretionRow).where(CaseDiscretionRow.violation_code == violation_code,
                                        CaseDiscretionRow.band == band,
                                        CaseDiscretionRow.proposed.is_not(None))
    amounts = [float(decided.pop(r.case_id)) if r.case_id in decided else float(r.proposed)
               for r in session.scalars(q.order_by(CaseDiscretionRow.id))
               if r.case_id is None or r.case_id != exclude_case_id]
    amounts += [fine for cid, fine in decided.items() if cid != exclude_case_id]
    return amounts


def save_case_recommendation(session: Session, case_id: int, rec, *, actor: str) -> int:
    """The case's current recommendation (one row per case: a new run replaces the previous one), with
    its audit entry, in the caller's transaction."""
    from assistant.audit import log_action
    from assistant.case_queries import get_case

    get_case(session, case_id)
    session.execute(delete(CaseDiscretionRow).where(CaseDiscretionRow.case_id == case_id))
    row_id = record_case_discretion(session, rec, case_id=case_id)
    log_action(session, case_id=case_id, actor=actor, action="discretion.recommend",
               detail={"case_discretion_id": row_id, "outcome": rec.outcome,
                       "benchmark_id": rec.benchmark.id if rec.benchmark else None,
                       "band": rec.band.level if rec.band else None, "proposed": rec.proposed})
    return row_id


def saved_band(session: Session, case_id: int) -> str | None:
    """The 档次 of the case's saved recommendation (used when the notice does not name one)."""
    return session.scalars(select(CaseDiscretionRow.band).where(CaseDiscretionRow.case_id == case_id)
                           .order_by(CaseDiscretionRow.id.desc()).limit(1)).first()
