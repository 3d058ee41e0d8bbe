"""Annual enforcement statistics (domain-spec §5: “每年1月31日前” publish the annual data and report,
[000][003]).

    stats = annual_statistics(records, 2025, overdue=overdue_items)
    export_report_docx(stats, "report.docx")      # GB/T 9704 report with embedded charts
    export_xlsx(stats, records, "data.xlsx")       # data tables (openpyxl)

Input is a list of :class:`assistant.publicity.DecisionRecord` (the lead feeds it from the case
store: :func:`assistant.publicity.decision_records_for_year`). Nothing personal is exported: the
per-decision sheet carries entity names only (natural persons are masked).
"""
from __future__ import annotations

import logging
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from assistant.errors import InputError
from assistant.publicity import DecisionRecord, OverdueItem

log = logging.getLogger(__name__)

DECISION_LIMIT_DAYS = 90  # 行政处罚法 第六十条（立案之日起九十日内）
AGREE, PROBLEM = "同意", "存在问题"


def report_due(year: int) -> date:
    """The annual report for ``year`` is due by 31 January of the next year ([000][003])."""
    return date(year + 1, 1, 31)


@dataclass(frozen=True)
class AnnualStats:
    year: int
    total: int
    by_kind: dict[str, int]
    by_domain: dict[str, int]
    by_procedure: dict[str, int]
    by_month: dict[int, int]
    penalties_by_type: dict[str, int]
    fines_total: Decimal
    confiscation_total: Decimal
    reviewed_cases: int
    review_rounds: int
    rounds_agree: int
    rounds_problem: int
    first_round_agree: int
    avg_rounds: float
    hearings: int
    reconsiderations: int
    reconsideration_outcomes: dict[str, int]
    litigations: int
    litigation_outcomes: dict[str, int]
    avg_handling_days: float | None
    handling_known: int
    over_decision_limit: int
    overdue_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def agree_rate(self) -> float:
        return self.rounds_agree / self.review_rounds if self.review_rounds else 0.0

    @property
    def problem_rate(self) -> float:
        return self.rounds_problem / self.review_rounds if self.review_rounds else 0.0

    @property
    def first_round_agree_rate(self) -> float:
        return self.first_round_agree / self.reviewed_cases if self.reviewed_cases else 0.0

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue_by_kind.values())

    def summary_rows(self) -> list[tuple[str, str]]:
        pct = lambda x: f"{x * 100:.1f}%"  # noqa: E731
        return [
            ("统计年度", f"{self.year}年"),
            ("执法决定总数", f"{self.total}件"),
            ("罚款总额", f"{_money(self.fines_total)}元"),
            ("没收违法所得及非法财物", f"{_money(self.confiscation_total)}元"),
            ("经法制审核案件", f"{self.reviewed_cases}件，共{self.review_rounds}轮，平均{self.avg_rounds:.2f}轮"),
            ("审核意见“同意”比例", pct(self.agree_rate)),
            ("审核意见“存在问题”比例", pct(self.problem_rate)),
            ("首轮审核即同意比例", pct(self.first_round_agree_rate)),
            ("举行听证", f"{self.hearings}件"),
            ("行政复议", f"{self.reconsiderations}件"),
            ("行政诉讼", f"{self.litigations}件"),
            ("平均办案时长（立案至决定）", "无数据" if self.avg_handling_days is None
             else f"{self.avg_handling_days:.1f}日（{self.handling_known}件有立案日期）"),
            ("超过九十日作出决定", f"{self.over_decision_limit}件（行政处罚法 第六十条）"),
            ("期限逾期事项", f"{self.overdue_total}项"),
            ("报告报送期限", report_due(self.year).strftime("%Y年%-m月%-d日") + "前"),
        ]


def _money(v: Decimal) -> str:
    v = Decimal(v)
    return f"{v:,.2f}" if v != v.to_integral() else f"{int(v):,}"


