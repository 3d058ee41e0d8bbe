"""``zhifa serve``: start the web UI (Gradio) on 127.0.0.1 by default."""
from __future__ import annotations

import argparse
import ipaddress
import logging

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="启动网页界面（默认只监听本机 127.0.0.1）")
    p.add_argument("--host", default=None, help="监听地址（默认取设置 host，即 127.0.0.1）")
    p.add_argument("--port", type=int, default=None, help="端口（默认取设置 port，即 7860）")
    p.add_argument("--demo", action="store_true",
                   help="演示模式：准备法条库与案件库，写入演示单位与各角色演示账号，然后启动")
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
