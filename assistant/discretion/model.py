"""Records of 裁量基准 (discretion benchmarks), their 档次 (bands), the statutory discretion factors
of 行政处罚法 第三十条至第三十三条 and 首违不罚 list entries (domain-spec §4).

All records are frozen dataclasses; lists are tuples so records stay hashable and immutable.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

# --- units ---------------------------------------------------------------------------------------
CNY = "CNY"
#: fine units expressed as a multiple (倍数) or proportion (比例) of an evidenced base quantity.
#: domain-spec §4 lists 违法所得倍数 / 货值比例 / 造价比例; real benchmarks also use 总投资额,
#: 广告费用, 所收费用, 代为处置费用 and 直接损失, so those are accepted as well.
BASE_OF_UNIT: dict[str, str] = {
    "违法所得倍数": "违法所得",
    "货值比例": "货值",
    "造价比例": "造价",
    "投资额比例": "总投资额",
    "广告费用倍数": "广告费用",
    "所收费用倍数": "所收费用",
    "代为处置费用倍数": "代为处置费用",
    "直接损失比例": "直接损失",
}
FINE_UNITS = (CNY, *BASE_OF_UNIT)

#: English / alternative spellings accepted for base quantities in CaseFacts.quantities.
QUANTITY_ALIASES: dict[str, str] = {
    "illegal_gains": "违法所得", "违法所得金额": "违法所得",
    "goods_value": "货值", "货值金额": "货值",
    "construction_cost": "造价", "建设工程造价": "造价", "工程造价": "造价",
    "investment": "总投资额", "总投资": "总投资额", "投资额": "总投资额",
    "ad_cost": "广告费用", "advertising_cost": "广告费用",
    "fees_charged": "所收费用", "disposal_cost": "代为处置费用", "direct_loss": "直接损失",
    "duration_minutes": "分钟", "minutes": "分钟", "count": "次数", "times": "次数",
}

LEVELS = ("不予处罚", "轻微", "一般", "较重", "严重")
PARTY_TYPES = ("natural_person", "legal_person", "other_org")


def canonical_quantity(name: str) -> str:
    name = name.strip()
    return QUANTITY_ALIASES.get(name, name)


@dataclass(frozen=True)
class QuantityRange:
    """A structured condition on one quantity: ``lo``/``hi`` in ``unit`` (None = open)."""

    quantity: str            # 分钟, 次数, 货值, 违法所得, 超标倍数, dB, 存栏量 …
    lo: float | None = None
    hi: float | None = None
    lo_inclusive: bool = True
    hi_inclusive: bool = True

    def contains(self, value: float) -> bool:
        if self.lo is not None and (value < self.lo or (value == self.lo and not self.lo_inclusive)):
            return False
        if self.hi is not None and (value > self.hi or (value == self.hi and not self.hi_inclusive)):
            return False
        return True


@dataclass(frozen=True)
class Condition:
    """One alternative circumstance of a band (rows of 裁量情节 are alternatives: 或).

    ``ranges`` and ``flags`` are what could be parsed; ``text`` is always kept verbatim."""

    text: str
    ranges: tuple[QuantityRange, ...] = ()
    flags: tuple[str, ...] = ()  # first_offence, repeat, refused_correction, serious_harm, no_harm, corrected


@dataclass(frozen=True)
class BenchmarkBand:
    level: str                      # 不予处罚/轻微/一般/较重/严重 or the table's own 类别 label ("1", "2"…)
    conditions_text: str
    conditions: tuple[Condition, ...] = ()
    min: float | None = None        # in ``unit``; None = no fine in this band
    max: float | None = None
    unit: str = CNY
    penalty_types: tuple[str, ...] = ()   # 警告, 罚款, 没收违法所得, 责令停产停业 …
    extra_penalties: tuple[str, ...] = () # e.g. 对责任人处五万元以上七万元以下罚款
    measures: tuple[str, ...] = ()        # 责令改正, 责令停止建设 … (not penalties)
    standard_text: str = ""               # 裁量标准 verbatim
    branch: str = ""                      # sub-rule of the basis the band belongs to (逾期不改正的 …)
    hearing_trigger: bool = False
    review_trigger: bool = False
    source_row: str = ""                  # "jiangmen-eco-2020.xls 水污染防治法!R3" or demo id
    order: int = 0


@dataclass(frozen=True)
class DiscretionFactor:
    code: str
    text: str
    kind: str                 # 法定 / 酌定
    effect: str               # 从轻 / 减轻 / 从重 / 不予
    legal_source: str         # 《中华人民共和国行政处罚法》第三十二条第（一）项 or benchmark row
    evidence_required: str = ""
    mandatory: bool = True    # 应当 (True) vs 可以 (False)
    allows_mitigation: bool = False  # 从轻或者减轻: 减轻 may be chosen instead
    quote: str = ""           # exact substring of the source article (verified in tests)


@dataclass(frozen=True)
class CitationCheck:
    """How one cited provision of a benchmark maps onto the statute store."""

    citation: str                 # as written in the table
    law_name: str
    article_no: str               # 第八十一条
    status: str                   # current | repealed_mapped | repealed_unmapped | version_mismatch | not_in_store | article_missing
    article_id: int | None = None
    successor_citation: str = ""
    successor_article_id: int | None = None
    successor_score: float | None = None
    successor_method: str = ""
    message: str = ""


@dataclass(frozen=True)
class DiscretionBenchmark:
    id: str                        # "<source key>:<violation code>"
    agency: str
    region: str
    version: str
    violation_code: str
    violation_name: str
    effective_from: date | None = None
    effective_to: date | None = None
    published_at: date | None = None
    publish_url: str = ""
    violated_provisions: tuple[str, ...] = ()
    penalty_provisions: tuple[str, ...] = ()
    penalty_types: tuple[str, ...] = ()
    fine_unit: str = CNY
    stat_min: float | None = None
    stat_max: float | None = None
    accessories: tuple[str, ...] = ()     # 没收违法所得, 责令改正 …
    bands: tuple[BenchmarkBand, ...] = ()
    factors: tuple[DiscretionFactor, ...] = ()  # 酌定 / aggravating factors listed by this benchmark
    legal_basis_text: str = ""
    note: str = ""
    category: str = ""                    # sheet / 类别 of the table
    source: str = ""                      # file name the record came from
    source_key: str = ""                  # import batch key (re-import replaces the batch)
    demo: bool = False
    citations: tuple[CitationCheck, ...] = ()

    @property
    def usable(self) -> bool:
        """行政处罚法 第三十四条 + 第五条: an unpublished benchmark is no basis."""
        return self.published_at is not None

    def in_force_on(self, day: date) -> bool:
        if self.effective_from and day < self.effective_from:
            return False
        if self.effective_to and day >= self.effective_to:
            return False
        return True


@dataclass(frozen=True)
class FirstOffenceEntry:
    """An entry of a published 首违不罚 / 不予处罚 list (行政处罚法 第三十三条第一款)."""

    id: str
    agency: str
    list_name: str
    category: str
    seq: int
    violation_name: str
    violated_provisions: tuple[str, ...] = ()
    conditions_text: str = ""
    conditions: tuple[str, ...] = ()   # e.g. 属于首次违法；在责令改正期限内改正违法行为，危害后果轻微
    requires: tuple[str, ...] = ()     # first_offence, corrected, harm_slight …
    effective_from: date | None = None
    effective_to: date | None = None
    published_at: date | None = None
    source: str = ""
    source_key: str = ""


def to_dict(obj: Any) -> dict[str, Any]:
    """JSON-ready dict (dates as ISO strings)."""
    def conv(v: Any) -> Any:
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return v
    return conv(asdict(obj))


# --- statutory factors (行政处罚法, 2021) -----------------------------------------------------------
_PL = "《中华人民共和国行政处罚法》"


def _f(code: str, text: str, effect: str, source: str, quote: str, evidence: str, *,
       mandatory: bool = True, allows_mitigation: bool = False) -> DiscretionFactor:
    return DiscretionFactor(code, text, "法定", effect, _PL + source, evidence, mandatory, allows_mitigation, quote)


STATUTORY_FACTORS: tuple[DiscretionFactor, ...] = (
    _f("P30-UNDER14", "不满十四周岁的未成年人有违法行为", "不予", "第三十条",
       "不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教", "身份证件或户籍证明（出生日期）"),
    _f("P30-MINOR", "已满十四周岁不满十八周岁的未成年人有违法行为", "从轻", "第三十条",
       "已满十四周岁不满十八周岁的未成年人有违法行为的，应当从轻或者减轻行政处罚", "身份证件或户籍证明（出生日期）",
       allows_mitigation=True),
    _f("P31-INCAPABLE", "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为", "不予", "第三十一条",
       "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚", "鉴定意见或医疗证明"),
    _f("P31-LIMITED", "尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人有违法行为", "从轻", "第三十一条",
       "尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人有违法行为的，可以从轻或者减轻行政处罚",
       "鉴定意见或医疗证明", mandatory=False, allows_mitigation=True),
    _f("P32-1", "主动消除或者减轻违法行为危害后果", "从轻", "第三十二条第（一）项",
       "主动消除或者减轻违法行为危害后果的", "整改材料、现场检查笔录", allows_mitigation=True),
    _f("P32-2", "受他人胁迫或者诱骗实施违法行为", "从轻", "第三十二条第（二）项",
       "受他人胁迫或者诱骗实施违法行为的", "询问笔录及佐证材料", allows_mitigation=True),
    _f("P32-3", "主动供述行政机关尚未掌握的违法行为", "从轻", "第三十二条第（三）项",
       "主动供述行政机关尚未掌握的违法行为的", "询问笔录、立案前未掌握的证明", allows_mitigation=True),
    _f("P32-4", "配合行政机关查处违法行为有立功表现", "从轻", "第三十二条第（四）项",
       "配合行政机关查处违法行为有立功表现的", "立功情况说明及证据", allows_mitigation=True),
    _f("P32-5", "法律、法规、规章规定其他应当从轻或者减轻行政处罚的", "从轻", "第三十二条第（五）项",
       "法律、法规、规章规定其他应当从轻或者减轻行政处罚的", "所依据的法律、法规、规章条文", allows_mitigation=True),
    _f("P33-MINOR", "违法行为轻微并及时改正，没有造成危害后果", "不予", "第三十三条第一款",
       "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚", "整改证明、现场检查笔录"),
    _f("P33-FIRST", "初次违法且危害后果轻微并及时改正（首违不罚）", "不予", "第三十三条第一款",
       "初次违法且危害后果轻微并及时改正的，可以不予行政处罚", "违法记录查询结果、整改证明", mandatory=False),
    _f("P33-NOFAULT", "当事人有证据足以证明没有主观过错", "不予", "第三十三条第二款",
       "当事人有证据足以证明没有主观过错的，不予行政处罚", "当事人提交的无过错证据"),
    _f("P49-EMERGENCY", "违反突发事件应对措施", "从重", "第四十九条",
       "行政机关对违反突发事件应对措施的行为，依法快速、从重处罚", "突发事件应对措施文件、违法事实证据"),
)
FACTORS_BY_CODE = {f.code: f for f in STATUTORY_FACTORS}


def statutory_factor(code: str) -> DiscretionFactor:
    return FACTORS_BY_CODE[code]


SOURCES = {
    "时效": _PL + "第三十六条",
    "从旧兼从轻": _PL + "第三十七条",
    "公布": _PL + "第三十四条",
    "未公布不得作为依据": _PL + "第五条第三款",
    "责令改正": _PL + "第二十八条第一款",
    "没收违法所得": _PL + "第二十八条第二款",
    "一事不再罚": _PL + "第二十九条",
    "教育": _PL + "第三十三条第三款",
    "听证": _PL + "第六十三条",
    "法制审核": _PL + "第五十八条",
    "过罚相当": _PL + "第五条第二款",
}

__all__ = [name for name in dir() if not name.startswith("_") and name not in {"annotations", "Any", "field"}]
