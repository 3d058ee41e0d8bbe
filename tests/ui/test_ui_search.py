"""Statute search and the citation checker in the browser."""
from __future__ import annotations

import pytest
pytest.importorskip("playwright")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_statute_search_shows_results_in_the_page(page, ui):
    ui.login(page, "officer")
    ui.fill(page, "search-query", "销售超过保质期的食品")
    page.locator("#search-btn").click()
    page.locator("#search-status").get_by_text("共找到").wait_for()
    expect(page.locator("#search-results")).to_contain_text("食品安全法")
    page.locator("#article-view").get_by_text("效力状态").wait_for()
    ui.shot(page, "search-results")


def test_article_number_query_is_answered_directly(page, ui):
    ui.login(page, "reviewer")
    ui.fill(page, "search-query", "食品安全法第一百二十四条")
    page.locator("#search-btn").click()
    page.locator("#search-status").get_by_text("共找到").wait_for()
    page.locator("#article-view").get_by_text("第一百二十四条").first.wait_for()
    ui.shot(page, "search-article")


def test_bad_date_is_explained_in_chinese(page, ui):
    ui.login(page, "officer")
    ui.fill(page, "search-query", "食品")
    ui.fill(page, "search-as-of", "去年")
    page.locator("#search-btn").click()
    page.get_by_text("格式不正确").first.wait_for()
    assert "Traceback" not in page.content()


def test_citation_checker_flags_a_fabricated_citation(page, ui):
    ui.login(page, "officer")
    page.locator("#citation-checker").get_by_text("引用核验").first.click()
    ui.fill(page, "cite-text", "依据《中华人民共和国食品安全法》第一百二十四条和《中华人民共和国食品安全法》第九百九十九条，决定处罚。")
    page.locator("#cite-btn").click()
    page.locator("#cite-summary").get_by_text("有问题").wait_for()
    table = page.locator("#cite-results")
    expect(table).to_contain_text("第九百九十九条")
    expect(table).to_contain_text("条文不存在")
    ui.shot(page, "citation-check")
