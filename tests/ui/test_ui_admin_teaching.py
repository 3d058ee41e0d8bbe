"""The administrator and the trainer in the browser."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_creates_a_user_who_can_then_log_in(page, ui, browser, app_url):
    ui.login(page, "admin")
    page.get_by_role("tab", name="系统管理").click()
    expect(page.locator("#admin-users")).to_contain_text("officer")
    ui.fill(page, "admin-new-username", "newtrainer")
    ui.fill(page, "admin-new-name", "郑培训")
    ui.fill(page, "admin-new-password", "short")
    page.locator("#admin-new-roles").get_by_text("培训员").click()
    page.locator("#admin-create-user").click()
    page.get_by_text("密码至少8位").first.wait_for()  # refused in Chinese, nothing created
    ui.fill(page, "admin-new-password", "Trainer-pass-2024")
    page.locator("#admin-create-user").click()
    expect(page.locator("#admin-user-status")).to_contain_text("已创建用户")
    expect(page.locator("#admin-users")).to_contain_text("newtrainer")
    ui.shot(page, "admin-users")

    ctx = browser.new_context(locale="zh-CN")
    other = ctx.new_page()
    other.goto(app_url)
    ui.fill(other, "login-username", "newtrainer")
    ui.fill(other, "login-password", "Trainer-pass-2024")
    other.locator("#login-btn").click()
    expect(other.locator("#current-user")).to_contain_text("郑培训")
    expect(other.get_by_role("tab", name="案例教学")).to_be_visible()
    assert other.get_by_role("tab", name="我的案件").count() == 0
    ctx.close()


def test_trainer_tab_lists_only_decided_cases(page, ui):
    ui.login(page, "trainer")
    page.get_by_role("tab", name="案例教学").click()
    page.locator("#teach-preview").click()
    page.get_by_text("请先选择一个已决案件").first.wait_for()
    ui.shot(page, "teaching")
