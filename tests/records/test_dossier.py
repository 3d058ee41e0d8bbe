"""一户式: everything held on one party, found by 统一社会信用代码 or by the salted hash of the ID
number; the ID number itself never reaches the logs or the audit chain."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from assistant.dossier import classify_key, id_hash, party_dossier
from assistant.errors import InputError, NotFoundError
from assistant.records import RecordMeta, ingest_record
from assistant.store.audit_tables import AuditEntry
from assistant.store.case_tables import Agency, Case, CaseParty, Party

from tests.records.records_helpers import meta, seed_users

ID_NUMBER = "110101199003077777"
CREDIT = "91110105MA01ABCD2X"


@pytest.fixture
def seeded(db, files, clip, settings, tmp_path):
    salt = settings.salt()
    note = tmp_path / "笔录.txt"
    note.write_text("询问笔录", encoding="utf-8")
    with db.session() as s:
        s.add(Agency(id=1, name="甲区市场监管局", code="甲市监", settings={}))
        s.add_all([Party(id=1, kind="自然人", name="张三", id_number=ID_NUMBER, id_hash=id_hash(ID_NUMBER, salt)),
                   Party(id=2, kind="法人", name="某某食品有限公司", credit_code=CREDIT),
                   Party(id=3, kind="自然人", name="李四", id_hash=id_hash("110101199003071234", salt))])
        s.add_all([Case(id=10, agency_id=1, cause="无证经营", state="调查取证", created_by="zhang"),
                   Case(id=11, agency_id=1, cause="销售过期食品", state="立案", created_by="zhang"),
                   Case(id=12, agency_id=1, cause="其他", state="立案", created_by="zhang")])
        s.flush()
        s.add_all([CaseParty(case_id=10, party_id=1), CaseParty(case_id=11, party_id=2), CaseParty(case_id=11, party_id=1),
                   CaseParty(case_id=12, party_id=3)])
        ingest_record(s, files, clip, RecordMeta.parse(meta(case_id=10, party_id=1)), actor="zhang", max_bytes=10 << 20)
        ingest_record(s, files, note, RecordMeta.parse(meta(case_id=11, party_id=2)), actor="zhang", max_bytes=10 << 20)
        ingest_record(s, files, note, RecordMeta.parse(meta(case_id=12, party_id=3)), actor="zhang", max_bytes=10 << 20)
    return salt


def test_dossier_by_id_number_hash(db, seeded, caplog):
    caplog.set_level(logging.DEBUG)
    with db.session() as s:
        d = party_dossier(s, actor="li4", salt=seeded, id_number=ID_NUMBER)
    assert d.names == ("张三",) and d.party_ids == (1,)
    assert [c["case_id"] for c in d.cases] == [10, 11]
    assert sorted(r["case_id"] for r in d.records) == [10, 11]
    assert d.key.startswith("id:") and ID_NUMBER not in str(d.to_dict())
    with db.session(readonly=True) as s:
        audit = s.execute(select(AuditEntry).where(AuditEntry.action == "party.dossier")).scalar_one()
        assert ID_NUMBER not in str(audit.detail) and audit.detail["cases"] == [10, 11]
    assert ID_NUMBER not in caplog.text


def test_dossier_by_credit_code(db, seeded):
    with db.session() as s:
        d = party_dossier(s, actor="li4", salt=seeded, credit_code=CREDIT.lower())
    assert d.names == ("某某食品有限公司",) and [c["case_id"] for c in d.cases] == [11]
    assert d.key == f"credit:{CREDIT}"


def test_the_hash_is_salted_and_lookups_are_validated(db, seeded):
    assert id_hash(ID_NUMBER, "a") != id_hash(ID_NUMBER, "b")
    assert id_hash(ID_NUMBER.lower(), "a") == id_hash(ID_NUMBER, "a")
    assert classify_key(CREDIT) == "credit" and classify_key(ID_NUMBER) == "id"
    with db.session() as s:
        with pytest.raises(InputError, match="身份证号格式"):
            party_dossier(s, actor="li4", salt=seeded, id_number="12345")
        with pytest.raises(NotFoundError):
            party_dossier(s, actor="li4", salt="other-salt", id_number=ID_NUMBER)


def test_cli_dossier_never_prints_or_logs_the_id_number(db, seeded, settings, monkeypatch, capsys, caplog):
    from assistant import roles
    from assistant.cli import main

    monkeypatch.setenv("ZHIFA_HOME", str(settings.home))
    monkeypatch.setenv("ZHIFA_DATABASE_URL", str(db.url))
    monkeypatch.setenv("ZHIFA_SECRET_SALT", seeded)
    monkeypatch.setenv("ZHIFA_PASSWORD", "password-123")
    with db.session() as s:  # the viewer is a real, authenticated user (the 调阅 log is evidence)
        seed_users(s, {"li4": (roles.HANDLER, 1)})
    caplog.set_level(logging.DEBUG)
    assert main(["party", "dossier", ID_NUMBER, "--as", "li4"]) == 0
    out = capsys.readouterr()
    assert "张三" in out.out and ID_NUMBER not in out.out + out.err + caplog.text
