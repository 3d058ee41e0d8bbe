"""Session rules of the web UI, without a browser: expiry, server-side role checks, and errors
turned into Chinese sentences."""
from __future__ import annotations

from datetime import datetime, timedelta

import gradio as gr
import pytest

from assistant import roles as R
from assistant.errors import GateRefused, InputError
from ui.common import guarded, parse_day
from ui.session import SessionExpired, UserSession, require


def make(roles=(R.HANDLER,), minutes=60, last_seen=None) -> UserSession:
    return UserSession(user_id=1, username="u", display_name="张三", roles=tuple(roles), agency_id=1,
                       minutes=minutes, last_seen=last_seen or datetime.now())


def test_session_expires_after_the_configured_minutes_of_inactivity():
    s = make(minutes=30, last_seen=datetime.now() - timedelta(minutes=31))
    with pytest.raises(SessionExpired) as exc:
        require(s)
    assert "过期" in exc.value.message


def test_activity_extends_the_session():
    s = make(minutes=30, last_seen=datetime.now() - timedelta(minutes=29))
    require(s)
    assert s.expires_at > datetime.now() + timedelta(minutes=29)


def test_hidden_tab_is_not_the_only_protection_the_handler_checks_the_role():
    @guarded(R.HANDLER)
    def officer_only(sess):
        return "ok"

    assert officer_only(make()) == "ok"
    with pytest.raises(gr.Error) as exc:
        officer_only(make(roles=(R.TRAINER,)))
    assert "权限" in exc.value.message
    with pytest.raises(gr.Error) as exc:
        officer_only(None)
    assert "请先登录" in exc.value.message


def test_domain_errors_become_their_chinese_message_and_bugs_a_generic_sentence():
    @guarded()
    def refuse(sess):
        raise GateRefused("当事人陈述申辩期限未届满，不能作出处罚决定", article="行政处罚法 第六十二条")

    @guarded()
    def bug(sess):
        raise KeyError("internal detail")

    with pytest.raises(gr.Error) as exc:
        refuse(make())
    assert "陈述申辩" in exc.value.message and "第六十二条" in exc.value.message
    with pytest.raises(gr.Error) as exc:
        bug(make())
    assert "internal detail" not in exc.value.message and "系统内部错误" in exc.value.message


def test_dates_accept_common_chinese_forms():
    assert parse_day("2024年5月1日").isoformat() == "2024-05-01"
    assert parse_day("2024/05/01").isoformat() == "2024-05-01"
    assert parse_day("") is None
    with pytest.raises(InputError):
        parse_day("昨天")


def test_create_ui_builds_every_tab_without_shared_state(settings):
    from assistant.services import Services
    from ui.app import TABS, create_ui

    demo = create_ui(Services(settings))
    labels = {b.label for b in demo.blocks.values() if isinstance(b, gr.Tab)}
    assert {label for _, label, _ in TABS} <= labels
    states = [b for b in demo.blocks.values() if isinstance(b, gr.State)]
    assert states and all(s.value in (None, [], {}, "") for s in states)


def test_disabling_an_account_or_resetting_its_password_ends_its_open_sessions(ui_services, ui_users):
    """The account in the database backs every action: an admin's change takes effect at once."""
    from assistant.auth import create_user
    from assistant.user_admin import reset_password, set_active
    from ui.session import login

    agency = next(a.agency_id for a in ui_users.values())
    with ui_services.db.session() as s:
        create_user(s, username="temp_officer", password="temp-pass-2026", display_name="临时承办人",
                    roles=[R.HANDLER], agency_id=agency, credential_no="执法9901")
    admin = dict(actor="admin_test", actor_roles=[R.ADMIN], agency_id=agency)

    sess = login(ui_services, "temp_officer", "temp-pass-2026")
    assert require(sess, R.HANDLER) is sess
    with ui_services.db.session() as s:
        set_active(s, "temp_officer", False, **admin)
    with pytest.raises(SessionExpired, match="已被停用"):
        require(sess, R.HANDLER)

    with ui_services.db.session() as s:
        set_active(s, "temp_officer", True, **admin)
    sess = login(ui_services, "temp_officer", "temp-pass-2026")
    with ui_services.db.session() as s:
        reset_password(s, "temp_officer", "new-pass-2026x", **admin)
    with pytest.raises(SessionExpired, match="重置"):
        require(sess, R.HANDLER)
    assert require(login(ui_services, "temp_officer", "new-pass-2026x"), R.HANDLER).username == "temp_officer"


def test_a_failed_web_login_is_audited_and_counts_towards_the_lockout(ui_services, ui_users):
    """The refusal is raised after the login transaction commits, so the failed-login count and the
    ``auth.failed`` audit entry persist (the CLI check in assistant/cli/identity.py relies on the same)."""
    from sqlalchemy import select

    from assistant import auth
    from assistant.errors import PermissionDenied
    from assistant.store.audit_tables import AuditEntry
    from assistant.store.case_tables import User
    from ui.session import login

    agency = next(a.agency_id for a in ui_users.values())
    with ui_services.db.session() as s:
        auth.create_user(s, username="temp_locked", password="temp-pass-2026", display_name="临时",
                         roles=[R.HANDLER], agency_id=agency)
    with pytest.raises(PermissionDenied):
        login(ui_services, "temp_locked", "wrong-pass-2026")
    with ui_services.db.session(readonly=True) as s:
        assert s.execute(select(User).where(User.username == "temp_locked")).scalar_one().failed_logins == 1
        actions = s.execute(select(AuditEntry.action).where(AuditEntry.actor == "temp_locked")).scalars().all()
        assert "auth.failed" in actions
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(PermissionDenied):
            login(ui_services, "temp_locked", "wrong-pass-2026")
    with pytest.raises(PermissionDenied):  # locked, even with the right password
        login(ui_services, "temp_locked", "temp-pass-2026")
