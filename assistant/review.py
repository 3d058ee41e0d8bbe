"""The 法制审核 workspace over the case store: 送审 (submit), 审核 (decide), 集体讨论 (escalate),
round diffs and the 法制审核意见书.

    with db.session() as s:
        r = submit(s, case_id, "zhang3", draft_text, materials=["现场笔录", "询问笔录"], store=statutes)
        decide(s, case_id, "sun_review", "存在问题", "罚款缴纳期限未写明", {"文书规范齐备": ("存在问题", "补充十五日")})
        submit(s, case_id, "zhang3", revised_text, materials=[...])   # round 2
        print(round_diff(s, case_id, 2))

A round is one submission: a new :class:`DocumentVersion` of the case's 行政处罚决定书 (never
overwritten) whose ``content`` carries the draft, materials, statements, explanation and the
automatic checklist findings; the reviewer's decision for round *n* is the :class:`CaseReview` row
with ``round == n``. Separation of duties (《中华人民共和国行政处罚法》第五十八条) is enforced here as
well as in the case service: a refused attempt is audit-logged and that log entry is committed
before :class:`PermissionDenied` is raised, so the refusal survives the caller's rollback.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant import cases as svc
from assistant import lifecycle as lc
from assistant import roles
from assistant.audit import log_action
from assistant.auth import credential_valid
from assistant.checklist import ITEMS, Finding, ReviewContext, run_checklist, summary
from assistant.errors import InputError, NotFoundError, PermissionDenied
from assistant.store.case_tables import (Agency, CaseReview, CaseStatement, Document, DocumentVersion, Evidence,
                                         User, Violation)

DECISION_KIND = "行政处罚决定书"
OUTCOMES = ("同意", "存在问题")
ITEM_DECISIONS = ("符合", "存在问题")
ART_58 = "《中华人民共和国行政处罚法》第五十八条"
_ITEM_NAMES = tuple(name for name, _ in ITEMS)


@dataclass(frozen=True)
class ReviewRound:
    case_id: int
    round_no: int
    version_id: int
    submitted_by: str
    submitted_at: datetime
    draft_text: str
    materials: list[str]
    findings: list[dict]
    summary: dict[str, str]
    result: str | None = None      # 通过 | 存在问题 | None (pending)
    reviewer: str | None = None
    opinion: str = ""
    item_decisions: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


# -- helpers -----------------------------------------------------------------------------------

def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"用户“{username}”不存在")
    return user


def _refuse(session: Session, case_id: int, actor: str, action: str, message: str) -> None:
    """Log the refused attempt, commit that entry, and raise (the refusal itself is a record)."""
    log_action(session, case_id=case_id, actor=actor, action=f"{action}.refused", detail={"reason": message})
    session.commit()
    raise PermissionDenied(f"{message}（依据：{ART_58}）", article=ART_58)


def _decision_document(session: Session, case_id: int, actor: str, create: bool) -> Document | None:
    doc = session.execute(select(Document).where(Document.case_id == case_id, Document.kind == DECISION_KIND)
                          .order_by(Document.id)).scalars().first()
    if doc is None and create:
        doc = Document(case_id=case_id, kind=DECISION_KIND, title=DECISION_KIND, created_by=actor)
        session.add(doc)
        session.flush()
    return doc


def _submissions(session: Session, case_id: int) -> list[DocumentVersion]:
    doc = _decision_document(session, case_id, "", create=False)
    if doc is None:
        return []
    rows = session.execute(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)
                           .order_by(DocumentVersion.version_no)).scalars()
    return [v for v in rows if (v.content or {}).get("review_round")]


def _submission(session: Session, case_id: int, round_no: int) -> DocumentVersion:
    for v in _submissions(session, case_id):
        if v.content["review_round"] == round_no:
            return v
    raise NotFoundError(f"案件（id={case_id}）没有第{round_no}轮送审记录")


def _reviews(session: Session, case_id: int) -> dict[int, CaseReview]:
    rows = session.execute(select(CaseReview).where(CaseReview.case_id == case_id)).scalars()
    return {r.round: r for r in rows}


def _party_kind(kind: str | None) -> str | None:
    if kind is None:
        return None
    return "自然人" if kind == "自然人" else "法人或者其他组织"


def build_context(session: Session, case_id: int, *, reviewer: str | None = None,
                  today: date | None = None) -> ReviewContext:
    """The checklist's :class:`ReviewContext` from the structured case data."""
    case = svc.get_case(session, case_id)
    today = today or date.today()
    handlers = svc._handlers(session, case.id)
    parties = svc._parties(session, case.id)
    agency = session.get(Agency, case.agency_id)
    notice = case.notice or {}
    quantities: dict = {}
    for v in session.execute(select(Violation).where(Violation.case_id == case.id)).scalars():
        quantities.update(v.quantities or {})
    evidence = session.execute(select(Evidence.type).where(Evidence.case_id == case.id)).scalars().all()
    reviewer_user = session.execute(select(User).where(User.username == reviewer)).scalar_one_or_none() \
        if reviewer else None
    hearing_offered = None
    if case.notice is not None:
        hearing_offered = bool(notice.get("hearing_rights_stated") or case.hearing_held or case.hearing_waived
                               or case.hearing_requested_on)
    window_closed = None
    if case.notice_served_on is not None:
        window_closed = bool(case.statement_waived or (case.statement_due and today > case.statement_due))
    kind = parties[0].kind if parties else None
    return ReviewContext(
        filed_on=case.filed_on, violation_date=case.violation_date, decided_on=case.decided_on,
        party_name=parties[0].name if parties else None, party_kind=_party_kind(kind),
        notice_date=case.notice_served_on,
        notice_fine=float(notice["fine"]) if notice.get("fine") is not None else None,
        statement_window_closed=window_closed,
        hearing_offered=hearing_offered,
        handlers=[u.username for u in handlers],
        # the same rule as the 第四十二条 gate (assistant.auth.credential_valid): no expiry date = valid
        handler_credentials_valid={u.username: credential_valid(u, today) for u in handlers},
        reviewer=reviewer,
        reviewer_qualified=bool(reviewer_user.legal_qualification) if reviewer_user else None,
        evidence_types=list(evidence),
        agency_is_police="公安" in agency.name,
        goods_value=quantities.get("货值金额") or quantities.get("goods_value"),
        illegal_gains=quantities.get("违法所得") or quantities.get("illegal_gains"),
    )


