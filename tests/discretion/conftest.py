"""Fixtures: the real 江门 2020 table imported against the real statute store, the DEMO benchmark,
and a temporary case DB migrated to head."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from assistant.store.db import Database
from corpus.benchmarks import import_benchmark_file, load_demo_benchmarks


@pytest.fixture(scope="session")
def jiangmen_xls(shared_dir: Path) -> Path:
    return shared_dir / "data" / "discretion" / "jiangmen-eco-2020.xls"


@pytest.fixture(scope="session")
def jiangmen(jiangmen_xls, statute_store):
    return import_benchmark_file(jiangmen_xls, store=statute_store, agency="江门市生态环境局", region="广东省江门市",
                                 version="生态环境违法行为行政处罚自由裁量权裁量标准参照表（试行）",
                                 published_at=date(2020, 1, 1))


@pytest.fixture(scope="session")
def demo(statute_store):
    return load_demo_benchmarks(statute_store)


@pytest.fixture
def session(tmp_path):
    """A real case database file, migrated with the product's Alembic migrations."""
    db = Database(f"sqlite:///{tmp_path / 'cases.db'}")
    db.migrate()
    with db.session() as s:
        yield s
    db.dispose()
