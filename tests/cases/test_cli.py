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
    monkeypatch.setenv("ZHIFA_PASSWORD", PW)  # the acting user's password (assistant.cli.identity)
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
    for name in ("a", "b"):
        run(capsys, "user", "add", name, "--display-name", name, "--roles", "承办人", "--agency", "某",
            "--credential-no", f"A-{name}", "--credential-expiry", "2030-12-31")
    code, _, err = run(capsys, "case", "create", "--agency", "某", "--cause", "x", "--party-name", "张某",
                       "--id-number", "110105194912310021", "--handlers", "a,b")
    assert code == 2 and "身份证号校验码错误" in err and "110105194912310021" not in err


# --------------------------------------------------------------------------- the CLI proves who is acting
# (assistant/cli/identity.py): the acting user's password from ZHIFA_PASSWORD or a prompt, checked by
# assistant.auth.authenticate exactly like the web login; a refusal exits 2 and writes nothing else.
FILE = ["case", "create", "--agency", "某市监", "--cause", "销售过期食品", "--party-name", "某公司",
        "--credit-code", "91440300708461136T", "--handlers", "zhang3,li4", "--violation-date", "2026-08-20",
        "--filed-on", "2026-09-01"]


def _db(home):
    from assistant.settings import load_settings
    from assistant.store.db import Database

    return Database(load_settings(env={"ZHIFA_HOME": str(home)}, config_file=None).database_url)


