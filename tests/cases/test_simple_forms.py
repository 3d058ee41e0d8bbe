"""Pre-numbered 当场处罚决定书 (行政处罚法 第五十二条): per-officer pools and a void register, on a real
migrated database (SQLite and PostgreSQL via the ``db`` fixture)."""
from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from assistant import cases as svc
from assistant import simple_forms as forms
from assistant.audit import verify_chain
from assistant.errors import GateRefused, InputError, NotFoundError, PermissionDenied
from assistant.numbering import allocate, register_gaps
from assistant.parties import PartyInput
from assistant.store.audit_tables import AuditEntry
from assistant.store.case_tables import IssuedNumber, VoidedNumber
from assistant.store.db import Database

TODAY = date(2026, 10, 12)
YEAR = TODAY.year
NOTICE = {"facts": "当事人在禁停路段停放车辆。", "reasons": "事实确凿", "basis": "《某市市容管理条例》第X条",
          "penalty": {"types": ["罚款"], "fine": 200}}


def issue(db, world, officer="zhang3", count=3, actor=None):
    with db.session() as s:
        return forms.issue_pool(s, world.agency_id, officer, count, actor=actor or world.head, year=YEAR)


def simple_case(db, world):
    with db.session() as s:
        case = svc.create_case(s, agency_id=world.agency_id, cause="违规停车", actor="zhang3", procedure="简易",
                               handlers=list(world.handlers), party=PartyInput("自然人", "李某",
                                                                              id_number="11010519491231002X"),
                               salt="s", today=TODAY)
        return case.id


def ordinary_case(db, world):
    with db.session() as s:
        return svc.create_case(s, agency_id=world.agency_id, cause="销售过期食品", actor="zhang3",
                               handlers=list(world.handlers), party=PartyInput("法人", "某公司",
                                                                              credit_code="914403001922038216"),
                               salt="s", today=TODAY, filed_on=TODAY).id


def actions(db, action):
    with db.session(readonly=True) as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).scalars()
        return [SimpleNamespace(actor=e.actor, case_id=e.case_id, detail=e.detail) for e in rows]


def test_a_pool_is_consecutive_numbers_of_the_agency_template_and_pools_never_overlap(db, world):
    first = issue(db, world, count=3)
    assert first.numbers == tuple(f"某市监罚〔{YEAR}〕{n}号" for n in (1, 2, 3))
    with db.session() as s:
        # an ordinary decision number taken in between continues the same sequence
        assert allocate(s, world.agency_id, "罚", actor="chen_head", year=YEAR).serial == 4
    second = issue(db, world, officer="li4", count=2)
    assert second.numbers == (f"某市监罚〔{YEAR}〕5号", f"某市监罚〔{YEAR}〕6号")
    assert not set(first.numbers) & set(second.numbers)
    with db.session(readonly=True) as s:
        assert register_gaps(s, world.agency_id, "罚", YEAR) == []
        registered = set(s.execute(select(IssuedNumber.number)).scalars())
    assert set(first.numbers) | set(second.numbers) <= registered


def test_the_agency_numbering_template_is_used(db, world):
    with db.session() as s:
        agency = svc.get_agency(s, world.agency_id)
        agency.settings = {**(agency.settings or {}), "numbering_templates": {"罚": "{机关代字}当罚〔{YYYY}〕{序号:03d}号"}}
    pool = issue(db, world, count=2)
    assert pool.numbers == (f"某市监当罚〔{YEAR}〕001号", f"某市监当罚〔{YEAR}〕002号")


def test_only_a_head_or_admin_may_issue_and_only_to_an_active_handler_of_the_agency(db, world):
    with pytest.raises(PermissionDenied):
        issue(db, world, actor="zhang3")
    with pytest.raises(PermissionDenied):
        issue(db, world, actor=world.reviewer)
    with pytest.raises(InputError):
        issue(db, world, officer=world.reviewer)      # not a 承办人
    with pytest.raises(InputError):
        issue(db, world, count=0)
    with pytest.raises(NotFoundError):
        issue(db, world, officer="nobody")
    with db.session(readonly=True) as s:               # nothing was written by the refusals
        assert s.execute(select(IssuedNumber)).first() is None
    from assistant import auth, roles
    with db.session() as s:
        auth.create_user(s, "admin1", "correct-horse-battery", "管理员", [roles.ADMIN], world.agency_id)
    assert len(issue(db, world, actor="admin1", count=1).numbers) == 1


