"""公示 (publication) of enforcement decisions: the register, its deadlines and the exports.

- :class:`DecisionRecord` is the small input record every publicity, statistics and teaching
  service takes; :func:`decision_record_from_case` adapts a case-store row to it.
- Deadlines (domain-spec §5): publish within 7 working days (行政处罚, 行政许可) or 20 working
  days (other decisions) of the decision ([000][003]); withdraw a revoked or changed decision within
  the stricter of 行政处罚法 第四十八条 (「在三日内」, working days per 第八十五条) and the local
  rule ([001]: 1日内). Working days come from :mod:`assistant.deadlines` (holiday calendar).
- States: pending → previewed → published → corrected → withdrawn; every action is written to
  the register's event table and to the audit chain (:func:`assistant.audit.log_action`).
- Exports for a 行政执法公示专栏: 双公示 structured fields (document-formats A4) as CSV
  (utf-8-sig) / JSON, and the full public text as .docx / HTML. Exports only ever read the
  redacted public fields.
"""
from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import logging
from dataclasses import asdict, dataclass, field, fields as dc_fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import roles as R
from assistant.audit import log_action
from assistant.errors import GateRefused, InputError, NotFoundError, PermissionDenied
from assistant.redaction import (NATURAL_PERSON_KINDS, PublicVersion, RedactionPolicy, assert_clean,
                                 redact)
from assistant.store.publicity_tables import Publication, PublicationEvent

log = logging.getLogger(__name__)

PUNISHMENT = "行政处罚"
LICENSING = "行政许可"

PENDING, PREVIEWED, PUBLISHED, CORRECTED, WITHDRAWN = "pending", "previewed", "published", "corrected", "withdrawn"
STATE_LABELS = {PENDING: "待公示", PREVIEWED: "已预览", PUBLISHED: "已公示", CORRECTED: "已更正", WITHDRAWN: "已撤回"}
PUBLIC_STATES = (PUBLISHED, CORRECTED)


# ---------------------------------------------------------------------------------------------
# the input record
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Party:
    """当事人. ``kind``: natural_person | legal_person | other_org (自然人/法人/其他组织 accepted)."""

    kind: str
    name: str
    credit_code: str = ""
    id_number: str = ""
    address: str = ""
    legal_representative: str = ""
    phone: str = ""
    minor: bool = False

    @property
    def is_natural_person(self) -> bool:
        return self.kind in NATURAL_PERSON_KINDS


@dataclass(frozen=True)
class Person:
    """A third party named in the file (证人, 举报人, 员工…): always hidden in public versions."""

    name: str
    role: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Officer:
    """执法人员: name and 执法证号 are public (人员清单)."""

    name: str
    certificate_no: str = ""
    username: str = ""


@dataclass(frozen=True)
class Citation:
    """One provision, e.g. 《食品安全法》第一百二十四条第一款第（三）项. ``law`` is any name the
    statute store resolves (full, short or alias)."""

    law: str
    number: int
    suffix: int = 0
    kuan: int = 0
    xiang: int = 0

    def label(self) -> str:
        from corpus.numerals import int_to_cn

        law = self.law if self.law.startswith("《") else f"《{self.law}》"
        out = f"{law}第{int_to_cn(self.number)}条"
        if self.suffix:
            out += f"之{int_to_cn(self.suffix)}"
        if self.kuan:
            out += f"第{int_to_cn(self.kuan)}款"
        if self.xiang:
            out += f"第（{int_to_cn(self.xiang)}）项"
        return out


@dataclass(frozen=True)
class PenaltyItem:
    """处罚种类 and amount (罚款, 没收违法所得, 警告, 吊销许可证件…)."""

    type: str
    amount: Decimal | None = None
    text: str = ""


@dataclass(frozen=True)
class ReviewRound:
    """One round of 法制审核: outcome 同意 or 存在问题, with findings and how they were fixed."""

    round: int
    outcome: str
    findings: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()
    reviewer: str = ""
    on: date | None = None


