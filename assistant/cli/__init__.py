"""The ``zhifa`` console script: one argparse parser with subcommands.

Every module in this package that defines ``register(subparsers)`` contributes subcommands; each
subcommand sets ``func(args, settings) -> int``. Before it runs, a command that acts as a named zhifa
user (an ``--actor`` / ``--as`` / ``--reviewer`` option) must prove it with the user's password — see
:mod:`assistant.cli.identity` for the rule and the commands it covers. Domain errors (:class:`ZhifaError`) become a plain
Chinese message on stderr and exit code 2 — never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from contextlib import contextmanager
from datetime import date
from typing import Any, Iterator

from assistant.errors import InputError, ZhifaError
from assistant.logs import configure
from assistant.settings import load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zhifa",
        description="执法 — 行政执法办案辅助：法条检索、裁量建议、文书起草、法制审核、全过程记录",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def print_json(data: Any) -> None:
    """JSON output for ``--json`` flags: UTF-8, Chinese characters unescaped."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def parse_date(value: str | None) -> date | None:
    """Optional YYYY-MM-DD option value; a malformed date is a Chinese InputError."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"日期格式应为 YYYY-MM-DD：{value}") from None


def arg_date(value: str) -> date:
    """argparse ``type=`` for dates (argparse prints the Chinese message and exits 2)."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def split_csv(value: str | None) -> list[str]:
    """'a, b，c' → ['a', 'b', 'c'] (ASCII or full-width commas)."""
    return [v.strip() for v in (value or "").replace("，", ",").split(",") if v.strip()]


def open_database(settings):
    """The case database, migrated to head on first use."""
    from assistant.store.db import Database

    db = Database(settings.database_url)
    db.ensure_current()
    return db


@contextmanager
def db_session(settings, *, readonly: bool = False) -> Iterator:
    """One session on the migrated case database; the engine is disposed afterwards."""
    db = open_database(settings)
    try:
        with db.session(readonly=readonly) as s:
            yield s
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        settings = load_settings()
        configure(settings.log_level)
        from assistant.cli.identity import authenticate_args

        authenticate_args(args, settings)
        code = int(args.func(args, settings) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except ZhifaError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130


def _closed_pipe() -> int:
    """``zhifa … | head``: the reader went away. Point stdout at devnull so the interpreter's final
    flush does not raise again, and exit quietly with 141 (128 + SIGPIPE, like other Unix tools)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or already closed
        pass
    return 141
