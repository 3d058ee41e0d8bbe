"""行政处罚法 第三十七条: the rules in force when the violation happened apply — the store keeps
every version and picks the one in force on the day."""
from datetime import date

from assistant.citations import verify_citations


def test_agriculture_law_2012_text_applies_until_the_2026_revision_takes_effect(statute_store):
    lineage = statute_store.resolve_lineage("农业法")
    before = statute_store.article_on(lineage, 10, 0, date(2026, 11, 22))
    after = statute_store.article_on(lineage, 10, 0, date(2027, 1, 1))
    assert before.reason == after.reason == "in_force"
    assert before.law.in_force_from == "2012-12-28"
    assert after.law.in_force_from == "2027-01-01"
    assert before.law.law_id != after.law.law_id


def test_air_pollution_law_in_force_in_2024_repealed_from_2026_08_15(statute_store):
    lineage = statute_store.resolve_lineage("大气污染防治法")
    assert statute_store.article_on(lineage, 99, 0, date(2024, 6, 1)).reason == "in_force"
    gone = statute_store.article_on(lineage, 99, 0, date(2026, 8, 15))
    assert gone.reason == "repealed"
    assert gone.law.replaced_by == "中华人民共和国生态环境法典"


def test_citation_of_air_pollution_law_is_valid_for_a_2024_violation_only(statute_store):
    text = "《大气污染防治法》第九十九条"
    (old,) = verify_citations(text, statute_store, date(2024, 6, 1))
    (new,) = verify_citations(text, statute_store, date(2026, 9, 1))
    assert old.ok and old.reason == "ok"
    assert not new.ok and new.reason == "repealed"
    assert new.successors and new.successors[0].law_name == "中华人民共和国生态环境法典"
