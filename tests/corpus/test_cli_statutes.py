"""The statute CLI: import → list → confirm, and verify-citations' exit code."""
import json
import shutil

from assistant.cli import main
from corpus.lawdb import import_lawdb
from corpus.statutes import StatuteStore


def _env(monkeypatch, tmp_path):
    db = tmp_path / "statutes.db"
    import_lawdb(StatuteStore(db, create=True))
    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZHIFA_STATUTE_DB", str(db))
    return db


def test_import_list_confirm(monkeypatch, tmp_path, regs_dir, capsys):
    _env(monkeypatch, tmp_path)
    src = tmp_path / "regs"
    shutil.copytree(regs_dir, src)
    assert main(["corpus", "import", str(src), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert {r["action"] for r in results} == {"created"}
    assert main(["corpus", "list", "--user"]) == 0
    assert "待确认" in capsys.readouterr().out
    assert main(["corpus", "confirm", results[0]["law_id"]]) == 0
    assert main(["corpus", "import", str(tmp_path / "missing.pdf")]) == 2
    assert "文件不存在" in capsys.readouterr().err


def test_verify_citations_exit_code(monkeypatch, tmp_path, capsys):
    _env(monkeypatch, tmp_path)
    assert main(["verify-citations", "依据《食品安全法》第一百二十四条", "--as-of", "2026-11-22"]) == 0
    capsys.readouterr()
    draft = tmp_path / "draft.txt"
    draft.write_text("依据《食品安全法》第九百条", encoding="utf-8")
    assert main(["verify-citations", str(draft), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out[0]["reason"] == "article_not_found"


def test_confirm_needs_an_administrator_once_one_exists(monkeypatch, tmp_path, regs_dir, capsys):
    """Bootstrap: before any 管理员 exists the operator confirms; afterwards only an authenticated
    管理员 may mark an imported text as checked (README: "until an admin confirms them")."""
    _env(monkeypatch, tmp_path)
    src = tmp_path / "regs"
    shutil.copytree(regs_dir, src)
    assert main(["corpus", "import", str(src), "--json"]) == 0
    law_ids = [r["law_id"] for r in json.loads(capsys.readouterr().out)]
    monkeypatch.setenv("ZHIFA_NEW_PASSWORD", "correct-horse-battery")
    assert main(["agency", "add", "--name", "某局", "--code", "某"]) == 0
    assert main(["user", "add", "root", "--display-name", "管理员", "--roles", "管理员", "--agency", "某"]) == 0
    assert main(["user", "add", "zhang3", "--display-name", "张三", "--roles", "承办人", "--agency", "某",
                 "--as", "root"]) == 2  # no ZHIFA_PASSWORD yet
    capsys.readouterr()

    store = StatuteStore(tmp_path / "statutes.db")
    assert main(["corpus", "confirm", law_ids[0]]) == 2
    assert "管理员" in capsys.readouterr().err and not store.law(law_ids[0]).verified
    monkeypatch.setenv("ZHIFA_PASSWORD", "correct-horse-battery")
    assert main(["corpus", "confirm", law_ids[0], "--as", "root"]) == 0
    assert StatuteStore(tmp_path / "statutes.db").law(law_ids[0]).verified
