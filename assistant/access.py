"""调阅 (access to another unit's records, spec §6 / [004]).

Flow: :func:`request_access` (requester, unit, 内部/外部, purpose, records, mode view|copy|loan;
external requests carry the 调阅函 reference) → :func:`approve_access` by a user of the owning agency who holds its configured
approver role (``Agency.settings["access_approver_role"]``: 机关负责人 by default, or 记录管理员) —
the role is read from the users table, never taken from the caller; refused approvals are logged
→ :func:`issue_access` → :func:`return_access` with a return check. :func:`authorize` is called
by every view/download of a record: a user of the owning unit passes; anyone else needs an
approved, issued-or-approved, unexpired, unreturned request covering the record and the mode.
A refusal raises :class:`PermissionDenied` *after* logging ``access.refused`` and committing it,
so the refusal survives the caller's rollback.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import roles
from assistant.audit import log_action
from assistant.errors import InputError, NotFoundError, PermissionDenied
from assistant.store.record_tables import AccessRequest, ProcessRecord

log = logging.getLogger(__name__)

SCOPES = ("内部", "外部")
MODES = ("view", "copy", "loan")
MODE_LABELS = {"view": "查阅", "copy": "复制", "loan": "借出"}
APPROVER_ROLES = (roles.HEAD, roles.RECORDS_KEEPER)
DEFAULT_DAYS = 7
# which request modes allow which use: a copy or loan allows viewing; only copy/loan allow download
_ALLOWS = {"view": {"view", "copy", "loan"}, "copy": {"copy", "loan"}}


def approver_role(session: Session, agency_id: int | None) -> str:
    """The role that approves 调阅 of this agency's records (agency config, default 机关负责人)."""
    if agency_id is not None:
        try:
            from assistant.store.case_tables import Agency
        except ImportError:  # pragma: no cover - case store not installed
            Agency = None
        if Agency is not None:
            agency = session.get(Agency, agency_id)
            role = (agency.settings or {}).get("access_approver_role") if agency else None
            if role:
                if role not in APPROVER_ROLES:
                    raise InputError(f"机关配置的调阅审批角色“{role}”无效（可选：{'、'.join(APPROVER_ROLES)}）",
                                     field="access_approver_role")
                return role
    return roles.HEAD


def _case_of(session: Session, record_ids: list[int]) -> int | None:
    rec = session.get(ProcessRecord, record_ids[0]) if record_ids else None
    return rec.case_id if rec else None


def request_access(session: Session, *, requester: str, requester_unit: int | None, scope: str,
                   purpose: str, record_ids: Iterable[int], mode: str = "view",
                   letter_ref: str | None = None, now: datetime | None = None) -> AccessRequest:
    ids = sorted({int(i) for i in record_ids})
    if scope not in SCOPES:
        raise InputError(f"调阅类型“{scope}”无效（可选：内部、外部）", field="scope")
    if mode not in MODES:
        raise InputError(f"调阅方式“{mode}”无效（可选：view 查阅、copy 复制、loan 借出）", field="mode")
    if not purpose.strip():
        raise InputError("调阅申请必须写明用途", field="purpose")
    if scope == "外部" and not (letter_ref or "").strip():
        raise InputError("外部调阅须提供调阅函编号", field="letter_ref")
    if not ids:
        raise InputError("调阅申请未列明记录", field="record_ids")
    recs = [session.get(ProcessRecord, i) for i in ids]
    missing = [str(i) for i, r in zip(ids, recs) if r is None]
    if missing:
        raise InputError(f"记录不存在：{'、'.join(missing)}", field="record_ids")
    owners = {r.agency_id for r in recs}
    if len(owners) != 1:
        raise InputError("一份调阅申请只能调阅同一单位的记录", field="record_ids")
    now = (now or datetime.now()).replace(tzinfo=None)
    req = AccessRequest(requester=requester, requester_unit=requester_unit, owner_unit=owners.pop(),
                        scope=scope, purpose=purpose.strip(), record_ids=ids, mode=mode,
                        letter_ref=letter_ref, status="pending", requested_at=now)
    session.add(req)
    session.flush()
    log_action(session, case_id=recs[0].case_id, actor=requester, action="access.request",
               detail={"request_id": req.id, "records": ids, "mode": mode, "scope": scope,
                       "requester_unit": requester_unit, "owner_unit": req.owner_unit}, at=now)
    return req


def _get(session: Session, request_id: int) -> AccessRequest:
    req = session.get(AccessRequest, request_id)
    if req is None:
        raise NotFoundError(f"调阅申请 {request_id} 不存在")
    return req


def _approver_refused(session: Session, req: AccessRequest, *, approver: str, action: str, reason: str,
                      now: datetime) -> PermissionDenied:
    """Log (and commit) a refused approval, so the attempt survives the caller's rollback."""
    log_action(session, case_id=_case_of(session, req.record_ids), actor=approver, action="access.approve_refused",
               detail={"request_id": req.id, "attempt": action, "reason": reason}, at=now)
    session.commit()
    log.warning("access approval refused: %s on request %s (%s)", approver, req.id, reason)
    return PermissionDenied(reason)


def _check_approver(session: Session, req: AccessRequest, approver: str, *, action: str, now: datetime) -> str:
    """The approver's roles and unit come from the users table, never from the caller: the user must
    exist, be active, hold the owning agency's configured approver role and belong to that agency."""
    from assistant.store.case_tables import User

    need = approver_role(session, req.owner_unit)
    user = session.execute(select(User).where(User.username == approver)).scalar_one_or_none()
    if user is None or not user.active:
        raise _approver_refused(session, req, approver=approver, action=action, now=now,
                                reason=f"调阅申请须由{need}审批，用户“{approver}”不存在或已停用")
    if need not in user.role_names:
        raise _approver_refused(session, req, approver=approver, action=action, now=now,
                                reason=f"调阅申请须由{need}审批，{approver}无此角色")
    if req.owner_unit is not None and user.agency_id != req.owner_unit:
        raise _approver_refused(session, req, approver=approver, action=action, now=now,
                                reason=f"调阅申请须由记录所属单位的{need}审批，{approver}不属于该单位")
    if approver == req.requester:
        raise _approver_refused(session, req, approver=approver, action=action, now=now,
                                reason="申请人不能审批自己的调阅申请")
    return need


