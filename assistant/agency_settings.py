"""Per-agency settings managed by the administrator (系统管理 → 单位设置).

    cfg = load_agency_settings(session, agency_id)
    save_agency_settings(session, agency_id, replace(cfg, statement_period_days=7), actor="admin", roles=("管理员",))

Stored in the ``agencies.settings`` JSON column (no extra table); the keys are the ones the
services already read: ``numbering_template`` (:mod:`assistant.numbering`), ``hearing_thresholds``
(:func:`assistant.lifecycle.hearing_rules`, 行政处罚法 第六十三条), ``statement_period_days`` /
``statement_period_unit`` (:func:`assistant.lifecycle.statement_due`) and
``holiday_calendar_version`` (the version of ``assistant/data/holidays.json`` the agency has checked
its deadlines against). Other keys already in the column (``review_rules``, ``numbering_templates``…)
are kept as they are.

Only a 管理员 of the agency may save; bad values raise ``InputError`` with a Chinese sentence and
nothing is written. Every save is audit-logged (global chain, ``agency.settings``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy.orm import Session

from assistant import roles as R
from assistant.audit import log_action
from assistant.errors import InputError, NotFoundError, PermissionDenied
from assistant.numbering import DEFAULT_TEMPLATE, render_number
from assistant.store.case_tables import Agency

PARTY_KINDS = ("自然人", "法人", "其他组织")
PERIOD_UNITS = ("工作日", "日")
DEFAULT_STATEMENT_DAYS = 5
HEARING_SOURCE = "《中华人民共和国行政处罚法》第六十三条"


def holiday_calendar_versions() -> tuple[str, ...]:
    """Versions of the holiday calendar this installation ships (``holidays.json``)."""
    from assistant.data import load

    return (str(load("holidays.json").get("version", "")),)


def _default_thresholds() -> dict[str, float]:
    from assistant.data import load

    return {k: float(v) for k, v in load("hearing_thresholds.json")["default"]["fine_at_least"].items()}


@dataclass(frozen=True)
class AgencySettings:
    numbering_template: str = DEFAULT_TEMPLATE
    # 第六十三条第一款第（一）项 较大数额罚款, per party kind (元)
    hearing_fine_at_least: dict[str, float] = field(default_factory=_default_thresholds)
    statement_period_days: int = DEFAULT_STATEMENT_DAYS
    statement_period_unit: str = "工作日"
    holiday_calendar_version: str = ""

    def to_json(self) -> dict:
        return {"numbering_template": self.numbering_template,
                "hearing_thresholds": {"fine_at_least": dict(self.hearing_fine_at_least)},
                "statement_period_days": self.statement_period_days,
                "statement_period_unit": self.statement_period_unit,
                "holiday_calendar_version": self.holiday_calendar_version}


def from_json(data: dict | None) -> AgencySettings:
    data = data or {}
    base = AgencySettings()
    fines = dict(base.hearing_fine_at_least)
    fines.update(((data.get("hearing_thresholds") or {}).get("fine_at_least") or {}))
    return AgencySettings(
        numbering_template=data.get("numbering_template") or base.numbering_template,
        hearing_fine_at_least=fines,
        statement_period_days=data.get("statement_period_days", base.statement_period_days),
        statement_period_unit=data.get("statement_period_unit", base.statement_period_unit),
        holiday_calendar_version=data.get("holiday_calendar_version") or holiday_calendar_versions()[0],
    )


def _positive(value, what: str) -> float:
    if isinstance(value, bool):
        raise InputError(f"{what}应为正数。", field=what)
    try:
        number = float(str(value).replace(",", "").strip()) if not isinstance(value, (int, float)) else float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what}“{value}”不是数字，应为正数。", field=what) from None
    if not number > 0 or number != number or number == float("inf"):
        raise InputError(f"{what}应为正数，不能是“{value}”。", field=what)
    return number


def validate(cfg: AgencySettings) -> AgencySettings:
    """The settings with numbers normalised, or InputError naming the first bad field."""
    template = (cfg.numbering_template or "").strip()
    if "{序号" not in template:
        raise InputError("文号模板必须包含 {序号}，例如 {机关代字}{类别字}〔{YYYY}〕{序号}号。", field="numbering_template")
    try:
        render_number(template, agency_code="某市监", kind="罚", year=2024, serial=1)
    except Exception as exc:  # ConfigError names the bad field; anything else is also a bad template
        raise InputError(f"文号模板“{template}”无效：可用字段为 {{机关代字}}{{类别字}}{{YYYY}}{{序号}}。",
                         field="numbering_template") from exc
    fines = {}
    for kind, value in (cfg.hearing_fine_at_least or {}).items():
        if kind not in PARTY_KINDS:
            raise InputError(f"听证金额标准的当事人类型“{kind}”无效，可选：{'、'.join(PARTY_KINDS)}。", field="hearing")
        fines[kind] = _positive(value, f"{kind}听证罚款金额标准")
    days = _positive(cfg.statement_period_days, "陈述申辩期限天数")
    if days != int(days):
        raise InputError(f"陈述申辩期限天数应为整数，不能是“{cfg.statement_period_days}”。", field="statement_period_days")
    if cfg.statement_period_unit not in PERIOD_UNITS:
        raise InputError(f"陈述申辩期限单位应为{'或'.join(PERIOD_UNITS)}。", field="statement_period_unit")
    versions = holiday_calendar_versions()
    version = (cfg.holiday_calendar_version or "").strip() or versions[0]
    if version not in versions:
        raise InputError(f"节假日日历版本“{version}”不存在，可选：{'、'.join(versions)}。", field="holiday_calendar_version")
    return AgencySettings(numbering_template=template, hearing_fine_at_least=fines, statement_period_days=int(days),
                          statement_period_unit=cfg.statement_period_unit, holiday_calendar_version=version)


def load_agency_settings(session: Session, agency_id: int) -> AgencySettings:
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None:
        raise NotFoundError(f"执法机关不存在（id={agency_id}）。")
    return from_json(agency.settings)


def save_agency_settings(session: Session, agency_id: int, cfg: AgencySettings, *, actor: str,
                         roles: Iterable[str]) -> AgencySettings:
    """Validate and store; only a 管理员 may do this. Audit-logged in the caller's transaction."""
    if R.ADMIN not in set(roles or ()):
        raise PermissionDenied("只有管理员可以修改单位设置。")
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None:
        raise NotFoundError(f"执法机关不存在（id={agency_id}）。")
    clean = validate(cfg)
    before = from_json(agency.settings).to_json()
    merged = dict(agency.settings or {})
    thresholds = dict(merged.get("hearing_thresholds") or {})
    thresholds["fine_at_least"] = dict(clean.hearing_fine_at_least)
    thresholds.setdefault("source", f"本机关设置（{HEARING_SOURCE}）")
    new = clean.to_json()
    new["hearing_thresholds"] = thresholds
    merged.update(new)
    agency.settings = merged  # a new dict: the JSON column sees the change
    changed = {k: {"from": before.get(k), "to": clean.to_json().get(k)} for k in clean.to_json()
               if before.get(k) != clean.to_json().get(k)}
    log_action(session, case_id=None, actor=actor, action="agency.settings",
               detail={"agency_id": agency_id, "changed": changed})
    session.flush()
    return clean
