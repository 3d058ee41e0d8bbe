"""Placeholder: owned by the corpus/citations work (penalty-article linking)."""
from corpus.statutes import StatuteStore


def build_penalty_links(store: StatuteStore) -> int:
    return 0
