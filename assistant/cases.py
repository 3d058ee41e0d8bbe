"""The case service: every action on a case, each in the caller's transaction and each with its
audit entry (:func:`assistant.audit.log_action`) and, for lifecycle steps, a ``case_events`` row.

    with db.session() as s:
        agency = create_agency(s, name="某市市场监督管理局", code="某市监")
        case = create_case(s, agency_id=agency.id, cause="销售过期食品", actor="zhang3",
                           handlers=["zhang3", "li4"], party=PartyInput("法人", "某公司", credit_code=...),
                           salt=settings.salt())
        advance(s, case.id, "调查取证", actor="zhang3")

Commands (lifecycle steps, statements, hearing, review, flags) are here; look-ups and views are in
:mod:`assistant.case_queries`, parties/violations/evidence/handlers in :mod:`assistant.case_records`;
both are re-exported, so ``from assistant.cases import …`` keeps working for every name.

Refused steps raise :class:`assistant.errors.GateRefused` with the article; bad input raises
:class:`InputError`. Either leaves the store unchanged when the caller's transaction rolls back
(``Database.session`` does).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant import lifecycle as lc
from assistant import roles
from assistant.audit import log_action
# queries and records live in their own modules; they are re-exported here (the public service API)
from assistant.case_queries import (FLAG_NAMES, CaseSummary, CaseView, _agency_settings, _context,  # noqa: F401
                                    _handler_dict, _handlers, _is_handler, _parties, _user, get_agency, get_case,
                                    list_cases, show_case)
from assistant.case_records import (EVIDENCE_TYPES, add_evidence, add_party, add_violation,  # noqa: F401
                                    assign_handlers)
from assistant.deadlines import add_working_days, statutory_due
from assistant.errors import GateRefused, InputError, NotFoundError
from assistant.numbering import CASE_NUMBER_KIND, allocate
from assistant.parties import PartyInput
from assistant.store.case_tables import Agency, Case, CaseEvent, CaseHandler, CaseReview, CaseStatement, Violation

__all__ = [
    "FLAG_NAMES", "EVIDENCE_TYPES", "STATEMENT_KINDS", "REVIEW_RESULTS", "CaseSummary", "CaseView",
    "create_agency", "get_agency", "get_case", "create_case", "add_party", "add_violation", "add_evidence",
    "assign_handlers", "advance", "record_statement", "record_waiver", "schedule_hearing", "record_hearing_held",
    "record_review_result", "mark_review_passed", "mark_review_failed", "record_collective_discussion",
    "record_extension", "record_preservation", "set_flags", "show_case", "list_cases",
    "_handlers", "_parties", "_is_handler",
]

STATEMENT_KINDS = ("陈述", "申辩", "放弃陈述申辩", "听证申请", "放弃听证", "复核意见")
REVIEW_RESULTS = ("通过", "存在问题")


# -- agencies ----------------------------------------------------------------------------------

def create_agency(session: Session, *, name: str, code: str, region: str = "", parent_id: int | None = None,
                  settings: dict | None = None, actor: str = "system") -> Agency:
    if not (name or "").strip() or not (code or "").strip():
        raise InputError("机关名称和机关代字不能为空", field="name")
    if session.execute(select(Agency.id).where(Agency.name == name.strip())).first():
        raise InputError(f"执法机关“{name}”已存在", field="name")
    agency = Agency(name=name.strip(), code=code.strip(), region=region, parent_id=parent_id, settings=dict(settings or {}))
    session.add(agency)
    session.flush()
    log_action(session, case_id=None, actor=actor, action="agency.create",
               detail={"agency_id": agency.id, "name": agency.name, "code": agency.code})
    return agency


# -- cases -------------------------------------------------------------------------------------

def _as_date(value, field_name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{field_name}日期格式应为 YYYY-MM-DD：{value}", field=field_name) from None


def create_case(session: Session, *, agency_id: int, cause: str, actor: str, handlers: list[str],
                procedure: str = lc.ORDINARY, source: str = "", filed_on: date | None = None,
                violation_date: date | None = None, party: PartyInput | None = None, salt: str = "",
                long_limitation: bool = False, today: date | None = None) -> Case:
    """立案 (ordinary procedure: number allocated, 90-day clock starts) or open an on-the-spot
    simple-procedure case (no 立案). ≥2 handlers with valid credentials are required (第四十二条)."""
    today = today or date.today()
    if procedure not in lc.PROCEDURES:
        raise InputError(f"程序应为：{'、'.join(lc.PROCEDURES)}", field="procedure")
    if not (cause or "").strip():
        raise InputError("案由不能为空", field="cause")
    if party is not None:
        party = party.validated()  # bad identifiers are refused before anything is written
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(f"执法机关不存在（id={agency_id}）")
    filed_on = _as_date(filed_on, "立案日") or today if procedure == lc.ORDINARY else None
    violation_date = _as_date(violation_date, "违法行为发生日")
    if violation_date and violation_date > today:
        raise InputError("违法行为发生日不能晚于今天", field="violation_date")
    users = [_user(session, u) for u in dict.fromkeys(handlers or [])]
    for u in users:
        if roles.HANDLER not in u.role_names:
            raise InputError(f"“{u.username}”不具有承办人角色", field="handlers")
    case = Case(agency_id=agency_id, cause=cause.strip(), procedure=procedure, state=lc.INITIAL_STATE[procedure],
                source=source, filed_on=filed_on, violation_date=violation_date, created_by=actor,
                review_reasons=[], hearing_required=False, review_required=False, collective_required=False,
                major=False, multi_relation=False, public_interest=False, statement_waived=False,
                hearing_held=False, hearing_waived=False, extension_days=0)
    ctx = lc.GateContext(case=case, actor_username=actor, actor_roles=frozenset(), actor_is_handler=True,
                         handlers=[_handler_dict(u) for u in users], party_kinds=[], violations=[], today=filed_on or today)
    lc.run_gate("two_handlers", ctx)
    if violation_date:
        years = 5 if long_limitation else 2
        limit = statutory_due(violation_date, years, "年")
        if (filed_on or today) > limit.day:
            raise GateRefused(f"违法行为在{years}年内未被发现的，不再给予行政处罚（违法行为发生或终了日"
                              f"{violation_date.isoformat()}，时效至{limit.day.isoformat()}）",
                              article=lc.art("第三十六条"), gate="limitation")
    session.add(case)
    session.flush()
    for u in users:
        session.add(CaseHandler(case_id=case.id, user_id=u.id, assigned_by=actor))
    if procedure == lc.ORDINARY:
        case.case_number = allocate(session, agency_id, CASE_NUMBER_KIND, actor=actor, year=filed_on.year,
                                    case_id=case.id).number
    _event(session, case, None, case.state, actor, lc.art("第五十四条") if procedure == lc.ORDINARY else lc.art("第五十一条"),
           {"handlers": [u.username for u in users], "case_number": case.case_number})
    log_action(session, case_id=case.id, actor=actor, action="case.create",
               detail={"case_number": case.case_number, "cause": case.cause, "procedure": procedure,
                       "handlers": [u.username for u in users], "filed_on": filed_on},
               private_names=(party.name,) if party is not None and party.kind == "自然人" else ())
    if party is not None:
        add_party(session, case.id, party, actor=actor, salt=salt)
    return case


def _event(session: Session, case: Case, from_state, to_state, actor: str, article: str, payload: dict,
           kind: str = "transition") -> None:
    session.add(CaseEvent(case_id=case.id, kind=kind, from_state=from_state, to_state=to_state, actor=actor,
                          article=article, payload=_jsonable(payload)))
    session.flush()


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in (data or {}).items()}


def _apply_review_rules(case: Case, penalty: lc.Penalty | None, party_kinds: list[str], settings: dict) -> None:
    """第五十八条: once a rule matches, review_required stays set (users cannot clear it)."""
    hits = lc.review_matches(case, penalty, party_kinds, settings)
    known = {r.get("id") for r in case.review_reasons or []}
    new = [h for h in hits if h["id"] not in known]
    if new:
        case.review_required = True
        case.review_reasons = list(case.review_reasons or []) + new


def advance(session: Session, case_id: int, to_state: str, *, actor: str, payload: dict | None = None,
            today: date | None = None) -> Case:
    """Move a case to ``to_state`` if every gate of that transition passes."""
    case = get_case(session, case_id)
    today = today or date.today()
    payload = dict(payload or {})
    if to_state == lc.DECISION and not payload.get("penalty") and case.notice:
        # 第四十五条: by default the decision is exactly what was notified (never heavier)
        payload["penalty"] = lc.Penalty.from_payload(case.notice).as_dict()
    ctx = _context(session, case, actor, payload, today)
    if to_state in (lc.PRIOR_NOTICE, lc.DECISION, lc.NO_PENALTY, lc.ON_SPOT_DECISION):
        penalty = ctx.proposed if to_state != lc.NO_PENALTY else None
        _apply_review_rules(case, penalty, ctx.party_kinds, ctx.agency_settings)
    transition = lc.check_transition(ctx, to_state)
    from_state = case.state
    effects = _effects(session, case, to_state, actor, payload, ctx, today)
    case.state = to_state
    _event(session, case, from_state, to_state, actor, transition.article, {**payload, **effects})
    log_action(session, case_id=case.id, actor=actor, action="case.advance",
               detail={"from": from_state, "to": to_state, "article": transition.article, **_jsonable(effects)})
    return case


def _record_precedent(session: Session, case: Case) -> None:
    """Every decided case becomes a precedent for similar-case comparison (same transaction)."""
    from assistant.discretion.repository import saved_band
    from assistant.precedents import add_decided_case

    parties = _parties(session, case.id)
    violations = session.execute(select(Violation).where(Violation.case_id == case.id)).scalars().all()
    quantities: dict = {}
    for v in violations:
        quantities.update(v.quantities or {})
    decision = lc.Penalty.from_payload(case.decision)

    def _num(*keys):
        for k in keys:
            if quantities.get(k) is not None:
                return float(quantities[k])
        return None

    add_decided_case(
        session, case_id=case.id, document_no=case.decision_number, agency=session.get(Agency, case.agency_id).name,
        decided_on=case.decided_on, party_kind=parties[0].kind if parties else None,
        party_name=parties[0].name if parties else None,
        facts="\n".join(v.description for v in violations) or str((case.notice or {}).get("facts") or case.cause),
        violated=[v.violated_provision for v in violations if v.violated_provision],
        penalty=[v.penalty_provision for v in violations if v.penalty_provision],
        violated_ids=[int(i) for v in violations for i in (v.violated_article_ids or [])],
        penalty_ids=[int(i) for v in violations for i in (v.penalty_article_ids or [])],
        penalty_types=list(decision.types) if case.outcome != lc.NO_PENALTY else [lc.NO_PENALTY],
        fine=decision.fine if case.outcome != lc.NO_PENALTY else None,
        confiscation=decision.confiscation or None,
        illegal_gains=_num("违法所得", "illegal_gains"), goods_value=_num("货值金额", "货值", "goods_value"),
        band=(case.notice or {}).get("band") or saved_band(session, case.id),
        violation_code=next((v.benchmark_ref for v in violations if v.benchmark_ref), None))


def _effects(session: Session, case: Case, to_state: str, actor: str, payload: dict, ctx: lc.GateContext,
             today: date) -> dict:
    settings = ctx.agency_settings
    if to_state in (lc.PRIOR_NOTICE, lc.ON_SPOT_NOTICE):
        served = _as_date(payload.get("served_on"), "告知书送达日") or today
        penalty = ctx.proposed
        hearing = lc.hearing_triggers(penalty, ctx.party_kinds, settings) if case.procedure == lc.ORDINARY else []
        number = allocate(session, case.agency_id, "告", actor=actor, year=served.year, case_id=case.id).number \
            if case.procedure == lc.ORDINARY else None
        case.notice = {**penalty.as_dict(), "facts": payload.get("facts"), "reasons": payload.get("reasons"),
                       "basis": payload.get("basis"), "hearing_rights_stated": bool(payload.get("hearing_rights_stated")),
                       "number": number, **({"band": payload["band"]} if payload.get("band") else {})}
        case.notice_served_on = served
        case.hearing_required = bool(hearing)
        case.statement_waived = False
        case.statement_due = lc.statement_due(served, settings) if case.procedure == lc.ORDINARY else served
        return {"notice_number": number, "statement_due": case.statement_due, "hearing_required": bool(hearing)}
    if to_state in (lc.DECISION, lc.ON_SPOT_DECISION):
        kind = "罚"
        case.decision = ctx.proposed.as_dict()
        case.decided_on, case.decided_by = today, _user(session, actor).id
        from assistant.simple_forms import has_form, take_form  # 第五十二条: pre-numbered on-the-spot form

        if to_state == lc.ON_SPOT_DECISION and has_form(session, case.id, actor, year=today.year):
            case.decision_number = take_form(session, case.id, actor, year=today.year).number
        else:
            case.decision_number = allocate(session, case.agency_id, kind, actor=actor, year=today.year,
                                            case_id=case.id).number
        case.outcome = "处罚"
        _record_precedent(session, case)
        return {"decision_number": case.decision_number}
    if to_state == lc.NO_PENALTY:
        case.decision = {"types": [], "fine": 0, "confiscation": 0, "ground": payload.get("ground")}
        case.decided_on, case.decided_by, case.outcome = today, _user(session, actor).id, lc.NO_PENALTY
        case.decision_number = allocate(session, case.agency_id, "不罚", actor=actor, year=today.year, case_id=case.id).number
        _record_precedent(session, case)
        return {"decision_number": case.decision_number}
    if to_state == lc.LEGAL_REVIEW and not case.review_required:
        # A case sent to 法制审核 (required or chosen) may not be decided until that review passes (第五十八条).
        case.review_required = True
        case.review_reasons = list(case.review_reasons or []) + [
            {"id": "submitted", "text": "已送法制审核，审核通过前不得作出决定", "article": lc.art("第五十八条")}]
    if to_state == lc.SERVICE:
        case.served_on = _as_date(payload.get("served_on"), "送达日")
        return {"served_on": case.served_on}
    if to_state in (lc.TRANSFERRED, lc.TERMINATED):
        case.outcome = to_state
        return {}
    if to_state == lc.CLOSED:
        case.closed_on = today
        return {"closed_on": today}
    if to_state == lc.INVESTIGATION and case.state == lc.LEGAL_REVIEW:
        case.review_passed_at = None  # 退回补充调查: the next round must be reviewed again
    return {}


# -- statements, hearing, review, collective discussion ----------------------------------------------

def record_statement(session: Session, case_id: int, *, actor: str, kind: str, content: str = "",
                     on: date | None = None) -> CaseStatement:
    """陈述 / 申辩 / 放弃陈述申辩 (waiver, 第六十二条) / 听证申请 (第六十四条第（一）项) / 放弃听证 / 复核意见."""
    case = get_case(session, case_id)
    on = _as_date(on, "日期") or date.today()
    if kind not in STATEMENT_KINDS:
        raise InputError(f"陈述申辩记录类型应为：{'、'.join(STATEMENT_KINDS)}", field="kind")
    if case.notice_served_on is None:
        raise GateRefused("尚未告知拟作出的行政处罚，不能登记陈述、申辩或听证申请", article=lc.art("第四十四条"), gate="notice")
    if kind == "听证申请":
        if not case.hearing_required:
            raise GateRefused("本案拟作出的处罚不属于应当告知听证权利的情形", article=lc.art("第六十三条"), gate="hearing")
        due = add_working_days(case.notice_served_on, 5).day
        if on > due:
            raise GateRefused(f"当事人要求听证，应当在行政机关告知后五日内提出（期限至{due.isoformat()}）",
                              article=lc.art("第六十四条第（一）项"), gate="hearing_request")
        case.hearing_requested_on = on
    elif kind == "放弃陈述申辩":
        case.statement_waived = True
    elif kind == "放弃听证":
        case.hearing_waived = True
    row = CaseStatement(case_id=case.id, kind=kind, content=content or "", on=on, recorded_by=actor)
    session.add(row)
    session.flush()
    _event(session, case, case.state, case.state, actor, lc.art("第四十五条"), {"statement": kind, "on": on}, kind="statement")
    log_action(session, case_id=case.id, actor=actor, action="case.statement", detail={"kind": kind, "on": on})
    return row


def record_waiver(session: Session, case_id: int, *, actor: str, on: date | None = None, content: str = "") -> CaseStatement:
    return record_statement(session, case_id, actor=actor, kind="放弃陈述申辩", content=content, on=on)


def schedule_hearing(session: Session, case_id: int, *, actor: str, host: str, hearing_date: date,
                     notified_on: date) -> Case:
    """第六十四条: host is not an investigator of the case; notice ≥7 working days before."""
    case = get_case(session, case_id)
    hearing_date, notified_on = _as_date(hearing_date, "听证日"), _as_date(notified_on, "通知日")
    host_user = _user(session, host)
    if _is_handler(session, case.id, host_user.id):
        raise GateRefused("听证由行政机关指定的非本案调查人员主持", article=lc.art("第六十四条第（四）项"), gate="host")
    if roles.HEARING_HOST not in host_user.role_names:
        raise InputError(f"“{host}”不具有听证主持人角色", field="host")
    latest = add_working_days(hearing_date, -7).day
    if notified_on > latest:
        raise GateRefused(f"应当在举行听证的七日前通知当事人（听证日{hearing_date.isoformat()}，最迟{latest.isoformat()}通知）",
                          article=lc.art("第六十四条第（二）项"), gate="hearing_notice")
    case.hearing_host_id, case.hearing_date = host_user.id, hearing_date
    _event(session, case, case.state, case.state, actor, lc.art("第六十四条"),
           {"host": host, "hearing_date": hearing_date, "notified_on": notified_on}, kind="hearing_scheduled")
    log_action(session, case_id=case.id, actor=actor, action="case.hearing_schedule",
               detail={"host": host, "hearing_date": hearing_date, "notified_on": notified_on})
    return case


def record_hearing_held(session: Session, case_id: int, *, actor: str, held_on: date | None = None) -> Case:
    case = get_case(session, case_id)
    host = _user(session, actor)
    if case.hearing_host_id != host.id:
        raise GateRefused("听证笔录须由指定的听证主持人登记", article=lc.art("第六十四条第（四）项"), gate="host")
    case.hearing_held = True
    _apply_review_rules(case, None, [], _agency_settings(session, case))  # 第五十八条第一款第（二）项
    _event(session, case, case.state, case.state, actor, lc.art("第六十五条"), {"held_on": held_on or date.today()},
           kind="hearing_held")
    log_action(session, case_id=case.id, actor=actor, action="case.hearing_held", detail={"held_on": held_on})
    return case


def record_review_result(session: Session, case_id: int, *, reviewer: str, result: str, opinion: str = "",
                         findings: list | None = None) -> CaseReview:
    """One 法制审核 round. Only a 法制审核人员 who is not a handler of the case may review; a
    first-time reviewer needs 法律职业资格 (第五十八条第二款). Every round is kept."""
    case = get_case(session, case_id)
    if result not in REVIEW_RESULTS:
        raise InputError(f"审核结论应为：{'、'.join(REVIEW_RESULTS)}", field="result")
    user = _user(session, reviewer)
    if roles.REVIEWER not in user.role_names:
        raise GateRefused(f"“{reviewer}”不是法制审核人员，不能作出审核意见", article=lc.art("第五十八条"), gate="reviewer")
    if _is_handler(session, case.id, user.id):
        raise GateRefused("承办人不能审核自己承办的案件（办、审、定分离）", article=lc.art("第五十八条"), gate="reviewer")
    if case.state != lc.LEGAL_REVIEW:
        raise GateRefused(f"案件处于“{case.state}”阶段，尚未送法制审核", article=lc.art("第五十八条"), gate="sequence")
    earlier = session.execute(select(func.count()).select_from(CaseReview).where(CaseReview.reviewer_id == user.id)).scalar()
    if not earlier and not user.legal_qualification:
        raise GateRefused("初次从事行政处罚决定法制审核的人员，应当取得法律职业资格",
                          article=lc.art("第五十八条第二款"), gate="reviewer_qualification")
    rounds = session.execute(select(func.count()).select_from(CaseReview).where(CaseReview.case_id == case.id)).scalar()
    row = CaseReview(case_id=case.id, round=rounds + 1, reviewer_id=user.id, result=result, opinion=opinion,
                     findings=list(findings or []))
    session.add(row)
    case.review_passed_at = datetime.now().replace(microsecond=0) if result == "通过" else None
    case.review_passed_by = user.id if result == "通过" else None
    session.flush()
    _event(session, case, case.state, case.state, reviewer, lc.art("第五十八条"), {"round": row.round, "result": result},
           kind="review")
    log_action(session, case_id=case.id, actor=reviewer, action="case.review",
               detail={"round": row.round, "result": result})
    return row


def mark_review_passed(session: Session, case_id: int, reviewer: str, opinion: str = "同意") -> CaseReview:
    return record_review_result(session, case_id, reviewer=reviewer, result="通过", opinion=opinion)


def mark_review_failed(session: Session, case_id: int, reviewer: str, opinion: str, findings: list | None = None) -> CaseReview:
    return record_review_result(session, case_id, reviewer=reviewer, result="存在问题", opinion=opinion, findings=findings)


def record_collective_discussion(session: Session, case_id: int, *, actor: str, participants: list[str],
                                 conclusion: str, on: date | None = None) -> Case:
    """第五十七条第二款; blocked until any required 法制审核 has passed (domain-spec §8)."""
    case = get_case(session, case_id)
    ctx = _context(session, case, actor, {}, on or date.today())
    lc.run_gate("actor_is_head", ctx)
    lc.run_gate("review_passed", ctx)
    if case.state != lc.COLLECTIVE:
        raise GateRefused(f"案件处于“{case.state}”阶段，尚未提请集体讨论", article=lc.art("第五十七条第二款"), gate="sequence")
    if len(participants or []) < 2 or not (conclusion or "").strip():
        raise InputError("集体讨论须登记参加人（至少二人）和讨论结论", field="participants")
    case.collective_at = datetime.now().replace(microsecond=0)
    _event(session, case, case.state, case.state, actor, lc.art("第五十七条第二款"),
           {"participants": list(participants), "conclusion": conclusion}, kind="collective")
    log_action(session, case_id=case.id, actor=actor, action="case.collective",
               detail={"participants": list(participants), "conclusion": conclusion})
    return case


def record_extension(session: Session, case_id: int, *, actor: str, days: int, basis: str) -> Case:
    """第六十条 allows 法律、法规、规章 to set another limit: record the extension and its basis."""
    case = get_case(session, case_id)
    lc.run_gate("actor_is_head", _context(session, case, actor, {}, date.today()))
    if days <= 0 or not (basis or "").strip():
        raise InputError("延期须登记天数和法律、法规、规章依据", field="basis")
    case.extension_days = int(case.extension_days or 0) + int(days)
    case.extension_basis = basis.strip()
    _event(session, case, case.state, case.state, actor, lc.art("第六十条"), {"days": days, "basis": basis}, kind="extension")
    log_action(session, case_id=case.id, actor=actor, action="case.extension", detail={"days": days, "basis": basis})
    return case


def record_preservation(session: Session, case_id: int, *, actor: str, on: date | None = None) -> Case:
    """先行登记保存, approved by the 机关负责人 (第五十六条); starts the 7-working-day clock."""
    case = get_case(session, case_id)
    lc.run_gate("actor_is_head", _context(session, case, actor, {}, on or date.today()))
    case.preserved_on = on or date.today()
    _event(session, case, case.state, case.state, actor, lc.art("第五十六条"), {"on": case.preserved_on}, kind="preservation")
    log_action(session, case_id=case.id, actor=actor, action="case.preservation", detail={"on": case.preserved_on})
    return case


def set_flags(session: Session, case_id: int, *, actor: str, **flags: bool) -> Case:
    """Set case flags. ``review_required`` can be set but never cleared by a user (第五十八条);
    clearing ``collective_required`` needs the 机关负责人."""
    case = get_case(session, case_id)
    unknown = set(flags) - set(FLAG_NAMES)
    if unknown:
        raise InputError(f"未知的案件标记：{'、'.join(sorted(unknown))}", field="flags")
    if flags.get("review_required") is False and case.review_required:
        raise GateRefused("法制审核标记一经设置，用户不能取消", article=lc.art("第五十八条"), gate="review_flag")
    if flags.get("collective_required") is False and case.collective_required:
        lc.run_gate("actor_is_head", _context(session, case, actor, {}, date.today()))
    for name, value in flags.items():
        setattr(case, name, bool(value))
    if flags.get("review_required"):
        case.review_reasons = list(case.review_reasons or []) + [{"id": "manual", "text": f"{actor}标记须法制审核",
                                                                  "article": lc.art("第五十八条")}]
    if flags.get("major"):
        case.collective_required = True
    _apply_review_rules(case, lc.Penalty.from_payload(case.notice) if case.notice else None,
                        [p.kind for p in _parties(session, case.id)], _agency_settings(session, case))
    log_action(session, case_id=case.id, actor=actor, action="case.flags", detail={k: bool(v) for k, v in flags.items()})
    return case
