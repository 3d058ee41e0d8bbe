"""同案同罚: where a proposed fine sits among similar decided cases (same violation and tier).

Outliers are fines outside the 10th–90th percentile of peers (domain-spec §4 step 9, "确保执法尺度统一"),
or a different tier than peers with matching circumstances.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.precedent_tables import PrecedentRow

LOW_PCT, HIGH_PCT = 10, 90


@dataclass(frozen=True)
class PeerStats:
    count: int
    fines: list[float]
    minimum: float | None
    median: float | None
    maximum: float | None
    p10: float | None
    p90: float | None
    percentile: float | None  # where the proposed fine sits (0–100)
    outlier: bool
    messages: list[str] = field(default_factory=list)
    peer_ids: list[int] = field(default_factory=list)


def peers(session: Session, *, violated_ids: list[int], penalty_ids: list[int], violation_code: str | None,
          band: str | None, exclude_case_id: int | None = None) -> list[PrecedentRow]:
    rows = []
    for r in session.execute(select(PrecedentRow).where(PrecedentRow.fine.is_not(None))).scalars():
        if exclude_case_id is not None and r.case_id == exclude_case_id:
            continue
        same_violation = (violation_code and r.violation_code == violation_code) or \
            (set(violated_ids) & set(r.violated_article_ids)) or (set(penalty_ids) & set(r.penalty_article_ids))
        if same_violation and (band is None or r.band in (None, band)):
            rows.append(r)
    return rows


def peer_stats(session: Session, proposed: float | None, *, violated_ids: list[int], penalty_ids: list[int],
               violation_code: str | None = None, band: str | None = None,
               exclude_case_id: int | None = None) -> PeerStats:
    rows = peers(session, violated_ids=violated_ids, penalty_ids=penalty_ids, violation_code=violation_code,
                 band=band, exclude_case_id=exclude_case_id)
    fines = sorted(float(r.fine) for r in rows)
    msgs: list[str] = []
    if not fines:
        return PeerStats(0, [], None, None, None, None, None, None, False, ["没有同一违法行为、同一档次的已决案例可比较"], [])
    arr = np.array(fines)
    p10, p90 = float(np.percentile(arr, LOW_PCT)), float(np.percentile(arr, HIGH_PCT))
    pct = None
    outlier = False
    if proposed is not None:
        pct = float((arr < proposed).sum() + 0.5 * (arr == proposed).sum()) / len(arr) * 100
        if len(fines) >= 3 and (proposed < p10 or proposed > p90):
            outlier = True
            msgs.append(f"拟罚款 {proposed:g} 元在同类案例第 {LOW_PCT}–{HIGH_PCT} 百分位（{p10:g}–{p90:g} 元）之外，请说明理由")
        elif len(fines) < 3:
            msgs.append(f"同类案例仅 {len(fines)} 件，统计参考意义有限")
    if band is not None:
        all_rows = peers(session, violated_ids=violated_ids, penalty_ids=penalty_ids, violation_code=violation_code,
                         band=None, exclude_case_id=exclude_case_id)
        other = sorted({r.band for r in all_rows if r.band and r.band != band})
        if other and len(all_rows) > len(rows):
            msgs.append(f"同一违法行为的其他案例适用了不同档次（{'、'.join(other)}），请核对情节是否确有不同")
    return PeerStats(len(fines), fines, fines[0], float(np.median(arr)), fines[-1], p10, p90, pct, outlier, msgs,
                     [r.id for r in rows])


def distribution_chart(stats: PeerStats, proposed: float | None, title: str = "同类案例罚款分布") -> bytes:
    """PNG: every peer fine as a point, the 10–90th percentile band, and the proposed fine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from assistant.charts import use_cjk_font

    use_cjk_font()
    fig, ax = plt.subplots(figsize=(7, 2.6), dpi=110)
    if stats.fines:
        ys = np.random.default_rng(0).uniform(-0.15, 0.15, len(stats.fines))
        ax.scatter(stats.fines, ys, s=40, alpha=0.7, label=f"同类案例（{stats.count} 件）")
        if stats.p10 is not None and stats.p90 is not None:
            ax.axvspan(stats.p10, stats.p90, color="tab:green", alpha=0.12, label="第10–90百分位")
        if stats.median is not None:
            ax.axvline(stats.median, color="tab:green", linestyle="--", linewidth=1, label=f"中位数 {stats.median:g} 元")
    if proposed is not None:
        ax.axvline(proposed, color="tab:red" if stats.outlier else "tab:blue", linewidth=2, label=f"本案拟罚 {proposed:g} 元")
    ax.set_yticks([])
    ax.set_ylim(-0.5, 0.5)
    ax.set_xlabel("罚款（元）")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=8, frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.15)  # keep the legend below the axis label
    plt.close(fig)
    return buf.getvalue()
