"""The CLI end to end on a real SQLite file: record add (with warnings), list, the A/V check,
调阅 request/approve/return, and (slow) ``zhifa transcribe`` through the real model."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from assistant.cli import main


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("ZHIFA_HOME", str(settings.home))
    monkeypatch.setenv("ZHIFA_PASSWORD", "password-123")  # seed_users' password (assistant.cli.identity)
    return settings


def _json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip().startswith(("{", "[")) else out.out), out.err


def test_record_add_list_and_check(env, capsys, clip, tmp_path):
    from assistant import roles
    from assistant.store.case_tables import Agency
    from assistant.store.db import Database

    from tests.records.records_helpers import seed_users

    db = Database(env.database_url)
    db.ensure_current()
    with db.session() as s:
        s.add_all([Agency(id=1, name="甲区市场监管局", code="甲市监", settings={}),
                   Agency(id=2, name="乙区市场监管局", code="乙市监", settings={})])
        s.flush()
        seed_users(s, {"zhao": (roles.HEAD, 1), "keeper": (roles.RECORDS_KEEPER, 1),
                       "zhang": (roles.HANDLER, 1), "wu6": (roles.HANDLER, 2)})
    db.dispose()
    late = (datetime.now() - timedelta(hours=30)).replace(microsecond=0).isoformat()
    code, rec, _ = _json(capsys, ["record", "add", "3", str(clip), "--json", "--as", "zhang", "--meta",
                                  f"captured_at={late}", "location=某路1号", "collector=张承办",
                                  "proof_object=无证经营", "activity=查封扣押", "agency_id=1"])
    assert code == 0 and rec["kind"] == "audio" and len(rec["sha256"]) == 64
    assert rec["warnings"] and "24 小时" in rec["warnings"][0]
    code, rows, _ = _json(capsys, ["record", "list", "3", "--json"])
    assert [r["id"] for r in rows] == [rec["id"]]
    code, out, _ = _json(capsys, ["record", "check", "3"])
    assert code == 0 and "齐全" in out
    code, _, err = _json(capsys, ["record", "add", "3", str(clip), "--as", "zhang", "--meta", "location=x"])
    assert code == 2 and "采集时间" in err and "采集人" in err

    code, req, _ = _json(capsys, ["access", "request", "--records", str(rec["id"]), "--purpose", "比对",
                                  "--unit", "2", "--as", "wu6", "--json"])
    assert code == 0 and req["status"] == "pending"
    code, _, err = _json(capsys, ["access", "approve", str(req["id"]), "--as", "keeper"])
    assert code == 2 and "须由机关负责人审批" in err  # keeper's role comes from the users table
    with pytest.raises(SystemExit):  # a typed role is not accepted at all
        main(["access", "approve", str(req["id"]), "--as", "keeper", "--role", "机关负责人"])
    capsys.readouterr()
    code, req, _ = _json(capsys, ["access", "approve", str(req["id"]), "--as", "zhao", "--json"])
    assert req["status"] == "approved" and req["expires_at"]
    code, req, _ = _json(capsys, ["access", "return", str(req["id"]), "--as", "keeper", "--json"])
    assert req["status"] == "returned"
    code, out, _ = _json(capsys, ["audit", "verify", "3"])
    assert code == 0 and "完整" in out


def test_transcribe_refuses_bad_audio_with_a_message(env, capsys, tmp_path, monkeypatch):
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio at all" * 10)
    monkeypatch.setenv("ZHIFA_WHISPER_MODEL", str(tmp_path / "no-model"))  # never reached: probed first
    code = main(["transcribe", str(bad)])
    assert code == 2 and "无法识别音频文件“bad.mp3”" in capsys.readouterr().err
    assert not (tmp_path / "no-model").exists()


@pytest.mark.slow
def test_transcribe_prints_segments_and_rtf(env, capsys, clip, whisper_dir, monkeypatch):
    monkeypatch.setenv("ZHIFA_WHISPER_MODEL", str(whisper_dir))
    assert main(["transcribe", str(clip)]) == 0
    out = capsys.readouterr().out
    assert "[00:00:0" in out and "实时率 RTF" in out and "交易" in out
    assert main(["transcribe", str(clip), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["segments"] and data["rtf"] > 0 and data["turns"][0]["speaker"] in ("问", "答")
