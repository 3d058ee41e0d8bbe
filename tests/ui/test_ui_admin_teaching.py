"""The administrator and the trainer in the browser."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser



def _login_elsewhere(browser, app_url, ui, username: str, password: str):
    """Try to log in from a second browser (another user's machine); returns (context, page)."""
    ctx, other = ui.open_page(browser, app_url, 30_000)
    ui.fill(other, "login-username", username)
    ui.fill(other, "login-password", password)
    other.locator("#login-btn").click()
    return ctx, other

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

    ctx, other = _login_elsewhere(browser, app_url, ui, "newtrainer", "Trainer-pass-2024")
    expect(other.locator("#current-user")).to_contain_text("郑培训")
    expect(other.get_by_role("tab", name="案例教学")).to_be_visible()
    assert other.get_by_role("tab", name="我的案件").count() == 0
    ctx.close()

    # the administrator disables the account: it can no longer log in; enabled again, it can
    ui.fill(page, "admin-manage-username", "newtrainer")
    page.locator("#admin-disable-user").click()
    expect(page.locator("#admin-user-status")).to_contain_text("已停用")
    expect(page.locator("#admin-users")).to_contain_text("停用")
    ui.fill(page, "admin-manage-username", "admin")
    page.locator("#admin-disable-user").click()
    page.get_by_text("不能停用自己正在使用的账号").first.wait_for()
    ctx, other = _login_elsewhere(browser, app_url, ui, "newtrainer", "Trainer-pass-2024")
    expect(other.locator("#login-status")).to_contain_text("用户名或密码错误")
    ctx.close()
    ui.fill(page, "admin-manage-username", "newtrainer")
    page.locator("#admin-enable-user").click()
    expect(page.locator("#admin-user-status")).to_contain_text("已启用")
    ui.fill(page, "admin-manage-password", "Trainer-new-2025")
    page.locator("#admin-reset-password").click()
    expect(page.locator("#admin-user-status")).to_contain_text("已重置密码")
    ui.shot(page, "admin-users-managed")


def test_trainer_tab_lists_only_decided_cases(page, ui):
    ui.login(page, "trainer")
    page.get_by_role("tab", name="案例教学").click()
    page.locator("#teach-preview").click()
    page.get_by_text("请先选择一个已决案件").first.wait_for()
    ui.shot(page, "teaching")


def test_admin_saves_agency_settings_and_bad_values_are_refused(page, ui, ui_services, ui_users):
    from assistant.agency_settings import load_agency_settings

    ui.login(page, "admin")
    page.get_by_role("tab", name="系统管理").click()
    page.get_by_role("tab", name="单位设置").click()
    template = page.locator("#admin-set-template textarea, #admin-set-template input").first
    expect(template).to_have_value("{机关代字}{类别字}〔{YYYY}〕{序号}号")
    expect(page.locator("#admin-set-calendar input").first).not_to_have_value("")

    # a template without {序号} is refused in Chinese; nothing is saved
    ui.fill(page, "admin-set-template", "{机关代字}{类别字}〔{YYYY}〕号")
    page.locator("#admin-save-settings").click()
    page.get_by_text("文号模板必须包含 {序号}").first.wait_for()
    ui.fill(page, "admin-set-template", "{机关代字}{类别字}〔{YYYY}〕{序号}号")
    ui.fill(page, "admin-set-fine-legal", "-5")
    page.locator("#admin-save-settings").click()
    page.get_by_text("法人听证罚款金额标准应为正数").first.wait_for()
    assert "Traceback" not in page.content()
    with ui_services.db.session(readonly=True) as db:
        assert load_agency_settings(db, ui_users["admin"].agency_id).hearing_fine_at_least["法人"] == 100000

    ui.fill(page, "admin-set-template", "{机关代字}{类别字}字〔{YYYY}〕第{序号}号")
    ui.fill(page, "admin-set-fine-legal", "50000")
    ui.fill(page, "admin-set-days", "7")
    page.locator("#admin-save-settings").click()
    expect(page.locator("#admin-settings-status")).to_contain_text("单位设置已保存")
    ui.shot(page, "admin-agency-settings")
    with ui_services.db.session(readonly=True) as db:
        cfg = load_agency_settings(db, ui_users["admin"].agency_id)
    assert cfg.numbering_template == "{机关代字}{类别字}字〔{YYYY}〕第{序号}号"
    assert cfg.hearing_fine_at_least["法人"] == 50000 and cfg.statement_period_days == 7

    # restore the defaults: other browser tests share this agency
    from assistant.agency_settings import AgencySettings, save_agency_settings

    with ui_services.db.session() as db:
        save_agency_settings(db, ui_users["admin"].agency_id, AgencySettings(), actor="admin", roles=("管理员",))
