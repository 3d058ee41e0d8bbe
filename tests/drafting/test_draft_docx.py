"""Generated documents re-opened with python-docx: 第五十九条 items, GB/T 9704 layout, wording."""
from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from assistant.documents import ITEMS_59, missing_items_59
from assistant.documents.gbt9704 import DRAFT_MARK, docx_text
from assistant.drafting import draft_document


@pytest.fixture
def decision(ctx, statute_store):
    return draft_document("决定书", ctx, store=statute_store)


def test_decision_has_every_item_of_article_59(decision):
    text = docx_text(decision.docx)
    assert missing_items_59(text) == []
    assert decision.can_submit, decision.blocking


def test_missing_items_are_named():
    text = "行政处罚决定书\n当事人：某公司\n住所：某地\n经查，……\n上述事实，有以下证据证明：1.笔录。"
    missing = missing_items_59(text)
    assert ITEMS_59[0] not in missing and ITEMS_59[1] not in missing
    assert ITEMS_59[4] in missing and ITEMS_59[6] in missing


def test_removing_remedies_is_detected(decision):
    text = docx_text(decision.docx).replace("六个月", "若干月")
    assert missing_items_59(text) == ["申请行政复议、提起行政诉讼的途径和期限"]


def test_section_order_follows_the_spec(decision):
    assert list(decision.sections) == ["标题", "当事人", "案件来源", "违法事实", "证据", "告知与陈述申辩", "定性",
                                       "裁量说明", "处罚依据和内容", "履行方式和期限", "救济途径和期限", "落款"]
    text = docx_text(decision.docx)
    order = ["行政处罚决定书", "江环罚〔2025〕18号", "当事人：", "立案调查", "经查，", "上述事实，有以下证据证明：",
             "陈述、申辩", "违反了《中华人民共和国大气污染防治法》第十九条", "属于“一般”情形", "第九十九条第一款第（一）项",
             "十五日内", "六十日内", "江门市生态环境局印章", "2025年11月20日"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)


def test_amounts_also_in_daxie(decision):
    text = docx_text(decision.docx)
    assert "罚款人民币150000元（大写：人民币壹拾伍万元整）" in text


def test_remedies_and_payment_wording(decision):
    text = docx_text(decision.docx)
    assert "可以在收到本决定书之日起六十日内向江门市人民政府申请行政复议，或者在六个月内向江门市蓬江区人民法院提起行政诉讼" in text
    assert "三个月" not in text
    assert "行政处罚不停止执行" in text and "第七十三条" in text
    assert "每日按罚款数额的百分之三加处罚款" in text
    assert "十五日内" in text and "电子缴款" in text


def _document(draft):
    return Document(io.BytesIO(draft.docx))


def test_page_setup_gbt9704(decision):
    s = _document(decision).sections[0]
    mm = lambda length: round(length.mm, 1)  # noqa: E731 - stored in twips
    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert (mm(s.top_margin), mm(s.bottom_margin), mm(s.left_margin), mm(s.right_margin)) == (37, 35, 28, 26)


def test_fonts_sizes_and_line_spacing(decision):
    doc = _document(decision)
    paragraphs = [p for p in doc.paragraphs if p.text]
    title = paragraphs[1]
    assert title.text == "行政处罚决定书" and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = title.runs[0]
    assert run.font.size == Pt(22)
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    docno = paragraphs[2]
    assert docno.text == "江环罚〔2025〕18号" and docno.alignment == WD_ALIGN_PARAGRAPH.CENTER
    body = next(p for p in paragraphs if p.text.startswith("经查，"))
    assert body.runs[0].font.size == Pt(16)
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    fmt = body.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing == Pt(28)
    assert fmt.first_line_indent == Pt(32)
    assert body._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"


def test_font_fallbacks_declared(decision):
    xml = zipfile.ZipFile(io.BytesIO(decision.docx)).read("word/fontTable.xml").decode()
    assert 'w:name="方正小标宋简体"' in xml and 'w:val="宋体"' in xml
    assert 'w:name="仿宋_GB2312"' in xml and 'w:val="仿宋"' in xml


def test_page_numbers_in_footer(decision):
    doc = _document(decision)
    section = doc.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment == align
        assert p.runs[0].font.size == Pt(14)


def test_draft_mark_until_approved(ctx, statute_store, decision):
    assert DRAFT_MARK in docx_text(decision.docx, with_headers=True)
    approved = draft_document("决定书", replace(ctx, approved=True), store=statute_store)
    assert DRAFT_MARK not in docx_text(approved.docx, with_headers=True)


def test_notice_with_hearing_rights(ctx, statute_store):
    draft = draft_document("告知书", ctx, store=statute_store)   # 15 万 ≥ 10 万 threshold → hearing due
    text = docx_text(draft.docx)
    for phrase in ("在行政机关告知后五日内", "不承担行政机关组织听证的费用", "申请回避", "一至二人代理", "陈述、申辩"):
        assert phrase in text
    assert "江环告〔2025〕18号" in text and "2025年10月10日" in text
    assert draft.can_submit


def test_notice_without_hearing_when_below_threshold(make_ctx, data, statute_store):
    data["agency"]["hearing_threshold_org"] = 200000
    draft = draft_document("告知书", make_ctx(data), store=statute_store)
    assert "听证" not in docx_text(draft.docx)


def test_no_penalty_decision(make_ctx, no_penalty_data, statute_store):
    draft = draft_document("不予处罚", make_ctx(no_penalty_data), store=statute_store)
    text = docx_text(draft.docx)
    assert "不予行政处罚决定书" in text and "第三十三条第一款" in text and "进行了教育" in text
    assert "责令当事人立即停止违法排放行为" in text and "六个月内" in text
    assert draft.can_submit, draft.blocking


def test_forms(ctx, statute_store):
    filing = draft_document("立案审批表", ctx, store=statute_store)
    doc = _document(filing)
    assert len(doc.tables) == 1
    assert "承办人：张三（执法证号44070001）、李四（执法证号44070002）" in docx_text(filing.docx)
    review = draft_document("送审表", ctx, store=statute_store)
    text = docx_text(review.docx)
    assert "法制审核送审表" in text and "拟处理意见：罚款人民币150000元" in text and "法制审核意见" in text


def test_agency_name_with_a_bracketed_note_still_counts_as_the_issuing_agency():
    from assistant.documents import missing_items_59

    text = ("当事人：某公司\n住所：某市某路1号\n经查，当事人……\n上述事实，有以下证据证明：1.现场笔录\n"
            "依据《中华人民共和国价格法》第四十二条的规定，决定罚款人民币2000元。\n"
            "当事人应当自收到本决定书之日起十五日内缴纳罚款。\n"
            "如不服本决定，可以在收到本决定书之日起六十日内申请行政复议，或者在六个月内提起行政诉讼。\n"
            "示范市市场监督管理局（演示）\n（示范市市场监督管理局（演示）印章）\n2026年11月22日")
    assert missing_items_59(text) == []