def test_take_form_hands_out_in_order_and_refuses_when_exhausted_naming_article_52(db, world):
    pool = issue(db, world, count=2)
    a, b, c = simple_case(db, world), simple_case(db, world), simple_case(db, world)
    with db.session() as s:
        assert forms.take_form(s, a, "zhang3").number == pool.numbers[0]
    with db.session() as s:
        assert forms.take_form(s, b, "zhang3").number == pool.numbers[1]
    with pytest.raises(GateRefused) as err:
        with db.session() as s:
            forms.take_form(s, c, "zhang3")
    assert "第五十二条" in err.value.message
    with db.session(readonly=True) as s:
        status = forms.pool_status(s, "zhang3")
    assert status.unused == () and [f.case_id for f in status.used] == [a, b]


def test_take_form_refuses_an_ordinary_case_and_a_non_handler(db, world):
    issue(db, world, count=2)
    issue(db, world, officer=world.expired, count=1)
    with pytest.raises(GateRefused) as err:
        with db.session() as s:
            forms.take_form(s, ordinary_case(db, world), "zhang3")
    assert "简易程序" in err.value.message
    case_id = simple_case(db, world)
    with pytest.raises(GateRefused):
        with db.session() as s:
            forms.take_form(s, case_id, world.expired)   # not a handler of this case


def test_void_needs_a_reason_refuses_used_numbers_and_voided_numbers_are_never_handed_out(db, world):
    pool = issue(db, world, count=3)
    with pytest.raises(InputError):
        with db.session() as s:
            forms.void_form(s, pool.numbers[0], reason="  ", actor="zhang3")
    with pytest.raises(PermissionDenied):
        with db.session() as s:
            forms.void_form(s, pool.numbers[0], reason="填写错误", actor="li4")
    with db.session() as s:
        voided = forms.void_form(s, pool.numbers[0].replace("〔", "[").replace("〕", "]"), reason="填写错误",
                                 actor="zhang3")
    assert voided.state == forms.VOIDED and voided.number == pool.numbers[0]
    with pytest.raises(InputError):
        with db.session() as s:
            forms.void_form(s, pool.numbers[0], reason="再次作废", actor=world.head)
    case_id = simple_case(db, world)
    with db.session() as s:
        assert forms.take_form(s, case_id, "zhang3").number == pool.numbers[1]   # skips the voided one
    with pytest.raises(InputError) as err:
        with db.session() as s:
            forms.void_form(s, pool.numbers[1], reason="误用", actor=world.head)
    assert "不能作废" in err.value.message
    with db.session(readonly=True) as s:
        assert s.execute(select(VoidedNumber.number)).scalars().all() == [pool.numbers[0]]
        assert s.execute(select(IssuedNumber.voided).where(IssuedNumber.number == pool.numbers[0])).scalar() is True
        status = forms.pool_status(s, "zhang3")
    assert status.unused == (pool.numbers[2],) and [f.number for f in status.voided] == [pool.numbers[0]]


def test_the_on_the_spot_decision_uses_the_officers_pre_printed_number(db, world):
    pool = issue(db, world, count=2)
    case_id = simple_case(db, world)
    with db.session() as s:
        svc.advance(s, case_id, "当场告知", actor="zhang3", payload=NOTICE, today=TODAY)
        svc.record_waiver(s, case_id, actor="zhang3", on=TODAY)
        svc.advance(s, case_id, "当场决定", actor="zhang3", payload=NOTICE, today=TODAY)
        case = svc.get_case(s, case_id)
        assert case.decision_number == pool.numbers[0]
        issued = s.execute(select(IssuedNumber).where(IssuedNumber.number == pool.numbers[0])).scalar_one()
        assert issued.case_id == case_id
        assert register_gaps(s, world.agency_id, "罚", YEAR) == []
    # without a pool (li4 holds none) the existing behaviour stands: a fresh number from the sequence
    other = simple_case(db, world)
    with db.session() as s:
        svc.advance(s, other, "当场告知", actor="li4", payload=NOTICE, today=TODAY)
        svc.record_waiver(s, other, actor="li4", on=TODAY)
        svc.advance(s, other, "当场决定", actor="li4", payload=NOTICE, today=TODAY)
        assert svc.get_case(s, other).decision_number == f"某市监罚〔{YEAR}〕3号"


