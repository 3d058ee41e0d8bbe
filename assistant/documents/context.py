"""DraftContext: everything a document draft is made of, as structured data.

The case store adapter (lead) and the CLI (``context_from_dict`` over a JSON file) build it. Every
citation in it is a :class:`CitationRef` resolved from the statute store as of the violation date;
every amount is a :class:`~decimal.Decimal`.
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.amounts import to_decimal
from assistant.documents.citing import CitationRef, cite
from assistant.errors import InputError

PARTY_KINDS = ("自然人", "法人", "其他组织")
PENALTY_TYPES = ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
                 "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留")
MONEY_TYPES = ("罚款", "没收违法所得")
# 行政处罚法 第六十三条: penalty types that always give the right to a hearing.
HEARING_TYPES = ("降低资质等级", "吊销许可证件", "责令停产停业", "责令关闭", "限制从业")


@dataclass(frozen=True)
class Agency:
    name: str
    code: str                       # 机关代字, e.g. 江环
    seal_name: str = ""             # 印章名称 (defaults to name)
    address: str = ""
    review_body: str = ""           # 复议机关 (复议法 第二十四条 / 第二十七条)
    court: str = ""                 # 管辖法院 (行政诉讼法 第十八条)
    contact: str = ""               # 联系人及电话 (告知书)
    statement_days: int = 5         # 陈述申辩期限（工作日）— local rule, no national value
    hearing_threshold_person: Decimal | None = None   # 较大数额 (第六十三条) for 自然人 — local rule
    hearing_threshold_org: Decimal | None = None      # for 法人/其他组织


@dataclass(frozen=True)
class Party:
    kind: str                       # 自然人 / 法人 / 其他组织
    name: str
    id_code: str                    # 统一社会信用代码 or 身份证号码
    address: str
    legal_rep: str = ""             # 法定代表人（负责人、经营者）
    extra: str = ""                 # e.g. 性别、出生日期 for 自然人 (optional line)

    @property
    def id_label(self) -> str:
        return "身份证号码" if self.kind == "自然人" else "统一社会信用代码"

    @property
    def address_label(self) -> str:
        return "住址" if self.kind == "自然人" else "住所"


@dataclass(frozen=True)
class Facts:
    """违法事实的构成要件 (spec §3 事实清楚): each a short phrase, written from the evidence."""

    time: str                       # 2025年8月12日至2025年9月3日
    place: str
    act: str                        # what the party did
    quantities: tuple[str, ...] = ()   # 共10600箱、4417.43kg …
    harm: str = ""
    illegal_gains: Decimal | None = None
    goods_value: Decimal | None = None
    other: str = ""                 # 主观过错、目的等


@dataclass(frozen=True)
class CaseInfo:
    number: str                     # 案件编号
    cause: str                      # 案由
    source: str                     # 案件来源: 日常检查 / 投诉举报 / 移送 …
    filed_on: date                  # 立案日
    violation_date: date            # governs which law version applies (第三十七条)
    facts: Facts
    source_detail: str = ""         # "2025年9月3日，本局执法人员在日常检查中发现……"
    handlers: tuple[str, ...] = ()  # 承办人 (≥2, 第四十二条)
    filing_approver: str = ""
    summary: str = ""               # 简要案情 (立案审批表 / 送审表)


@dataclass(frozen=True)
class Evidence:
    name: str
    detail: str = ""                # 证明内容


@dataclass(frozen=True)
class Procedure:
    notice_number: str = ""         # 事先告知书文号
    notice_date: date | None = None
    statement: str = ""             # 陈述申辩 summary ("" = none received)
    statement_adopted: bool | None = None
    review_reasons: str = ""        # 复核意见 (第四十五条)
    hearing_requested: bool = False
    hearing_date: date | None = None
    hearing_summary: str = ""
    waived: bool = False            # 当事人明确放弃陈述申辩/听证
    notified_penalties: tuple["PenaltyItem", ...] = ()   # what the notice proposed (decision ≤ notice)
    review_submitted_on: date | None = None       # 法制审核送审日期
    review_materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class Violation:
    qualification: str              # 定性: "未依法取得排污许可证排放大气污染物"
    violated: tuple[CitationRef, ...]
    penalty_basis: tuple[CitationRef, ...]


@dataclass(frozen=True)
class Discretion:
    level: str = ""                 # 档次 name: 一般 / 较重 …
    band: tuple[Decimal, Decimal] | None = None       # chosen band (min, max), 元
    statutory_range: tuple[Decimal, Decimal] | None = None
    factors: tuple[str, ...] = ()   # each "情节（来源）"
    explanation: str = ""           # deterministic explanation from the recommender
    benchmark: str = ""             # 裁量基准 name and version
    mitigated: bool = False         # 减轻处罚 (below the statutory minimum allowed)


@dataclass(frozen=True)
class PenaltyItem:
    type: str
    amount: Decimal | None = None
    detail: str = ""                # 没收物品清单, 暂扣期限 …


@dataclass(frozen=True)
class Payment:
    days: int = 15                  # 第六十七条
    bank: str = ""                  # 代收银行
    account: str = ""
    e_pay: str = ""                 # 电子支付方式


@dataclass(frozen=True)
class NoPenalty:
    """不予行政处罚: ground cited from the store (第三十三条 etc.) and the 教育 given."""

    ground: tuple[CitationRef, ...]
    reason: str                     # "违法行为轻微并及时改正，没有造成危害后果"
    education: str = ""


@dataclass(frozen=True)
class DraftContext:
    agency: Agency
    doc_number: str
    party: Party
    case: CaseInfo
    evidence: tuple[Evidence, ...] = ()
    procedure: Procedure = field(default_factory=Procedure)
    violations: tuple[Violation, ...] = ()
    discretion: Discretion = field(default_factory=Discretion)
    penalties: tuple[PenaltyItem, ...] = ()
    order_to_correct: str = ""      # 责令改正 content (第二十八条)
    payment: Payment = field(default_factory=Payment)
    decision_date: date | None = None
    no_penalty: NoPenalty | None = None
    hearing_due: bool | None = None  # None: computed (第六十三条, local thresholds)
    approved: bool = False          # 法制审核通过 → no 草稿 mark

    @property
    def fine(self) -> Decimal:
        return sum((p.amount or Decimal(0) for p in self.penalties if p.type == "罚款"), Decimal(0))

    def needs_hearing(self) -> bool:
        """第六十三条: heavy penalty types, or 较大数额 under the agency's configured threshold."""
        if self.hearing_due is not None:
            return self.hearing_due
        if any(p.type in HEARING_TYPES for p in self.penalties):
            return True
        threshold = (self.agency.hearing_threshold_person if self.party.kind == "自然人"
                     else self.agency.hearing_threshold_org)
        if threshold is None:
            return False
        money = [p.amount for p in self.penalties if p.type in MONEY_TYPES + ("没收非法财物",) and p.amount]
        return any(m >= threshold for m in money)

    def citations(self) -> list[CitationRef]:
        out: list[CitationRef] = []
        for v in self.violations:
            out.extend(v.violated)
            out.extend(v.penalty_basis)
        if self.no_penalty:
            out.extend(self.no_penalty.ground)
        return out


