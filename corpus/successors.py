"""Placeholder: owned by the corpus/citations work (old article → successor article)."""
from corpus.statutes import StatuteStore


def build_successor_map(store: StatuteStore) -> int:
    return 0