def _snapshot(home) -> dict:
    """Every row of every table that a command could change (cases, reviews, events, audit, users)."""
    from sqlalchemy import text

    db = _db(home)
    try:
        with db.engine.connect() as c:
            tables = [r[0] for r in c.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
            return {t: c.execute(text(f'SELECT * FROM "{t}"')).fetchall() for t in tables}
    finally:
        db.dispose()


def _audit(home) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from assistant.store.audit_tables import AuditEntry

    db = _db(home)
    try:
        with db.session(readonly=True) as s:
            return [(e.actor, e.action, json.dumps(e.detail, ensure_ascii=False))
                    for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    finally:
        db.dispose()


@pytest.fixture
def world_cli(home, capsys, monkeypatch):
    """An agency, two handlers, a 法制审核人员 and a 机关负责人, and one case in 法制审核 submitted by zhang3."""
    assert run(capsys, "agency", "add", "--name", "某市市场监督管理局", "--code", "某市监")[0] == 0
    for name, roles, extra in (("zhang3", "承办人", ["--credential-no", "A1", "--credential-expiry", "2030-12-31"]),
                               ("li4", "承办人", ["--credential-no", "A2", "--credential-expiry", "2030-12-31"]),
                               ("sun", "法制审核人员", ["--legal-qualification"]), ("chen", "机关负责人", [])):
        assert run(capsys, "user", "add", name, "--display-name", name, "--roles", roles, "--agency", "某市监", *extra)[0] == 0
    code, out, err = run(capsys, *FILE, "--json")
    assert code == 0, err
    return json.loads(out)["id"]


@pytest.mark.parametrize("argv", [
    FILE,                                                              # actor defaults to the first 承办人
    ["case", "advance", "1", "调查取证", "--actor", "zhang3"],
    ["case", "evidence", "1", "--actor", "zhang3", "--type", "书证", "--title", "进货单"],
    ["case", "review", "1", "--reviewer", "sun", "--result", "通过"],
    ["case", "show", "1", "--actor", "chen"],                           # the view goes into the 调阅 log
    ["review", "decide", "1", "--reviewer", "sun", "--outcome", "同意", "--opinion", "同意"],
    ["forms", "issue", "--agency", "某市监", "--officer", "zhang3", "--count", "2", "--as", "chen"],
    ["publish", "approve", "1", "--actor", "chen"],
    ["teach", "approve", "1", "--actor", "chen"],
    ["access", "approve", "1", "--as", "chen"],
    ["party", "dossier", "91440300708461136T", "--as", "chen"],
    ["discretion", "recommend", "1", "--actor", "zhang3"],
])
def test_without_a_password_an_acting_command_is_refused_and_writes_nothing(world_cli, home, capsys, monkeypatch, argv):
    monkeypatch.delenv("ZHIFA_PASSWORD")
    before = _snapshot(home)
    code, out, err = run(capsys, *argv)
    assert code == 2 and "ZHIFA_PASSWORD" in err and "须验证密码" in err and "Traceback" not in err, err
    assert _snapshot(home) == before  # not even a failed-login entry: no password was tried


def test_an_acting_command_without_a_named_user_is_refused(world_cli, home, capsys):
    before = _snapshot(home)
    for argv in (["publish", "approve", "1"], ["access", "approve", "1"], ["teach", "build", "1", "--out", "x.docx", "--save"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "指定操作人" in err, (argv, err)
    assert _snapshot(home) == before


def test_a_wrong_password_is_refused_audited_like_a_web_login_and_counts_towards_the_lockout(world_cli, home, capsys,
                                                                                              monkeypatch):
    from assistant import auth

    monkeypatch.setenv("ZHIFA_PASSWORD", "not-the-password")
    before = _snapshot(home)
    audit_before = _audit(home)
    code, out, err = run(capsys, "case", "advance", str(world_cli), "调查取证", "--actor", "zhang3", "--today", "2026-09-02")
    assert code == 2 and "身份验证失败" in err and "zhang3" in err
    after = _snapshot(home)
    changed = {t for t in before if after[t] != before[t]}
    assert changed == {"users", "audit_log", "audit_heads"}  # failed-login count and its audit entry, nothing else
    new = _audit(home)[len(audit_before):]
    assert [(a, act) for a, act, _ in new] == [("zhang3", "auth.failed")]  # exactly what a failed web login leaves
    # the same lock-out as the web app: MAX_FAILURES wrong passwords lock the account, even for the right one
    for _ in range(auth.MAX_FAILURES - 1):
        assert run(capsys, "case", "show", str(world_cli), "--actor", "zhang3")[0] == 2
    monkeypatch.setenv("ZHIFA_PASSWORD", PW)
    code, _, err = run(capsys, "case", "advance", str(world_cli), "调查取证", "--actor", "zhang3", "--today", "2026-09-02")
    assert code == 2 and "锁定" in err
    assert _audit(home)[-1][:2] == ("zhang3", "auth.refused")
    assert _snapshot(home)["cases"] == before["cases"]
    # the password never reaches the audit log or the terminal
    everything = json.dumps(_audit(home), ensure_ascii=False) + out + err
    assert "not-the-password" not in everything and PW not in everything


def test_an_unknown_or_disabled_user_is_refused(world_cli, home, capsys):
    before = _snapshot(home)
    code, _, err = run(capsys, "case", "evidence", str(world_cli), "--actor", "nobody", "--type", "书证", "--title", "x")
    assert code == 2 and "身份验证失败" in err and "nobody" in err
    assert _snapshot(home) == before  # as on the web: an unknown name leaves no trace (no row to count against)
    from sqlalchemy import select

    from assistant.store.case_tables import User

    db = _db(home)
    with db.session() as s:
        s.execute(select(User).where(User.username == "li4")).scalar_one().active = False
    db.dispose()
    code, _, err = run(capsys, "case", "evidence", str(world_cli), "--actor", "li4", "--type", "书证", "--title", "x")
    assert code == 2 and "身份验证失败" in err
    assert _audit(home)[-1][:2] == ("li4", "auth.refused")


def test_the_right_password_works_and_the_login_is_on_record(world_cli, home, capsys):
    code, out, err = run(capsys, "case", "advance", str(world_cli), "调查取证", "--actor", "zhang3", "--today", "2026-09-02")
    assert code == 0 and "环节：调查取证" in out, err
    acts = [(a, act) for a, act, _ in _audit(home)]
    login = acts.index(("zhang3", "auth.login"))
    assert ("zhang3", "case.advance") in acts[login + 1:]
    # a read without --actor is not an act: no password needed, nothing logged
    code, out, err = run(capsys, "case", "list")
    assert code == 0 and "某市监立" in out
    assert PW not in json.dumps(_audit(home), ensure_ascii=False) + out + err


def test_an_authenticated_handler_still_cannot_review_or_decide_his_own_case(world_cli, home, capsys, tmp_path):
    """Authentication proves who is acting; the services still decide what that user may do."""
    case = str(world_cli)
    assert run(capsys, "case", "advance", case, "调查取证", "--actor", "zhang3", "--today", "2026-09-02")[0] == 0
    before = _snapshot(home)
    code, _, err = run(capsys, "review", "decide", case, "--reviewer", "zhang3", "--outcome", "同意", "--opinion", "同意")
    assert code == 2 and "身份验证失败" not in err and "错误：" in err
    code, _, err = run(capsys, "case", "review", case, "--reviewer", "zhang3", "--result", "通过")
    assert code == 2 and "身份验证失败" not in err
    code, _, err = run(capsys, "case", "advance", case, "决定", "--actor", "zhang3", "--fine", "100")
    assert code == 2 and "身份验证失败" not in err
    after = _snapshot(home)
    for table in ("cases", "case_events", "case_reviews"):
        if table in before:
            assert after[table] == before[table], table


def test_the_password_is_prompted_for_on_a_terminal_and_never_taken_from_argv(world_cli, home, capsys, monkeypatch):
    import getpass
    import sys

    from assistant.cli import build_parser

    prompts = []
    monkeypatch.delenv("ZHIFA_PASSWORD")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": prompts.append(prompt) or PW)
    code, out, err = run(capsys, "case", "show", str(world_cli), "--actor", "chen")
    assert code == 0 and prompts == ["用户 chen 的密码："], err
    assert ("chen", "case.view") in [(a, act) for a, act, _ in _audit(home)]
    # no --password option on any acting command
    with pytest.raises(SystemExit):
        build_parser().parse_args(["case", "show", "1", "--actor", "chen", "--password", PW])


def test_commands_cannot_act_without_going_through_the_check():
    """A command function called directly (not through main) has no acting user, and every option
    that names a user lands in an identity dest, so a new command with such an option is covered."""
    import argparse

    from assistant.cli import build_parser
    from assistant.cli.identity import IDENTITY_DESTS, acting_user
    from assistant.errors import PermissionDenied

    args = build_parser().parse_args(["case", "advance", "1", "调查取证", "--actor", "zhang3"])
    with pytest.raises(PermissionDenied):
        acting_user(args)

    def walk(parser):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from walk(sub)
            else:
                yield parser.prog, action

    names_a_user = {"--actor", "--as", "--reviewer", "--approver", "--operator", "--user", "--by", "--viewer"}
    for prog, action in walk(build_parser()):
        if names_a_user & set(action.option_strings) and action.nargs != 0:  # not a flag like corpus list --user
            assert action.dest in IDENTITY_DESTS, (prog, action.option_strings)


def test_no_cli_module_takes_the_operating_system_user_as_identity():
    from pathlib import Path

    import assistant.cli as pkg

    for path in Path(pkg.__file__).parent.glob("*.py"):
        assert "getuser" not in path.read_text(encoding="utf-8"), path


def test_the_console_script_without_a_terminal_or_password_is_refused_not_left_waiting(world_cli, home):
    import os
    import subprocess
    import sys
    from pathlib import Path

    zhifa = Path(sys.executable).with_name("zhifa")
    env = {k: v for k, v in os.environ.items() if k != "ZHIFA_PASSWORD"}
    before = _snapshot(home)
    done = subprocess.run([str(zhifa), "case", "advance", str(world_cli), "调查取证", "--actor", "zhang3"],
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "ZHIFA_PASSWORD" in done.stderr and "Traceback" not in done.stderr
    assert _snapshot(home) == before
    done = subprocess.run([str(zhifa), "case", "advance", str(world_cli), "调查取证", "--actor", "zhang3",
                           "--today", "2026-09-02"], env={**env, "ZHIFA_PASSWORD": PW}, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "环节：调查取证" in done.stdout, done.stderr
    assert PW not in done.stdout + done.stderr


def test_user_and_agency_add_need_an_admin_once_one_exists(home, capsys, monkeypatch):
    """Bootstrap: the first accounts may be added by the operator; once a 管理员 exists, adding a
    user or an agency needs --as <管理员> and that user's password (no self-made 机关负责人)."""
    from assistant.cli import open_database
    from assistant.settings import load_settings

    monkeypatch.delenv("ZHIFA_PASSWORD", raising=False)
    assert run(capsys, "agency", "add", "--name", "某局", "--code", "某")[0] == 0
    assert run(capsys, "user", "add", "root", "--display-name", "管理员", "--roles", "管理员", "--agency", "某")[0] == 0
    assert run(capsys, "user", "add", "zhang3", "--display-name", "张三", "--roles", "承办人", "--agency", "某",
               "--credential-no", "A-1", "--credential-expiry", "2030-12-31", "--as", "root")[0] == 2  # no password

    def users() -> set[str]:
        db = open_database(load_settings())
        with db.session() as s:
            from sqlalchemy import select

            from assistant.store.case_tables import Agency, User
            return {u for (u,) in s.execute(select(User.username))} | {f"agency:{a}" for (a,) in s.execute(select(Agency.code))}

    before = users()
    code, _, err = run(capsys, "user", "add", "boss", "--display-name", "假负责人", "--roles", "机关负责人", "--agency", "某")
    assert code == 2 and "管理员" in err and users() == before
    code, _, err = run(capsys, "agency", "add", "--name", "另一局", "--code", "另")
    assert code == 2 and "管理员" in err and users() == before

    monkeypatch.setenv("ZHIFA_PASSWORD", PW)
    assert run(capsys, "user", "add", "zhang3", "--display-name", "张三", "--roles", "承办人", "--agency", "某",
               "--credential-no", "A-1", "--credential-expiry", "2030-12-31", "--as", "root")[0] == 0
    code, _, err = run(capsys, "user", "add", "boss", "--display-name", "假负责人", "--roles", "机关负责人",
                       "--agency", "某", "--as", "zhang3")  # authenticated, but not a 管理员
    assert code == 2 and "只有管理员" in err and "boss" not in users()
    assert run(capsys, "agency", "add", "--name", "另一局", "--code", "另", "--as", "root")[0] == 0
    assert {"zhang3", "agency:另"} <= users()
    with pytest.raises(SystemExit):  # the new account's password never on the command line
        run(capsys, "user", "add", "x", "--display-name", "x", "--roles", "承办人", "--password", PW)
