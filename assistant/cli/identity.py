"""Who is acting on the command line: every CLI command that acts as a named zhifa user proves it.

The rule (enforced once, in :func:`assistant.cli.main`, before any command runs):

* A command **acts as a user** when its parsed arguments have an identity option — an argparse
  ``dest`` in :data:`IDENTITY_DESTS` (``--actor``, ``--as`` and ``--reviewer`` all land there). Any
  future command that declares such an option is covered without further code. A command whose
  option only sometimes makes it act declares ``set_defaults(acts_when=lambda args: ...)``
  (``transcribe``/``teach build`` only with ``--save``; ``case show`` only with ``--actor``, because the
  view is then written to the 调阅 log; ``discretion recommend`` only with ``--actor`` — without it the
  recommendation is only shown, not saved with the case).
* The acting name is the option's value, else the command's ``set_defaults(default_actor=...)``
  (``case create``: the first 承办人 named in ``--handlers``). There is no implicit identity: the
  operating-system user is *not* taken as a default any more (``publish``, ``teach``, ``record``,
  ``access``, ``party dossier`` used to); without a name the command is refused. The name is
  authenticated: it must be a registered, enabled, unlocked user, and its password must be given in
  the environment variable ``ZHIFA_PASSWORD`` or — only when stdin is a terminal and the variable is
  unset — typed at a ``getpass`` prompt. There is no
  ``--password`` option (argv is visible to every user of the machine).
* The check is :func:`assistant.auth.authenticate`, the same call as the web login: a wrong password
  counts towards the lock-out and is audit-logged (``auth.failed``; ``auth.refused`` for a locked or
  disabled account), a success is audit-logged (``auth.login``). The outcome of the check is committed
  in its own transaction *before* the command runs, so a refusal is on record although the command
  wrote nothing. A missing password is refused before the database is opened (nothing is written).
  Refusals are :class:`PermissionDenied`: a Chinese message on stderr, exit code 2. The password is
  never logged, printed or stored.
* Commands then take the acting name from :func:`acting_user`, which refuses to answer for arguments
  that were not authenticated (a command called without going through ``main`` cannot act).

Commands that do **not** act as a named user and stay unauthenticated: read-only look-ups (``search``,
``verify-citations``, ``eval``, ``doctor``, ``case list``, ``record list``, ``audit verify``,
``precedent list``, ``similar``, ``review check``, ``review opinion``, ``forms status``,
``publish overdue``/``export``, ``stats annual``, ``teach course``, ``discretion list``,
``draft``) and the installation operator's set-up commands, which record the operator as ``cli`` /
``system`` rather than claiming a user (``prepare``, ``demo seed``, ``serve``, ``index build``,
``corpus import``/``list``, ``discretion import``, ``precedent import``, ``record check``). Whoever can run those can also read and write the database files directly; the separation
of duties between named users is what this module protects.

``user add`` and ``agency add`` create identities and ``corpus confirm`` vouches for an imported text,
so they are set-up commands only until the first 管理员 exists (bootstrap); after that they need
``--as <管理员>`` and that user's password
(:func:`require_admin_once_bootstrapped`) — otherwise anyone with a shell could add a 机关负责人
account and act as it. The new account's password comes from ``ZHIFA_NEW_PASSWORD`` or a prompt,
never from argv.
``record list``/``check`` and ``audit verify`` used to accept an ``--as`` they ignored; it is gone.
"""
from __future__ import annotations

import getpass
import os
import sys
from argparse import Namespace

from assistant.errors import PermissionDenied

PASSWORD_ENV = "ZHIFA_PASSWORD"
IDENTITY_DESTS = ("actor", "reviewer")
_AUTHENTICATED = "_zhifa_authenticated_user"


def identity_dest(args: Namespace) -> str | None:
    """The identity option of this command, if it has one."""
    return next((d for d in IDENTITY_DESTS if d in vars(args)), None)


def acts_as_user(args: Namespace) -> bool:
    dest = identity_dest(args)
    if dest is None:
        return False
    acts_when = getattr(args, "acts_when", None)
    return bool(acts_when(args)) if callable(acts_when) else True


def claimed_name(args: Namespace) -> tuple[str, str]:
    """(name, source): the name the command would act as ("" if none), and where it came from."""
    dest = identity_dest(args)
    value = (getattr(args, dest, None) or "").strip() if dest else ""
    if value:
        return value, "option"
    default = getattr(args, "default_actor", None)
    if callable(default):
        value = (default(args) or "").strip()
        if value:
            return value, "default"
    return "", "none"


def _password(username: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is None and sys.stdin is not None and sys.stdin.isatty():
        try:
            password = getpass.getpass(f"用户 {username} 的密码：")
        except EOFError:
            password = None
    if not password:
        raise PermissionDenied(
            f"以用户“{username}”操作须验证密码：请设置环境变量 {PASSWORD_ENV}，或在终端中运行以输入密码。"
            "未执行任何操作。", code="auth_required")
    return password


def authenticate_args(args: Namespace, settings) -> str | None:
    """Authenticate the acting user of a parsed command line; return the username, or None when
    the command does not act as a user. Raises :class:`PermissionDenied` on any failure."""
    if not acts_as_user(args):
        return None
    name, source = claimed_name(args)
    hint = "（未指定 --actor，默认取第一承办人）" if source == "default" else ""
    if not name:
        option = "--reviewer" if identity_dest(args) == "reviewer" else "--actor / --as"
        raise PermissionDenied(f"须用 {option} 指定操作人（本人的 zhifa 用户名）并验证密码。未执行任何操作。",
                               code="auth_required")
    password = _password(name)
    from assistant.auth import authenticate
    from assistant.cli import db_session

    with db_session(settings) as s:
        # the outcome (failed-login count, lock-out, audit entry) is committed before refusing
        user = authenticate(s, name, password)
        username = user.username if user is not None else None
    del password
    if username is None:
        raise PermissionDenied(f"身份验证失败：用户“{name}”不存在、已停用或锁定，或密码错误{hint}。未执行任何操作。",
                               code="auth_failed")
    setattr(args, identity_dest(args), username)
    setattr(args, _AUTHENTICATED, username)
    return username


def acting_user(args: Namespace) -> str:
    """The authenticated acting user. Refuses if the arguments did not pass :func:`authenticate_args`."""
    name = getattr(args, _AUTHENTICATED, None)
    if not name:
        raise PermissionDenied("操作人未经身份验证，拒绝执行（命令须经 zhifa 主程序运行）。", code="auth_required")
    return name


def require_admin_once_bootstrapped(session, args: Namespace, what: str) -> str:
    """The name to record for an identity-creating command (``user add``, ``agency add``).

    While no active 管理员 exists (first set-up) the operator may run it unauthenticated (recorded
    as ``cli``); afterwards it must have been authenticated (``--as``) as an active 管理员."""
    from sqlalchemy import select

    from assistant.roles import ADMIN
    from assistant.store.case_tables import User, UserRole

    admin_exists = session.execute(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == ADMIN, User.active.is_(True)).limit(1)).first() is not None
    name = getattr(args, _AUTHENTICATED, None)
    if not admin_exists:
        return name or "cli"
    if not name:
        raise PermissionDenied(f"系统已有管理员：{what}须以管理员身份操作（--as 管理员用户名，并验证密码）。未执行任何操作。",
                               code="admin_required")
    from assistant.auth import get_user

    if ADMIN not in get_user(session, name).role_names:
        raise PermissionDenied(f"只有管理员可以{what}（“{name}”不是管理员）。未执行任何操作。", code="admin_required")
    return name
