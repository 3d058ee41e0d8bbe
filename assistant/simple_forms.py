"""Pre-numbered 简易程序 forms (行政处罚法 第五十二条; domain-spec §1.5, §7).

An on-the-spot 行政处罚决定书 is a 「预定格式、编有号码」 form. The agency issues each officer a pool
of pre-printed numbers; the officer uses them in order; a spoiled form is voided with a reason and
never reused.

    with db.session() as s:
        pool = issue_pool(s, agency_id, "zhang3", 20, actor="chen_head")   # 机关负责人 or 管理员
        form = take_form(s, case_id, "zhang3")                             # lowest unused number
        void_form(s, "某市监罚〔2026〕7号", reason="填写错误", actor="zhang3")
        pool_status(s, "zhang3")

Numbers are the agency's 行政处罚决定书 numbers (类别字 ``罚``, template from
:func:`assistant.numbering.template_for`): a pool of N reserves N consecutive serials of that
sequence through :func:`assistant.numbering.allocate`, so every pre-printed number is in the
number register and the register has no gaps. Voiding goes through
:func:`assistant.numbering.void_number` (作废文号登记). Every action is audit-logged.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import roles
from assistant.audit import log_action
from assistant.errors import GateRefused, InputError, NotFoundError, PermissionDenied
from assistant.numbering import allocate, normalize_number, void_number
from assistant.store.case_tables import Agency, Case, CaseHandler, IssuedNumber, User
from assistant.store.form_tables import FormPool, SimpleForm

FORM_KIND = "当场处罚决定书"
NUMBER_KIND = "罚"  # 类别字 of 行政处罚决定书 (domain-spec §7)
ARTICLE = "《中华人民共和国行政处罚法》第五十二条"
UNUSED, USED, VOIDED = "未使用", "已使用", "已作废"
ISSUERS = (roles.HEAD, roles.ADMIN)
MAX_POOL = 1000


@dataclass(frozen=True)
class PoolInfo:
    pool_id: int
    officer: str
    agency_code: str
    kind: str
    year: int
    first_number: str
    last_number: str
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class FormInfo:
    number: str
    serial: int
    year: int
    state: str
    case_id: int | None
    pool_id: int


@dataclass(frozen=True)
class PoolStatus:
    officer: str
    unused: tuple[str, ...]
    used: tuple[FormInfo, ...]
    voided: tuple[FormInfo, ...]

    @property
    def next_number(self) -> str | None:
        return self.unused[0] if self.unused else None

    def as_dict(self) -> dict:
        return {"officer": self.officer, "unused": list(self.unused), "next_number": self.next_number,
                "used": [{"number": f.number, "case_id": f.case_id} for f in self.used],
                "voided": [{"number": f.number} for f in self.voided],
                "counts": {UNUSED: len(self.unused), USED: len(self.used), VOIDED: len(self.voided)}}


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == (username or "").strip())).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"用户“{username}”不存在")
    return user


def _info(form: SimpleForm, pool: FormPool) -> FormInfo:
    return FormInfo(form.number, form.serial, pool.year, form.state, form.case_id, pool.id)


def issue_pool(session: Session, agency_id: int, officer: str, count: int, *, actor: str,
               year: int | None = None) -> PoolInfo:
    """Issue ``count`` pre-numbered 当场处罚决定书 to ``officer`` (第五十二条). Only a 机关负责人 or
    管理员 of the system may issue; the officer must be an active 承办人 of the agency."""
    issuer = _user(session, actor)
    if not issuer.active or not (issuer.role_names & set(ISSUERS)):
        raise PermissionDenied(f"只有机关负责人或管理员可以发放当场处罚决定书（用户“{actor}”无此权限）")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_POOL:
        raise InputError(f"发放份数应为 1 至 {MAX_POOL} 之间的整数：{count}", field="count")
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(f"执法机关不存在（id={agency_id}）")
    holder = _user(session, officer)
    if holder.agency_id != agency_id or roles.HANDLER not in holder.role_names:
        raise InputError(f"用户“{officer}”不是{agency.name}的承办人，不能领用当场处罚决定书", field="officer")
    if not holder.active:
        raise InputError(f"用户“{officer}”已停用，不能领用当场处罚决定书", field="officer")
    year = year or datetime.now().year
    pool = FormPool(agency_id=agency_id, officer_id=holder.id, kind=FORM_KIND, number_kind=NUMBER_KIND, year=year,
                    first_serial=0, last_serial=0, issued_by=actor)
    session.add(pool)
    session.flush()
    numbers = [allocate(session, agency_id, NUMBER_KIND, actor=actor, year=year) for _ in range(count)]
    serials = [n.serial for n in numbers]
    if serials != list(range(serials[0], serials[0] + count)):  # one writer at a time: cannot happen
        raise InputError("文号序列被并发占用，未能连续发放，请重试", field="count")
    pool.first_serial, pool.last_serial = serials[0], serials[-1]
    for n in numbers:
        session.add(SimpleForm(pool_id=pool.id, issued_id=n.issued_id, number=n.number, serial=n.serial, state=UNUSED))
    session.flush()
    log_action(session, case_id=None, actor=actor, action="forms.issue",
               detail={"pool_id": pool.id, "agency_id": agency_id, "officer_id": holder.id, "kind": FORM_KIND,
                       "year": year, "first_serial": serials[0], "last_serial": serials[-1], "count": count})
    return PoolInfo(pool.id, holder.username, agency.code, FORM_KIND, year, numbers[0].number, numbers[-1].number,
                    tuple(n.number for n in numbers))


def _unused(session: Session, officer_id: int, agency_id: int | None = None, year: int | None = None):
    query = (select(SimpleForm, FormPool).join(FormPool, FormPool.id == SimpleForm.pool_id)
             .where(FormPool.officer_id == officer_id, SimpleForm.state == UNUSED))
    if agency_id is not None:
        query = query.where(FormPool.agency_id == agency_id)
    if year is not None:
        query = query.where(FormPool.year == year)
    return query.order_by(FormPool.year, SimpleForm.serial)


def has_form(session: Session, case_id: int, officer: str, *, year: int | None = None) -> bool:
    """Whether ``officer`` handles the case and holds an unused form of its agency (used by the
    on-the-spot decision to pick the pre-printed number instead of a freshly allocated one)."""
    case = session.get(Case, case_id)
    user = session.execute(select(User).where(User.username == officer)).scalar_one_or_none()
    if case is None or user is None or case.procedure != "简易":
        return False
    if not session.execute(select(CaseHandler.id).where(CaseHandler.case_id == case_id,
                                                        CaseHandler.user_id == user.id)).first():
        return False
    return session.execute(_unused(session, user.id, case.agency_id, year).limit(1)).first() is not None


def take_form(session: Session, case_id: int, officer: str, *, year: int | None = None) -> FormInfo:
    """Hand out the officer's lowest unused number for an on-the-spot decision of ``case_id``."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"案件不存在（id={case_id}）")
    if case.procedure != "简易":
        raise GateRefused("只有简易程序（当场处罚）案件使用预定格式、编有号码的当场处罚决定书", article=ARTICLE)
    user = _user(session, officer)
    if not session.execute(select(CaseHandler.id).where(CaseHandler.case_id == case_id,
                                                        CaseHandler.user_id == user.id)).first():
        raise GateRefused(f"用户“{officer}”不是本案承办人，不能使用其当场处罚决定书", article=ARTICLE)
    if case.decision_number and session.execute(
            select(SimpleForm.id).where(SimpleForm.case_id == case_id, SimpleForm.state == USED)).first():
        raise InputError(f"案件已使用当场处罚决定书“{case.decision_number}”", field="case_id")
    row = session.execute(_unused(session, user.id, case.agency_id, year).limit(1).with_for_update()).first()
    if row is None:
        raise GateRefused(f"承办人“{officer}”没有可用的当场处罚决定书，请先由机关负责人发放"
                          "（依据第五十二条，当场处罚须填写预定格式、编有号码的决定书）", article=ARTICLE)
    form, pool = row
    form.state, form.case_id, form.used_by, form.used_at = USED, case_id, officer, datetime.now().replace(microsecond=0)
    issued = session.get(IssuedNumber, form.issued_id)
    issued.case_id = case_id
    session.flush()
    log_action(session, case_id=case_id, actor=officer, action="forms.use",
               detail={"number": form.number, "pool_id": pool.id, "serial": form.serial})
    return _info(form, pool)


