"""The migrations build exactly the schema the table modules declare (every ``*_tables.py``).

When this fails with ``add_table <name>``, a table module has no migration yet: run
``scripts/new_migration.sh "<message>"`` and review the new revision.
"""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from assistant.store import case_tables
from assistant.store.base import Base
from assistant.store.db import Database, describe_diff

CASE_TABLES = [m.__table__ for m in vars(case_tables).values() if hasattr(m, "__table__")]


def test_alembic_upgrade_head_on_a_fresh_database_matches_every_table_module(fresh_url):
    db = Database(fresh_url)
    cfg = db.alembic_config()
    with db.engine.begin() as connection:  # the plain Alembic command, as an operator would run it
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    with db.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    db.dispose()
    missing = [describe_diff(d) for d in diffs]
    assert missing == [], ("schema differs from the migrations; run scripts/new_migration.sh \"<message>\": "
                           + "; ".join(missing))


def test_check_reports_pending_migrations_and_migrate_brings_the_database_current(fresh_url):
    db = Database(fresh_url)
    before = db.check()
    assert not before.is_current and before.current == ()
    db.migrate()
    after = db.check()
    assert after.is_current
    own = {t.name for t in CASE_TABLES} | {"audit_log"}
    assert [d for d in after.diffs if d.split(" ", 1)[-1].split(".")[0] in own] == []
    db.migrate()  # idempotent
    tables = set(inspect(db.engine).get_table_names())
    assert {"cases", "case_handlers", "audit_log", "number_sequences", "voided_numbers"} <= tables
    db.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with db.session() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() > 0
    db.dispose()


def test_a_failed_session_rolls_back_everything(db):
    from assistant.cases import create_agency

    try:
        with db.session() as s:
            create_agency(s, name="回滚测试局", code="回")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with db.session(readonly=True) as s:
        assert s.execute(text("SELECT count(*) FROM agencies WHERE name = '回滚测试局'")).scalar() == 0
