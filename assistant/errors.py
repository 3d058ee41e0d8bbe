"""Typed errors. Every error carries a plain Chinese sentence for the user (``message``) and a
machine-readable ``code``; the CLI and UI translate them at the edge and never show tracebacks.
"""
from __future__ import annotations


class ZhifaError(Exception):
    """Base class: ``message`` is shown to users as is (Chinese), ``code`` is for machines."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class ConfigError(ZhifaError):
    code = "config"


class InputError(ZhifaError):
    """Bad user input (file, field, query). Nothing has been written when this is raised."""

    code = "bad_input"


class NotFoundError(ZhifaError):
    code = "not_found"


class PermissionDenied(ZhifaError):
    code = "forbidden"


class GateRefused(ZhifaError):
    """A legal gate of the case lifecycle refuses a step; ``article`` names the legal basis."""

    code = "gate_refused"

    def __init__(self, message: str, *, article: str, **details: object) -> None:
        super().__init__(f"{message}（依据：{article}）", article=article, **details)
        self.article = article


class SetupMissing(ZhifaError):
    """A prepared resource (model, store, index) is missing; ``fix`` is the command that fixes it."""

    code = "setup_missing"

    def __init__(self, message: str, *, fix: str, **details: object) -> None:
        super().__init__(f"{message}。请运行：{fix}", fix=fix, **details)
        self.fix = fix


class StaleIndexError(SetupMissing):
    code = "stale_index"


class IntegrityError(ZhifaError):
    """Tamper evidence: a hash chain or content hash does not match."""

    code = "integrity"
