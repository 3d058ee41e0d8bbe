"""The case lifecycle as an explicit state machine (domain-spec §1).

Ordinary procedure (普通程序, 第五十四条起):

    立案 → 调查取证 → 事先告知 → 陈述申辩(含听证) → 法制审核 → 集体讨论 → 决定 → 送达 → 执行 → 结案
                      ╰→ 不予处罚 → 送达 → 结案      ╰→ 移送 → 结案      (any open state) → 终止 → 结案

(法制审核 and 集体讨论 are entered only when required or chosen; 决定 checks that every required
step happened.) Simple procedure (简易程序, 第五十一条至第五十三条) is its own path:

    当场处置 → 当场告知 → 当场决定 → 执行 → 结案(备案)

Each transition is data: who may take it (``actor``) and which gates it must pass. Each gate is
data too: a key, the article it enforces and a check returning a refusal sentence or ``None``.
:func:`check_transition` raises :class:`assistant.errors.GateRefused` naming the article.
The module is pure: the service (:mod:`assistant.cases`) builds a :class:`GateContext` from the
store and applies the effects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from assistant import roles
from assistant.deadlines import add_working_days, statutory_due
from assistant.errors import GateRefused, InputError
# the rule tables (第六十三条, 第五十八条, 陈述申辩期限) are data-driven and live in their own module
from assistant.lifecycle_rules import (hearing_rules, hearing_triggers, review_matches, review_rules,  # noqa: F401
                                       statement_due)
from assistant.parties import NATURAL_PERSON

LAW = "《中华人民共和国行政处罚法》"


def art(label: str) -> str:
    return f"{LAW}{label}"


# -- states ------------------------------------------------------------------------------------
FILING, INVESTIGATION, PRIOR_NOTICE, STATEMENT = "立案", "调查取证", "事先告知", "陈述申辩"
LEGAL_REVIEW, COLLECTIVE, DECISION, SERVICE = "法制审核", "集体讨论", "决定", "送达"
ENFORCEMENT, CLOSED = "执行", "结案"
NO_PENALTY, TRANSFERRED, TERMINATED = "不予处罚", "移送", "终止"
ON_SPOT, ON_SPOT_NOTICE, ON_SPOT_DECISION = "当场处置", "当场告知", "当场决定"

ORDINARY, SIMPLE = "普通", "简易"
PROCEDURES = (ORDINARY, SIMPLE)
ORDINARY_STATES = (FILING, INVESTIGATION, PRIOR_NOTICE, STATEMENT, LEGAL_REVIEW, COLLECTIVE, DECISION,
                   SERVICE, ENFORCEMENT, CLOSED, NO_PENALTY, TRANSFERRED, TERMINATED)
SIMPLE_STATES = (ON_SPOT, ON_SPOT_NOTICE, ON_SPOT_DECISION, ENFORCEMENT, CLOSED, TERMINATED)
INITIAL_STATE = {ORDINARY: FILING, SIMPLE: ON_SPOT}
TERMINAL = (CLOSED,)

# 第二十八条: 责令改正 is not a penalty; it is never compared against the notice.
NON_PENALTY_MEASURES = frozenset({"责令改正", "责令限期改正"})
SIMPLE_PENALTY_TYPES = frozenset({"警告", "罚款"})
SIMPLE_FINE_LIMITS = {"自然人": 200, "法人": 3000, "其他组织": 3000}  # 第五十一条


@dataclass(frozen=True)
class Penalty:
    """A proposed or decided penalty: types (警告、罚款、没收违法所得…), fine and confiscated amount in 元."""

    types: tuple[str, ...]
    fine: float = 0.0
    confiscation: float = 0.0

    @classmethod
    def from_payload(cls, data: dict | None, *, field_name: str = "penalty") -> "Penalty":
        data = data or {}
        types = data.get("types") or []
        if isinstance(types, str):
            types = [t for t in types.replace("，", ",").split(",") if t.strip()]
        try:
            fine = float(data.get("fine") or 0)
            confiscation = float(data.get("confiscation") or 0)
        except (TypeError, ValueError):
            raise InputError("罚款和没收金额必须是数字（单位：元）", field=field_name) from None
        if fine < 0 or confiscation < 0:
            raise InputError("罚款和没收金额不能为负数", field=field_name)
        types = [t.strip() for t in types]
        if fine > 0 and "罚款" not in types:
            types.append("罚款")
        return cls(tuple(dict.fromkeys(types)), fine, confiscation)

    @property
    def penalty_types(self) -> frozenset[str]:
        return frozenset(self.types) - NON_PENALTY_MEASURES

    def as_dict(self) -> dict:
        return {"types": list(self.types), "fine": self.fine, "confiscation": self.confiscation}


@dataclass
class GateContext:
    """What the gates look at. Built by the service from the store; pure data here."""

    case: object                 # assistant.store.case_tables.Case (or a look-alike)
    actor_username: str
    actor_roles: frozenset[str]
    actor_is_handler: bool
    handlers: list[dict]         # [{"username", "credential_no", "credential_expiry", "active", "roles"}]
    party_kinds: list[str]
    violations: list[dict]
    today: date
    payload: dict = field(default_factory=dict)
    agency_settings: dict = field(default_factory=dict)
    statements: list[dict] = field(default_factory=list)
    review_passed: bool = False

    @property
    def proposed(self) -> Penalty:
        return Penalty.from_payload(self.payload.get("penalty"))


GateCheck = Callable[[GateContext], "str | None"]


@dataclass(frozen=True)
class Gate:
    key: str
    article: str
    description: str
    check: GateCheck


# -- gate checks -------------------------------------------------------------------------------

def _two_handlers(ctx: GateContext) -> str | None:
    valid = [h for h in ctx.handlers if h.get("active", True) and h.get("credential_no")
             and (h.get("credential_expiry") is None or h["credential_expiry"] >= ctx.today)]
    if len(valid) < 2:
        bad = [h["username"] for h in ctx.handlers if h not in valid]
        extra = f"（执法证缺失或已过期：{'、'.join(bad)}）" if bad else ""
        return f"执法人员不得少于两人，且须持有有效执法证件：本案有效承办人{len(valid)}人{extra}"
    return None


def _actor_is_handler(ctx: GateContext) -> str | None:
    if not ctx.actor_is_handler:
        return f"“{ctx.actor_username}”不是本案承办人，不能办理此环节"
    return None


def _actor_is_head(ctx: GateContext) -> str | None:
    if roles.HEAD not in ctx.actor_roles:
        return f"此环节须由行政机关负责人决定，“{ctx.actor_username}”不具有机关负责人角色"
    if ctx.actor_is_handler:
        return f"“{ctx.actor_username}”是本案承办人，不能审批或决定自己承办的案件（办、审、定分离）"
    return None


def _has_party(ctx: GateContext) -> str | None:
    return None if ctx.party_kinds else "案件尚未登记当事人"


def _has_violation(ctx: GateContext) -> str | None:
    if not ctx.violations:
        return "尚未登记违法行为，不能告知拟作出的行政处罚的事实、理由和依据"
    missing = [i + 1 for i, v in enumerate(ctx.violations) if not (v.get("violated_provision") and v.get("penalty_provision"))]
    if missing:
        return f"第{'、'.join(map(str, missing))}项违法行为缺少违法依据或处罚依据"
    return None


def _notice_content(ctx: GateContext) -> str | None:
    missing = [label for key, label in (("facts", "事实"), ("reasons", "理由"), ("basis", "依据"))
               if not str(ctx.payload.get(key) or "").strip()]
    if not ctx.proposed.types:
        missing.append("拟作出的行政处罚内容")
    if missing:
        return f"事先告知书须载明拟作出的行政处罚内容及事实、理由、依据，缺少：{'、'.join(missing)}"
    if not ctx.payload.get("rights_stated", True):
        return "事先告知书须告知当事人陈述、申辩的权利"
    return None


def _hearing_rights(ctx: GateContext) -> str | None:
    reasons = hearing_triggers(ctx.proposed, ctx.party_kinds, ctx.agency_settings)
    if reasons and not ctx.payload.get("hearing_rights_stated"):
        return f"拟作出的处罚（{'；'.join(reasons)}）应当告知当事人有要求听证的权利，告知书未载明听证权利"
    return None


def _statement_window(ctx: GateContext) -> str | None:
    case = ctx.case
    if case.notice_served_on is None:
        return "尚未向当事人告知拟作出的行政处罚内容及事实、理由、依据"
    if case.statement_waived:
        return None
    if case.statement_due and ctx.today <= case.statement_due:
        return (f"陈述、申辩期限至{case.statement_due.isoformat()}届满，期限届满或当事人明确放弃陈述、申辩前"
                "不得作出决定")
    return None


def _hearing_done(ctx: GateContext) -> str | None:
    case = ctx.case
    if not case.hearing_required or case.hearing_waived or case.hearing_held:
        return None
    if case.hearing_requested_on:
        return "当事人已要求听证，听证结束前不得作出决定（行政机关应当组织听证）"
    due = add_working_days(case.notice_served_on, 5).day if case.notice_served_on else None
    if due and ctx.today <= due:
        return f"当事人要求听证的期限（告知后五日内，至{due.isoformat()}）尚未届满"
    return None


def _review_passed(ctx: GateContext) -> str | None:
    if ctx.case.review_required and not ctx.review_passed:
        reasons = "；".join(r.get("text", "") for r in (ctx.case.review_reasons or [])) or "本案须经法制审核"
        return f"未经法制审核或者审核未通过的，不得作出决定（审核事由：{reasons}）"
    return None


def _collective_done(ctx: GateContext) -> str | None:
    if ctx.case.collective_required and ctx.case.collective_at is None:
        return "对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定，尚无集体讨论记录"
    return None


def _not_heavier(ctx: GateContext) -> str | None:
    notice = Penalty.from_payload(ctx.case.notice)
    decided = ctx.proposed
    new_types = decided.penalty_types - notice.penalty_types
    problems = []
    if new_types:
        problems.append(f"增加了告知书未载明的处罚种类：{'、'.join(sorted(new_types))}")
    if decided.fine > notice.fine:
        problems.append(f"罚款{decided.fine:g}元高于告知的{notice.fine:g}元")
    if decided.confiscation > notice.confiscation:
        problems.append(f"没收金额{decided.confiscation:g}元高于告知的{notice.confiscation:g}元")
    if problems:
        return "决定不得重于事先告知的处罚（不得因当事人陈述、申辩而给予更重的处罚）：" + "；".join(problems)
    return None


def _decision_content(ctx: GateContext) -> str | None:
    return None if ctx.proposed.penalty_types else "决定须载明行政处罚的种类"


def _within_90_days(ctx: GateContext) -> str | None:
    case = ctx.case
    if case.filed_on is None:
        return "案件没有立案日期"
    due = statutory_due(case.filed_on, 90 + int(case.extension_days or 0), "日", "行政处罚法").day
    if ctx.today > due:
        return (f"应当自立案之日起九十日内作出行政处罚决定（立案日{case.filed_on.isoformat()}，"
                f"期限至{due.isoformat()}），已超期；如法律、法规、规章另有规定，须先登记延期依据")
    return None


def _simple_limits(ctx: GateContext) -> str | None:
    p = ctx.proposed
    other = p.penalty_types - SIMPLE_PENALTY_TYPES
    if other or not p.penalty_types:
        return f"简易程序只能当场作出警告或者罚款，不能作出：{'、'.join(sorted(other)) or '（未载明处罚种类）'}"
    if p.confiscation:
        return "简易程序不能没收违法所得或者非法财物"
    for kind in ctx.party_kinds or [NATURAL_PERSON]:
        limit = SIMPLE_FINE_LIMITS[kind]
        if p.fine > limit:
            who = "公民" if kind == NATURAL_PERSON else "法人或者其他组织"
            return f"当场处罚对{who}的罚款不得超过{limit}元（拟罚款{p.fine:g}元），应当适用普通程序"
    return None


def _simple_notice(ctx: GateContext) -> str | None:
    if ctx.case.notice is None:
        return "当场作出处罚决定前，须告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩权利"
    return None


def _statement_heard(ctx: GateContext) -> str | None:
    if ctx.case.statement_waived or any(s["kind"] in ("陈述", "申辩") for s in ctx.statements):
        return None
    return "当场处罚前须听取当事人的陈述、申辩，或者记录当事人明确放弃陈述、申辩"


def _served(ctx: GateContext) -> str | None:
    if not (ctx.payload.get("served_on") and str(ctx.payload.get("method") or "").strip()):
        return "送达须登记送达日期和送达方式（直接、留置、电子、邮寄、公告）"
    return None


def _nothing_to_enforce(ctx: GateContext) -> str | None:
    decision = Penalty.from_payload(ctx.case.decision)
    if ctx.case.outcome != NO_PENALTY and (decision.fine > 0 or decision.confiscation > 0):
        return "决定载明罚款或没收，须经执行（缴纳或强制执行）后方可结案"
    return None


def _reason_given(ctx: GateContext) -> str | None:
    return None if str(ctx.payload.get("reason") or "").strip() else "须说明理由"


def _no_penalty_ground(ctx: GateContext) -> str | None:
    ground = str(ctx.payload.get("ground") or "").strip()
    return None if ground else "不予行政处罚须载明理由（违法行为轻微、违法事实不能成立、首违不罚等）"


GATES: dict[str, Gate] = {g.key: g for g in (
    Gate("two_handlers", art("第四十二条"), "执法人员不少于两人且持有效执法证件", _two_handlers),
    Gate("actor_is_handler", art("第四十二条"), "由本案承办人办理", _actor_is_handler),
    Gate("actor_is_head", art("第五十七条"), "由行政机关负责人决定，且非本案承办人", _actor_is_head),
    Gate("has_party", art("第五十九条"), "登记当事人", _has_party),
    Gate("has_violation", art("第四十四条"), "登记违法行为及违法依据、处罚依据", _has_violation),
    Gate("notice_content", art("第四十四条"), "告知处罚内容及事实、理由、依据和权利", _notice_content),
    Gate("hearing_rights", art("第六十三条"), "达到听证标准的，告知听证权利", _hearing_rights),
    Gate("statement_window", art("第六十二条"), "陈述申辩期限届满或当事人明确放弃", _statement_window),
    Gate("hearing_done", art("第六十四条"), "当事人要求听证的，听证结束", _hearing_done),
    Gate("review_passed", art("第五十八条"), "须法制审核的，审核通过", _review_passed),
    Gate("collective_done", art("第五十七条第二款"), "须集体讨论的，已集体讨论", _collective_done),
    Gate("not_heavier", art("第四十五条"), "决定不重于告知", _not_heavier),
    Gate("decision_content", art("第五十九条"), "决定载明处罚种类", _decision_content),
    Gate("within_90_days", art("第六十条"), "立案之日起九十日内作出决定", _within_90_days),
    Gate("simple_limits", art("第五十一条"), "简易程序限于警告或小额罚款", _simple_limits),
    Gate("simple_notice", art("第四十四条"), "当场告知", _simple_notice),
    Gate("statement_heard", art("第四十五条"), "听取陈述申辩或记录放弃", _statement_heard),
    Gate("served", art("第六十一条"), "登记送达日期和方式", _served),
    Gate("nothing_to_enforce", art("第六十六条"), "无待执行的罚款或没收", _nothing_to_enforce),
    Gate("reason_given", art("第五十七条"), "说明理由", _reason_given),
    Gate("no_penalty_ground", art("第五十七条第一款第（二）（三）项、第三十三条"), "不予处罚理由", _no_penalty_ground),
)}


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    procedure: str
    gates: tuple[str, ...]
    article: str
    label: str


_DECIDE = ("actor_is_head", "two_handlers", "statement_window", "hearing_done", "review_passed",
           "collective_done", "decision_content", "not_heavier", "within_90_days")
_OPEN_ORDINARY = (FILING, INVESTIGATION, PRIOR_NOTICE, STATEMENT, LEGAL_REVIEW, COLLECTIVE)

TRANSITIONS: tuple[Transition, ...] = (
    Transition((FILING,), INVESTIGATION, ORDINARY, ("actor_is_handler", "two_handlers"), art("第五十五条"), "开始调查取证"),
    Transition((INVESTIGATION,), PRIOR_NOTICE, ORDINARY,
               ("actor_is_handler", "two_handlers", "has_party", "has_violation", "notice_content", "hearing_rights"),
               art("第四十四条"), "事先告知"),
    Transition((PRIOR_NOTICE,), STATEMENT, ORDINARY, ("actor_is_handler",), art("第四十五条"), "听取陈述申辩/听证"),
    Transition((PRIOR_NOTICE, STATEMENT), LEGAL_REVIEW, ORDINARY,
               ("actor_is_handler", "statement_window", "hearing_done"), art("第五十八条"), "送法制审核"),
    Transition((PRIOR_NOTICE, STATEMENT, LEGAL_REVIEW), COLLECTIVE, ORDINARY,
               ("statement_window", "hearing_done", "review_passed"), art("第五十七条第二款"), "提请集体讨论"),
    Transition((LEGAL_REVIEW,), INVESTIGATION, ORDINARY, ("reason_given",), art("第五十八条"), "退回补充调查"),
    Transition((PRIOR_NOTICE, STATEMENT, LEGAL_REVIEW, COLLECTIVE), DECISION, ORDINARY, _DECIDE,
               art("第五十七条"), "作出行政处罚决定"),
    Transition((INVESTIGATION, PRIOR_NOTICE, STATEMENT, LEGAL_REVIEW, COLLECTIVE), NO_PENALTY, ORDINARY,
               ("actor_is_head", "review_passed", "collective_done", "no_penalty_ground"),
               art("第五十七条"), "不予行政处罚"),
    Transition(_OPEN_ORDINARY, TRANSFERRED, ORDINARY, ("actor_is_head", "reason_given"),
               art("第二十七条、第五十七条第一款第（四）项"), "移送司法机关"),
    Transition((DECISION, NO_PENALTY), SERVICE, ORDINARY, ("actor_is_handler", "served"), art("第六十一条"), "送达"),
    Transition((SERVICE,), ENFORCEMENT, ORDINARY, ("actor_is_handler",), art("第六十六条"), "执行"),
    Transition((ENFORCEMENT,), CLOSED, ORDINARY, ("actor_is_head",), art("第四十七条"), "结案"),
    Transition((SERVICE,), CLOSED, ORDINARY, ("actor_is_head", "nothing_to_enforce"), art("第四十七条"), "结案"),
    Transition((TRANSFERRED, TERMINATED), CLOSED, ORDINARY, ("actor_is_head",), art("第四十七条"), "结案"),
    Transition(_OPEN_ORDINARY + (DECISION, SERVICE, ENFORCEMENT), TERMINATED, ORDINARY,
               ("actor_is_head", "reason_given"), art("第五十七条"), "终止调查/终结执行"),
    # 简易程序 (第五十一条至第五十三条): no 立案, no 90 days, no 法制审核; 第四十二条、第四十四条、第四十五条 still apply.
    Transition((ON_SPOT,), ON_SPOT_NOTICE, SIMPLE, ("actor_is_handler", "two_handlers", "has_party", "notice_content"),
               art("第四十四条"), "当场告知"),
    Transition((ON_SPOT_NOTICE,), ON_SPOT_DECISION, SIMPLE,
               ("actor_is_handler", "two_handlers", "simple_notice", "statement_heard", "simple_limits", "not_heavier"),
               art("第五十一条、第五十二条"), "当场作出处罚决定"),
    Transition((ON_SPOT_DECISION,), ENFORCEMENT, SIMPLE, ("actor_is_handler",), art("第六十七条、第六十八条"), "执行"),
    Transition((ON_SPOT_DECISION, ENFORCEMENT), CLOSED, SIMPLE, ("actor_is_handler",), art("第五十二条第三款"), "报所属行政机关备案并结案"),
    Transition((ON_SPOT, ON_SPOT_NOTICE), TERMINATED, SIMPLE, ("actor_is_handler", "reason_given"), art("第五十一条"), "不当场处罚"),
    Transition((TERMINATED,), CLOSED, SIMPLE, ("actor_is_handler",), art("第五十二条第三款"), "结案"),
)


def find_transition(procedure: str, source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.procedure == procedure and t.target == target and source in t.sources),
                None)


def allowed_targets(procedure: str, source: str) -> list[str]:
    return list(dict.fromkeys(t.target for t in TRANSITIONS if t.procedure == procedure and source in t.sources))


def check_transition(ctx: GateContext, target: str) -> Transition:
    """Raise :class:`GateRefused` (with the article) if the case may not move to ``target``."""
    case = ctx.case
    t = find_transition(case.procedure, case.state, target)
    if t is None:
        nxt = "、".join(allowed_targets(case.procedure, case.state)) or "无"
        article = art("第五十一条至第五十三条") if case.procedure == SIMPLE else art("第五十四条至第六十二条")
        raise GateRefused(f"{case.procedure}程序案件不能从“{case.state}”直接进入“{target}”（可进入：{nxt}）",
                          article=article, gate="sequence")
    for key in t.gates:
        run_gate(key, ctx)
    return t


def run_gate(key: str, ctx: GateContext) -> None:
    gate = GATES[key]
    refusal = gate.check(ctx)
    if refusal:
        raise GateRefused(refusal, article=gate.article, gate=key)
