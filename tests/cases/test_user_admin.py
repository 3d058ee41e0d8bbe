"""用户管理: the administrator disables/enables an account and resets its password; only a 管理员 of
the same agency may; a disabled account cannot log in; every action is audit-logged."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant import auth, roles as R
from assistant.errors import InputError, PermissionDenied
from assistant.store.audit_tables import AuditEntry
from assistant.user_admin import reset_password, set_active

from .conftest import PASSWORD


def test_disable_enable_and_reset(db, world):
    user = world.handlers[0]
    with db.session() as s:
        set_active(s, user, False, actor="boss", actor_roles=(R.ADMIN,), agency_id=world.agency_id)
    with db.session() as s:
        assert auth.authenticate(s, user, PASSWORD) is None
        set_active(s, user, True, actor="boss", actor_roles=(R.ADMIN,), agency_id=world.agency_id)
    with db.session() as s:
        assert auth.authenticate(s, user, PASSWORD) is not None
        with pytest.raises(InputError, match="密码至少8位"):
            reset_password(s, user, "short", actor="boss", actor_roles=(R.ADMIN,), agency_id=world.agency_id)
        reset_password(s, user, "Another-pass-2025", actor="boss", actor_roles=(R.ADMIN,), agency_id=world.agency_id)
    with db.session() as s:
        assert auth.authenticate(s, user, "Another-pass-2025") is not None
        actions = [e.action for e in s.execute(select(AuditEntry).where(AuditEntry.actor == "boss")).scalars()]
        assert actions == ["user.disable", "user.enable", "user.password_reset"]


def test_only_an_administrator_of_the_agency(db, world):
    with db.session() as s:
        with pytest.raises(PermissionDenied, match="管理员"):
            set_active(s, world.handlers[1], False, actor=world.head, actor_roles=(R.HEAD,), agency_id=world.agency_id)
        with pytest.raises(PermissionDenied, match="不属于本单位"):
            set_active(s, world.handlers[1], False, actor="boss", actor_roles=(R.ADMIN,), agency_id=999)