@dataclass(frozen=True)
class DecisionRecord:
    """What publicity, statistics and teaching need from a decided case (the lead adapts case
    rows to it: :func:`decision_record_from_case`)."""

    decision_id: str
    agency: str
    document_number: str
    decided_on: date
    party: Party
    kind: str = PUNISHMENT
    case_id: int | None = None
    case_name: str = ""                 # 案件名称 / 案由
    violation_type: str = ""            # 违法行为类型
    domain: str = ""                    # 所属领域 (市场监管, 生态环境, 城管…)
    procedure: str = "普通程序"
    facts: str = ""                     # 违法事实 narrative
    evidence: str = ""                  # 证据 list text
    violated_provisions: tuple[Citation, ...] = ()
    penalty_provisions: tuple[Citation, ...] = ()
    basis_text: str = ""                # 定性与依据 as written in the decision
    penalties: tuple[PenaltyItem, ...] = ()
    penalty_text: str = ""              # 处罚结果 as written (default: built from penalties)
    confiscation: Decimal = Decimal(0)  # 没收违法所得 + 非法财物 value
    hearing_held: bool = False
    statement: str = ""                 # 陈述申辩 summary
    disputes: tuple[str, ...] = ()      # 争议焦点
    discretion_band: str = ""           # 裁量档次
    discretion_factors: tuple[str, ...] = ()
    procedural_notes: tuple[str, ...] = ()
    reviews: tuple[ReviewRound, ...] = ()
    reconsideration: str = ""           # 复议 outcome ("" = none)
    litigation: str = ""                # 诉讼 outcome ("" = none)
    filed_on: date | None = None        # 立案日 (handling time)
    outcome: str = ""                   # 执行/结案 summary
    officers: tuple[Officer, ...] = ()
    third_parties: tuple[Person, ...] = ()
    trade_secrets: tuple[str, ...] = ()
    withheld_reason: str = ""           # 依法不予公开 (国家秘密, 法律另有规定…)

    # -- helpers -------------------------------------------------------------------------------
    def fines(self) -> Decimal:
        return sum((p.amount or Decimal(0) for p in self.penalties if p.type == "罚款"), Decimal(0))

    def confiscated(self) -> Decimal:
        conf = sum((p.amount or Decimal(0) for p in self.penalties if p.type.startswith("没收")), Decimal(0))
        return max(conf, self.confiscation or Decimal(0))

    def penalty_summary(self) -> str:
        parts = []
        for p in self.penalties:
            if p.text:
                parts.append(p.text)
            elif p.amount is not None:
                parts.append(f"{p.type}人民币{_money(p.amount)}元")
            else:
                parts.append(p.type)
        return "；".join(parts)

    def handler_usernames(self) -> set[str]:
        return {o.username or o.name for o in self.officers}

    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    # -- (de)serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        return json.loads(json.dumps(asdict(self), ensure_ascii=False, default=_json_default))

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "输入") -> "DecisionRecord":
        try:
            d = dict(data)
            d["decided_on"] = _date(d["decided_on"])
            d["filed_on"] = _date(d.get("filed_on"))
            d["party"] = Party(**d["party"])
            d["officers"] = tuple(Officer(**o) if isinstance(o, dict) else Officer(str(o)) for o in d.get("officers", ()))
            d["third_parties"] = tuple(Person(**p) if isinstance(p, dict) else Person(str(p))
                                       for p in d.get("third_parties", ()))
            for key in ("violated_provisions", "penalty_provisions"):
                d[key] = tuple(Citation(**c) for c in d.get(key, ()))
            d["penalties"] = tuple(PenaltyItem(p["type"], _dec(p.get("amount")), p.get("text", ""))
                                   for p in d.get("penalties", ()))
            d["reviews"] = tuple(ReviewRound(r["round"], r["outcome"], tuple(r.get("findings", ())),
                                             tuple(r.get("fixes", ())), r.get("reviewer", ""), _date(r.get("on")))
                                 for r in d.get("reviews", ()))
            d["confiscation"] = _dec(d.get("confiscation")) or Decimal(0)
            for key in ("disputes", "discretion_factors", "procedural_notes", "trade_secrets"):
                d[key] = tuple(d.get(key, ()))
            known = {f.name for f in dc_fields(cls)}
            unknown = set(d) - known
            if unknown:
                raise InputError(f"{source}含未知字段：{'、'.join(sorted(unknown))}")
            return cls(**d)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise InputError(f"{source}不是有效的决定记录：{exc}") from exc


def _json_default(o: Any) -> Any:
    if isinstance(o, (date, datetime)):
        return o.isoformat()
    if isinstance(o, Decimal):
        return str(o)
    raise TypeError(type(o))


def _date(v: Any) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _dec(v: Any) -> Decimal | None:
    if v in (None, ""):
        return None
    return Decimal(str(v))


def _money(v: Decimal | float | int) -> str:
    d = Decimal(str(v))
    return f"{d:,.2f}".rstrip("0").rstrip(".") if d != d.to_integral() else f"{int(d):,}"


