"""The ``zhifa`` CLI drives the real case store (SQLite file in a temporary home)."""
from __future__ import annotations

import json

import pytest

from assistant.cli import main

PW = "correct-horse-battery"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ZHIFA_DATABASE_URL", raising=False)
    monkeypatch.delenv("ZHIFA_CONFIG", raising=False)
    monkeypatch.setenv("ZHIFA_NEW_PASSWORD", PW)
    return tmp_path / "home"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_agency_users_case_create_advance_show_and_list(home, capsys):
    assert run(capsys, "agency", "add", "--name", "某市市场监督管理局", "--code", "某市监")[0] == 0
    for name, roles, cred in (("zhang3", "承办人", "A1"), ("li4", "承办人", "A2"), ("chen", "机关负责人", "")):
        argv = ["user", "add", name, "--display-name", name, "--roles", roles, "--agency", "某市监"]
        if cred:
            argv += ["--credential-no", cred, "--credential-expiry", "2030-12-31"]
        assert run(capsys, *argv)[0] == 0
    code, out, err = run(capsys, "case", "create", "--agency", "某市监", "--cause", "销售过期食品",
                         "--party-name", "某公司", "--credit-code", "91440300708461136T", "--handlers", "zhang3,li4",
                         "--violation-date", "2026-08-20", "--filed-on", "2026-09-01", "--json")
    assert code == 0, err
    view = json.loads(out)
    assert view["case_number"] == "某市监立〔2026〕1号" and view["state"] == "立案"
    assert any(c["key"] == "decision" and c["due"] == "2026-11-30" for c in view["clocks"])

    code, out, err = run(capsys, "case", "advance", str(view["id"]), "决定", "--actor", "chen", "--fine", "100")
    assert code == 2 and "第五十四条至第六十二条" in err and "Traceback" not in err
    code, out, _ = run(capsys, "case", "advance", str(view["id"]), "调查取证", "--actor", "zhang3", "--today", "2026-09-02")
    assert code == 0 and "环节：调查取证" in out
    code, out, _ = run(capsys, "case", "show", str(view["id"]), "--today", "2026-09-02")
    assert "期限·作出处罚决定" in out and "第六十条" in out
    code, out, _ = run(capsys, "case", "list")
    assert "某市监立〔2026〕1号" in out


def test_bad_identifiers_are_refused_with_a_chinese_message(home, capsys):
    run(capsys, "agency", "add", "--name", "某局", "--code", "某")
    code, _, err = run(capsys, "case", "create", "--agency", "某", "--cause", "x", "--party-name", "张某",
                       "--id-number", "110105194912310021", "--handlers", "a,b")
    assert code == 2 and "身份证号校验码错误" in err and "110105194912310021" not in err
