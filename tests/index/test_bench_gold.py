from pathlib import Path

from index.evaluate import load_queries, unresolved_gold

BENCH = Path(__file__).resolve().parents[2] / "bench" / "retrieval_queries.jsonl"


def test_every_gold_article_exists_in_the_store(statute_store):
    queries = load_queries(BENCH)
    assert len(queries) >= 70
    assert unresolved_gold(queries, statute_store) == []
