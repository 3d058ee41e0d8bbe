"""调阅: another unit's records are refused (and the refusal is logged) without an approved
request; approval needs the agency's configured role, read from the users table (never from the
caller), held by a user of the owning agency; refused approvals are logged; expiry and return end
the access."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from assistant import roles
from assistant.access import (approve_access, expire_requests, issue_access, reject_access,
                              request_access, return_access)
from assistant.errors import InputError, PermissionDenied
from assistant.records import RecordMeta, download_record, ingest_record, view_record
from assistant.store.audit_tables import AuditEntry
from assistant.store.case_tables import Agency
from assistant.store.record_tables import AccessRequest

from tests.records.records_helpers import meta, seed_users

OWNER, OTHER = 1, 2
T0 = datetime(2024, 6, 3, 9, 0)


@pytest.fixture
def record_id(db, files, clip):
    with db.session() as s:
        s.add_all([Agency(id=OWNER, name="甲区市场监管局", code="甲市监", settings={}),
                   Agency(id=OTHER, name="乙区市场监管局", code="乙市监",
                          settings={"access_approver_role": roles.RECORDS_KEEPER})])
        s.flush()
        seed_users(s, {"zhao": (roles.HEAD, OWNER), "keeper": (roles.RECORDS_KEEPER, OWNER),
                       "keeper2": (roles.RECORDS_KEEPER, OTHER), "zhao2": (roles.HEAD, OTHER),
                       "wu6": (roles.HEAD, OTHER)})
        rec = ingest_record(s, files, clip, RecordMeta.parse(meta(agency_id=OWNER)), actor="zhang",
                            max_bytes=10 << 20).record
        return rec.id


def _actions(db):
    with db.session(readonly=True) as s:
        return [(e.actor, e.action, e.detail) for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def test_own_unit_views_without_request(db, files, record_id):
    with db.session() as s:
        view_record(s, files, record_id, actor="li4", actor_unit=OWNER)
    assert _actions(db)[-1][1] == "record.view"


def test_other_unit_without_approval_is_refused_and_the_refusal_is_logged(db, files, record_id):
    with pytest.raises(PermissionDenied, match="调阅申请"):
        with db.session() as s:  # the caller's transaction rolls back; the refusal stays logged
            view_record(s, files, record_id, actor="wu6", actor_unit=OTHER)
    actor, action, detail = _actions(db)[-1]
    assert (actor, action) == ("wu6", "access.refused")
    assert detail["record_id"] == record_id and detail["reason"] == "没有经批准的调阅申请"
    # a pending (unapproved) request is not enough
    with db.session() as s:
        request_access(s, requester="wu6", requester_unit=OTHER, scope="内部", purpose="案件比对",
                       record_ids=[record_id], mode="view")
    with pytest.raises(PermissionDenied):
        with db.session() as s:
            view_record(s, files, record_id, actor="wu6", actor_unit=OTHER)
    assert [a[1] for a in _actions(db)].count("access.refused") == 2


def test_approval_needs_the_configured_role_and_ends_at_expiry_or_return(db, files, record_id, tmp_path):
    with db.session() as s:
        rid = request_access(s, requester="wu6", requester_unit=OTHER, scope="内部", purpose="案件比对",
                             record_ids=[record_id], mode="view", now=T0).id
    with db.session() as s, pytest.raises(PermissionDenied, match="机关负责人"):
        approve_access(s, rid, approver="keeper")
    with db.session() as s, pytest.raises(PermissionDenied, match="不属于该单位"):
        approve_access(s, rid, approver="zhao2")  # a 机关负责人, but of the requesting unit
    with db.session() as s, pytest.raises(PermissionDenied, match="不存在"):
        approve_access(s, rid, approver="nobody")
    with db.session() as s:
        req = approve_access(s, rid, approver="zhao", days=3, now=T0)
        assert (req.approver, req.approver_role, req.expires_at) == ("zhao", roles.HEAD, T0 + timedelta(days=3))
        issue_access(s, rid, actor="keeper", now=T0)
    with db.session() as s:
        view_record(s, files, record_id, actor="wu6", actor_unit=OTHER, now=T0 + timedelta(days=1))
    # view-only approval does not allow a copy
    with pytest.raises(PermissionDenied, match="复制"):
        with db.session() as s:
            download_record(s, files, record_id, tmp_path, actor="wu6", actor_unit=OTHER, now=T0 + timedelta(days=1))
    # after expiry: refused, with the reason
    with pytest.raises(PermissionDenied, match="期限已过"):
        with db.session() as s:
            view_record(s, files, record_id, actor="wu6", actor_unit=OTHER, now=T0 + timedelta(days=3))
    with db.session() as s:
        assert expire_requests(s, now=T0 + timedelta(days=3)) == 1
        assert s.get(AccessRequest, rid).status == "expired"
    actions = [a[1] for a in _actions(db)]
    assert actions[-6:] == ["access.approve", "access.issue", "record.view", "access.refused", "access.refused",
                            "access.expire"]


def test_records_keeper_approves_where_configured_and_return_ends_access(db, files, clip, record_id):
    with db.session() as s:
        other_rec = ingest_record(s, files, clip, RecordMeta.parse(meta(agency_id=OTHER, case_id=9)), actor="x",
                                  max_bytes=10 << 20).record.id
        rid = request_access(s, requester="li4", requester_unit=OWNER, scope="外部", purpose="复议答复",
                             record_ids=[other_rec], mode="copy", letter_ref="甲调〔2024〕3号").id
    with db.session() as s, pytest.raises(PermissionDenied, match="记录管理员"):
        approve_access(s, rid, approver="zhao2")
    with db.session() as s:
        approve_access(s, rid, approver="keeper2")
    with db.session() as s:
        view_record(s, files, other_rec, actor="li4", actor_unit=OWNER)
        return_access(s, rid, checked_by="keeper2", check="完好，无复制件外流")
    with pytest.raises(PermissionDenied):
        with db.session() as s:
            view_record(s, files, other_rec, actor="li4", actor_unit=OWNER)
    with db.session(readonly=True) as s:
        req = s.get(AccessRequest, rid)
        assert (req.status, req.return_check, req.return_checked_by) == ("returned", "完好，无复制件外流", "keeper2")


def test_request_is_validated(db, record_id):
    with db.session() as s:
        with pytest.raises(InputError, match="调阅函"):
            request_access(s, requester="a", requester_unit=OTHER, scope="外部", purpose="x", record_ids=[record_id])
        with pytest.raises(InputError, match="用途"):
            request_access(s, requester="a", requester_unit=OTHER, scope="内部", purpose=" ", record_ids=[record_id])
        with pytest.raises(InputError, match="不存在"):
            request_access(s, requester="a", requester_unit=OTHER, scope="内部", purpose="x", record_ids=[999])


def test_refused_approvals_are_logged_with_the_reason_and_change_nothing(db, record_id):
    with db.session() as s:
        rid = request_access(s, requester="wu6", requester_unit=OTHER, scope="内部", purpose="案件比对",
                             record_ids=[record_id], mode="view", now=T0).id
    for who, reason in (("keeper", "无此角色"), ("wu6", "不属于该单位"), ("ghost", "不存在")):
        with pytest.raises(PermissionDenied, match=reason):
            with db.session() as s:
                approve_access(s, rid, approver=who, now=T0)
        actor, action, detail = _actions(db)[-1]
        assert (actor, action, detail["attempt"], detail["request_id"]) == (who, "access.approve_refused", "approve", rid)
        assert reason in detail["reason"]
    with pytest.raises(PermissionDenied):
        with db.session() as s:
            reject_access(s, rid, approver="keeper", reason="x", now=T0)
    assert _actions(db)[-1][1:3][0] == "access.approve_refused"
    with db.session(readonly=True) as s:
        req = s.get(AccessRequest, rid)
        assert (req.status, req.approver) == ("pending", None)


def test_the_requester_cannot_approve_even_with_the_role(db, record_id):
    with db.session() as s:
        seed_users(s, {"sun": (roles.HEAD, OWNER)})
        rid = request_access(s, requester="sun", requester_unit=OWNER, scope="内部", purpose="复查",
                             record_ids=[record_id], mode="view", now=T0).id
    with pytest.raises(PermissionDenied, match="自己"):
        with db.session() as s:
            approve_access(s, rid, approver="sun", now=T0)
    assert _actions(db)[-1][1] == "access.approve_refused"
