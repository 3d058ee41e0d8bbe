"""``zhifa serve``: start the web UI (Gradio) on 127.0.0.1 by default."""
from __future__ import annotations

import argparse
import ipaddress
import logging
import threading

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="启动网页界面（默认只监听本机 127.0.0.1）")
    p.add_argument("--host", default=None, help="监听地址（默认取设置 host，即 127.0.0.1）")
    p.add_argument("--port", type=int, default=None, help="端口（默认取设置 port，即 7860）")
    p.add_argument("--demo", action="store_true",
                   help="演示模式：准备法条库与案件库，写入演示单位与各角色演示账号，然后启动")
    p.add_argument("--no-index-build", action="store_true",
                   help="检索索引缺失或过期时不在后台建立（默认：先建关键词索引即可检索，再建向量索引）")
    p.set_defaults(func=serve)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(args: argparse.Namespace, settings) -> int:
    from assistant.services import Services
    from ui.app import launch

    host = args.host or settings.host
    port = args.port or settings.port
    if not _is_loopback(host):
        print(f"注意：界面将监听 {host}，本机以外的计算机也能访问；请确认已有网络防护。")
    if args.demo:
        _prepare_demo(settings)
    if not args.no_index_build:
        build_index_in_background(settings)
    services = Services(settings)
    print(f"执法 网页界面：http://{'127.0.0.1' if host in ('127.0.0.1', 'localhost') else host}:{port}  （Ctrl+C 退出）")
    launch(services, host=host, port=port, block=True, quiet=True)
    return 0


def _prepare_demo(settings) -> None:
    """Idempotent: statute store, case database and demo accounts (via assistant.demo)."""
    from assistant.prepare import prepare_database, prepare_statutes

    settings.home.mkdir(parents=True, exist_ok=True)
    prepare_statutes(settings, print)
    prepare_database(settings, print)
    try:
        from assistant.demo import seed_demo
    except ImportError:
        print("演示数据模块尚未提供（assistant/demo.py），仅启动界面。")
        return
    seed_demo(settings, print)


def build_index_in_background(settings) -> threading.Thread | None:
    """Start the app at once and build a missing or stale index beside it: keyword search works
    as soon as BM25 is saved (~20 s), semantic search once the dense part is ready (the app's
    searcher reloads when the manifest changes). Returns the thread, or None when nothing to do."""
    from assistant.prepare import index_ready, prepare_index

    ready, _ = index_ready(settings)
    if ready:
        return None

    def run() -> None:
        try:
            prepare_index(settings, print)
        except Exception as exc:  # the app keeps running; doctor and search say what is missing
            log.error("后台建立检索索引失败：%s", getattr(exc, "message", None) or type(exc).__name__)

    print("检索索引缺失或已过期：正在后台建立（关键词索引约 20 秒后可用，向量索引随后完成）。")
    thread = threading.Thread(target=run, name="zhifa-index-build", daemon=True)
    thread.start()
    return thread
