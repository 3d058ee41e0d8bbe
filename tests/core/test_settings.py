from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import SETTINGS, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if s.env not in text]
    assert not missing, f"README.md does not document: {missing}"


def test_defaults_bind_to_localhost(tmp_path):
    s = load_settings(env={"ZHIFA_HOME": str(tmp_path)}, config_file=None)
    assert s.host == "127.0.0.1"
    assert s.database_url == f"sqlite:///{tmp_path.resolve() / 'zhifa.db'}"
    assert s.llm_backend == "none"


def test_environment_beats_file_beats_default(tmp_path):
    cfg = tmp_path / "zhifa.toml"
    cfg.write_text('port = 9000\nllm_backend = "openai"\n', encoding="utf-8")
    s = load_settings(env={"ZHIFA_HOME": str(tmp_path), "ZHIFA_PORT": "9100"})
    assert s.port == 9100 and s.llm_backend == "openai"


def test_bad_config_is_a_clear_chinese_error(tmp_path):
    (tmp_path / "zhifa.toml").write_text("nonsense = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="未知设置项"):
        load_settings(env={"ZHIFA_HOME": str(tmp_path)})
    with pytest.raises(ConfigError, match="不支持的大模型后端"):
        load_settings(env={"ZHIFA_HOME": str(tmp_path / "x"), "ZHIFA_LLM_BACKEND": "gpt5"})


def test_salt_is_generated_once_and_private(tmp_path):
    s = load_settings(env={"ZHIFA_HOME": str(tmp_path)}, config_file=None)
    assert s.salt() == s.salt()
    assert oct((tmp_path / "secret_salt").stat().st_mode)[-3:] == "600"


def test_every_environment_variable_the_app_reads_is_documented_in_the_readme():
    """Not only the SETTINGS: per-invocation credentials (ZHIFA_PASSWORD for the acting CLI user,
    ZHIFA_NEW_PASSWORD, ZHIFA_DEMO_PASSWORD) are read from the environment too and must be documented."""
    import re

    root = README.parent
    text = README.read_text(encoding="utf-8")
    names = {m for pkg in ("assistant", "ui") for path in (root / pkg).rglob("*.py")
             for m in re.findall(r"[\"'](ZHIFA_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8"))}
    assert "ZHIFA_PASSWORD" in names
    missing = sorted(n for n in names if n not in text)
    assert not missing, f"README.md does not document: {missing}"
