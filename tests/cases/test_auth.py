"""Users: argon2 password hashes, roles from assistant.roles, lock-out after repeated failures."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from assistant import auth, roles
from assistant.errors import InputError
from assistant.store.case_tables import User
PASSWORD = "correct-horse-battery"


def test_passwords_are_stored_as_argon2_hashes_and_authenticate(db, world):
    with db.session() as s:
        user = s.execute(select(User).where(User.username == "zhang3")).scalar_one()
        assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
        assert auth.authenticate(s, "zhang3", PASSWORD).username == "zhang3"
        assert auth.authenticate(s, "zhang3", "wrong-password") is None
        assert auth.authenticate(s, "nobody", PASSWORD) is None


def test_five_failures_lock_the_account_for_a_while(db, world):
    now = datetime(2026, 11, 22, 9, 0)
    with db.session() as s:
        for _ in range(auth.MAX_FAILURES):
            assert auth.authenticate(s, "li4", "bad-password", now=now) is None
        assert auth.authenticate(s, "li4", PASSWORD, now=now) is None  # locked, even with the right password
        later = now + timedelta(minutes=auth.LOCK_MINUTES + 1)
        assert auth.authenticate(s, "li4", PASSWORD, now=later).username == "li4"


def test_inactive_users_cannot_log_in(db, world):
    with db.session() as s:
        s.execute(select(User).where(User.username == "zhao6")).scalar_one().active = False
    with db.session() as s:
        assert auth.authenticate(s, "zhao6", PASSWORD) is None


def test_create_user_validates_roles_names_and_password(db, world):
    with db.session() as s:
        with pytest.raises(InputError, match="未知角色"):
            auth.create_user(s, "x1", PASSWORD, "X", ["局长"], world.agency_id)
        with pytest.raises(InputError, match="已存在"):
            auth.create_user(s, "zhang3", PASSWORD, "张三", [roles.HANDLER], world.agency_id)
        with pytest.raises(InputError, match="密码至少"):
            auth.create_user(s, "x2", "short", "X", [roles.HANDLER], world.agency_id)
        u = auth.create_user(s, "x3", PASSWORD, "X", [roles.HANDLER, roles.REVIEWER], world.agency_id, "执法B1", "2030-01-01")
        assert u.role_names == {roles.HANDLER, roles.REVIEWER}
