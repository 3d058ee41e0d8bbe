"""Per-user session state for the web UI.

A :class:`UserSession` lives in one browser tab's ``gr.State`` (server side, keyed by Gradio's
session hash); nothing here is module-level mutable state. Every handler calls
:func:`require` first, so a hidden tab is never the only protection: a request without a live
session, with an expired session or with the wrong role is refused with a Chinese sentence.

Expiry is by inactivity: ``settings.session_minutes`` after the last successful action.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable

from assistant import roles as R
from assistant.errors import PermissionDenied, ZhifaError

log = logging.getLogger(__name__)

EXPIRED_MESSAGE = "登录已过期，请重新登录。"
NOT_LOGGED_IN_MESSAGE = "请先登录。"
BAD_LOGIN_MESSAGE = "用户名或密码错误，请重新输入。"


class SessionExpired(ZhifaError):
    code = "session_expired"


# Which tab each role sees (domain-spec §8). The search tab is public statute data.
TAB_ROLES: dict[str, tuple[str, ...]] = {
    "search": tuple(R.ALL_ROLES),
    "cases": (R.HANDLER,),
    "review": (R.REVIEWER, R.HEAD),
    "teaching": (R.TRAINER,),
    "records": (R.RECORDS_KEEPER, R.SUPERVISOR),
    "admin": (R.ADMIN,),
}


@dataclass
class UserSession:
    user_id: int | str
    username: str
    display_name: str
    roles: tuple[str, ...]
    agency_id: int | str | None
    agency_name: str = ""
    minutes: int = 60
    last_seen: datetime = field(default_factory=datetime.now)
    # set at login: says why the account no longer backs this session (disabled, roles changed,
    # password reset by an admin), or None; checked on every action
    check: Callable[["UserSession"], str | None] | None = field(default=None, repr=False, compare=False)

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def sees(self, tab: str) -> bool:
        return self.has(*TAB_ROLES.get(tab, ()))

    @property
    def expires_at(self) -> datetime:
        return self.last_seen + timedelta(minutes=self.minutes)

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now()) >= self.expires_at

    def touch(self, now: datetime | None = None) -> None:
        self.last_seen = now or datetime.now()

    def label(self) -> str:
        agency = f"（{self.agency_name}）" if self.agency_name else ""
        return f"{self.display_name or self.username}{agency} · {'、'.join(self.roles)}"


def _roles_of(user: object) -> tuple[str, ...]:
    raw = getattr(user, "roles", None)
    if raw is None:
        raw = getattr(user, "role", ())
    if isinstance(raw, str):
        raw = [p for p in raw.replace("，", ",").replace("、", ",").split(",")]
    out = []
    for r in raw or ():
        name = r if isinstance(r, str) else getattr(r, "name", None) or getattr(r, "role", None)
        if name and str(name).strip():
            out.append(str(name).strip())
    return tuple(out)


def from_user(user: object, minutes: int) -> UserSession:
    """Build the session from the ``User`` record returned by ``assistant.auth.authenticate``."""
    agency = getattr(user, "agency", None)
    agency_name = getattr(agency, "name", "") if agency is not None else ""
    return UserSession(
        user_id=getattr(user, "id", getattr(user, "user_id", None)),
        username=getattr(user, "username"),
        display_name=getattr(user, "display_name", "") or getattr(user, "username"),
        roles=_roles_of(user),
        agency_id=getattr(user, "agency_id", None),
        agency_name=agency_name or getattr(user, "agency_name", "") or "",
        minutes=minutes,
    )


def require(sess: UserSession | None, *roles: str) -> UserSession:
    """The live session, refreshed; raises a Chinese-message error otherwise."""
    if sess is None:
        raise PermissionDenied(NOT_LOGGED_IN_MESSAGE)
    if sess.expired():
        raise SessionExpired(EXPIRED_MESSAGE)
    reason = sess.check(sess) if sess.check else None
    if reason:
        raise SessionExpired(reason)
    if roles and not sess.has(*roles):
        raise PermissionDenied(f"当前账号没有此项权限（需要：{'或'.join(roles)}）。")
    sess.touch()
    return sess


def account_check(services, password_hash: str) -> Callable[[UserSession], str | None]:
    """The account as it is now in the database must still back the session: an account an admin
    disabled, whose roles changed or whose password was reset ends its open sessions at once."""

    def check(sess: UserSession) -> str | None:
        from assistant.store.case_tables import User

        with services.db.session(readonly=True) as s:
            user = s.get(User, sess.user_id)
            if user is None or not user.active:
                return "账号已被停用，请联系管理员。"
            if user.password_hash != password_hash:
                return "密码已被重置，请重新登录。"
            if set(_roles_of(user)) != set(sess.roles):
                return "账号角色已变更，请重新登录。"
        return None

    return check


def login(services, username: str, password: str) -> UserSession:
    """Check the credentials through ``assistant.auth.authenticate``; raise on failure."""
    from assistant.errors import InputError

    username = (username or "").strip()
    if not username or not password:
        raise InputError("请输入用户名和密码。")
    try:
        from assistant.auth import authenticate
    except ImportError as exc:  # the auth service has not landed
        raise PermissionDenied("登录服务尚未就绪，请联系管理员。") from exc
    sess = None
    with services.db.session() as s:
        user = authenticate(s, username, password)
        if user is not None:
            sess = from_user(user, services.settings.session_minutes)
            sess.check = account_check(services, user.password_hash)
            if not sess.agency_name and sess.agency_id is not None:
                sess.agency_name = _agency_name(s, sess.agency_id)
    # refuse only after the transaction is committed: raising inside it would roll back the failed-login
    # count (lock-out) and its ``auth.failed`` audit entry
    if sess is None:
        log.info("login refused")
        raise PermissionDenied(BAD_LOGIN_MESSAGE)
    log.info("login ok: %s", sess.username)
    return sess


def _agency_name(session, agency_id) -> str:
    try:
        from assistant.store.case_tables import Agency
    except ImportError:
        return ""
    agency = session.get(Agency, agency_id)
    return agency.name if agency is not None else ""


def visible_tabs(sess: UserSession | None, tabs: Iterable[str]) -> dict[str, bool]:
    return {t: bool(sess and sess.sees(t)) for t in tabs}


Handler = Callable[..., object]
