"""zhifa publish / stats / teach on a real SQLite database, decisions read from a JSON file."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from assistant.cli import main
from assistant.documents.gbt9704 import docx_text


@pytest.fixture
def env(tmp_path, monkeypatch, person_decision, firm_decision):
    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZHIFA_DATABASE_URL", f"sqlite:///{tmp_path / 'zhifa.db'}")
    monkeypatch.setenv("ZHIFA_STATUTE_DB", str(tmp_path / "none.db"))
    monkeypatch.setenv("ZHIFA_PASSWORD", "password-123")  # --actor is authenticated (assistant.cli.identity)
    from assistant import auth, roles
    from assistant.store.db import Database

    db = Database(f"sqlite:///{tmp_path / 'zhifa.db'}")
    db.migrate()
    with db.session() as s:  # approvers' roles are read from the users table
        for name, role in (("head1", roles.HEAD), ("trainer1", roles.TRAINER), ("trainer2", roles.TRAINER),
                           ("liming", roles.TRAINER), ("officer9", roles.HANDLER)):
            auth.create_user(s, name, "password-123", name, [role], None)
    db.dispose()
    path = tmp_path / "decisions.json"
    path.write_text(json.dumps([person_decision.to_dict(), firm_decision.to_dict()], ensure_ascii=False), encoding="utf-8")
    return tmp_path, path


def test_publish_flow(env, capsys):
    tmp, recs = env
    assert main(["publish", "preview", "JM-2026-001", "--record", str(recs), "--actor", "liming"]) == 0
    out = capsys.readouterr().out
    assert "公示期限：2026-02-28" in out and "张某某" in out and "民法典 第一千零三十四条" in out
    assert main(["publish", "approve", "JM-2026-001", "--role", "机关负责人", "--actor", "head1", "--on", "2026-02-24"]) == 0
    capsys.readouterr()
    assert main(["publish", "preview", "JM-2026-002", "--record", str(recs), "--json", "--actor", "liming"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["public_fields"]["legal_representative"] == "欧阳某某" and preview["due_on"] == "2026-10-14"
    # JM-2026-002 previewed but never approved → overdue after 14 Oct 2026
    assert main(["publish", "overdue", "--today", "2026-10-20", "--json"]) == 1
    items = json.loads(capsys.readouterr().out)
    assert [i["decision_id"] for i in items] == ["JM-2026-002"]
    assert main(["publish", "export", "--out", str(tmp / "sgs.csv")]) == 0
    csv_text = (tmp / "sgs.csv").read_text(encoding="utf-8-sig")
    assert "张某某" in csv_text and "张三丰" not in csv_text and "44070319850312451X" not in csv_text
    assert main(["publish", "export", "JM-2026-001", "--out", str(tmp / "p.html")]) == 0
    assert main(["publish", "withdraw", "JM-2026-001", "--explanation", "原决定已被撤销",
                 "--revoked-on", "2026-03-02", "--on", "2026-03-03", "--actor", "head1"]) == 0
    assert "已撤回" in capsys.readouterr().out
    # errors are plain Chinese with exit code 2
    assert main(["publish", "approve", "JM-2026-002", "--role", "机关负责人", "--actor", "officer9"]) == 2
    assert "角色以用户库为准" in capsys.readouterr().err  # a typed role the user does not hold
    assert main(["publish", "approve", "NOPE", "--actor", "head1"]) == 2
    assert "公示登记簿中没有决定" in capsys.readouterr().err


def test_stats_and_teach(env, capsys):
    tmp, recs = env
    assert main(["stats", "annual", "2026", "--records", str(recs), "--out", str(tmp / "r.docx"),
                 "--xlsx", str(tmp / "d.xlsx")]) == 0
    assert "55,000" in docx_text(tmp / "r.docx")
    assert load_workbook(tmp / "d.xlsx").sheetnames[0] == "汇总"
    assert main(["teach", "build", "JM-2026-001", "--record", str(recs), "--out", str(tmp / "t.docx"),
                 "--save", "--actor", "trainer1"]) == 0
    assert "讨论题" in docx_text(tmp / "t.docx")
    assert main(["teach", "approve", "1", "--role", "培训员", "--actor", "liming"]) == 2  # handler of the case
    assert main(["teach", "approve", "1", "--role", "培训员", "--actor", "trainer2"]) == 0
    assert main(["teach", "course", "--out", str(tmp / "course.docx")]) == 0
