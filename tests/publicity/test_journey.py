"""公示 journey on the demo data, through the CLI, on a temp SQLite file: ``zhifa demo seed`` (anchored on
24 Mar 2026, so its natural-person case was decided on Thu 12 Feb 2026, just before Spring Festival), then
publish preview (diff shows what is masked) → approve → withdraw (timing rule) → overdue across the
holiday → export CSV/JSON/.docx/HTML → stats annual (.docx with charts) → teach build (.docx).
No personal identifier of a party, witness or legal representative reaches any public output."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.cli import main
from assistant.demo import demo_password
from assistant.demo_decided import DEMO_DECIDED, DEMO_LEGAL_REP, DEMO_PERSON, DEMO_WITNESS
from assistant.documents.gbt9704 import docx_text
from assistant.store.case_tables import Case
from assistant.store.db import Database

PERSON, PERSON_ID, PERSON_PHONE, PERSON_HOME = (DEMO_PERSON[k] for k in ("name", "id_number", "phone", "address"))
WITNESS, WITNESS_PHONE = DEMO_WITNESS["name"], DEMO_WITNESS["phone"]
LEGAL_REP = DEMO_LEGAL_REP
SEED_DAY = "2026-03-24"  # the demo's natural-person decision is 40 days earlier: 2026-02-12


@pytest.fixture
def world(settings, monkeypatch, capsys):
    monkeypatch.setenv("ZHIFA_HOME", str(settings.home))
    monkeypatch.setenv("ZHIFA_PASSWORD", demo_password())  # --actor is authenticated (assistant.cli.identity)
    assert main(["demo", "seed", "--today", SEED_DAY]) == 0
    assert main(["demo", "seed", "--today", SEED_DAY]) == 0  # idempotent
    capsys.readouterr()
    db = Database(settings.database_url)
    with db.session() as s:
        decided = {spec["cause"]: s.execute(select(Case).where(Case.cause == spec["cause"])).scalar_one()
                   for spec in DEMO_DECIDED}
        assert all(c.state == "送达" and c.decision_number for c in decided.values())
        person = next(c.id for cause, c in decided.items() if "乳制品" in cause)
        demo = [c.id for c in decided.values() if c.id != person]  # the company with a 法定代表人 first
        numbers = {c.id: c.decision_number for c in decided.values()}
        assert str(decided[DEMO_DECIDED[0]["cause"]].decided_on) == "2026-02-12"
    db.dispose()
    return {"demo": demo, "person": person, "numbers": numbers}


def _run(capsys, *argv) -> tuple[int, str]:
    """Exit code and stdout (stderr only when the command failed: logging goes there)."""
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out if code in (0, 1) else out.out + out.err


def _docx_images(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith("word/media/")]


@pytest.mark.slow
def test_demo_decisions_published_withdrawn_counted_and_taught_without_personal_data(world, settings, capsys,
                                                                                      tmp_path):
    person, demo = world["person"], world["demo"]
    public: dict[str, str] = {}

    # preview: the side-by-side diff names every masked item; the public version has none of them
    code, out = _run(capsys, "publish", "preview", str(person), "--json", "--actor", "officer1")
    assert code == 0, out
    data = json.loads(out)
    assert data["due_on"] == "2026-02-28"  # 7 working days across 春节 2026 and its 调休 Saturdays
    masked = {r["原文"] for r in data["redactions"]}
    assert {PERSON, PERSON_ID, PERSON_PHONE, WITNESS, WITNESS_PHONE} <= masked, masked
    assert data["public_fields"]["party_name"] == "欧阳某某"
    public["preview-json-public"] = json.dumps(data["public_fields"], ensure_ascii=False)
    code, out = _run(capsys, "publish", "preview", str(person), "--actor", "officer1")
    assert code == 0 and "→" in out and "公开版本" in out
    public["preview-text-public"] = out.split("—— 公开版本 ——", 1)[1]
    for cid in demo:
        assert _run(capsys, "publish", "preview", str(cid), "--actor", "officer1")[0] == 0

    # overdue, across the holiday: due Sat 28 Feb (调休上班); calendar counting would say 21 Feb
    code, out = _run(capsys, "publish", "overdue", "--today", "2026-02-27", "--json")
    assert code == 0 and json.loads(out) == []
    code, out = _run(capsys, "publish", "overdue", "--today", "2026-03-02", "--json")
    items = json.loads(out)
    assert code == 1 and [(i["decision_id"], i["due_on"], i["days_overdue"]) for i in items] == \
        [(world["numbers"][person], "2026-02-28", 2)]

    # approve: the approver's role comes from the users table (officer1 is a 承办人), refusal logged
    code, out = _run(capsys, "publish", "approve", str(person), "--actor", "officer1", "--role", "机关负责人")
    assert code == 2 and "角色以用户库为准" in out
    import sqlite3

    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as c:
        assert c.execute("SELECT actor FROM audit_log WHERE action='publicity.approve.refused'").fetchall() == \
            [("officer1",)]
    # approve and publish all three; withdraw the person's (decision 撤销 on appeal)
    for cid in (person, *demo):
        code, out = _run(capsys, "publish", "approve", str(cid), "--actor", "head1", "--role", "机关负责人",
                         "--on", "2026-02-26" if cid == person else SEED_DAY)
        assert code == 0, out
    code, out = _run(capsys, "publish", "export", "--out", str(tmp_path / "all.csv"))
    assert code == 0 and "3 条" in out
    assert _run(capsys, "publish", "export", "--out", str(tmp_path / "all.json"))[0] == 0
    assert json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))[0]["处罚机关"]
    for cid in (person, demo[0]):
        for ext in ("docx", "html"):
            out_file = tmp_path / f"{cid}.{ext}"
            assert _run(capsys, "publish", "export", str(cid), "--out", str(out_file))[0] == 0
            public[out_file.name] = docx_text(out_file) if ext == "docx" else out_file.read_text(encoding="utf-8")
    public["all.csv"] = (tmp_path / "all.csv").read_text(encoding="utf-8-sig")
    public["all.json"] = (tmp_path / "all.json").read_text(encoding="utf-8")
    assert "示范市鑫味食品有限公司" in public["all.csv"]  # entity names stay public
    assert "法定代表人（负责人）：诸葛某某" in public[f"{demo[0]}.docx"]  # 法定代表人 masked (default policy)

    # withdrawal timing: revoked Mon 2 Mar 2026, local rule 1日内 → due 3 Mar; withdrawn on 4 Mar = late
    code, out = _run(capsys, "publish", "withdraw", str(person), "--explanation", "原处罚决定已被复议机关撤销",
                     "--revoked-on", "2026-03-02", "--on", "2026-03-04", "--actor", "head1")
    assert code == 0 and "期限 2026-03-03" in out and "已逾期" in out and "川办发" in out
    code, out = _run(capsys, "publish", "withdraw", str(person), "--explanation", "再次", "--actor", "head1")
    assert code == 2 and "已于 2026-03-04 撤回" in out
    code, out = _run(capsys, "publish", "export", "--out", str(tmp_path / "after.csv"))
    assert "2 条" in out and world["numbers"][person] not in (tmp_path / "after.csv").read_text(encoding="utf-8-sig")

    # annual report with charts, re-opened
    code, out = _run(capsys, "stats", "annual", "2026", "--out", str(tmp_path / "report.docx"),
                     "--xlsx", str(tmp_path / "data.xlsx"))
    assert code == 0 and "决定 3 件" in out, out
    assert _docx_images(tmp_path / "report.docx")
    public["report.docx"] = docx_text(tmp_path / "report.docx")
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "data.xlsx")
    public["data.xlsx"] = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)

    # teaching case, re-opened
    code, out = _run(capsys, "teach", "build", str(person), "--out", str(tmp_path / "teach.docx"), "--save",
                     "--actor", "trainer1")
    assert code == 0, out
    public["teach.docx"] = docx_text(tmp_path / "teach.docx")
    assert "欧阳某某" in public["teach.docx"] and "讨论" in public["teach.docx"]

    forbidden = {PERSON, PERSON_ID, PERSON_PHONE, PERSON_HOME, "幸福路88号", WITNESS, WITNESS_PHONE, LEGAL_REP,
                 PERSON_ID[-6:]}
    leaks = {(name, f) for name, text in public.items() for f in forbidden if f in text}
    assert not leaks, leaks
    code, out = _run(capsys, "audit", "verify")
    assert code == 0 and "✗" not in out
