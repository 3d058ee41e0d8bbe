"""The held-out retrieval set (written before tuning; never used to choose constants) only cites
articles that exist in the statute store."""
from pathlib import Path

from index.evaluate import load_queries, unresolved_gold

HELDOUT = Path(__file__).resolve().parents[2] / "bench" / "retrieval_heldout.jsonl"


def test_heldout_gold_articles_exist_and_set_is_large_enough(statute_store):
    queries = load_queries(HELDOUT)
    assert len(queries) >= 40
    assert len({q["id"] for q in queries}) == len(queries)
    assert unresolved_gold(queries, statute_store) == []