def test_every_action_is_audited_without_personal_data(db, world):
    pool = issue(db, world, count=2)
    case_id = simple_case(db, world)
    with db.session() as s:
        forms.take_form(s, case_id, "zhang3")
        forms.void_form(s, pool.numbers[1], reason="污损", actor="zhang3")
    (issued,) = actions(db, "forms.issue")
    assert issued.actor == world.head and issued.detail["count"] == 2 and issued.detail["first_serial"] == 1
    (used,) = actions(db, "forms.use")
    assert used.case_id == case_id and used.detail["number"] == pool.numbers[0]
    (void,) = actions(db, "forms.void")
    assert void.detail["number"] == pool.numbers[1]
    blob = json.dumps([e.detail for e in (issued, used, void)], ensure_ascii=False)
    assert "11010519491231002X" not in blob and "李某" not in blob
    with db.session(readonly=True) as s:
        assert verify_chain(s, case_id).ok


def test_migration_0004_upgrades_a_database_at_0003(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = db.alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0003_audit_heads")
    assert "form_pools" not in inspect(db.engine).get_table_names()
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO agencies (name, code, region, settings, created_at) "
                                "VALUES ('旧局', '旧', '', '{}', '2026-01-01 00:00:00')"))
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    tables = set(inspect(db.engine).get_table_names())
    assert {"form_pools", "simple_forms"} <= tables
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT code FROM agencies")).scalar() == "旧"
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004_simple_forms"
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0003_audit_heads")
    assert "form_pools" not in set(inspect(db.engine).get_table_names())
    db.dispose()


def test_cli_issue_status_void(tmp_path, monkeypatch, capsys):
    from assistant.cli import main

    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ZHIFA_DATABASE_URL", raising=False)
    monkeypatch.delenv("ZHIFA_CONFIG", raising=False)
    monkeypatch.setenv("ZHIFA_NEW_PASSWORD", "correct-horse-battery")
    monkeypatch.setenv("ZHIFA_PASSWORD", "correct-horse-battery")  # --as is authenticated
    assert main(["agency", "add", "--name", "某市市场监督管理局", "--code", "某市监"]) == 0
    assert main(["user", "add", "zhang3", "--display-name", "张三", "--roles", "承办人", "--agency", "某市监",
                 "--credential-no", "A1", "--credential-expiry", "2030-12-31"]) == 0
    assert main(["user", "add", "chen", "--display-name", "陈", "--roles", "机关负责人", "--agency", "某市监"]) == 0
    capsys.readouterr()
    assert main(["forms", "issue", "--agency", "某市监", "--officer", "zhang3", "--count", "2", "--as", "zhang3"]) == 2
    assert "机关负责人或管理员" in capsys.readouterr().err
    assert main(["forms", "issue", "--agency", "某市监", "--officer", "zhang3", "--count", "2", "--as", "chen",
                 "--year", "2026"]) == 0
    assert "某市监罚〔2026〕1号 至 某市监罚〔2026〕2号" in capsys.readouterr().out
    assert main(["forms", "void", "某市监罚〔2026〕1号", "--reason", "填写错误", "--as", "zhang3"]) == 0
    capsys.readouterr()
    assert main(["forms", "status", "--officer", "zhang3", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["unused"] == ["某市监罚〔2026〕2号"] and status["voided"] == [{"number": "某市监罚〔2026〕1号"}]
    assert main(["forms", "status", "--officer", "zhang3"]) == 0
    assert "下一份：某市监罚〔2026〕2号" in capsys.readouterr().out
