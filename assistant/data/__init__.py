"""Rule tables as data (JSON), each rule naming its source article. Load with :func:`load`."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def _load_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def load(name: str) -> dict:
    """A fresh copy of ``assistant/data/<name>`` (callers may mutate it)."""
    return json.loads(_load_text(name))
