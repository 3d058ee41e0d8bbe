"""End-to-end in the browser, one case through every role:

1. the officer files a case against a natural person, takes it to 事先告知, records the waiver of
   陈述申辩, gets pushed articles, drafts the 决定书 (.docx downloaded and re-opened) and submits it;
2. the reviewer finds it in the queue with the automatic checklist and returns it with an opinion;
3. the officer resubmits (round 2); the reviewer sees the round and approves it;
4. the 机关负责人 makes the decision (决定), gated by the passed review;
5. the trainer previews the anonymised teaching case, saves, approves and exports it; the .docx is
   re-opened and holds the case but none of the party's identifiers.
Screenshots of each key page go to test-artifacts/screenshots/."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CAUSE = "销售超过保质期的预包装食品"
PARTY = "王小明"
PARTY_ID = "440702198503121234"  # valid check digit; must never reach the teaching case
FINE = "50000"  # 第一百二十四条 minimum; ≥ the 自然人 hearing threshold, so the party waives the hearing


def pick_option(page, elem_id: str, text: str) -> None:
    page.locator(f"#{elem_id} input").first.click()
    page.get_by_role("option", name=text).first.click()


def open_accordion(page, elem_id: str, label: str) -> None:
    page.locator(f"#{elem_id}").get_by_text(label).first.click()


def open_tab_as(ctx, app_url, ui, role: str, tab: str):
    """A new page of the same browser context, logged in as ``role``, on ``tab``."""
    page = ctx.new_page()
    page.goto(app_url)
    ui.login(page, role)
    page.get_by_role("tab", name=tab).click()
    return page


def open_review_case(ctx, app_url, ui, role: str):
    """The 法制审核 tab as ``role`` with the journey's case picked from the queue."""
    page = open_tab_as(ctx, app_url, ui, role, "法制审核")
    expect(page.locator("#review-queue")).to_contain_text(CAUSE)
    pick_option(page, "review-pick", CAUSE)
    return page


