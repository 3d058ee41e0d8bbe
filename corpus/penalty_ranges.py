"""Statutory fine ranges read from the text of a penalty article (处罚依据).

    "处五万元以上十万元以下罚款"                    → fixed range in yuan
    "并处货值金额十倍以上二十倍以下罚款"             → multiple of 货值金额
    "货值金额不足一万元的，并处五万元以上十万元以下罚款" → conditional on the base quantity

Only what the text says is returned; a range that depends on an unknown base is reported as such.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.decisions import parse_amount

_CN = r"[\d.,零〇一二两三四五六七八九十百千万]+"
RANGE_RE = re.compile(
    rf"(?:(?P<cond>[^，。；：]*?(?:不足|以上|以下|超过)[^，。；：]*?的)，)?(?:可以)?并?处(?:以)?"
    rf"(?:(?P<base>违法所得|货值金额|建设工程造价|工程造价|合同价款|违法收入)(?:的)?)?"
    rf"(?P<lo>{_CN})(?P<lo_unit>元|万元|倍|%|‰)?(?:以上|至)(?P<hi>{_CN})(?P<hi_unit>元|万元|倍)?(?:以下)?(?:的)?罚款"
)
PERCENT_RE = re.compile(rf"(?:处|并处)(?P<base>违法所得|货值金额|建设工程造价|工程造价)百分之(?P<lo>{_CN})以上百分之(?P<hi>{_CN})以下(?:的)?罚款")
MAX_ONLY_RE = re.compile(rf"(?:处|并处)(?P<hi>{_CN})(?P<unit>元|万元)以下(?:的)?罚款")


@dataclass(frozen=True)
class StatutoryRange:
    low: float | None
    high: float | None
    unit: str  # 元 | 倍 (of base) | 比例 (of base)
    base: str | None  # 违法所得 / 货值金额 / 工程造价
    condition: str | None
    snippet: str

    def in_yuan(self, bases: dict[str, float]) -> tuple[float | None, float | None] | None:
        """Resolve to yuan with the evidenced base quantities; None if the base is unknown."""
        if self.unit == "元":
            return self.low, self.high
        value = bases.get((self.base or "").replace("建设工程造价", "工程造价"))
        if value is None:
            return None
        factor = 1 if self.unit == "倍" else 0.01
        return ((self.low or 0) * factor * value, (self.high or 0) * factor * value)


def _num(text: str, unit: str | None) -> float | None:
    value = parse_amount(text, "万" if unit == "万元" else None)
    return value


def parse_ranges(article_text: str) -> list[StatutoryRange]:
    out: list[StatutoryRange] = []
    for m in RANGE_RE.finditer(article_text):
        lo_unit = m.group("lo_unit") or m.group("hi_unit") or "元"
        hi_unit = m.group("hi_unit") or lo_unit
        base = m.group("base")
        if hi_unit == "倍" or lo_unit == "倍":
            unit = "倍"
            lo, hi = parse_amount(m.group("lo")), parse_amount(m.group("hi"))
        else:
            unit = "元"
            lo, hi = _num(m.group("lo"), lo_unit), _num(m.group("hi"), hi_unit)
        if unit == "倍" and not base:
            base = "违法所得" if "违法所得" in article_text[max(0, m.start() - 30):m.start()] else None
        cond = (m.group("cond") or "").strip() or None
        out.append(StatutoryRange(lo, hi, unit, base, cond, m.group(0)))
    for m in PERCENT_RE.finditer(article_text):
        out.append(StatutoryRange(parse_amount(m.group("lo")), parse_amount(m.group("hi")), "比例", m.group("base"), None, m.group(0)))
    if not out:
        for m in MAX_ONLY_RE.finditer(article_text):
            out.append(StatutoryRange(0, _num(m.group("hi"), m.group("unit")), "元", None, None, m.group(0)))
    return out


def _condition_holds(cond: str | None, bases: dict[str, float]) -> bool | None:
    if not cond:
        return True
    m = re.search(rf"(违法所得|货值金额|工程造价)(?:不足|低于)({_CN})(万)?元", cond)
    if m and m.group(1) in bases:
        return bases[m.group(1)] < (parse_amount(m.group(2), m.group(3)) or 0)
    m = re.search(rf"(违法所得|货值金额|工程造价)({_CN})(万)?元以上", cond)
    if m and m.group(1) in bases:
        return bases[m.group(1)] >= (parse_amount(m.group(2), m.group(3)) or 0)
    return None


def statutory_fine_range(article_text: str, bases: dict[str, float] | None = None) -> tuple[float, float, str] | None:
    """The (min, max, snippet) fine in yuan that applies given the base quantities, or None when the
    text gives no amount (建筑法 第六十五条) or the base needed is unknown."""
    bases = bases or {}
    candidates = []
    for r in parse_ranges(article_text):
        holds = _condition_holds(r.condition, bases)
        if holds is False:
            continue
        resolved = r.in_yuan(bases)
        if resolved is None or resolved[1] is None:
            continue
        candidates.append((resolved[0] or 0.0, resolved[1], r.snippet, holds))
    if not candidates:
        return None
    # prefer a range whose condition was positively confirmed
    confirmed = [c for c in candidates if c[3]]
    lo, hi, snippet, _ = (confirmed or candidates)[0]
    return lo, hi, snippet
