"""Corpus fixtures: a private, writable copy of the national statute store for tests that import
user instruments (the session ``statute_store`` is shared and read-only)."""
from __future__ import annotations

from pathlib import Path

import pytest

from corpus.lawdb import import_lawdb
from corpus.statutes import StatuteStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "regs"


@pytest.fixture
def writable_store(tmp_path: Path) -> StatuteStore:
    store = StatuteStore(tmp_path / "statutes.db", create=True)
    import_lawdb(store)
    yield store
    store.close()


@pytest.fixture
def regs_dir() -> Path:
    return FIXTURES
