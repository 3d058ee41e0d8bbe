"""Case and document numbers (domain-spec §7): ``{机关代字}{类别字}〔{YYYY}〕{序号}号``.

- Serials run per agency, per 类别字 and per year, with no gaps: the serial is taken inside the
  caller's transaction, so a number exists only if the record that uses it is committed.
- Every issued number is registered in ``issued_numbers``; a voided number is logged in
  ``voided_numbers`` and never issued again (the sequence only moves forward).
- Concurrency: on SQLite, write sessions begin with ``BEGIN IMMEDIATE`` (one writer at a time; see
  :mod:`assistant.store.db`); on PostgreSQL the sequence row is locked with ``SELECT … FOR UPDATE``.
- The template is the agency setting ``numbering_template`` (default below); ``numbering_templates``
  may set one per 类别字. Python format fields: ``{机关代字} {类别字} {YYYY} {序号}`` (``{序号:03d}``
  pads).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from assistant.audit import log_action
from assistant.errors import ConfigError, InputError, NotFoundError
from assistant.store.case_tables import Agency, IssuedNumber, NumberSequence, VoidedNumber

DEFAULT_TEMPLATE = "{机关代字}{类别字}〔{YYYY}〕{序号}号"
KINDS = {
    "立": "立案审批表 / 案件编号",
    "告": "行政处罚事先告知书",
    "听告": "听证告知书",
    "听通": "听证通知书",
    "罚": "行政处罚决定书",
    "不罚": "不予行政处罚决定书",
    "催": "催告书",
    "封": "查封决定书",
    "扣": "扣押决定书",
    "送": "送达回证",
}
CASE_NUMBER_KIND = "立"

_BRACKETS = re.compile(r"[\[\(（【﹝〔［〖]\s*(\d{4})\s*[\]\)）】﹞〕］〗]")


def normalize_number(text: str) -> str:
    """Map ﹝﹞ [] 【】 () （） ［］ around the year to 〔〕 (the GB/T 9704 form)."""
    return _BRACKETS.sub(lambda m: f"〔{m.group(1)}〕", (text or "").strip())


@dataclass(frozen=True)
class AllocatedNumber:
    number: str
    agency_id: int
    kind: str
    year: int
    serial: int
    issued_id: int


def render_number(template: str, *, agency_code: str, kind: str, year: int, serial: int) -> str:
    try:
        text = template.format(**{"机关代字": agency_code, "类别字": kind, "YYYY": year, "序号": serial})
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"文号模板“{template}”无效：{exc}（可用字段：{{机关代字}}{{类别字}}{{YYYY}}{{序号}}）") from exc
    return normalize_number(text)


def template_for(agency: Agency, kind: str) -> str:
    settings = agency.settings or {}
    return (settings.get("numbering_templates") or {}).get(kind) or settings.get("numbering_template") or DEFAULT_TEMPLATE


def allocate(session: Session, agency_id: int, kind: str, *, actor: str, year: int | None = None,
             case_id: int | None = None) -> AllocatedNumber:
    """Take the next serial for (agency, kind, year) inside the caller's transaction."""
    if kind not in KINDS:
        raise InputError(f"未知的文书类别字“{kind}”，可选：{'、'.join(KINDS)}", field="kind")
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(f"执法机关不存在（id={agency_id}）")
    year = year or datetime.now().year
    seq = _locked_sequence(session, agency_id, kind, year)
    seq.last_value += 1
    serial = seq.last_value
    number = render_number(template_for(agency, kind), agency_code=agency.code, kind=kind, year=year, serial=serial)
    issued = IssuedNumber(agency_id=agency_id, kind=kind, year=year, serial=serial, number=number,
                          case_id=case_id, issued_by=actor)
    session.add(issued)
    session.flush()
    log_action(session, case_id=case_id, actor=actor, action="number.issue",
               detail={"number": number, "kind": kind, "year": year, "serial": serial, "agency_id": agency_id})
    return AllocatedNumber(number, agency_id, kind, year, serial, issued.id)


def _locked_sequence(session: Session, agency_id: int, kind: str, year: int) -> NumberSequence:
    query = (select(NumberSequence)
             .where(NumberSequence.agency_id == agency_id, NumberSequence.kind == kind, NumberSequence.year == year)
             .with_for_update())
    seq = session.execute(query).scalar_one_or_none()
    if seq is not None:
        return seq
    try:
        with session.begin_nested():
            session.add(NumberSequence(agency_id=agency_id, kind=kind, year=year, last_value=0))
    except SAIntegrityError:  # another transaction created the row first; wait for its lock
        pass
    return session.execute(query.execution_options(populate_existing=True)).scalar_one()


def void_number(session: Session, number: str, *, reason: str, actor: str) -> VoidedNumber:
    """Void an issued number (作废). It stays in the register and is never issued again."""
    if not (reason or "").strip():
        raise InputError("作废文号必须说明理由", field="reason")
    number = normalize_number(number)
    issued = session.execute(select(IssuedNumber).where(IssuedNumber.number == number)).scalar_one_or_none()
    if issued is None:
        raise NotFoundError(f"文号“{number}”未曾签发，不能作废")
    if issued.voided:
        raise InputError(f"文号“{number}”已作废", field="number")
    issued.voided = True
    voided = VoidedNumber(issued_id=issued.id, number=number, reason=reason.strip(), voided_by=actor)
    session.add(voided)
    session.flush()
    log_action(session, case_id=issued.case_id, actor=actor, action="number.void",
               detail={"number": number, "reason": reason.strip()})
    return voided


def register_gaps(session: Session, agency_id: int, kind: str, year: int) -> list[int]:
    """Serials missing from the register (should always be empty)."""
    serials = session.execute(select(IssuedNumber.serial).where(
        IssuedNumber.agency_id == agency_id, IssuedNumber.kind == kind, IssuedNumber.year == year)).scalars().all()
    if not serials:
        return []
    present = set(serials)
    return [s for s in range(1, max(present) + 1) if s not in present]
