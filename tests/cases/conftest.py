"""Case-store fixtures: a real database per test, on SQLite (WAL file) and on a real PostgreSQL server.

- ``pg_server`` (session): a throwaway PostgreSQL cluster (initdb + pg_ctl) on 127.0.0.1, a free port
  and a temporary directory, run as the ``postgres`` user when the tests run as root (initdb refuses
  root). Missing server binaries: the PostgreSQL tests FAIL when ``CI=true``, else they are skipped.
- ``db`` (per test, parametrised ``sqlite`` / ``postgresql``): a migrated database seeded with one
  agency and its users (:func:`seed_world`), copied from a template built once per backend.
- ``world``: the ids and usernames seeded there.

Argon2 parameters are lowered for speed in tests (the algorithm and code path are the real ones).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from assistant import auth, roles
from assistant.cases import create_agency
from assistant.store.db import Database

PG_BIN = Path(os.environ.get("ZHIFA_PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@dataclass(frozen=True)
class World:
    agency_id: int
    handlers: tuple[str, str]        # two handlers with valid credentials
    expired: str                     # a handler whose 执法证 has expired
    no_credential: str               # a handler without 执法证
    head: str                        # 机关负责人 (not a handler)
    head_handler: str                # 机关负责人 who is also a 承办人 (assigned to cases in tests)
    reviewer: str                    # 法制审核人员 with 法律职业资格
    reviewer_unqualified: str        # 法制审核人员 without 法律职业资格 (first-time)
    host: str                        # 听证主持人


WORLD = World(agency_id=1, handlers=("zhang3", "li4"), expired="wang5", no_credential="zhao6", head="chen_head",
              head_handler="liu_head", reviewer="sun_review", reviewer_unqualified="zhou_review", host="wu_host")


def seed_world(db: Database) -> None:
    with db.session() as s:
        agency = create_agency(s, name="某市市场监督管理局", code="某市监", region="某省某市")
        assert agency.id == WORLD.agency_id
        far, past = date(2030, 12, 31), date(2020, 1, 1)
        auth.create_user(s, "zhang3", PASSWORD, "张三", [roles.HANDLER], agency.id, "执法A001", far)
        auth.create_user(s, "li4", PASSWORD, "李四", [roles.HANDLER], agency.id, "执法A002", far)
        auth.create_user(s, "wang5", PASSWORD, "王五", [roles.HANDLER], agency.id, "执法A003", past)
        auth.create_user(s, "zhao6", PASSWORD, "赵六", [roles.HANDLER], agency.id, None, None)
        auth.create_user(s, "chen_head", PASSWORD, "陈局长", [roles.HEAD], agency.id)
        auth.create_user(s, "liu_head", PASSWORD, "刘副局长", [roles.HEAD, roles.HANDLER], agency.id, "执法A009", far)
        auth.create_user(s, "sun_review", PASSWORD, "孙审核", [roles.REVIEWER], agency.id, legal_qualification=True)
        auth.create_user(s, "zhou_review", PASSWORD, "周审核", [roles.REVIEWER], agency.id)
        auth.create_user(s, "wu_host", PASSWORD, "吴主持", [roles.HEARING_HOST], agency.id)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """URL prefix (``postgresql+psycopg2://postgres@127.0.0.1:PORT``) of a throwaway cluster."""
    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not (initdb.exists() and pg_ctl.exists()):
        message = f"未找到 PostgreSQL 服务端程序（{PG_BIN}；运行 scripts/sysdeps.sh 安装 postgresql）"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="zhifa-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    subprocess.run(prefix + [str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                             "--no-locale"], check=True, capture_output=True)
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(prefix + [str(pg_ctl), "-D", str(data), "-o", options, "-l", str(base / "server.log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(prefix + [str(pg_ctl), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


class _PgDatabases:
    def __init__(self, server: str) -> None:
        self.server = server
        self.admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        self.count = 0

    def create(self, template: str | None = None) -> str:
        self.count += 1
        name = f"zhifa_t{self.count}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return name


@pytest.fixture(scope="session")
def pg_databases(pg_server):
    dbs = _PgDatabases(pg_server)
    with dbs.admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "zhifa_template"'))
    template = Database(f"{pg_server}/zhifa_template")
    template.migrate()
    seed_world(template)
    template.dispose()
    yield dbs
    dbs.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    seed_world(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def fresh_url(backend, tmp_path, request) -> str:
    """URL of an empty (unmigrated) database on the parametrised backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    dbs = request.getfixturevalue("pg_databases")
    return f"{dbs.server}/{dbs.create()}"


@pytest.fixture
def db(backend, tmp_path, request):
    if backend == "sqlite":
        path = tmp_path / "zhifa.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    else:
        dbs = request.getfixturevalue("pg_databases")
        database = Database(f"{dbs.server}/{dbs.create('zhifa_template')}")
    yield database
    database.dispose()


@pytest.fixture
def world() -> World:
    return WORLD
