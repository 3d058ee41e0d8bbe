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