def approve_access(session: Session, request_id: int, *, approver: str, days: int = DEFAULT_DAYS,
                   now: datetime | None = None) -> AccessRequest:
    """Approve a pending request. ``approver`` is a username; their role is read from the users
    table (:func:`_check_approver`). Refusals are logged (``access.approve_refused``) and committed."""
    req = _get(session, request_id)
    now = (now or datetime.now()).replace(tzinfo=None)
    need = _check_approver(session, req, approver, action="approve", now=now)
    if req.status != "pending":
        raise InputError(f"调阅申请 {request_id} 当前状态为 {req.status}，不能审批", field="status")
    if days <= 0:
        raise InputError("调阅期限必须大于 0 天", field="days")
    req.status, req.approver, req.approver_role = "approved", approver, need
    req.approved_at, req.expires_at = now, now + timedelta(days=days)
    log_action(session, case_id=_case_of(session, req.record_ids), actor=approver, action="access.approve",
               detail={"request_id": req.id, "role": need, "expires_at": req.expires_at}, at=now)
    return req


def reject_access(session: Session, request_id: int, *, approver: str, reason: str,
                  now: datetime | None = None) -> AccessRequest:
    req = _get(session, request_id)
    now = (now or datetime.now()).replace(tzinfo=None)
    need = _check_approver(session, req, approver, action="reject", now=now)
    if req.status != "pending":
        raise InputError(f"调阅申请 {request_id} 当前状态为 {req.status}，不能审批", field="status")
    req.status, req.approver, req.approver_role = "rejected", approver, need
    req.approved_at = now
    log_action(session, case_id=_case_of(session, req.record_ids), actor=approver, action="access.reject",
               detail={"request_id": req.id, "reason": reason}, at=now)
    return req


def issue_access(session: Session, request_id: int, *, actor: str, now: datetime | None = None) -> AccessRequest:
    """记录管理员 hands the records over (登记 issued)."""
    req = _get(session, request_id)
    if req.status != "approved":
        raise InputError(f"调阅申请 {request_id} 未获批准（状态 {req.status}），不能发放", field="status")
    req.issued_at = (now or datetime.now()).replace(tzinfo=None)
    req.status = "issued"
    log_action(session, case_id=_case_of(session, req.record_ids), actor=actor, action="access.issue",
               detail={"request_id": req.id}, at=req.issued_at)
    return req


def return_access(session: Session, request_id: int, *, checked_by: str, check: str = "完好",
                  now: datetime | None = None) -> AccessRequest:
    """Register the return and its check (归还、检查); access ends."""
    req = _get(session, request_id)
    if req.status not in ("approved", "issued"):
        raise InputError(f"调阅申请 {request_id} 状态为 {req.status}，不能登记归还", field="status")
    req.returned_at = (now or datetime.now()).replace(tzinfo=None)
    req.return_check, req.return_checked_by, req.status = check, checked_by, "returned"
    log_action(session, case_id=_case_of(session, req.record_ids), actor=checked_by, action="access.return",
               detail={"request_id": req.id, "check": check}, at=req.returned_at)
    return req


def authorize(session: Session, record: ProcessRecord, *, actor: str, actor_unit: int | None,
              mode: str = "view", now: datetime | None = None) -> int | None:
    """Allow ``actor`` to use ``record`` in ``mode`` (view | copy); return the request id used
    (None for the owning unit). Refusals are logged (and committed) then raised."""
    if record.agency_id is None or actor_unit == record.agency_id:
        return None
    now = (now or datetime.now()).replace(tzinfo=None)
    reqs = session.execute(select(AccessRequest).where(
        AccessRequest.requester == actor, AccessRequest.status.in_(("approved", "issued")))).scalars()
    expired = False
    for req in reqs:
        if record.id not in req.record_ids or req.mode not in _ALLOWS[mode]:
            continue
        if req.expires_at is not None and now >= req.expires_at:
            expired = True
            continue
        return req.id
    reason = "调阅期限已过" if expired else "没有经批准的调阅申请"
    log_action(session, case_id=record.case_id, actor=actor, action="access.refused",
               detail={"record_id": record.id, "mode": mode, "actor_unit": actor_unit,
                       "owner_unit": record.agency_id, "reason": reason}, at=now)
    session.commit()
    log.warning("access refused: %s on record %s (%s)", actor, record.id, reason)
    raise PermissionDenied(f"无权{MODE_LABELS.get(mode, mode)}记录 {record.id}：该记录属于其他单位，{reason}。"
                           "请先提交调阅申请并经审批。")


def expire_requests(session: Session, now: datetime | None = None) -> int:
    """Mark approved/issued requests past their expiry as expired (access already ends at expiry)."""
    now = (now or datetime.now()).replace(tzinfo=None)
    n = 0
    for req in session.execute(select(AccessRequest).where(AccessRequest.status.in_(("approved", "issued")),
                                                           AccessRequest.expires_at <= now)).scalars():
        req.status = "expired"
        log_action(session, case_id=_case_of(session, req.record_ids), actor="system", action="access.expire",
                   detail={"request_id": req.id, "issued": req.issued_at is not None,
                           "returned": False}, at=now)
        n += 1
    return n
