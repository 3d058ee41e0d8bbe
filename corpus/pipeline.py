"""Build the default statute store: national laws, then the legal-structure links over them."""
from __future__ import annotations

from typing import Callable

from corpus.lawdb import import_lawdb
from corpus.links import build_penalty_links
from corpus.statutes import StatuteStore
from corpus.structure import LIABILITY_RULES, is_liability_text
from corpus.successors import build_successor_map


def build_statute_store(store: StatuteStore, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    say = progress or (lambda msg: None)
    counts = import_lawdb(store, progress=say)
    counts["penalty_links"] = relabel_liability(store, progress=say)
    counts["successor_articles"] = build_successor_map(store)
    say(f"已废止法律条文与新法对应：{counts['successor_articles']} 条")
    return counts


def liability_rules_current(store: StatuteStore) -> bool:
    """Were the 法律责任 flags of ``store`` set by the current rule (``corpus.structure``)?"""
    return store.meta("liability_rules") == LIABILITY_RULES


def relabel_liability(store: StatuteStore, progress: Callable[[str], None] | None = None) -> int:
    """Re-flag every article (national and user-imported) as 法律责任 or not by the current rule and
    rebuild the penalty links that depend on the flags; returns the number of links. Flags, links
    and the rule version are one transaction: an interruption leaves the store as it was."""
    say = progress or (lambda msg: None)
    rows = store.con.execute("SELECT id, chapter, section, text, is_liability FROM articles").fetchall()
    changed = [(int(new), aid) for aid, chapter, section, text, old in rows
               if (new := is_liability_text(text, chapter, section)) != bool(old)]
    with store.transaction() as con:
        con.executemany("UPDATE articles SET is_liability = ? WHERE id = ?", changed)
        links = build_penalty_links(store, tx=con)
        store.set_meta(con, "liability_rules", LIABILITY_RULES)
    if changed:
        say(f"法律责任条款重新标注：{len(changed)} 条")
    say(f"违法条款与罚则条款关联：{links} 条")
    return links
