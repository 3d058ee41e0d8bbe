"""Persistence of the case store (SQLAlchemy 2.x; SQLite in WAL mode by default, PostgreSQL by URL).

Table modules live in this package and are named ``*_tables.py``; :func:`load_all_tables` imports
every one of them so that ``Base.metadata`` (and Alembic) sees the whole schema.
"""
from __future__ import annotations

import importlib
import pkgutil


def load_all_tables() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.endswith("_tables"):
            importlib.import_module(f"{__name__}.{info.name}")