def annual_statistics(records: Iterable[DecisionRecord], year: int, *,
                      overdue: Iterable[OverdueItem | dict] = ()) -> AnnualStats:
    """Aggregate the decisions taken in ``year`` (records of other years are ignored)."""
    if not 2000 <= year <= 2100:
        raise InputError(f"统计年度 {year} 不合理")
    recs = [r for r in records if r.decided_on.year == year]
    by_kind = Counter(r.kind for r in recs)
    by_domain = Counter(r.domain or "未分类" for r in recs)
    by_procedure = Counter(r.procedure or "未注明" for r in recs)
    by_month = Counter(r.decided_on.month for r in recs)
    penalties = Counter(p.type for r in recs for p in r.penalties)
    fines = sum((r.fines() for r in recs), Decimal(0))
    conf = sum((r.confiscated() for r in recs), Decimal(0))
    reviewed = [r for r in recs if r.reviews]
    rounds = [rv for r in reviewed for rv in r.reviews]
    agree = sum(1 for rv in rounds if rv.outcome == AGREE)
    problem = sum(1 for rv in rounds if rv.outcome == PROBLEM)
    first_agree = sum(1 for r in reviewed if min(r.reviews, key=lambda x: x.round).outcome == AGREE)
    recon = [r.reconsideration for r in recs if r.reconsideration]
    lit = [r.litigation for r in recs if r.litigation]
    days = [(r.decided_on - r.filed_on).days for r in recs if r.filed_on and r.procedure != "简易程序"]
    over = sum(1 for d in days if d > DECISION_LIMIT_DAYS)
    overdue_kinds: Counter = Counter()
    for item in overdue:
        what = item.what if isinstance(item, OverdueItem) else str(item.get("what") or item.get("kind") or "其他")
        overdue_kinds[what] += 1
    if over:
        overdue_kinds["decision_90_days"] += over
    return AnnualStats(
        year=year, total=len(recs), by_kind=dict(by_kind.most_common()), by_domain=dict(by_domain.most_common()),
        by_procedure=dict(by_procedure), by_month={m: by_month.get(m, 0) for m in range(1, 13)},
        penalties_by_type=dict(penalties.most_common()), fines_total=fines, confiscation_total=conf,
        reviewed_cases=len(reviewed), review_rounds=len(rounds), rounds_agree=agree, rounds_problem=problem,
        first_round_agree=first_agree, avg_rounds=(len(rounds) / len(reviewed)) if reviewed else 0.0,
        hearings=sum(1 for r in recs if r.hearing_held), reconsiderations=len(recon),
        reconsideration_outcomes=dict(Counter(recon)), litigations=len(lit), litigation_outcomes=dict(Counter(lit)),
        avg_handling_days=(sum(days) / len(days)) if days else None, handling_known=len(days),
        over_decision_limit=over, overdue_by_kind=dict(overdue_kinds),
    )


# ---------------------------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------------------------
OVERDUE_LABELS = {"publication": "公示逾期", "withdrawal": "撤回逾期", "decision_90_days": "超九十日决定"}