def void_form(session: Session, number: str, *, reason: str, actor: str) -> FormInfo:
    """Void (作废) an unused pre-printed number. A used number cannot be voided; a voided number is
    registered in ``voided_numbers`` and never handed out again. Only the holder, a 机关负责人 or a
    管理员 may void."""
    if not (reason or "").strip():
        raise InputError("作废当场处罚决定书必须说明理由", field="reason")
    number = normalize_number(number)
    row = session.execute(select(SimpleForm, FormPool).join(FormPool, FormPool.id == SimpleForm.pool_id)
                          .where(SimpleForm.number == number)).first()
    if row is None:
        raise NotFoundError(f"“{number}”不是已发放的当场处罚决定书编号")
    form, pool = row
    user = _user(session, actor)
    if user.id != pool.officer_id and not (user.role_names & set(ISSUERS)):
        raise PermissionDenied(f"只有领用人、机关负责人或管理员可以作废当场处罚决定书“{number}”")
    if form.state == USED:
        raise InputError(f"当场处罚决定书“{number}”已用于案件（id={form.case_id}），不能作废", field="number")
    if form.state == VOIDED:
        raise InputError(f"当场处罚决定书“{number}”已作废", field="number")
    void_number(session, number, reason=reason, actor=actor)
    form.state, form.void_reason, form.voided_by = VOIDED, reason.strip(), actor
    form.voided_at = datetime.now().replace(microsecond=0)
    session.flush()
    log_action(session, case_id=None, actor=actor, action="forms.void",
               detail={"number": number, "pool_id": pool.id, "serial": form.serial})
    return _info(form, pool)


def pool_status(session: Session, officer: str) -> PoolStatus:
    user = _user(session, officer)
    rows = session.execute(select(SimpleForm, FormPool).join(FormPool, FormPool.id == SimpleForm.pool_id)
                           .where(FormPool.officer_id == user.id)
                           .order_by(FormPool.year, SimpleForm.serial)).all()
    infos = [_info(f, p) for f, p in rows]
    return PoolStatus(user.username, tuple(i.number for i in infos if i.state == UNUSED),
                      tuple(i for i in infos if i.state == USED), tuple(i for i in infos if i.state == VOIDED))


__all__ = ["FORM_KIND", "NUMBER_KIND", "UNUSED", "USED", "VOIDED", "PoolInfo", "FormInfo", "PoolStatus",
           "issue_pool", "take_form", "void_form", "pool_status", "has_form"]
