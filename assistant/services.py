"""The service container handed to the CLI and the UI: built once from Settings, each heavy
component constructed lazily on first use (no model loads at start-up)."""
from __future__ import annotations

import threading
from functools import cached_property

from assistant.settings import Settings


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._searcher = None
        self._searcher_stamp: int | None = None
        self._searcher_lock = threading.Lock()

    @cached_property
    def statutes(self):
        from corpus.statutes import StatuteStore

        return StatuteStore(self.settings.statute_db)

    @cached_property
    def db(self):
        from assistant.store.db import Database

        return Database(self.settings.database_url)

    @property
    def searcher(self):
        """The statute searcher, reloaded when the index on disk changes — e.g. the dense part
        finished building after the app started (until then search is keyword-only)."""
        from index.search import Searcher
        from index.store import MANIFEST

        try:
            stamp = (self.settings.index_dir / MANIFEST).stat().st_mtime_ns
        except OSError:
            stamp = None
        with self._searcher_lock:
            if self._searcher is None or stamp != self._searcher_stamp:
                self._searcher = Searcher.load(self.settings, self.statutes)
                self._searcher_stamp = stamp
            return self._searcher
