"""The officer's interview in the browser: a refused upload (wrong type) in Chinese; a real clip
uploaded and transcribed by the real speech model with a progress bar; a turn corrected (speaker
and text); the 询问笔录 .docx downloaded and re-opened with the corrected text, both officers and
the recording (stored as the case's 音像记录) linked by record number and SHA-256."""
from __future__ import annotations

import hashlib

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLIP = "BAC009S0764W0121.wav"  # reference: 甚至出现交易几乎停滞的情况


@pytest.fixture
def clip(shared_dir):
    path = shared_dir / "data" / "speech" / CLIP
    if not path.exists():
        pytest.skip(f"缺少语音样本 {path}")
    return path


def test_officer_transcribes_corrects_and_downloads_the_interview_record(browser, app_url, ui, tmp_path, clip):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()
    page.goto(app_url)
    ui.login(page, "officer")
    page.get_by_role("tab", name="我的案件").click()
    ui.open_accordion(page, "case-new", "立案 / 新建案件")
    ui.fill(page, "case-new-cause", "未按规定公示食品经营许可证")
    ui.fill(page, "case-new-cohandler", "officer2")
    ui.fill(page, "case-new-party", "某某餐饮店")
    page.locator("#case-create").click()
    expect(page.locator("#case-status")).to_contain_text("已立案")

    ui.open_accordion(page, "case-interview", "询问录音转写与询问笔录")
    # a text file renamed to .wav is refused before any model runs
    fake = tmp_path / "not-audio.wav"
    fake.write_text("这不是录音", encoding="utf-8")
    page.locator("#interview-audio input[type=file]").set_input_files(str(fake))
    page.locator("#interview-transcribe").click()
    page.get_by_text("内容与扩展名 .wav 不符").first.wait_for()
    assert "Traceback" not in page.content()

    page.locator("#interview-audio").get_by_role("button", name="Clear").or_(
        page.locator("#interview-audio button[aria-label*='Clear'], #interview-audio button[aria-label*='清除']")
    ).first.click()
    page.locator("#interview-audio input[type=file]").set_input_files(str(clip))
    page.locator("#interview-transcribe").click()
    # progress is shown while the model loads and decodes
    page.locator("#interview-status .progress-text, #interview-turns .progress-text, .progress-text").first.wait_for(
        timeout=120_000)
    expect(page.locator("#interview-status")).to_contain_text("转写完成", timeout=600_000)
    expect(page.locator("#interview-turns")).to_contain_text("交易几乎")  # the model may mishear 停滞
    ui.shot(page, "interview-transcribed")

    # correct turn 1: the heuristic marks it 问 (it contains 几); it is the interviewee's answer, and
    # the wording is fixed to what was said
    page.locator("#interview-turns").get_by_role("gridcell").filter(has_text="交易几乎").first.click()
    expect(page.locator("#interview-fix-no input")).to_have_value("1")
    page.locator("#interview-fix-speaker").get_by_text("答", exact=True).click()
    ui.fill(page, "interview-fix-text", "甚至出现了交易几乎停滞的情况。")
    page.locator("#interview-save").click()
    expect(page.locator("#interview-status")).to_contain_text("第1段已更正")
    expect(page.locator("#interview-turns")).to_contain_text("甚至出现了交易几乎停滞的情况。")

    ui.fill(page, "interview-start", "2026-03-02 09:30")
    ui.fill(page, "interview-end", "2026-03-02 10:05")
    ui.fill(page, "interview-place", "甲市市场监督管理局询问室")
    ui.fill(page, "interview-name", "陈某某")
    ui.fill(page, "interview-id", "440702198503121234")
    page.locator("#interview-docx-btn").click()
    expect(page.locator("#interview-status")).to_contain_text("询问笔录已生成")
    expect(page.locator("#interview-file")).to_contain_text(".docx")
    ui.shot(page, "interview-record")
    saved = ui.download(page, "interview-file", tmp_path / "询问笔录.docx")

    import docx

    body = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    assert "询问笔录" in body and "答：甚至出现了交易几乎停滞的情况。" in body
    assert "询问地点：甲市市场监督管理局询问室" in body
    assert "张承办" in body and "李承办" in body  # 询问人 and 记录人: two officers (第四十二条)
    assert "同步录音：记录编号" in body and hashlib.sha256(clip.read_bytes()).hexdigest() in body
    ctx.close()