def load_decision_records(path: Path | str) -> list[DecisionRecord]:
    """A JSON file holding one record or a list of records (CLI input without the case store)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"无法读取决定记录文件 {path}：{exc}") from exc
    items = data if isinstance(data, list) else [data]
    return [DecisionRecord.from_dict(x, source=f"{path.name} 第{i + 1}条记录") for i, x in enumerate(items)]


# ---------------------------------------------------------------------------------------------
# deadlines
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicityPolicy:
    """Configurable periods (domain-spec §5; the seeds, not the statute, fix 7/20 days)."""

    publish_working_days: dict = field(default_factory=lambda: {PUNISHMENT: 7, LICENSING: 7})
    publish_working_days_other: int = 20
    withdraw_statutory_working_days: int = 3       # 行政处罚法 第四十八条 + 第八十五条
    withdraw_local_days: int | None = 1            # [001] 川办发〔2019〕34号: 1日内; None = no local rule
    withdraw_local_working: bool = False           # count the local period in working days?
    redaction: RedactionPolicy = field(default_factory=RedactionPolicy)
    publish_basis: str = "执法决定作出之日起7个工作日内公开（[000] 唐山市工信局；[003] 湖南省住建厅）"
    publish_basis_other: str = "其他执法决定20个工作日内公开（[000][003]）"
    withdraw_statutory_basis: str = "行政处罚法 第四十八条（三日内撤回并公开说明理由；第八十五条：工作日）"
    withdraw_local_basis: str = "川办发〔2019〕34号（[001]：1日内撤下原行政执法决定信息）"

    @classmethod
    def from_settings(cls, settings) -> "PublicityPolicy":
        """The policy configured in :class:`assistant.settings.Settings` (``ZHIFA_PUBLICITY_*``)."""
        from assistant.settings import parse_withdraw_local

        days, other = settings.publicity_publish_days, settings.publicity_publish_days_other
        local, working = parse_withdraw_local(settings.publicity_withdraw_local)
        base = cls()
        return cls(publish_working_days={PUNISHMENT: days, LICENSING: days}, publish_working_days_other=other,
                   withdraw_statutory_working_days=settings.publicity_withdraw_days,
                   withdraw_local_days=local, withdraw_local_working=working,
                   redaction=RedactionPolicy(name_style=settings.publicity_name_mask,
                                             legal_rep=settings.publicity_legal_rep),
                   publish_basis=base.publish_basis if days == 7 else f"执法决定作出之日起{days}个工作日内公开（本地配置）",
                   publish_basis_other=(base.publish_basis_other if other == 20
                                        else f"其他执法决定{other}个工作日内公开（本地配置）"),
                   withdraw_statutory_basis=(base.withdraw_statutory_basis if settings.publicity_withdraw_days == 3 else
                                             f"撤回期限{settings.publicity_withdraw_days}个工作日（本地配置；"
                                             "行政处罚法 第四十八条为三日）"),
                   withdraw_local_basis=(base.withdraw_local_basis if (local, working) == (1, False) else
                                         f"地方规定：{local}{'个工作日' if working else '日'}内撤下（本地配置）"))


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (holiday calendar of :mod:`assistant.deadlines`)."""
    from assistant.deadlines import add_working_days as _awd

    return _awd(start, n).day


def publication_due(decided_on: date, kind: str, policy: PublicityPolicy | None = None) -> tuple[date, str]:
    policy = policy or PublicityPolicy()
    if kind in policy.publish_working_days:
        return add_working_days(decided_on, policy.publish_working_days[kind]), policy.publish_basis
    return add_working_days(decided_on, policy.publish_working_days_other), policy.publish_basis_other


def withdrawal_due(revoked_on: date, policy: PublicityPolicy | None = None) -> tuple[date, str]:
    """The stricter (earlier) of the statutory 3 working days and the local rule."""
    policy = policy or PublicityPolicy()
    statutory = add_working_days(revoked_on, policy.withdraw_statutory_working_days)
    if policy.withdraw_local_days is None:
        return statutory, policy.withdraw_statutory_basis
    if policy.withdraw_local_working:
        local = add_working_days(revoked_on, policy.withdraw_local_days)
    else:
        from datetime import timedelta

        local = revoked_on + timedelta(days=policy.withdraw_local_days)
    if local <= statutory:
        return local, f"{policy.withdraw_local_basis}，严于{policy.withdraw_statutory_basis}"
    return statutory, f"{policy.withdraw_statutory_basis}，严于{policy.withdraw_local_basis}"


