"""Logging set-up for the CLI and the app, with a filter that masks personal data.

Library code only calls ``logging.getLogger(__name__)``; only entry points call :func:`configure`.
"""
from __future__ import annotations

import logging
import re

_PATTERNS = (
    (re.compile(r"(?<!\d)\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)"), "[身份证号]"),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "[手机号]"),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), "[电话]"),
)


def mask_pii(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class PiiFilter(logging.Filter):
    """Masks ID numbers and phone numbers in every record above DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            record.msg = mask_pii(record.getMessage())
            record.args = None
        return True


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PiiFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic (every migration step) and faiss (which CPU build it loads) report at INFO; users only
    # need that when debugging (ZHIFA_LOG_LEVEL=DEBUG)
    for noisy in ("alembic", "faiss"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)