# -- loading from JSON --------------------------------------------------------------------------

def _date(value: Any, path: str, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise InputError(f"缺少日期字段 {path}")
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"字段 {path} 不是有效日期（应为 YYYY-MM-DD）：{value}") from exc


def _amount(value: Any, path: str) -> Decimal | None:
    if value in (None, ""):
        return None
    return to_decimal(value, field=f"字段 {path}")


def _obj(data: Any, path: str) -> dict:
    if not isinstance(data, dict):
        raise InputError(f"字段 {path} 应为对象")
    return data


def _build(cls, data: dict, path: str, **overrides):
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names - set(overrides))
    if unknown:
        raise InputError(f"字段 {path} 含未知项：{'、'.join(unknown)}")
    kwargs = {k: v for k, v in data.items() if k in names}
    kwargs.update(overrides)
    missing = [f.name for f in fields(cls) if f.name not in kwargs and f.default is MISSING and f.default_factory is MISSING]
    if missing:
        raise InputError(f"字段 {path} 缺少：{'、'.join(missing)}")
    for k, v in list(kwargs.items()):
        if isinstance(v, list):
            kwargs[k] = tuple(v)
    return cls(**kwargs)


def _refs(store, items: Any, path: str, as_of: date) -> tuple[CitationRef, ...]:
    if not isinstance(items, list) or not items:
        raise InputError(f"字段 {path} 应为非空的引用列表")
    out = []
    for i, item in enumerate(items):
        item = _obj(item, f"{path}[{i}]")
        if "law" not in item or "article" not in item:
            raise InputError(f"字段 {path}[{i}] 须写明 law 和 article")
        try:
            out.append(cite(store, item["law"], item["article"], item.get("kuan"), item.get("xiang"), as_of=as_of))
        except InputError as exc:
            raise InputError(f"字段 {path}[{i}]：{exc.message}") from exc
    return tuple(out)


def _penalties(items: Any, path: str) -> tuple[PenaltyItem, ...]:
    out = []
    for i, p in enumerate(items or []):
        p = _obj(p, f"{path}[{i}]")
        if p.get("type") not in PENALTY_TYPES:
            raise InputError(f"字段 {path}[{i}].type 不是法定处罚种类（行政处罚法 第九条）：{p.get('type')}")
        out.append(_build(PenaltyItem, p, f"{path}[{i}]", amount=_amount(p.get("amount"), f"{path}[{i}].amount")))
    return tuple(out)