# ---------------------------------------------------------------------------------------------
# the register
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverdueItem:
    decision_id: str
    document_number: str
    agency: str
    what: str          # "publication" | "withdrawal"
    due_on: date
    days_overdue: int  # calendar days past the due date
    basis: str

    def as_dict(self) -> dict:
        d = asdict(self)
        d["due_on"] = self.due_on.isoformat()
        d["what_label"] = "公示逾期" if self.what == "publication" else "撤回逾期"
        return d


def get_publication(session: Session, decision_id: str) -> Publication:
    row = session.execute(select(Publication).where(Publication.decision_id == decision_id)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"公示登记簿中没有决定 {decision_id}，请先登记")
    return row


def _event(session: Session, row: Publication, *, actor: str, action: str, to_state: str, note: str = "",
           old_hash: str = "", new_hash: str = "", at: datetime | None = None) -> None:
    ev = PublicationEvent(publication=row, at=at or datetime.now().replace(microsecond=0), actor=actor,
                          action=action, from_state=row.state, to_state=to_state, note=note,
                          old_hash=old_hash, new_hash=new_hash)
    session.add(ev)
    row.state = to_state
    log_action(session, case_id=row.case_id, actor=actor, action=f"publicity.{action}",
               detail={"decision_id": row.decision_id, "state": to_state, "note": note})


def register_decision(session: Session, record: DecisionRecord, *, actor: str,
                      policy: PublicityPolicy | None = None) -> Publication:
    """Enter a decision in the register (state pending) with its publication deadline.
    Registering again is a no-op returning the existing row."""
    existing = session.execute(select(Publication).where(Publication.decision_id == record.decision_id)).scalar_one_or_none()
    if existing is not None:
        return existing
    due, basis = publication_due(record.decided_on, record.kind, policy)
    row = Publication(decision_id=record.decision_id, case_id=record.case_id, kind=record.kind,
                      agency=record.agency, document_number=record.document_number,
                      decided_on=record.decided_on, due_on=due, due_basis=basis, state=PENDING)
    session.add(row)
    session.flush()
    log_action(session, case_id=record.case_id, actor=actor, action="publicity.register",
               detail={"decision_id": record.decision_id, "kind": record.kind, "due_on": due.isoformat()})
    return row


def preview(session: Session, record: DecisionRecord, *, actor: str,
            policy: PublicityPolicy | None = None) -> PublicVersion:
    """Redact the decision and store the public version (state previewed). The returned
    :class:`PublicVersion` carries the side-by-side diff for the officer. Minors are refused
    (nothing is written)."""
    policy = policy or PublicityPolicy()
    pv = redact(record, policy.redaction)
    assert_clean(pv.fields.values(), record)
    row = register_decision(session, record, actor=actor, policy=policy)
    if row.state == WITHDRAWN:
        raise GateRefused("该决定的公示信息已撤回，不能再次预览发布", article="行政处罚法 第四十八条")
    new_hash = record.content_hash()
    row.public_fields = dict(pv.fields)
    row.redaction_counts = pv.counts()
    old_hash, row.content_hash = row.content_hash, new_hash
    row.previewed_at, row.previewed_by = datetime.now().replace(microsecond=0), actor
    target = PREVIEWED if row.state in (PENDING, PREVIEWED) else row.state
    _event(session, row, actor=actor, action="preview", to_state=target,
           note="脱敏 " + "、".join(f"{k}×{v}" for k, v in sorted(pv.counts().items())),
           old_hash=old_hash, new_hash=new_hash)
    return pv


_APPROVER_ROLES = (R.HEAD, R.REVIEWER, R.ADMIN)


def approve(session: Session, decision_id: str, *, actor: str, role: str | None = None,
            on: date | None = None, record: DecisionRecord | None = None) -> Publication:
    """Approve the previewed public version and publish it (state published)."""
    row = get_publication(session, decision_id)
    if role is not None and role not in _APPROVER_ROLES:
        raise PermissionDenied(f"角色“{role}”无权批准公示，须由{'、'.join(_APPROVER_ROLES)}批准")
    if row.state != PREVIEWED:
        raise InputError(f"决定 {decision_id} 当前状态为“{STATE_LABELS[row.state]}”，须先预览脱敏结果再批准公示")
    if record is not None and record.content_hash() != row.content_hash:
        raise InputError(f"决定 {decision_id} 的内容在预览后已变化，请重新预览后再批准")
    row.approved_at, row.approved_by = datetime.now().replace(microsecond=0), actor
    row.published_on = on or date.today()
    _event(session, row, actor=actor, action="publish", to_state=PUBLISHED,
           note=f"公示日期 {row.published_on.isoformat()}（期限 {row.due_on.isoformat()}）")
    return row


