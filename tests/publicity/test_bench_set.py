"""The redaction benchmark set (bench/redaction_set.jsonl): recall ≥ 99 %, few false masks, no leaks."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_redaction", BENCH / "redaction.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def rows(bench):
    return bench.load_set(BENCH / "redaction_set.jsonl")


def test_the_set_is_big_and_varied(rows):
    assert len(rows) >= 150
    cats = {s["category"] for r in rows for s in r["spans"]}
    assert {"name", "id_number", "phone", "email", "bank_account", "plate", "address"} <= cats
    assert sum(1 for r in rows if not r["spans"]) >= 30  # hard negatives
    assert any(s["text"].endswith(("X", "x")) for r in rows for s in r["spans"] if s["category"] == "id_number")
    for r in rows:  # annotations point at the text they name
        for s in r["spans"]:
            assert r["text"][s["start"]:s["end"]] == s["text"], r["id"]


def test_recall_and_false_masks(bench, rows):
    res = bench.evaluate(rows, use_known=True)
    assert res["recall"] >= 0.99, res["misses"]
    assert res["leaked_identifiers"] == 0, res["leaks"]
    assert res["false_mask_char_rate"] <= 0.01
    assert res["false_mask_span_rate"] <= 0.02


def test_no_identifier_from_the_set_reaches_the_output(rows):
    from assistant.redaction import KnownPeople, Redactor

    r = Redactor()
    for row in rows:
        known = KnownPeople(keep=set(row["officers"]))
        for n in row["known_party"]:
            known.add(n, "party_name")
        out, _ = r.redact_text(row["text"], known)
        for s in row["spans"]:
            assert s["text"] not in out, (row["id"], s["category"])


def test_patterns_alone_still_find_most_names(bench, rows):
    # free text without structured data (e.g. imported precedents): a floor, not the target
    assert bench.evaluate(rows, use_known=False)["recall"] >= 0.97