def _finding_dict(f: Finding) -> dict:
    return asdict(f)


# -- actions -----------------------------------------------------------------------------------

def submit(session: Session, case_id: int, actor: str, draft_text: str, *, materials: list[str],
           explanation: str | None = None, store=None, today: date | None = None) -> ReviewRound:
    """送审: package the draft (a new version of the 决定书 — never overwritten), the materials,
    statements and the recommender's explanation; run the automatic checklist; move the case to
    法制审核 if it is not there yet. Only a handler of the case may submit."""
    case = svc.get_case(session, case_id)
    user = _user(session, actor)
    if not svc._is_handler(session, case.id, user.id):
        _refuse(session, case.id, actor, "review.submit", f"“{actor}”不是本案承办人，不能送法制审核")
    if not (draft_text or "").strip():
        raise InputError("送审的决定书草稿为空", field="draft")
    previous = _submissions(session, case.id)
    reviews = _reviews(session, case.id)
    if previous and previous[-1].content["review_round"] not in reviews:
        raise InputError(f"第{previous[-1].content['review_round']}轮送审尚未审核，不能重复送审", field="round")
    if reviews and any(r.result == "通过" for r in reviews.values()) and case.review_passed_at is not None:
        raise InputError("法制审核已通过，无需再次送审", field="round")
    if case.state != lc.LEGAL_REVIEW:
        svc.advance(session, case.id, lc.LEGAL_REVIEW, actor=actor, today=today)
    ctx = build_context(session, case.id, today=today)
    findings = run_checklist(draft_text, store, ctx)
    doc = _decision_document(session, case.id, actor, create=True)
    last_no = session.execute(select(func.max(DocumentVersion.version_no))
                              .where(DocumentVersion.document_id == doc.id)).scalar() or 0
    round_no = len(previous) + 1
    statements = session.execute(select(CaseStatement).where(CaseStatement.case_id == case.id)
                                 .order_by(CaseStatement.id)).scalars().all()
    if explanation is None and case.notice:
        explanation = case.notice.get("reasons")
    content = {
        "review_round": round_no, "text": draft_text, "materials": list(materials or []),
        "statements": [{"kind": s.kind, "on": s.on.isoformat(), "content": s.content} for s in statements],
        "explanation": explanation or "", "findings": [_finding_dict(f) for f in findings],
        "summary": summary(findings),
    }
    version = DocumentVersion(document_id=doc.id, version_no=last_no + 1, content=content, created_by=actor)
    session.add(version)
    session.flush()
    log_action(session, case_id=case.id, actor=actor, action="review.submit",
               detail={"round": round_no, "document_id": doc.id, "version_no": version.version_no,
                       "materials": len(content["materials"]),
                       "failed_items": [k for k, v in content["summary"].items() if v == "fail"]})
    return ReviewRound(**{**asdict(_round(version, None)), "case_id": case.id})


