"""Helpers shared by the tab modules: the guarded-handler decorator that turns every error into a
plain Chinese sentence, date parsing, and the "service not ready" signal.

No domain logic here: handlers call services and format their results.
"""
from __future__ import annotations

import functools
import importlib
import logging
from datetime import date
from types import ModuleType
from typing import Any, Callable

import gradio as gr

from assistant.errors import InputError, ZhifaError
from ui.session import SessionExpired, require

log = logging.getLogger(__name__)

INTERNAL_ERROR = "系统内部错误，操作未完成。请稍后重试；如仍出现，请联系管理员。"
NOT_READY = "该功能尚未就绪"


class ServiceNotReady(ZhifaError):
    code = "not_ready"


def service_module(name: str, what: str) -> ModuleType:
    """Import a domain service module lazily; a missing one becomes a Chinese "not ready" error."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        # only the module itself missing means "not ready"; a broken dependency is a real error
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise ServiceNotReady(f"{NOT_READY}：{what}（{name} 尚未提供）。") from exc
        raise


def service_attr(module: str, attr: str, what: str) -> Any:
    mod = service_module(module, what)
    try:
        return getattr(mod, attr)
    except AttributeError as exc:
        raise ServiceNotReady(f"{NOT_READY}：{what}（{module}.{attr} 尚未提供）。") from exc


def available(module: str) -> bool:
    try:
        importlib.import_module(module)
        return True
    except ImportError:
        return False
    except Exception:  # half-written module: treat as not ready, never crash the page
        log.warning("service module %s failed to import", module, exc_info=True)
        return False


def to_gr_error(exc: BaseException) -> gr.Error:
    if isinstance(exc, SessionExpired):
        return gr.Error(exc.message, title="会话已过期", print_exception=False)
    if isinstance(exc, ServiceNotReady):
        return gr.Error(exc.message, title="功能尚未就绪", print_exception=False)
    if isinstance(exc, ZhifaError):
        return gr.Error(exc.message, title="操作未完成", print_exception=False)
    return gr.Error(INTERNAL_ERROR, title="错误", print_exception=False)


def guarded(*roles: str) -> Callable[[Callable], Callable]:
    """Decorate a handler whose first argument is the session state: checks the session and the
    role, then runs it; any error is shown to the user as a Chinese sentence (never a traceback),
    and unexpected ones are logged with their traceback on the server."""

    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(sess, *args, **kwargs):
            try:
                require(sess, *roles)
                return fn(sess, *args, **kwargs)
            except gr.Error:
                raise
            except ZhifaError as exc:
                log.info("%s refused: %s", fn.__name__, exc.code)
                raise to_gr_error(exc) from None
            except Exception:
                log.exception("UI handler %s failed", fn.__name__)
                raise to_gr_error(RuntimeError()) from None

        return wrapper

    return deco


def parse_day(text: str | None, field: str = "日期") -> date | None:
    """``YYYY-MM-DD`` (also ``YYYY/MM/DD`` or ``YYYY年M月D日``) → date; empty → None."""
    raw = (text or "").strip()
    if not raw:
        return None
    norm = raw.replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "").replace(".", "-")
    try:
        y, m, d = (int(p) for p in norm.split("-"))
        return date(y, m, d)
    except (ValueError, TypeError):
        raise InputError(f"{field}“{raw}”格式不正确，应为 YYYY-MM-DD，例如 2024-05-01。") from None


def md_escape(text: str) -> str:
    return (text or "").replace("<", "&lt;").replace(">", "&gt;")


def table(rows: list[list[Any]], headers: list[str]):
    """A value for ``gr.Dataframe`` that keeps the headers even when there are no rows."""
    import pandas as pd

    return pd.DataFrame(rows, columns=headers)
