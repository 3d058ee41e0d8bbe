"""Annual statistics: totals, review rates, charts embedded in the .docx report, .xlsx data."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from assistant.documents.gbt9704 import docx_text
from assistant.publicity import OverdueItem, PenaltyItem, ReviewRound
from assistant.statistics import annual_statistics, export_report_docx, export_xlsx, render_charts, report_due


@pytest.fixture
def records(make_person_decision, make_company_decision):
    return [
        make_person_decision(),                                              # 2026, 50000 + 120, hearing, 2 rounds
        make_company_decision(),                                             # 2026, 5000, 1 round 同意
        make_company_decision(decision_id="X3", domain="生态环境", kind="行政强制", decided_on=date(2026, 3, 5),
                              filed_on=date(2025, 11, 1), penalties=(PenaltyItem("查封"),), reviews=(),
                              reconsideration="维持", litigation="驳回诉讼请求"),
        make_company_decision(decision_id="OLD", decided_on=date(2025, 6, 1)),  # other year: ignored
    ]


def test_totals_and_rates(records):
    s = annual_statistics(records, 2026, overdue=[OverdueItem("a", "", "", "publication", date(2026, 3, 1), 3, "")])
    assert s.total == 3
    assert s.by_kind == {"行政处罚": 2, "行政强制": 1}
    assert s.by_domain == {"市场监管": 2, "生态环境": 1}
    assert s.penalties_by_type == {"罚款": 2, "没收违法所得": 1, "查封": 1}
    assert s.fines_total == Decimal("55000") and s.confiscation_total == Decimal("120")
    assert (s.reviewed_cases, s.review_rounds, s.rounds_agree, s.rounds_problem) == (2, 3, 2, 1)
    assert s.first_round_agree == 1 and s.avg_rounds == 1.5
    assert s.hearings == 1 and s.reconsiderations == 1 and s.litigations == 1
    # handling days: 73, 90, 124 → one over the 90-day limit (第六十条)
    assert s.over_decision_limit == 1 and s.avg_handling_days == pytest.approx((73 + 90 + 124) / 3)
    assert s.overdue_by_kind == {"publication": 1, "decision_90_days": 1}
    assert report_due(2026) == date(2027, 1, 31)


def test_report_docx_has_charts_and_totals(records, tmp_path):
    s = annual_statistics(records, 2026)
    path = export_report_docx(s, tmp_path / "report.docx", agency="江门市蓬江区市场监督管理局")
    doc = Document(str(path))
    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(images) >= 4
    text = docx_text(path)
    assert "2026年度行政执法数据统计报告" in text
    assert "55,000元" in text and "3件" in text and "2027年1月31日前" in text
    assert "存在问题" in text and "33.3%" in text


def test_charts_are_pngs_with_a_cjk_font(records, tmp_path):
    from assistant.charts import use_cjk_font

    charts = render_charts(annual_statistics(records, 2026), tmp_path)
    assert len(charts) == 4 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for _, p in charts)
    assert use_cjk_font() is not None  # fonts-noto-cjk: Chinese labels are not boxes


def test_xlsx_reopens(records, tmp_path):
    s = annual_statistics(records, 2026)
    path = export_xlsx(s, records, tmp_path / "data.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "分类", "决定明细"]
    detail = list(wb["决定明细"].iter_rows(values_only=True))
    assert len(detail) == 4  # header + 3 decisions of 2026
    parties = [row[6] for row in detail[1:]]
    assert "张某某" in parties and "张三丰" not in parties
    summary = {row[0]: row[1] for row in wb["汇总"].iter_rows(values_only=True)}
    assert summary["罚款总额（元）"] == 55000


def test_empty_year_still_reports(tmp_path):
    s = annual_statistics([], 2026)
    assert s.total == 0 and s.agree_rate == 0.0
    export_report_docx(s, tmp_path / "empty.docx")