def correct(session: Session, record: DecisionRecord, *, actor: str, reason: str,
            policy: PublicityPolicy | None = None) -> PublicVersion:
    """Correct a published version ([003]: 更正并记录): re-redact, keep it public, log the reason."""
    if not reason.strip():
        raise InputError("更正公示信息须填写更正理由")
    policy = policy or PublicityPolicy()
    row = get_publication(session, record.decision_id)
    if row.state not in PUBLIC_STATES:
        raise InputError(f"决定 {record.decision_id} 尚未公示（状态“{STATE_LABELS[row.state]}”），无需更正，请重新预览")
    pv = redact(record, policy.redaction)
    assert_clean(pv.fields.values(), record)
    old_hash, new_hash = row.content_hash, record.content_hash()
    changed = sorted(k for k, v in pv.fields.items() if row.public_fields.get(k) != v)
    row.public_fields, row.redaction_counts, row.content_hash = dict(pv.fields), pv.counts(), new_hash
    _event(session, row, actor=actor, action="correct", to_state=CORRECTED,
           note=f"{reason}；更正字段：{'、'.join(changed) or '无'}", old_hash=old_hash, new_hash=new_hash)
    return pv


def mark_revoked(session: Session, decision_id: str, *, actor: str, revoked_on: date, reason: str,
                 policy: PublicityPolicy | None = None) -> Publication:
    """The decision was 变更/撤销/确认违法/确认无效: start the withdrawal clock."""
    row = get_publication(session, decision_id)
    due, basis = withdrawal_due(revoked_on, policy)
    row.revoked_on, row.revoke_reason, row.withdraw_due_on, row.withdraw_basis = revoked_on, reason, due, basis
    _event(session, row, actor=actor, action="revoked", to_state=row.state,
           note=f"{reason}；撤回期限 {due.isoformat()}（{basis}）")
    return row


def withdraw(session: Session, decision_id: str, *, actor: str, explanation: str, on: date | None = None,
             revoked_on: date | None = None, reason: str = "",
             policy: PublicityPolicy | None = None) -> Publication:
    """Withdraw the public information and publish the explanation (第四十八条「公开说明理由」)."""
    if not explanation.strip():
        raise InputError("撤回公示信息须公开说明理由（行政处罚法 第四十八条），请填写撤回说明")
    on = on or date.today()
    row = get_publication(session, decision_id)
    if row.state == WITHDRAWN:
        raise InputError(f"决定 {decision_id} 的公示信息已于 {row.withdrawn_on} 撤回")
    if row.revoked_on is None:
        mark_revoked(session, decision_id, actor=actor, revoked_on=revoked_on or on,
                     reason=reason or explanation, policy=policy)
    row.withdrawn_on, row.withdrawn_by, row.withdraw_explanation = on, actor, explanation
    late = on > row.withdraw_due_on
    _event(session, row, actor=actor, action="withdraw", to_state=WITHDRAWN,
           note=f"{explanation}" + ("（逾期撤回）" if late else ""))
    return row


def overdue(session: Session, today: date) -> list[OverdueItem]:
    """Publications past their deadline and revoked decisions not withdrawn in time."""
    out: list[OverdueItem] = []
    for row in session.execute(select(Publication).order_by(Publication.due_on)).scalars():
        if row.state in (PENDING, PREVIEWED) and row.revoked_on is None and today > row.due_on:
            out.append(OverdueItem(row.decision_id, row.document_number, row.agency, "publication",
                                   row.due_on, (today - row.due_on).days, row.due_basis))
        if row.revoked_on is not None and row.state in PUBLIC_STATES and row.withdraw_due_on and today > row.withdraw_due_on:
            out.append(OverdueItem(row.decision_id, row.document_number, row.agency, "withdrawal",
                                   row.withdraw_due_on, (today - row.withdraw_due_on).days, row.withdraw_basis or ""))
    return sorted(out, key=lambda i: (i.due_on, i.decision_id))


def corrections(session: Session, decision_id: str) -> list[PublicationEvent]:
    row = get_publication(session, decision_id)
    return [e for e in row.events if e.action == "correct"]


def published(session: Session) -> list[Publication]:
    return list(session.execute(select(Publication).where(Publication.state.in_(PUBLIC_STATES))
                                .order_by(Publication.decided_on, Publication.id)).scalars())


