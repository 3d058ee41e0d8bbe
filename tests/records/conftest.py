"""Fixtures for records/transcription tests: a temp SQLite case store with every table
(migrated with Alembic), a FileStore under ``settings.files_dir``, audio files made from the real clips
with ffmpeg, and the real Whisper base model assembled once per run into a temp dir."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.records import FileStore
from assistant.store.db import Database

CLIP = "speech/BAC009S0764W0121.wav"  # 甚至出现交易几乎停滞的情况 (read speech, 4.2 s)


@pytest.fixture
def db(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'case.db'}")
    database.migrate()  # the product's Alembic migrations, as the CLI runs them
    yield database
    database.dispose()


@pytest.fixture
def files(settings) -> FileStore:
    return FileStore(settings.files_dir)


@pytest.fixture
def clip(shared_dir: Path) -> Path:
    return shared_dir / "data" / CLIP








@pytest.fixture(scope="session")
def whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.adapters.whisper import ensure_whisper_model
    from assistant.settings import load_settings

    home = tmp_path_factory.mktemp("whisper-home")
    s = load_settings(env={"ZHIFA_HOME": str(home)}, config_file=None)
    return ensure_whisper_model(s, progress=None)

