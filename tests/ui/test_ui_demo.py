"""The demo data that ``make run`` seeds (README) works in the browser: the demo officer opens a
demo case, gets pushed articles and the benchmark tier and drafts the 决定书; the demo reviewer,
机关负责人, trainer and administrator log in to their tabs. A fresh home of its own (the demo
``admin`` account would clash with the shared test accounts), seeded by ``assistant.demo.seed_demo``
as ``make run`` does, served by its own app instance."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_demo_officer_pushes_and_drafts_on_a_demo_case(dpage, ui, demo):
    page = dpage
    ui.demo_login(page, "officer1", demo["password"])
    page.get_by_role("tab", name="我的案件").click()
    expect(page.locator("#cases-list")).to_contain_text(demo["cause"])
    ui.pick_option(page, "case-pick", demo["cause"])
    expect(page.locator("#case-view")).to_contain_text(demo["cause"])
    ui.open_accordion(page, "case-push", "智能推送")
    page.locator("#push-btn").click()
    expect(page.locator("#push-articles")).to_contain_text("食品安全法")
    expect(page.locator("#push-band")).to_contain_text("档次")
    ui.shot(page, "demo-officer-push")
    ui.open_accordion(page, "case-draft", "文书起草与送审")
    ui.fill(page, "draft-fine", "50000")  # 第一百二十四条 minimum; the case has no 告知书 amount yet
    page.locator("#draft-btn").click()
    expect(page.locator("#draft-findings")).to_contain_text("草稿", timeout=120_000)
    expect(page.locator("#draft-file a").first).to_have_attribute("download", re.compile(r"决定书.*\.docx$"))
    expect(page.locator("#draft-text textarea")).to_have_value(re.compile("行政处罚决定书"))
    assert "Traceback" not in page.content()


@pytest.mark.parametrize("username, tab", [("reviewer1", "法制审核"), ("head1", "法制审核"), ("trainer1", "案例教学"),
                                           ("admin", "系统管理")])
def test_demo_accounts_reach_their_tabs(dpage, ui, demo, username, tab):
    page = dpage
    ui.demo_login(page, username, demo["password"])
    page.get_by_role("tab", name=tab).click()
    assert page.get_by_role("tab", name="我的案件").count() == 0
    assert "Traceback" not in page.content()


def test_demo_trainer_previews_a_decided_demo_case(dpage, ui, demo):
    page = dpage
    ui.demo_login(page, "trainer1", demo["password"])
    page.get_by_role("tab", name="案例教学").click()
    page.locator("#teach-case input").first.click()
    page.get_by_role("option").first.click()
    page.locator("#teach-preview").click()
    expect(page.locator("#teach-status")).to_contain_text("已脱敏")
    expect(page.locator("#teach-view")).to_contain_text("基本案情")
    ui.shot(page, "demo-trainer-preview")