# ---------------------------------------------------------------------------------------------
# exports (read the redacted fields only)
# ---------------------------------------------------------------------------------------------
SHUANG_GONGSHI_FIELDS = (
    ("行政处罚决定书文号", "document_number"),
    ("案件名称", "case_name"),
    ("违法行为类型", "violation_type"),
    ("违法企业名称或违法自然人姓名", "party_name"),
    ("统一社会信用代码", "credit_code"),
    ("法定代表人", "legal_representative"),
    ("主要违法事实", "facts"),
    ("处罚种类", "penalty_types"),
    ("处罚依据", "basis"),
    ("处罚结果", "penalty_text"),
    ("处罚机关", "agency"),
    ("处罚决定日期", "decided_on"),
    ("决定类别", "kind"),
)


def shuang_gongshi_row(public_fields: dict) -> dict[str, str]:
    """The 双公示 structured fields (document-formats A4) from a public version's fields."""
    return {label: str(public_fields.get(key, "") or "") for label, key in SHUANG_GONGSHI_FIELDS}


def _rows(items: Iterable[PublicVersion | Publication | dict]) -> list[dict[str, str]]:
    out = []
    for it in items:
        fields = it.fields if isinstance(it, PublicVersion) else it.public_fields if isinstance(it, Publication) else it
        out.append(shuang_gongshi_row(fields))
    return out


def export_csv(items: Iterable[PublicVersion | Publication | dict], path: Path | str) -> Path:
    rows = _rows(items)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[label for label, _ in SHUANG_GONGSHI_FIELDS])
    w.writeheader()
    w.writerows(rows)
    return _write(path, buf.getvalue().encode("utf-8-sig"))


def export_json(items: Iterable[PublicVersion | Publication | dict], path: Path | str) -> Path:
    data = json.dumps(_rows(items), ensure_ascii=False, indent=2)
    return _write(path, data.encode("utf-8"))


def _write(path: Path | str, data: bytes) -> Path:
    from assistant.documents.gbt9704 import save_atomic

    return save_atomic(data, path)


_FULLTEXT_SECTIONS = (
    ("当事人", None),
    ("违法事实", "facts"),
    ("证据", "evidence"),
    ("陈述申辩", "statement"),
    ("定性与处罚依据", "basis_text"),
    ("处罚决定", "penalty_text"),
)


def _party_line(f: dict) -> str:
    parts = [f"当事人：{f.get('party_name', '')}"]
    if f.get("credit_code"):
        parts.append(f"统一社会信用代码：{f['credit_code']}")
    if f.get("party_address"):
        parts.append(f"住所（住址）：{f['party_address']}")
    if f.get("legal_representative"):
        parts.append(f"法定代表人（负责人）：{f['legal_representative']}")
    return "；".join(parts)


def _fulltext_sections(f: dict) -> list[tuple[str, str]]:
    out = []
    for title, key in _FULLTEXT_SECTIONS:
        text = _party_line(f) if key is None else (f.get(key) or "")
        if key == "basis_text" and not text:
            text = "；".join(x for x in (f.get("violated") and f"违反了{f['violated']}",
                                        f.get("basis") and f"依据{f['basis']}") if x)
        if text:
            out.append((title, text))
    return out


def _title(f: dict) -> str:
    return "行政处罚决定书（公开版）" if f.get("kind", PUNISHMENT) == PUNISHMENT else "行政执法决定书（公开版）"


def export_docx(pv: PublicVersion | Publication | dict, path: Path | str) -> Path:
    """The full-text public version as a GB/T 9704 .docx."""
    from assistant.documents import gbt9704 as g

    f = pv.fields if isinstance(pv, PublicVersion) else pv.public_fields if isinstance(pv, Publication) else pv
    doc = g.new_document(draft_mark=None)
    g.add_title(doc, f.get("agency", ""))
    g.add_title(doc, _title(f))
    g.add_docno(doc, f.get("document_number", ""))
    for title, text in _fulltext_sections(f):
        g.add_paragraph(doc, title, bold=True, indent=False)
        for line in text.split("\n"):
            g.add_paragraph(doc, line)
    g.add_signature(doc, f.get("agency", ""), f.get("decided_on", ""), seal="")
    return g.save_atomic(g.to_bytes(doc), path)


