"""Chinese UI text: on every tab each demo role can open, the visible text has no English words
left from Gradio's built-in strings or from our own labels (file-type names, identifiers and the
demo usernames aside). The browser runs with the zh-CN locale, as officers' browsers do."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")

pytestmark = pytest.mark.browser

ROLE_TABS = {"officer1": ["法条检索", "我的案件"], "reviewer1": ["法制审核"], "trainer1": ["案例教学"], "records1": ["记录管理"], "head1": ["法制审核"],
             "admin": ["系统管理", "用户管理", "单位设置", "语料与索引"]}
# words that are not English prose: formats, identifiers, units, our demo account names
ALLOWED = re.compile(r"^(docx|DOCX|PDF|pdf|CSV|csv|JSON|json|jsonl|HTML|html|xlsx|xls|wav|mp3|m4a|amr|flac|ogg|mp4|webm|txt|md|SHA|ID|ISO|"
                     r"YYYY(-MM(-DD)?)?|ZF-[\w-]*|"
                     r"GB|GBT|LLM|API|URL|http|https|officer\d|reviewer\d|head\d|trainer\d|records\d|admin|"
                     r"ZHIFA_[A-Z_]+|zhifa|vLLM|Ollama|Qwen|OpenAI|AVX\d*|int8|e5|small|BM25|RRF)$")


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9_\-]{2,}", text) if not ALLOWED.match(w)}


@pytest.mark.parametrize("username", sorted(ROLE_TABS))
def test_every_tab_reads_in_chinese(dpage, ui, demo, username):
    page = dpage
    ui.demo_login(page, username, demo["password"])
    found: dict[str, set[str]] = {}
    for tab in ROLE_TABS[username]:
        if page.get_by_role("tab", name=tab, exact=True).count() == 0:
            continue
        page.get_by_role("tab", name=tab, exact=True).click()
        if tab == "我的案件":  # the case page (push, interview upload, drafting) needs a case
            ui.pick_option(page, "case-pick", demo["cause"])
        page.wait_for_timeout(500)
        closed = page.locator(".label-wrap:not(.open)")  # open every accordion: uploads hide in them
        for i in reversed(range(closed.count())):
            if closed.nth(i).is_visible():
                closed.nth(i).click()
        page.wait_for_timeout(500)
        words = english_words(page.locator("body").inner_text())
        if words:
            found[tab] = words
    assert not found, f"English text on {username}'s tabs: {found}"


def test_gradio_keys_missing_from_its_zh_cn_table_are_supplied(demo):
    """Gradio 6's zh-CN table lacks ``common.complete``, which its status tracker announces (screen
    readers) after every event; the app supplies it, or the raw key would be read out."""
    import json
    import urllib.request

    with urllib.request.urlopen(demo["url"] + "/config", timeout=30) as r:
        config = json.load(r)
    assert config["i18n_translations"]["zh-CN"]["common.complete"] == "已完成"