def render_charts(stats: AnnualStats, out_dir: Path | str) -> list[tuple[str, Path]]:
    """PNG charts (matplotlib, Agg, CJK font): [(caption, path)]."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from assistant.charts import use_cjk_font

    if use_cjk_font() is None:
        log.warning("未找到中文字体，图表中的中文可能显示为方框（请安装 fonts-noto-cjk）")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    charts: list[tuple[str, Path]] = []

    def bar(data: dict, title: str, name: str, *, horizontal: bool = False, color: str = "#2f5597") -> None:
        fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
        labels, values = list(map(str, data.keys())) or ["无"], list(data.values()) or [0]
        if horizontal:
            ax.barh(labels[::-1], values[::-1], color=color)
        else:
            ax.bar(labels, values, color=color)
        ax.set_title(title)
        from matplotlib.ticker import MaxNLocator

        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        fig.tight_layout()
        path = out_dir / f"{name}.png"
        fig.savefig(path)
        plt.close(fig)
        charts.append((title, path))

    bar({f"{m}月": v for m, v in stats.by_month.items()}, f"{stats.year}年各月执法决定数量（件）", "by_month")
    bar(stats.by_domain, f"{stats.year}年按执法领域统计（件）", "by_domain", horizontal=True, color="#548235")
    bar(stats.penalties_by_type, f"{stats.year}年处罚种类分布（项）", "penalties", horizontal=True, color="#c55a11")
    review = {"同意": stats.rounds_agree, "存在问题": stats.rounds_problem,
              "其他": stats.review_rounds - stats.rounds_agree - stats.rounds_problem}
    bar({k: v for k, v in review.items() if v or k != "其他"}, f"{stats.year}年法制审核意见（轮次）", "review",
        color="#7030a0")
    return charts


# ---------------------------------------------------------------------------------------------
# exports
# ---------------------------------------------------------------------------------------------
def export_report_docx(stats: AnnualStats, path: Path | str, *, agency: str = "") -> Path:
    """The annual report (.docx) with a totals table and the embedded charts."""
    from docx.shared import Mm

    from assistant.documents import gbt9704 as g

    doc = g.new_document(draft_mark=None)
    g.add_title(doc, f"{agency}{stats.year}年度行政执法数据统计报告")
    g.add_blank(doc)
    g.add_paragraph(doc, f"根据行政执法公示制度要求，现将{stats.year}年度行政执法数据报告如下（于"
                         f"{report_due(stats.year).strftime('%Y年%-m月%-d日')}前向社会公开）。")
    g.add_paragraph(doc, "一、总体情况", bold=True, indent=False)
    g.add_form_table(doc, stats.summary_rows())
    g.add_paragraph(doc, "二、分类统计", bold=True, indent=False)
    g.add_form_table(doc, [("决定类别", "；".join(f"{k} {v}件" for k, v in stats.by_kind.items()) or "无"),
                           ("执法领域", "；".join(f"{k} {v}件" for k, v in stats.by_domain.items()) or "无"),
                           ("程序", "；".join(f"{k} {v}件" for k, v in stats.by_procedure.items()) or "无"),
                           ("处罚种类", "；".join(f"{k} {v}项" for k, v in stats.penalties_by_type.items()) or "无"),
                           ("复议结果", "；".join(f"{k} {v}件" for k, v in stats.reconsideration_outcomes.items()) or "无"),
                           ("诉讼结果", "；".join(f"{k} {v}件" for k, v in stats.litigation_outcomes.items()) or "无"),
                           ("逾期事项", "；".join(f"{OVERDUE_LABELS.get(k, k)} {v}项"
                                              for k, v in stats.overdue_by_kind.items()) or "无")])
    g.add_paragraph(doc, "三、统计图表", bold=True, indent=False)
    with tempfile.TemporaryDirectory() as tmp:
        for caption, png in render_charts(stats, tmp):
            doc.add_picture(str(png), width=Mm(150))
            g.add_paragraph(doc, f"图：{caption}", indent=False)
        data = g.to_bytes(doc)
    return g.save_atomic(data, path)


def _public_party(r: DecisionRecord) -> str:
    from assistant.redaction import mask_person_name

    return mask_person_name(r.party.name) if r.party.is_natural_person else r.party.name


def export_xlsx(stats: AnnualStats, records: Iterable[DecisionRecord], path: Path | str) -> Path:
    """Data tables: 汇总, 分类, 决定明细 (no personal identifiers)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from assistant.documents.gbt9704 import save_atomic

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["指标", "数值"])
    for k, v in stats.summary_rows():
        ws.append([k, v])
    ws.append(["罚款总额（元）", float(stats.fines_total)])
    ws.append(["没收金额（元）", float(stats.confiscation_total)])
    ws2 = wb.create_sheet("分类")
    ws2.append(["维度", "类别", "数量"])
    for dim, data in (("决定类别", stats.by_kind), ("执法领域", stats.by_domain), ("程序", stats.by_procedure),
                      ("处罚种类", stats.penalties_by_type), ("月份", {f"{m}月": v for m, v in stats.by_month.items()}),
                      ("复议结果", stats.reconsideration_outcomes), ("诉讼结果", stats.litigation_outcomes),
                      ("逾期事项", {OVERDUE_LABELS.get(k, k): v for k, v in stats.overdue_by_kind.items()})):
        for k, v in data.items():
            ws2.append([dim, k, v])
    ws3 = wb.create_sheet("决定明细")
    ws3.append(["决定编号", "文书文号", "执法机关", "决定类别", "执法领域", "程序", "当事人", "决定日期",
                "处罚种类", "罚款（元）", "没收（元）", "听证", "审核轮次", "审核结果", "办案天数", "复议", "诉讼"])
    for r in sorted((r for r in records if r.decided_on.year == stats.year), key=lambda r: r.decided_on):
        ws3.append([r.decision_id, r.document_number, r.agency, r.kind, r.domain, r.procedure, _public_party(r),
                    r.decided_on, "、".join(p.type for p in r.penalties), float(r.fines()), float(r.confiscated()),
                    "是" if r.hearing_held else "否", len(r.reviews),
                    (max(r.reviews, key=lambda x: x.round).outcome if r.reviews else ""),
                    (r.decided_on - r.filed_on).days if r.filed_on else None, r.reconsideration, r.litigation])
    for sheet in (ws, ws2, ws3):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return save_atomic(buf.getvalue(), path)