def decide(session: Session, case_id: int, reviewer: str, outcome: str, opinion: str,
           item_decisions: dict[str, tuple[str, str]] | None = None) -> ReviewRound:
    """审核 the latest submitted round. 同意 passes the review (case service ``mark_review_passed``);
    存在问题 records the opinion so the handler revises and resubmits."""
    case = svc.get_case(session, case_id)
    user = _user(session, reviewer)
    if svc._is_handler(session, case.id, user.id):
        _refuse(session, case.id, reviewer, "review.decide", "承办人不能审核自己承办的案件（办审分离）")
    if roles.REVIEWER not in user.role_names:
        _refuse(session, case.id, reviewer, "review.decide", f"“{reviewer}”不是法制审核人员，不能作出审核意见")
    if outcome not in OUTCOMES:
        raise InputError(f"审核结论应为：{'、'.join(OUTCOMES)}", field="outcome")
    item_decisions = dict(item_decisions or {})
    for item, value in item_decisions.items():
        if item not in _ITEM_NAMES:
            raise InputError(f"未知的审核事项“{item}”，应为：{'、'.join(_ITEM_NAMES)}", field="item_decisions")
        if not isinstance(value, (tuple, list)) or len(value) != 2 or value[0] not in ITEM_DECISIONS:
            raise InputError(f"审核事项“{item}”的结论应为（符合|存在问题, 说明）", field="item_decisions")
    if outcome == "存在问题" and not (opinion or "").strip():
        raise InputError("审核结论为“存在问题”时须写明审核意见", field="opinion")
    subs = _submissions(session, case.id)
    reviews = _reviews(session, case.id)
    if not subs or subs[-1].content["review_round"] in reviews:
        raise InputError("没有待审核的送审材料", field="round")
    version = subs[-1]
    if len(reviews) + 1 != version.content["review_round"]:
        raise InputError("审核轮次与送审轮次不一致", field="round")
    decisions = {k: {"decision": v[0], "note": v[1]} for k, v in item_decisions.items()}
    if outcome == "同意" and any(d["decision"] == "存在问题" for d in decisions.values()):
        raise InputError("逐项结论中有“存在问题”的事项，总体结论不能为“同意”", field="outcome")
    findings = [{"item_decisions": decisions}, *version.content.get("findings", [])]
    if outcome == "同意":
        row = svc.mark_review_passed(session, case.id, reviewer, opinion=opinion or "同意")
        row.findings = findings
    else:
        row = svc.mark_review_failed(session, case.id, reviewer, opinion, findings=findings)
    session.flush()
    log_action(session, case_id=case.id, actor=reviewer, action="review.decide",
               detail={"round": row.round, "outcome": outcome,
                       "items": {k: v["decision"] for k, v in decisions.items()}})
    return ReviewRound(**{**asdict(_round(version, row, reviewer)), "case_id": case.id})


def escalate(session: Session, case_id: int, actor: str, record: str, *, participants: list[str] | None = None,
             conclusion: str | None = None) -> None:
    """Disagreement between handler and reviewer → 集体讨论: set the flag and keep the record; when
    the 机关负责人 reports the discussion (``participants`` and ``conclusion``), record it through
    the case service (its gates apply: head only, after the required review)."""
    if not (record or "").strip():
        raise InputError("提请集体讨论须写明分歧情况记录", field="record")
    case = svc.get_case(session, case_id)
    svc.set_flags(session, case.id, actor=actor, collective_required=True)
    log_action(session, case_id=case.id, actor=actor, action="review.escalate", detail={"record": record})
    if participants:
        if case.state != lc.COLLECTIVE:
            svc.advance(session, case.id, lc.COLLECTIVE, actor=actor)
        svc.record_collective_discussion(session, case.id, actor=actor, participants=participants,
                                         conclusion=conclusion or record)


