"""Account administration by the agency's 管理员 (系统管理 → 用户管理): enable / disable an account
and reset its password. Creation is :func:`assistant.auth.create_user`.

Only a 管理员 may act, only on accounts of the same agency, never on their own account's status;
every action is audit-logged (global chain) in the caller's transaction. A disabled account cannot
log in (:func:`assistant.auth.authenticate` refuses inactive users).
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy.orm import Session

from assistant import roles as R
from assistant.audit import log_action
from assistant.auth import get_user, hash_password
from assistant.errors import InputError, PermissionDenied
from assistant.store.case_tables import User


def _target(session: Session, username: str, *, actor: str, actor_roles: Iterable[str], agency_id) -> User:
    if R.ADMIN not in set(actor_roles or ()):
        raise PermissionDenied("只有管理员可以管理用户账号。")
    username = (username or "").strip()
    if not username:
        raise InputError("请填写要管理的用户名。", field="username")
    user = get_user(session, username)
    if user.agency_id != agency_id:
        raise PermissionDenied(f"用户“{username}”不属于本单位，不能管理。")
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str, actor_roles: Iterable[str],
               agency_id) -> User:
    user = _target(session, username, actor=actor, actor_roles=actor_roles, agency_id=agency_id)
    if not active and user.username == actor:
        raise InputError("不能停用自己正在使用的账号。", field="username")
    user.active = bool(active)
    if active:
        user.failed_logins = 0
        user.locked_until = None
    session.flush()
    log_action(session, case_id=None, actor=actor, action="user.enable" if active else "user.disable",
               detail={"user_id": user.id, "username": user.username})
    return user


def reset_password(session: Session, username: str, new_password: str, *, actor: str, actor_roles: Iterable[str],
                   agency_id) -> User:
    user = _target(session, username, actor=actor, actor_roles=actor_roles, agency_id=agency_id)
    user.password_hash = hash_password(new_password)  # InputError (密码至少8位) before anything changes
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    log_action(session, case_id=None, actor=actor, action="user.password_reset",
               detail={"user_id": user.id, "username": user.username})
    return user