def render_html(pv: PublicVersion | Publication | dict) -> str:
    """The full-text public version as a standalone HTML page; every value is escaped."""
    f = pv.fields if isinstance(pv, PublicVersion) else pv.public_fields if isinstance(pv, Publication) else pv
    e = html.escape
    body = [f"<h1>{e(f.get('agency', ''))}<br>{e(_title(f))}</h1>",
            f"<p class=\"docno\">{e(f.get('document_number', ''))}</p>"]
    for title, text in _fulltext_sections(f):
        body.append(f"<h2>{e(title)}</h2>")
        body += [f"<p>{e(line)}</p>" for line in text.split("\n") if line.strip()]
    body.append(f"<p class=\"sign\">{e(f.get('agency', ''))}<br>{e(f.get('decided_on', ''))}</p>")
    body.append("<table class=\"sgs\">" + "".join(
        f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in shuang_gongshi_row(f).items()) + "</table>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{e(f.get('document_number', '') or _title(f))}</title>"
            "<style>body{font-family:'Noto Serif CJK SC',serif;max-width:48em;margin:2em auto}"
            "h1{text-align:center;font-size:1.5em}.docno{text-align:center}.sign{text-align:right}"
            "table{border-collapse:collapse}th,td{border:1px solid #999;padding:.3em;text-align:left}</style>"
            "</head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def export_html(pv: PublicVersion | Publication | dict, path: Path | str) -> Path:
    return _write(path, render_html(pv).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# adapter from the case store (assistant/store/case_tables.py)
# ---------------------------------------------------------------------------------------------
_PARTY_KIND = {"自然人": "natural_person", "法人": "legal_person", "其他组织": "other_org"}


def _age_on(id_number: str | None, day: date) -> int | None:
    if not id_number or len(id_number) != 18 or not id_number[:17].isdigit():
        return None
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parse_citations(text: str) -> tuple[Citation, ...]:
    """《食品安全法》第一百二十四条第一款第（三）项、第一百二十五条 → Citation records."""
    import re

    from corpus.numerals import cn_to_int

    out: list[Citation] = []
    num = r"[零〇一二两三四五六七八九十百千\d]+"
    for m in re.finditer(rf"《([^》]+)》((?:第{num}条(?:之{num})?(?:第{num}款)?(?:第[（(]{num}[）)]项)?[、，和及]?)+)", text or ""):
        law = m.group(1)
        for a in re.finditer(rf"第({num})条(?:之({num}))?(?:第({num})款)?(?:第[（(]({num})[）)]项)?", m.group(2)):
            try:
                out.append(Citation(law, cn_to_int(a.group(1)), cn_to_int(a.group(2)) if a.group(2) else 0,
                                    cn_to_int(a.group(3)) if a.group(3) else 0, cn_to_int(a.group(4)) if a.group(4) else 0))
            except ValueError:
                continue
    return tuple(out)


def _review_issues(findings: list | None, opinion: str = "") -> tuple[str, ...]:
    """What a review round found, for teaching: the items the reviewer decided 存在问题 (with the
    note), the automatic checks that did not pass, and the written opinion when it raised issues.
    Passed items and the raw per-item decision record are left out."""
    issues: list[str] = []
    for f in findings or []:
        if not isinstance(f, dict):
            issues.append(str(f))
        elif "item_decisions" in f:
            issues.extend(f"{item}：{d.get('note') or '存在问题'}" for item, d in (f["item_decisions"] or {}).items()
                          if isinstance(d, dict) and d.get("decision") == "存在问题")
        elif f.get("status", "fail") not in ("pass", "manual") and f.get("message"):
            issues.append(f"{f['item']}：{f['message']}" if f.get("item") else str(f["message"]))
    if opinion.strip() and opinion.strip() != "同意" and issues:
        issues.insert(0, f"审核意见：{opinion.strip()}")
    return tuple(dict.fromkeys(issues))


def decision_record_from_case(session: Session, case_id: int) -> DecisionRecord:
    """Build a :class:`DecisionRecord` from a decided case of the case store."""
    try:
        from assistant.store import case_tables as T
    except ImportError as exc:  # pragma: no cover - the case store is part of the product
        raise InputError("案件库尚未就绪（assistant/store/case_tables.py），无法读取案件") from exc
    case = session.get(T.Case, case_id)
    if case is None:
        raise NotFoundError(f"案件库中没有编号为 {case_id} 的案件")
    if not case.decided_on or not case.decision:
        raise InputError(f"案件 {case.case_number or case_id} 尚未作出决定，不能公示或用于教学")
    agency = session.get(T.Agency, case.agency_id)
    links = session.execute(select(T.CaseParty).where(T.CaseParty.case_id == case_id)).scalars().all()
    parties = [session.get(T.Party, l.party_id) for l in links]
    main = next((p for l, p in zip(links, parties) if l.role == "当事人"), parties[0] if parties else None)
    if main is None:
        raise InputError(f"案件 {case.case_number or case_id} 没有登记当事人")
    age = _age_on(main.id_number, case.decided_on) if main.kind == "自然人" else None
    party = Party(kind=_PARTY_KIND.get(main.kind, main.kind), name=main.name, credit_code=main.credit_code or "",
                  id_number=main.id_number or "", address=main.address or "",
                  legal_representative=main.legal_representative or "", phone=main.phone or "",
                  minor=age is not None and age < 18)
    others = tuple(Person(p.name, l.role, p.id_number or "", p.phone or "", p.address or "")
                   for l, p in zip(links, parties) if p is not main and p.kind == "自然人")
    violations = session.execute(select(T.Violation).where(T.Violation.case_id == case_id)
                                 .order_by(T.Violation.id)).scalars().all()
    evidence = session.execute(select(T.Evidence).where(T.Evidence.case_id == case_id)
                               .order_by(T.Evidence.id)).scalars().all()
    handlers = session.execute(select(T.User).join(T.CaseHandler, T.CaseHandler.user_id == T.User.id)
                               .where(T.CaseHandler.case_id == case_id)).scalars().all()
    reviews = session.execute(select(T.CaseReview).where(T.CaseReview.case_id == case_id)
                              .order_by(T.CaseReview.round)).scalars().all()
    statements = session.execute(select(T.CaseStatement).where(T.CaseStatement.case_id == case_id)
                                 .order_by(T.CaseStatement.on)).scalars().all()
    d = case.decision or {}
    penalties: list[PenaltyItem] = []
    for t in d.get("types", []):
        amount = None
        if t == "罚款":
            amount = _dec(d.get("fine"))
        elif t.startswith("没收"):
            amount = _dec(d.get("confiscation"))
        penalties.append(PenaltyItem(t, amount))
    violated = "；".join(v.violated_provision for v in violations if v.violated_provision)
    penalty_basis = "；".join(v.penalty_provision for v in violations if v.penalty_provision)
    reviewer_names = {u.id: u.display_name for u in session.execute(
        select(T.User).where(T.User.id.in_([r.reviewer_id for r in reviews] or [-1]))).scalars()}
    return DecisionRecord(
        decision_id=str(case.decision_number or f"case-{case.id}"), agency=agency.name if agency else "",
        document_number=case.decision_number or "", decided_on=case.decided_on, party=party,
        kind=d.get("kind", PUNISHMENT), case_id=case.id, case_name=case.cause,
        violation_type=d.get("violation_type") or case.cause,
        domain=(agency.settings or {}).get("domain", "") if agency else "",
        procedure="简易程序" if case.procedure == "简易" else "普通程序",
        facts="\n".join(v.description for v in violations),
        evidence="\n".join(f"{i}. {e.title}" + (f"（{e.description}）" if e.description else "")
                           for i, e in enumerate(evidence, 1)),
        violated_provisions=parse_citations(violated), penalty_provisions=parse_citations(penalty_basis),
        basis_text="；".join(x for x in (violated and f"当事人的行为违反了{violated}",
                                        penalty_basis and f"依据{penalty_basis}") if x),
        penalties=tuple(penalties), confiscation=_dec(d.get("confiscation")) or Decimal(0),
        hearing_held=bool(case.hearing_held),
        statement="\n".join(f"{s.kind}：{s.content}" for s in statements if s.content),
        disputes=tuple(d.get("disputes", ())), discretion_band=str(d.get("band", "") or ""),
        discretion_factors=tuple(str(x) for x in d.get("factors", ())),
        reviews=tuple(ReviewRound(r.round, r.result, _review_issues(r.findings, r.opinion or ""),
                                  tuple(d.get("fixes", {}).get(str(r.round), ())) if isinstance(d.get("fixes"), dict) else (),
                                  reviewer_names.get(r.reviewer_id, ""), r.at.date() if r.at else None)
                      for r in reviews),
        filed_on=case.filed_on, outcome=case.outcome or "",
        officers=tuple(Officer(u.display_name, u.credential_no or "", u.username) for u in handlers),
        third_parties=others,
        trade_secrets=tuple(d.get("trade_secrets", ())),
    )


def decision_records_for_year(session: Session, year: int) -> list[DecisionRecord]:
    """Every case decided in ``year`` as a :class:`DecisionRecord` (annual statistics)."""
    from assistant.store import case_tables as T

    ids = session.execute(select(T.Case.id).where(T.Case.decided_on >= date(year, 1, 1),
                                                  T.Case.decided_on <= date(year, 12, 31))
                          .order_by(T.Case.decided_on)).scalars().all()
    return [decision_record_from_case(session, i) for i in ids]