# -- views -------------------------------------------------------------------------------------

def _round(version: DocumentVersion, review: CaseReview | None, reviewer: str | None = None) -> ReviewRound:
    c = version.content
    decisions = None
    if review is not None:
        first = (review.findings or [{}])[0] if review.findings else {}
        decisions = first.get("item_decisions") if isinstance(first, dict) else None
    return ReviewRound(case_id=0, round_no=c["review_round"], version_id=version.id, submitted_by=version.created_by,
                       submitted_at=version.created_at, draft_text=c["text"], materials=list(c.get("materials", [])),
                       findings=list(c.get("findings", [])), summary=dict(c.get("summary", {})),
                       result=review.result if review else None, reviewer=reviewer,
                       opinion=review.opinion if review else "", item_decisions=decisions)


def rounds(session: Session, case_id: int) -> list[ReviewRound]:
    reviews = _reviews(session, case_id)
    out = []
    for v in _submissions(session, case_id):
        r = reviews.get(v.content["review_round"])
        name = session.get(User, r.reviewer_id).username if r else None
        out.append(_round(v, r, name))
    return [ReviewRound(**{**asdict(r), "case_id": case_id}) for r in out]


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；！？\n])", text)
    return [p.strip() + "\n" for p in parts if p.strip()]


def round_diff(session: Session, case_id: int, round_no: int) -> str:
    """Unified diff (one sentence per line) between the drafts of round ``round_no - 1`` and ``round_no``."""
    if round_no < 2:
        raise InputError("第1轮没有上一轮草稿可比较", field="round")
    old, new = _submission(session, case_id, round_no - 1), _submission(session, case_id, round_no)
    return "".join(difflib.unified_diff(_sentences(old.content["text"]), _sentences(new.content["text"]),
                                        fromfile=f"第{round_no - 1}轮送审稿", tofile=f"第{round_no}轮送审稿"))


def opinion_docx(session: Session, case_id: int, round_no: int) -> bytes:
    """The 法制审核意见书 of a decided round (.docx bytes)."""
    from assistant.documents.review_opinion import ItemOpinion, ReviewOpinion, build_review_opinion

    case = svc.get_case(session, case_id)
    version = _submission(session, case_id, round_no)
    review = _reviews(session, case_id).get(round_no)
    if review is None:
        raise InputError(f"第{round_no}轮尚未审核，不能生成法制审核意见书", field="round")
    reviewer = session.get(User, review.reviewer_id)
    agency = session.get(Agency, case.agency_id)
    parties = svc._parties(session, case.id)
    handlers = svc._handlers(session, case.id)
    c = version.content
    decisions = {}
    if review.findings and isinstance(review.findings[0], dict):
        decisions = review.findings[0].get("item_decisions") or {}
    worst = c.get("summary", {})
    items = []
    for name in _ITEM_NAMES:
        msgs = [f["message"] for f in c.get("findings", []) if f.get("item") == name and f.get("status") != "pass"]
        d = decisions.get(name)
        default = "存在问题" if worst.get(name) == "fail" and review.result != "通过" else "符合"
        items.append(ItemOpinion(item=name, automatic=worst.get(name, "manual"), findings=msgs,
                                 decision=d["decision"] if d else default, note=d["note"] if d else ""))
    outcome = "同意" if review.result == "通过" else "存在问题"
    op = ReviewOpinion(
        agency=agency.name, case_number=case.case_number or "", cause=case.cause,
        party="、".join(p.name for p in parties), submitting_unit=agency.name,
        handlers=[h.display_name for h in handlers], submitted_on=version.created_at.date(),
        materials=list(c.get("materials", [])), items=items, outcome=outcome, opinion=review.opinion,
        reviewer=reviewer.display_name, reviewer_qualified=bool(reviewer.legal_qualification),
        reviewed_on=review.at.date(), round_no=round_no,
        issues=[f"{it.item}：{it.note or '；'.join(it.findings)}" for it in items if it.decision == "存在问题"],
    )
    log_action(session, case_id=case.id, actor=reviewer.username, action="review.opinion_docx",
               detail={"round": round_no})
    return build_review_opinion(op)
