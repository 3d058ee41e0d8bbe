"""``zhifa prepare`` and ``zhifa doctor``."""
from __future__ import annotations

import argparse

from assistant.cli import arg_date, print_json
from assistant.prepare import doctor, prepare_all
from assistant.settings import Settings


def _prepare(args: argparse.Namespace, settings: Settings) -> int:
    prepare_all(settings, print, models_only=args.models_only, with_index=not args.no_index, demo=not args.no_demo)
    print("准备完成。")
    return 0


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    checks = doctor(settings)
    if args.json:
        print_json([c.__dict__ for c in checks])
    else:
        for c in checks:
            mark = "✓" if c.ok else "✗"
            line = f"{mark} {c.name}：{c.detail}"
            if not c.ok and c.fix:
                line += f"  → 修复：{c.fix}"
            print(line)
    return 0 if all(c.ok for c in checks) else 1


def _demo_seed(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.demo import seed_demo

    seed_demo(settings, print, today=args.today)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prepare", help="首次使用准备：法条库、离线模型、案件库、演示数据、检索索引（可重复运行）")
    p.add_argument("--models-only", action="store_true", help="只准备法条库和离线模型")
    p.add_argument("--no-index", action="store_true", help="不建立检索索引")
    p.add_argument("--no-demo", action="store_true", help="不写入演示数据")
    p.set_defaults(func=_prepare)
    d = sub.add_parser("doctor", help="检查安装与准备情况，并给出修复命令")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=_doctor)
    demo = sub.add_parser("demo", help="演示数据")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    seed = demo_sub.add_parser("seed", help="写入演示机关、各角色账号、演示裁量基准、相似案例和案件（可重复运行）")
    seed.add_argument("--today", type=arg_date, default=None,
                      help="以该日为“今天”生成演示日期 YYYY-MM-DD（默认今天；用于可复现的演示）")
    seed.set_defaults(func=_demo_seed)
