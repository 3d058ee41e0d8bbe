"""Alembic environment for the case store. No alembic.ini: :class:`assistant.store.db.Database`
builds the Config and passes an open connection in ``config.attributes["connection"]``.

Every ``assistant/store/*_tables.py`` module is imported so autogenerate sees the whole schema.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from assistant.store import load_all_tables
from assistant.store.base import Base

load_all_tables()
config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
