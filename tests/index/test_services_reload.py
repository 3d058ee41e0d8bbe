"""The app's searcher follows the index on disk: when the dense part finishes after start-up (the
manifest is rewritten), the next search loads the new index instead of staying keyword-only."""
import os

from assistant.services import Services
from index.search import Searcher
from index.store import MANIFEST


def test_searcher_reloads_when_the_manifest_changes(settings, monkeypatch):
    loads = []
    monkeypatch.setattr(Searcher, "load", classmethod(lambda cls, s, st: loads.append(1) or object()))
    services = Services(settings)
    services.__dict__["statutes"] = object()  # the store itself is not under test here
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    manifest = settings.index_dir / MANIFEST
    manifest.write_text("{}", encoding="utf-8")

    first = services.searcher
    assert services.searcher is first and len(loads) == 1  # cached while the index is unchanged

    st = manifest.stat()
    os.utime(manifest, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert services.searcher is not first and len(loads) == 2
