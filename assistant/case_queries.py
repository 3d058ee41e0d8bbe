"""Case queries: look-ups and read views of the case store (no writes except the 调阅 log of
:func:`show_case`), and the :class:`assistant.lifecycle.GateContext` built from the store.

Part of the case service; import through :mod:`assistant.cases`, which re-exports every name here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import lifecycle as lc
from assistant.audit import log_action
from assistant.deadlines import Clock, case_clocks
from assistant.errors import NotFoundError
from assistant.parties import mask_id_number
from assistant.store.case_tables import (Agency, Case, CaseEvent, CaseHandler, CaseParty, CaseStatement, Evidence,
                                         Party, User, Violation)

FLAG_NAMES = ("major", "multi_relation", "public_interest", "collective_required", "review_required")


def get_agency(session: Session, ref: int | str) -> Agency:
    agency = session.get(Agency, int(ref)) if str(ref).isdigit() else session.execute(
        select(Agency).where((Agency.name == ref) | (Agency.code == ref))).scalars().first()
    if agency is None:
        raise NotFoundError(f"执法机关“{ref}”不存在")
    return agency


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"用户“{username}”不存在")
    return user


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"案件不存在（id={case_id}）")
    return case


def _is_handler(session: Session, case_id: int, user_id: int) -> bool:
    return bool(session.execute(select(CaseHandler.id).where(CaseHandler.case_id == case_id,
                                                             CaseHandler.user_id == user_id)).first())


def _handler_dict(u: User) -> dict:
    return {"username": u.username, "credential_no": u.credential_no, "credential_expiry": u.credential_expiry,
            "active": u.active, "roles": sorted(u.role_names)}


def _handlers(session: Session, case_id: int) -> list[User]:
    return list(session.execute(select(User).join(CaseHandler, CaseHandler.user_id == User.id)
                                .where(CaseHandler.case_id == case_id).order_by(CaseHandler.id)).scalars())


def _parties(session: Session, case_id: int) -> list[Party]:
    return list(session.execute(select(Party).join(CaseParty, CaseParty.party_id == Party.id)
                                .where(CaseParty.case_id == case_id).order_by(CaseParty.id)).scalars())


def _agency_settings(session: Session, case: Case) -> dict:
    agency = session.get(Agency, case.agency_id)
    settings = dict(agency.settings or {})
    settings.setdefault("region", agency.region)
    return settings


def _context(session: Session, case: Case, actor: str, payload: dict, today: date) -> lc.GateContext:
    actor_user = session.execute(select(User).where(User.username == actor)).scalar_one_or_none()
    handlers = _handlers(session, case.id)
    statements = session.execute(select(CaseStatement).where(CaseStatement.case_id == case.id)).scalars().all()
    violations = session.execute(select(Violation).where(Violation.case_id == case.id)).scalars().all()
    return lc.GateContext(
        case=case, actor_username=actor,
        actor_roles=frozenset(actor_user.role_names) if actor_user else frozenset(),
        actor_is_handler=bool(actor_user and any(h.id == actor_user.id for h in handlers)),
        handlers=[_handler_dict(h) for h in handlers],
        party_kinds=[p.kind for p in _parties(session, case.id)],
        violations=[{"violated_provision": v.violated_provision, "penalty_provision": v.penalty_provision} for v in violations],
        today=today, payload=payload, agency_settings=_agency_settings(session, case),
        statements=[{"kind": s.kind, "on": s.on} for s in statements],
        review_passed=case.review_passed_at is not None,
    )


@dataclass(frozen=True)
class CaseView:
    id: int
    case_number: str | None
    agency: str
    cause: str
    procedure: str
    state: str
    outcome: str | None
    source: str
    filed_on: date | None
    violation_date: date | None
    flags: dict
    review_reasons: list
    parties: list[dict]
    handlers: list[dict]
    violations: list[dict]
    evidence: list[dict]
    notice: dict | None
    decision: dict | None
    decision_number: str | None
    events: list[dict]
    clocks: list[Clock]
    next_states: list[str]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["clocks"] = [{**asdict(c), "status": c.status} for c in self.clocks]
        return data


def show_case(session: Session, case_id: int, *, today: date | None = None, actor: str | None = None) -> CaseView:
    """The case with its running clocks. Pass ``actor`` to log the view (调阅 register)."""
    case = get_case(session, case_id)
    today = today or date.today()
    agency = session.get(Agency, case.agency_id)
    clocks = case_clocks(case, today, agency_settings=agency.settings or {})
    if actor:
        log_action(session, case_id=case.id, actor=actor, action="case.view", detail={})
    events = session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).scalars()
    return CaseView(
        id=case.id, case_number=case.case_number, agency=agency.name, cause=case.cause, procedure=case.procedure,
        state=case.state, outcome=case.outcome, source=case.source, filed_on=case.filed_on,
        violation_date=case.violation_date,
        flags={n: bool(getattr(case, n)) for n in FLAG_NAMES + ("hearing_required", "hearing_held", "statement_waived")}
        | {"review_passed": case.review_passed_at is not None},
        review_reasons=list(case.review_reasons or []),
        parties=[{"id": p.id, "kind": p.kind, "name": p.name, "credit_code": p.credit_code,
                  "id_number_masked": mask_id_number(p.id_number)} for p in _parties(session, case.id)],
        handlers=[{"username": u.username, "display_name": u.display_name, "credential_no": u.credential_no,
                   "credential_expiry": u.credential_expiry} for u in _handlers(session, case.id)],
        violations=[{"id": v.id, "description": v.description, "violated_provision": v.violated_provision,
                     "penalty_provision": v.penalty_provision, "benchmark_ref": v.benchmark_ref}
                    for v in session.execute(select(Violation).where(Violation.case_id == case.id)).scalars()],
        evidence=[{"id": e.id, "type": e.type, "title": e.title, "sha256": e.file_sha256}
                  for e in session.execute(select(Evidence).where(Evidence.case_id == case.id)).scalars()],
        notice=case.notice, decision=case.decision, decision_number=case.decision_number,
        events=[{"at": e.at, "kind": e.kind, "from": e.from_state, "to": e.to_state, "actor": e.actor,
                 "article": e.article} for e in events],
        clocks=clocks, next_states=lc.allowed_targets(case.procedure, case.state),
        warnings=sorted({w for c in clocks for w in c.warnings}),
    )


@dataclass(frozen=True)
class CaseSummary:
    id: int
    case_number: str | None
    cause: str
    procedure: str
    state: str
    filed_on: date | None


def list_cases(session: Session, *, agency_id: int | None = None, state: str | None = None) -> list[CaseSummary]:
    query = select(Case).order_by(Case.id)
    if agency_id is not None:
        query = query.where(Case.agency_id == agency_id)
    if state:
        query = query.where(Case.state == state)
    return [CaseSummary(c.id, c.case_number, c.cause, c.procedure, c.state, c.filed_on)
            for c in session.execute(query).scalars()]
