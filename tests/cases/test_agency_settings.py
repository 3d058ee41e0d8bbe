"""单位设置: the administrator saves the numbering template, hearing thresholds, statement period and
holiday-calendar version; bad values are refused in Chinese and nothing changes; only 管理员 may save;
every save is audit-logged; the services then use the new values."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from assistant import agency_settings as A
from assistant import lifecycle as lc
from assistant import numbering
from assistant import roles as R
from assistant.errors import InputError, PermissionDenied
from assistant.store.audit_tables import AuditEntry
from assistant.store.case_tables import Agency

ADMIN = (R.ADMIN,)


def test_defaults_then_save_and_use(db, world):
    with db.session() as s:
        cfg = A.load_agency_settings(s, world.agency_id)
        assert "{序号}" in cfg.numbering_template and cfg.statement_period_days == 5
        assert cfg.holiday_calendar_version in A.holiday_calendar_versions()
        new = replace(cfg, numbering_template="{机关代字}{类别字}字〔{YYYY}〕第{序号:03d}号",
                      hearing_fine_at_least={"自然人": 5000, "法人": 50000, "其他组织": 50000},
                      statement_period_days=7)
        A.save_agency_settings(s, world.agency_id, new, actor="admin", roles=ADMIN)
    with db.session() as s:
        cfg = A.load_agency_settings(s, world.agency_id)
        assert cfg.statement_period_days == 7 and cfg.hearing_fine_at_least["法人"] == 50000
        number = numbering.allocate(s, world.agency_id, "罚", actor="admin", year=2026).number
        assert number.endswith("第001号") and "字〔2026〕" in number
        settings = s.get(Agency, world.agency_id).settings
        penalty = lc.Penalty(types=("罚款",), fine=60000)
        assert lc.hearing_triggers(penalty, ["法人"], settings)  # 60 000 ≥ the new 50 000 threshold
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "agency.settings")).scalars().one()
        assert entry.actor == "admin" and "statement_period_days" in entry.detail["changed"]


@pytest.mark.parametrize("change, words", [
    ({"numbering_template": "{机关代字}〔{YYYY}〕号"}, "{序号}"),
    ({"numbering_template": "{序号}{未知}"}, "文号模板"),
    ({"hearing_fine_at_least": {"法人": -1}}, "正数"),
    ({"hearing_fine_at_least": {"法人": "十万"}}, "不是数字"),
    ({"statement_period_days": 0}, "正数"),
    ({"holiday_calendar_version": "1999"}, "节假日日历版本"),
])
def test_bad_values_are_refused_in_chinese_and_nothing_changes(db, world, change, words):
    with db.session() as s:
        before = dict(s.get(Agency, world.agency_id).settings or {})
        cfg = A.load_agency_settings(s, world.agency_id)
        with pytest.raises(InputError) as exc:
            A.save_agency_settings(s, world.agency_id, replace(cfg, **change), actor="admin", roles=ADMIN)
        assert words in exc.value.message
    with db.session() as s:
        assert dict(s.get(Agency, world.agency_id).settings or {}) == before
        assert not s.execute(select(AuditEntry).where(AuditEntry.action == "agency.settings")).scalars().all()


def test_only_an_administrator_may_save(db, world):
    with db.session() as s:
        cfg = A.load_agency_settings(s, world.agency_id)
        with pytest.raises(PermissionDenied) as exc:
            A.save_agency_settings(s, world.agency_id, cfg, actor=world.handlers[0], roles=(R.HANDLER, R.HEAD))
        assert "管理员" in exc.value.message
