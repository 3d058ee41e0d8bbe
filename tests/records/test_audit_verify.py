"""Tamper evidence: a row of the audit log changed, deleted or reordered directly in the SQLite
file is detected by ``zhifa audit verify``, which names the first broken entry."""
from __future__ import annotations

import sqlite3

import pytest

from assistant.audit import log_action, verify_all, verify_chain
from assistant.cli import main
from assistant.store.db import Database


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("ZHIFA_HOME", str(settings.home))
    db = Database(settings.database_url)
    db.ensure_current()  # as the CLI does
    with db.session() as s:
        for case_id in (7, 8):
            for i in range(1, 6):
                log_action(s, case_id=case_id, actor="zhang", action="case.edit", detail={"n": i})
        log_action(s, case_id=None, actor="admin", action="user.create", detail={})
    db.dispose()
    return settings.database_url.removeprefix("sqlite:///")


def _ids(path, case_id):
    with sqlite3.connect(path) as c:
        return [r[0] for r in c.execute("SELECT id FROM audit_log WHERE case_id=? ORDER BY seq", (case_id,))]


def _run(capsys, *argv):
    code = main(["audit", "verify", *argv])
    return code, capsys.readouterr().out


def test_intact_chains_verify(cli_env, capsys):
    code, out = _run(capsys)
    assert code == 0 and "case:7：5 条，完整" in out and "global" in out and "case:8" in out


def test_changed_detail_is_named(cli_env, capsys):
    ids = _ids(cli_env, 7)
    with sqlite3.connect(cli_env) as c:
        c.execute("UPDATE audit_log SET detail='{\"n\": 99}' WHERE id=?", (ids[2],))
    code, out = _run(capsys, "7")
    assert code == 1 and f"第 3 条（id={ids[2]}）内容哈希不符" in out
    code, out = _run(capsys)  # all chains: case 8 still intact
    assert code == 1 and "✓ case:8" in out and "✗ case:7" in out


def test_deleted_row_is_named(cli_env, capsys):
    ids = _ids(cli_env, 7)
    with sqlite3.connect(cli_env) as c:
        c.execute("DELETE FROM audit_log WHERE id=?", (ids[1],))
    code, out = _run(capsys, "7")
    assert code == 1 and f"id={ids[2]}" in out and "序号不连续" in out


def test_reordered_rows_are_named(cli_env, capsys):
    ids = _ids(cli_env, 7)
    with sqlite3.connect(cli_env) as c:  # swap seq 2 and 4 (three steps because of the unique index)
        c.execute("UPDATE audit_log SET seq=-1 WHERE id=?", (ids[1],))
        c.execute("UPDATE audit_log SET seq=2 WHERE id=?", (ids[3],))
        c.execute("UPDATE audit_log SET seq=4 WHERE id=?", (ids[1],))
    code, out = _run(capsys, "7")
    assert code == 1 and f"第 2 条（id={ids[3]}）" in out and "前序哈希不符" in out


def test_verify_all_reports_every_chain(cli_env):
    db = Database(f"sqlite:///{cli_env}")
    with db.session(readonly=True) as s:
        reports = verify_all(s)
        assert [r.chain for r in reports] == ["case:7", "case:8", "global"] and all(r.ok for r in reports)
        assert verify_chain(s, 7).entries == 5
    db.dispose()


def test_deleting_the_newest_entries_is_detected_by_the_chain_head(cli_env, capsys):
    ids = _ids(cli_env, 7)
    with sqlite3.connect(cli_env) as c:  # cut the tail: a hash chain alone still links up
        c.execute("DELETE FROM audit_log WHERE id IN (?, ?)", (ids[3], ids[4]))
    code, out = _run(capsys, "7")
    assert code == 1 and "第 4 条起的末尾记录被删除" in out
    code, out = _run(capsys, "8")
    assert code == 0


