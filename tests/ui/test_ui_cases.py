"""The officer's journey in the browser: open a case, see its deadlines and the next legal step,
get a refusal that names the article, record facts, draft and download a .docx."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_officer_files_a_case_and_sees_deadlines_and_the_next_step(page, ui):
    ui.login(page, "officer")
    page.get_by_role("tab", name="我的案件").click()
    page.locator("#case-new").get_by_text("立案 / 新建案件").click()
    ui.fill(page, "case-new-cause", "销售超过保质期的食品")
    ui.fill(page, "case-new-vdate", "2025-12-10")
    ui.fill(page, "case-new-cohandler", "officer2")
    ui.fill(page, "case-new-party", "某某食品经营有限公司")
    page.locator("#case-create").click()
    expect(page.locator("#case-status")).to_contain_text("已立案", timeout=60_000)
    expect(page.locator("#case-view")).to_contain_text("销售超过保质期的食品")
    expect(page.locator("#case-clocks")).to_contain_text("届满日")
    expect(page.locator("#case-steps")).to_contain_text("调查取证")
    expect(page.locator("#cases-list")).to_contain_text("销售超过保质期的食品")
    ui.shot(page, "case-page")

    # a step the law does not allow yet is refused in plain Chinese, naming the article
    page.locator("#step-go").click()  # 调查取证 is allowed: proceed
    expect(page.locator("#case-status")).to_contain_text("已进入“调查取证”", timeout=60_000)
    expect(page.locator("#case-steps")).to_contain_text("事先告知")
    expect(page.locator("#case-steps")).to_contain_text("第")  # the refusal cites an article
    expect(page.locator("#case-steps")).to_contain_text("暂不能进行")
    assert "Traceback" not in page.content()
    ui.shot(page, "case-blocked-step")


def test_a_case_needs_two_handlers(page, ui):
    ui.login(page, "officer")
    page.get_by_role("tab", name="我的案件").click()
    page.locator("#case-new").get_by_text("立案 / 新建案件").click()
    ui.fill(page, "case-new-cause", "无证经营")
    page.locator("#case-create").click()
    page.get_by_text("第四十二条").first.wait_for(timeout=60_000)
    assert "Traceback" not in page.content()
