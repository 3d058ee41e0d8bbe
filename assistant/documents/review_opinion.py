"""法制审核意见书 (.docx): a separate record, never a countersignature on the decision
(“不得以会签行政处罚决定书代替合法性审核” [003]); one finding and one reviewer decision per item."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.documents import gbt9704

STATUS_CN = {"pass": "通过", "warn": "提示", "fail": "不通过", "manual": "人工核对"}


@dataclass(frozen=True)
class ItemOpinion:
    item: str
    automatic: str  # worst automatic status
    findings: list[str]
    decision: str  # reviewer's word for the item: 符合 / 存在问题
    note: str = ""


@dataclass(frozen=True)
class ReviewOpinion:
    agency: str
    case_number: str
    cause: str
    party: str
    submitting_unit: str
    handlers: list[str]
    submitted_on: date
    materials: list[str]
    items: list[ItemOpinion]
    outcome: str  # 同意 | 存在问题
    opinion: str
    reviewer: str
    reviewer_qualified: bool
    reviewed_on: date
    round_no: int
    head_of_unit: str = ""
    issues: list[str] = field(default_factory=list)


def _d(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build_review_opinion(op: ReviewOpinion) -> bytes:
    doc = gbt9704.new_document(draft_mark=None)
    gbt9704.add_title(doc, "法制审核意见书")
    gbt9704.add_docno(doc, f"（第{op.round_no}轮审核）")
    gbt9704.add_form_table(doc, [
        ("案件编号", op.case_number), ("案由", op.cause), ("当事人", op.party), ("送审单位", op.submitting_unit),
        ("承办人", "、".join(op.handlers)), ("送审日期", _d(op.submitted_on)),
        ("审核材料", "\n".join(f"{i}. {m}" for i, m in enumerate(op.materials, 1)) or "（无）"),
    ])
    gbt9704.add_blank(doc)
    gbt9704.add_paragraph(doc, "一、逐项审核情况", indent=False, bold=True)
    rows = []
    for it in op.items:
        text = f"审核结论：{it.decision}（自动检查：{STATUS_CN.get(it.automatic, it.automatic)}）"
        if it.findings:
            text += "\n" + "\n".join(f"· {f}" for f in it.findings)
        if it.note:
            text += f"\n审核人意见：{it.note}"
        rows.append((it.item, text))
    gbt9704.add_form_table(doc, rows)
    gbt9704.add_blank(doc)
    gbt9704.add_paragraph(doc, "二、审核意见", indent=False, bold=True)
    gbt9704.add_paragraph(doc, f"审核结论：{op.outcome}。")
    if op.issues:
        for i, issue in enumerate(op.issues, 1):
            gbt9704.add_paragraph(doc, f"{i}. {issue}")
    gbt9704.add_paragraph(doc, op.opinion or "（无补充意见）")
    gbt9704.add_blank(doc)
    qual = "已取得法律职业资格" if op.reviewer_qualified else "未登记法律职业资格"
    gbt9704.add_paragraph(doc, f"审核人员：{op.reviewer}（{qual}）", indent=False)
    gbt9704.add_paragraph(doc, f"审核日期：{_d(op.reviewed_on)}", indent=False)
    gbt9704.add_paragraph(doc, f"法制审核机构负责人：{op.head_of_unit or '＿＿＿＿＿＿'}", indent=False)
    gbt9704.add_signature(doc, op.agency, _d(op.reviewed_on))
    return gbt9704.to_bytes(doc)