def _band(value: Any, path: str) -> tuple[Decimal, Decimal] | None:
    if value in (None, ""):
        return None
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InputError(f"字段 {path} 应为 [最低, 最高]")
    lo, hi = _amount(value[0], path), _amount(value[1], path)
    if lo is None or hi is None or lo > hi:
        raise InputError(f"字段 {path} 的范围无效：{value}")
    return lo, hi


def context_from_dict(data: dict, store) -> DraftContext:
    """Build a DraftContext from JSON-like data; citations are resolved as of the violation date.

    Citations are ``{"law": "大气污染防治法", "article": 99 | "第九十九条", "kuan": 1, "xiang": 1}``.
    """
    data = _obj(data, "（根）")
    agency_d = _obj(data.get("agency"), "agency")
    agency = _build(Agency, agency_d, "agency",
                    hearing_threshold_person=_amount(agency_d.get("hearing_threshold_person"), "agency.hearing_threshold_person"),
                    hearing_threshold_org=_amount(agency_d.get("hearing_threshold_org"), "agency.hearing_threshold_org"))
    party = _build(Party, _obj(data.get("party"), "party"), "party")
    if party.kind not in PARTY_KINDS:
        raise InputError(f"字段 party.kind 应为 {'/'.join(PARTY_KINDS)}：{party.kind}")
    case_d = _obj(data.get("case"), "case")
    facts_d = _obj(case_d.get("facts"), "case.facts")
    facts = _build(Facts, facts_d, "case.facts",
                   illegal_gains=_amount(facts_d.get("illegal_gains"), "case.facts.illegal_gains"),
                   goods_value=_amount(facts_d.get("goods_value"), "case.facts.goods_value"))
    violation_date = _date(case_d.get("violation_date"), "case.violation_date")
    case = _build(CaseInfo, case_d, "case", facts=facts, filed_on=_date(case_d.get("filed_on"), "case.filed_on"),
                  violation_date=violation_date)
    evidence = tuple(_build(Evidence, _obj(e, f"evidence[{i}]") if not isinstance(e, str) else {"name": e},
                            f"evidence[{i}]") for i, e in enumerate(data.get("evidence") or []))
    proc_d = _obj(data.get("procedure") or {}, "procedure")
    procedure = _build(Procedure, proc_d, "procedure",
                       notice_date=_date(proc_d.get("notice_date"), "procedure.notice_date", required=False),
                       hearing_date=_date(proc_d.get("hearing_date"), "procedure.hearing_date", required=False),
                       review_submitted_on=_date(proc_d.get("review_submitted_on"), "procedure.review_submitted_on", required=False),
                       notified_penalties=_penalties(proc_d.get("notified_penalties"), "procedure.notified_penalties"))
    violations = []
    for i, v in enumerate(data.get("violations") or []):
        v = _obj(v, f"violations[{i}]")
        violations.append(_build(Violation, v, f"violations[{i}]",
                                 violated=_refs(store, v.get("violated"), f"violations[{i}].violated", violation_date),
                                 penalty_basis=_refs(store, v.get("penalty_basis"), f"violations[{i}].penalty_basis", violation_date)))
    disc_d = _obj(data.get("discretion") or {}, "discretion")
    discretion = _build(Discretion, disc_d, "discretion", band=_band(disc_d.get("band"), "discretion.band"),
                        statutory_range=_band(disc_d.get("statutory_range"), "discretion.statutory_range"))
    no_penalty = None
    if data.get("no_penalty"):
        np_d = _obj(data["no_penalty"], "no_penalty")
        # procedural grounds (第三十三条) apply as of the decision, the law in force then
        no_penalty = _build(NoPenalty, np_d, "no_penalty",
                            ground=_refs(store, np_d.get("ground"), "no_penalty.ground", violation_date))
    payment = _build(Payment, _obj(data.get("payment") or {}, "payment"), "payment")
    return _build(
        DraftContext, data, "（根）", agency=agency, party=party, case=case, evidence=evidence, procedure=procedure,
        violations=tuple(violations), discretion=discretion, penalties=_penalties(data.get("penalties"), "penalties"),
        payment=payment, no_penalty=no_penalty,
        decision_date=_date(data.get("decision_date"), "decision_date", required=False),
    )


def to_plain(obj: Any) -> Any:
    """Dataclass → JSON-safe structures (dates ISO, Decimals as strings)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (date, Decimal)):
        return obj.isoformat() if isinstance(obj, date) else str(obj)
    return obj
