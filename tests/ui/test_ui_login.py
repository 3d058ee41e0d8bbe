"""Login, roles and sessions, driven in a real headless Chromium."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TAB_LABELS = {"search": "法条检索", "cases": "我的案件", "review": "法制审核", "teaching": "案例教学",
              "records": "记录管理", "admin": "系统管理"}

EXPECTED = {
    "officer": {"search", "cases"},
    "reviewer": {"search", "review"},
    "head": {"search", "review"},
    "trainer": {"search", "teaching"},
    "admin": {"search", "admin"},
    "keeper": {"search", "records"},
}


def visible_tabs(page) -> set[str]:
    page.get_by_role("tab", name=TAB_LABELS["search"]).wait_for()
    return {key for key, label in TAB_LABELS.items()
            if page.get_by_role("tab", name=label, exact=True).count() > 0
            and page.get_by_role("tab", name=label, exact=True).first.is_visible()}


def test_wrong_password_is_refused_with_a_chinese_message(page, ui):
    ui.login(page, "officer", "not-the-password", expect_ok=False)
    page.locator("#login-status").get_by_text("用户名或密码错误").wait_for()
    assert not page.locator("#main-panel").is_visible()
    ui.shot(page, "login-refused")


def test_unknown_user_gets_the_same_message_as_a_wrong_password(page, ui):
    ui.login(page, "nobody", "whatever", expect_ok=False)
    page.locator("#login-status").get_by_text("用户名或密码错误").wait_for()


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_only_its_tabs(page, ui, username):
    ui.login(page, username)
    assert visible_tabs(page) == EXPECTED[username]
    header = page.locator("#current-user").inner_text()
    for role in ui.ACCOUNTS[username][1]:
        assert role in header
    ui.shot(page, f"home-{username}")


def test_trainer_does_not_see_officer_or_review_tabs(page, ui):
    ui.login(page, "trainer")
    tabs = visible_tabs(page)
    assert "cases" not in tabs and "review" not in tabs
    assert "teaching" in tabs


def test_logout_returns_to_the_login_form(page, ui):
    ui.login(page, "officer")
    page.locator("#logout-btn").click()
    page.locator("#login-panel").wait_for(state="visible")
    page.locator("#login-status").get_by_text("已退出登录").wait_for()
    assert not page.locator("#main-panel").is_visible()
