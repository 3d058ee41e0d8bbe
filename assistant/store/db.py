"""The case-store database: one SQLAlchemy engine, sessions as transactions, Alembic migrations.

    db = Database("sqlite:///var/zhifa.db")      # or postgresql+psycopg2://user@127.0.0.1:5432/zhifa
    db.migrate()                                 # alembic upgrade head (no alembic.ini needed)
    with db.session() as s:                      # commit on success, rollback on error
        ...

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write sessions on SQLite start with
``BEGIN IMMEDIATE`` so that writers queue on the database lock up front (one writer at a time,
readers never blocked); this is what makes the number allocator safe without row locks. On
PostgreSQL the allocator uses ``SELECT … FOR UPDATE`` instead (see :mod:`assistant.numbering`).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import ConfigError
from assistant.store import load_all_tables
from assistant.store.base import Base

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class MigrationStatus:
    current: tuple[str, ...]
    head: tuple[str, ...]
    diffs: tuple[str, ...] = field(default=())

    @property
    def is_current(self) -> bool:
        """Database at the head revision (model diffs are reported separately)."""
        return set(self.current) == set(self.head)

    @property
    def matches_models(self) -> bool:
        return not self.diffs


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        if not url:
            raise ConfigError("未配置案件库连接串（ZHIFA_DATABASE_URL）")
        load_all_tables()
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        if self.dialect == "sqlite":
            database = self.url.database
            if database and database != ":memory:":
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                self.url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
            _configure_sqlite(self.engine)
        elif self.dialect == "postgresql":
            self.engine = create_engine(self.url, echo=echo, pool_pre_ping=True)
        else:
            raise ConfigError(f"不支持的数据库类型“{self.dialect}”：只支持 sqlite 和 postgresql")
        self._write = sessionmaker(bind=self.engine.execution_options(zhifa_write=True), expire_on_commit=False)
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)

    def __repr__(self) -> str:  # never show passwords
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """One transaction: commit on success, rollback on any error (and re-raise)."""
        session = (self._read if readonly else self._write)()
        try:
            yield session
            if readonly:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- migrations ---------------------------------------------------------------------------
    def alembic_config(self):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.render_as_string(hide_password=False).replace("%", "%%"))
        return cfg

    def migrate(self, revision: str = "head") -> None:
        """``alembic upgrade head`` on this database."""
        from alembic import command

        cfg = self.alembic_config()
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
        log.debug("案件库已迁移到 %s", revision)

    def check(self, *, compare_models: bool = True) -> MigrationStatus:
        """Current revision(s) vs the head of the migration scripts, and (optionally) differences
        between the migrated schema and ``Base.metadata``."""
        from alembic.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self.alembic_config())
        with self.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            current = tuple(sorted(context.get_current_heads()))
            diffs: tuple[str, ...] = ()
            if compare_models:
                from alembic.autogenerate import compare_metadata

                diffs = tuple(describe_diff(d) for d in compare_metadata(context, Base.metadata))
        return MigrationStatus(current=current, head=tuple(sorted(script.get_heads())), diffs=diffs)

    def ensure_current(self) -> None:
        """Migrate on first use (the CLI calls this)."""
        status = self.check(compare_models=False)
        if not status.is_current:
            self.migrate()

    def dispose(self) -> None:
        self.engine.dispose()


def describe_diff(diff) -> str:
    """One line per autogenerate difference, e.g. ``add_table records`` or
    ``add_column cases.foo``."""
    if isinstance(diff, list):  # modify_* ops come grouped
        return "; ".join(describe_diff(d) for d in diff)
    op, *rest = diff
    names = []
    for item in rest:
        name = getattr(item, "name", None)
        table = getattr(item, "table", None)
        if name is not None and table is not None and hasattr(table, "name"):
            names.append(f"{table.name}.{name}")
        elif name is not None:
            names.append(str(name))
        elif isinstance(item, str):
            names.append(item)
    return f"{op} {' '.join(names)}".strip()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # pragma: no cover - exercised by every test
        if connection.get_execution_options().get("zhifa_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def autogenerate_revision(message: str, *, rev_id: str | None = None) -> Path:
    """Write a new migration: upgrade a scratch SQLite database to head, then let Alembic compare
    it with ``Base.metadata`` (``scripts/new_migration.sh "message"``). Review the result by hand."""
    import tempfile

    from alembic import command

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/scratch.db")
        db.migrate()
        cfg = db.alembic_config()
        with db.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            script = command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
        db.dispose()
    scripts = script if isinstance(script, list) else [script]
    return Path(scripts[0].path)
