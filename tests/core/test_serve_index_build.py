"""`zhifa serve` starts at once and builds a missing index beside the app (BM25 first, then dense);
a fresh index is left alone."""
import assistant.prepare as prepare
from assistant.cli.serve import build_index_in_background


def test_missing_index_is_built_in_the_background(settings, monkeypatch):
    built = []
    monkeypatch.setattr(prepare, "prepare_index", lambda s, say: built.append(s.index_dir))
    thread = build_index_in_background(settings)  # a fresh home has no index at all
    assert thread is not None and thread.daemon
    thread.join(timeout=30)
    assert built == [settings.index_dir]


def test_a_ready_index_is_not_rebuilt(settings, monkeypatch):
    monkeypatch.setattr(prepare, "index_ready", lambda s: (True, "ready"))
    monkeypatch.setattr(prepare, "prepare_index", lambda s, say: (_ for _ in ()).throw(AssertionError("rebuilt")))
    assert build_index_in_background(settings) is None
