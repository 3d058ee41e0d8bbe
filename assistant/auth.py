"""Users, roles and password login (argon2id via argon2-cffi).

``authenticate`` takes the same time whether or not the user exists (a dummy hash is verified for
unknown names) and locks an account for ``LOCK_MINUTES`` after ``MAX_FAILURES`` failed attempts.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import log_action
from assistant.errors import InputError, NotFoundError
from assistant.roles import ALL_ROLES
from assistant.store.case_tables import Agency, User, UserRole

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("zhifa-dummy-password")


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise InputError(f"密码至少{MIN_PASSWORD}位", field="password")
    return _hasher.hash(password)


def create_user(session: Session, username: str, password: str, display_name: str, roles, agency_id: int | None,
                credential_no: str | None = None, credential_expiry: date | None = None, *,
                enforcement_categories: list[str] | None = None, legal_qualification: bool = False,
                actor: str = "system") -> User:
    username = (username or "").strip()
    if not username:
        raise InputError("用户名不能为空", field="username")
    roles = [r.strip() for r in ([roles] if isinstance(roles, str) else list(roles or [])) if r.strip()]
    unknown = [r for r in roles if r not in ALL_ROLES]
    if unknown:
        raise InputError(f"未知角色：{'、'.join(unknown)}；可选：{'、'.join(ALL_ROLES)}", field="roles")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise InputError(f"用户名“{username}”已存在", field="username")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise NotFoundError(f"执法机关不存在（id={agency_id}）")
    if isinstance(credential_expiry, str):
        credential_expiry = date.fromisoformat(credential_expiry)
    user = User(username=username, display_name=(display_name or username).strip(), password_hash=hash_password(password),
                agency_id=agency_id, credential_no=(credential_no or None), credential_expiry=credential_expiry,
                enforcement_categories=list(enforcement_categories or []), legal_qualification=legal_qualification,
                active=True, failed_logins=0, roles=[UserRole(role=r) for r in dict.fromkeys(roles)])
    session.add(user)
    session.flush()
    log_action(session, case_id=None, actor=actor, action="user.create",
               detail={"user_id": user.id, "username": username, "roles": roles, "agency_id": agency_id})
    return user


def get_user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"用户“{username}”不存在")
    return user


def authenticate(session: Session, username: str, password: str, *, now: datetime | None = None) -> User | None:
    """The user if the password is right and the account is active and not locked; else None."""
    now = now or datetime.now()
    user = session.execute(select(User).where(User.username == (username or "").strip())).scalar_one_or_none()
    if user is None:
        _verify(_DUMMY_HASH, password)
        return None
    ok = _verify(user.password_hash, password)
    if not user.active or (user.locked_until and user.locked_until > now):
        log_action(session, case_id=None, actor=user.username, action="auth.refused",
                   detail={"reason": "inactive" if not user.active else "locked"})
        return None
    if not ok:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            log.warning("账号 %s 连续登录失败，已锁定%d分钟", user.username, LOCK_MINUTES)
        log_action(session, case_id=None, actor=user.username, action="auth.failed", detail={})
        return None
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    log_action(session, case_id=None, actor=user.username, action="auth.login", detail={})
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def credential_valid(user: User, on: date) -> bool:
    """执法证 present and not expired on ``on`` (第四十二条 qualification)."""
    return bool(user.active and user.credential_no and (user.credential_expiry is None or user.credential_expiry >= on))