def test_officer_reviewer_head_trainer_journey(browser, app_url, ui, tmp_path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    ctx.set_default_timeout(60_000)
    page = open_tab_as(ctx, app_url, ui, "officer", "我的案件")

    open_accordion(page, "case-new", "立案 / 新建案件")
    ui.fill(page, "case-new-cause", CAUSE)
    ui.fill(page, "case-new-vdate", "2026-01-15")
    ui.fill(page, "case-new-cohandler", "officer2")
    pick_option(page, "case-new-party-kind", "自然人")
    ui.fill(page, "case-new-party", PARTY)
    ui.fill(page, "case-new-party-code", PARTY_ID)
    page.locator("#case-create").click()
    expect(page.locator("#case-status")).to_contain_text("已立案")
    page.locator("#step-go").click()
    expect(page.locator("#case-status")).to_contain_text("已进入“调查取证”")

    open_accordion(page, "case-facts", "事实与证据")
    ui.fill(page, "violation-desc", f"当事人{PARTY}在其经营场所销售超过保质期的预包装食品共计12袋，货值金额360元。")
    ui.fill(page, "violation-violated", "《中华人民共和国食品安全法》第三十四条第（十）项")
    ui.fill(page, "violation-penalty", "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项")
    page.locator("#violation-save").click()
    expect(page.locator("#case-status")).to_contain_text("违法行为已保存")

    # the push panel: relevant articles with their roles
    open_accordion(page, "case-push", "智能推送")
    page.locator("#push-btn").click()
    expect(page.locator("#push-articles")).to_contain_text("食品安全法")
    expect(page.locator("#push-missing")).to_contain_text("第四十六条")
    ui.shot(page, "case-push")

    # 事先告知 without its content is refused, naming 第四十四条
    pick_option(page, "step-pick", "事先告知")
    page.locator("#step-go").click()
    expect(page.locator("#case-status")).to_contain_text("第四十四条")
    ui.fill(page, "step-types", "警告,罚款")
    ui.fill(page, "step-fine", FINE)
    ui.fill(page, "step-facts", "当事人销售超过保质期的预包装食品12袋，货值金额360元。")
    ui.fill(page, "step-reasons", "违反食品安全法第三十四条第（十）项规定。")
    ui.fill(page, "step-basis", "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项")
    pick_option(page, "step-pick", "事先告知")
    page.locator("#step-go").click()
    expect(page.locator("#case-status")).to_contain_text("已进入“事先告知”")
    expect(page.locator("#case-clocks")).to_contain_text("陈述")

    open_accordion(page, "case-statement", "陈述申辩与听证")
    pick_option(page, "statement-kind", "放弃陈述申辩")
    page.locator("#statement-save").click()
    expect(page.locator("#case-status")).to_contain_text("已登记：放弃陈述申辩")
    if "听证" in page.locator("#case-clocks").inner_text():  # 第六十三条: hearing rights apply
        pick_option(page, "statement-kind", "放弃听证")
        page.locator("#statement-save").click()
        expect(page.locator("#case-status")).to_contain_text("已登记：放弃听证")

    open_accordion(page, "case-draft", "文书起草与送审")
    ui.fill(page, "draft-fine", FINE)
    page.locator("#draft-btn").click()
    expect(page.locator("#draft-findings")).to_contain_text("草稿可以送审", timeout=120_000)
    expect(page.locator("#draft-file")).to_contain_text(".docx")
    saved = ui.download(page, "draft-file", tmp_path / "draft.docx")
    import docx

    body = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    assert "行政处罚决定书" in body and "第一百二十四条" in body and PARTY in body
    ui.shot(page, "case-draft")

    page.locator("#submit-review").click()
    try:
        expect(page.locator("#case-status")).to_contain_text("已送法制审核")
    finally:
        ui.shot(page, "case-submitted")

    # the reviewer
    rpage = open_review_case(ctx, app_url, ui, "reviewer")
    expect(rpage.locator("#review-summary")).to_contain_text("第 1 轮送审")
    expect(rpage.locator("#review-findings")).to_contain_text("适用法律准确")
    ui.fill(rpage, "review-opinion", "货值金额的证据不足，请补充进货凭证后重新送审。")
    rpage.locator("#review-return").click()
    expect(rpage.locator("#review-status")).to_contain_text("已退回")
    ui.shot(rpage, "review-returned")

    # the officer sees the opinion, resubmits (round 2)
    page.get_by_role("tab", name="我的案件").click()
    page.locator("#submit-review").click()
    expect(page.locator("#case-status")).to_contain_text("第 2 轮")

    # the reviewer approves round 2
    rpage.locator("#tab-review").get_by_role("button", name="刷新").click()
    pick_option(rpage, "review-pick", CAUSE)
    expect(rpage.locator("#review-summary")).to_contain_text("第 2 轮送审")
    ui.fill(rpage, "review-opinion", "已补充进货凭证，事实清楚，证据确凿，适用依据正确，同意。")
    rpage.locator("#review-approve").click()
    expect(rpage.locator("#review-status")).to_contain_text("同意")
    expect(rpage.locator("#review-summary")).to_contain_text("已同意")
    ui.shot(rpage, "review-approved")

    # the 机关负责人 decides
    hpage = open_review_case(ctx, app_url, ui, "head")
    expect(hpage.locator("#review-summary")).to_contain_text("已同意")
    assert not hpage.locator("#review-approve").is_visible()  # the reviewer's buttons are not the head's
    open_accordion(hpage, "head-decide", "机关负责人决定")
    # 集体讨论 first (第五十七条第二款): refer, register the discussion, then decide
    pick_option(hpage, "head-target", "集体讨论")
    hpage.locator("#head-decide-btn").click()
    expect(hpage.locator("#review-status")).to_contain_text("已作出：集体讨论")
    ui.fill(hpage, "collective-people", "张局长，李副局长，王科长")
    ui.fill(hpage, "collective-conclusion", "同意法制审核意见，按告知内容作出处罚决定")
    hpage.locator("#collective-btn").click()
    expect(hpage.locator("#review-status")).to_contain_text("已登记集体讨论记录（参加人 3 人）")
    pick_option(hpage, "head-target", "决定")
    ui.fill(hpage, "head-types", "警告,罚款")
    ui.fill(hpage, "head-fine", FINE)
    hpage.locator("#head-decide-btn").click()
    expect(hpage.locator("#review-status")).to_contain_text("已作出：决定")
    expect(hpage.locator("#review-status")).to_contain_text("决定书文号：甲市监罚〔")
    ui.shot(hpage, "head-decided")
    assert "Traceback" not in hpage.content()

    # the trainer: preview (anonymised) → save → approve → export .docx
    tpage = open_tab_as(ctx, app_url, ui, "trainer", "案例教学")
    tpage.locator("#tab-teaching").get_by_role("button", name="刷新").click()
    pick_option(tpage, "teach-case", CAUSE)
    tpage.locator("#teach-preview").click()
    expect(tpage.locator("#teach-status")).to_contain_text("已脱敏")
    expect(tpage.locator("#teach-view")).to_contain_text("基本案情")
    view = tpage.locator("#teach-view").inner_text()
    assert PARTY not in view and PARTY_ID not in view
    tpage.locator("#teach-save").click()
    expect(tpage.locator("#teach-status")).to_contain_text("已保存为草稿")
    tpage.locator("#teach-approve").click()
    expect(tpage.locator("#teach-status")).to_contain_text("已审定")
    expect(tpage.locator("#teach-saved")).to_contain_text("已审定")
    tpage.locator("#teach-export").click()
    expect(tpage.locator("#teach-status")).to_contain_text("已导出")
    expect(tpage.locator("#teach-file")).to_contain_text(".docx")
    ui.shot(tpage, "teaching-exported")
    exported = ui.download(tpage, "teach-file", tmp_path / "teaching.docx")
    doc = docx.Document(str(exported))
    text = "\n".join([p.text for p in doc.paragraphs] +
                     [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "保质期" in text and "第一百二十四条" in text and len(text) > 300
    assert PARTY not in text and PARTY_ID not in text and PARTY_ID[-6:] not in text
    assert "未审定" not in text
    ctx.close()