def test_deleting_only_the_last_entry_is_detected(cli_env, capsys):
    ids = _ids(cli_env, 8)
    with sqlite3.connect(cli_env) as c:
        c.execute("DELETE FROM audit_log WHERE id=?", (ids[-1],))
    code, out = _run(capsys)
    assert code == 1 and "✗ case:8：第 5 条" in out and "末尾记录被删除" in out and "✓ case:7" in out


def test_deleting_a_whole_chain_or_its_head_is_detected(cli_env, capsys):
    with sqlite3.connect(cli_env) as c:
        c.execute("DELETE FROM audit_log WHERE case_id=7")
        c.execute("DELETE FROM audit_heads WHERE chain_key='case:8'")
    code, out = _run(capsys)
    assert code == 1 and "✗ case:7" in out and "整条链的记录均被删除" in out
    assert "✗ case:8：链头" in out and "链头锚点缺失" in out


def test_a_case_whose_log_and_head_are_both_deleted_is_detected(settings, monkeypatch, capsys):
    from datetime import date

    from assistant.cases import create_agency, create_case
    from assistant import auth, roles

    monkeypatch.setenv("ZHIFA_HOME", str(settings.home))
    db = Database(settings.database_url)
    db.ensure_current()
    with db.session() as s:
        a = create_agency(s, name="某市市场监督管理局", code="某市监")
        for u in ("zhang3", "li4"):
            auth.create_user(s, u, "password-123", u, [roles.HANDLER], a.id, f"执法{u}", date(2030, 1, 1))
        case_id = create_case(s, agency_id=a.id, cause="销售过期食品", actor="zhang3", handlers=["zhang3", "li4"],
                              today=date(2026, 9, 1), filed_on=date(2026, 9, 1)).id
    db.dispose()
    code, out = _run(capsys, str(case_id))
    assert code == 0
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as c:
        c.execute("DELETE FROM audit_log WHERE case_id=?", (case_id,))
        c.execute("DELETE FROM audit_heads WHERE case_id=?", (case_id,))
    code, out = _run(capsys, str(case_id))
    assert code == 1 and "审计链整条缺失" in out
    code, out = _run(capsys)
    assert code == 1 and f"✗ case:{case_id}" in out and "✓ global" in out


def test_a_replaced_last_entry_with_a_recomputed_hash_is_detected(cli_env, capsys):
    from datetime import datetime

    from assistant.audit import entry_digest

    ids = _ids(cli_env, 7)
    with sqlite3.connect(cli_env) as c:  # rewrite the newest entry and its hash consistently
        prev, seq, at = c.execute("SELECT prev_hash, seq, at FROM audit_log WHERE id=?", (ids[-1],)).fetchone()
        digest = entry_digest(prev, chain="case:7", seq=seq, case_id=7, at=datetime.fromisoformat(at), actor="zhang",
                              action="case.edit", detail={"n": 42})
        c.execute("UPDATE audit_log SET detail='{\"n\": 42}', entry_hash=? WHERE id=?", (digest, ids[-1]))
    code, out = _run(capsys, "7")
    assert code == 1 and f"第 5 条（id={ids[-1]}）末条记录与链头锚点哈希不符" in out


def test_migration_backfills_heads_for_an_existing_log(tmp_path):
    from alembic import command

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    db.migrate("7a9160ebb175")  # the log as it was before chain heads
    with db.engine.begin() as c:
        from sqlalchemy import text

        from assistant.audit import GENESIS, entry_digest
        from datetime import datetime

        prev = GENESIS
        for seq in (1, 2):
            at = datetime(2026, 1, seq)
            h = entry_digest(prev, chain="case:3", seq=seq, case_id=3, at=at, actor="a", action="x", detail={})
            c.execute(text("INSERT INTO audit_log (chain_key, seq, case_id, at, actor, action, detail, prev_hash, "
                           "entry_hash) VALUES ('case:3', :seq, 3, :at, 'a', 'x', '{}', :p, :h)"),
                      {"seq": seq, "at": at, "p": prev, "h": h})
            prev = h
    db.migrate()
    with db.session(readonly=True) as s:
        assert verify_chain(s, 3).ok and verify_chain(s, 3).entries == 2
    db.dispose()
