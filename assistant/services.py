"""The service container handed to the CLI and the UI: built once from Settings, each heavy
component constructed lazily on first use (no model loads at start-up)."""
from __future__ import annotations

from functools import cached_property

from assistant.settings import Settings


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def statutes(self):
        from corpus.statutes import StatuteStore

        return StatuteStore(self.settings.statute_db)

    @cached_property
    def db(self):
        from assistant.store.db import Database

        return Database(self.settings.database_url)

    @cached_property
    def searcher(self):
        from index.search import Searcher

        return Searcher.load(self.settings, self.statutes)
