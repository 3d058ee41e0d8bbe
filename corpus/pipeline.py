"""Build the default statute store: national laws, then the legal-structure links over them."""
from __future__ import annotations

from typing import Callable

from corpus.lawdb import import_lawdb
from corpus.links import build_penalty_links
from corpus.statutes import StatuteStore
from corpus.successors import build_successor_map


def build_statute_store(store: StatuteStore, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    say = progress or (lambda msg: None)
    counts = import_lawdb(store, progress=say)
    counts["penalty_links"] = build_penalty_links(store)
    say(f"违法条款与罚则条款关联：{counts['penalty_links']} 条")
    counts["successor_articles"] = build_successor_map(store)
    say(f"已废止法律条文与新法对应：{counts['successor_articles']} 条")
    return counts
