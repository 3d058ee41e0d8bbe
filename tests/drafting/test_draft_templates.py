"""Templates are files with declared variables, rendered strictly, each with a golden text.

Regenerate the golden files after an intended wording change with ``ZHIFA_UPDATE_GOLDEN=1``.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from assistant.drafting import compose
from prompts.render import TemplateError, load_template, parse_template, template_names

GOLDEN = Path(__file__).parent / "golden"
DOCS = {"决定书": "decision", "告知书": "notice", "立案审批表": "filing_form", "送审表": "review_form"}


def test_every_template_declares_exactly_what_it_uses():
    names = template_names()
    assert {"decision", "notice", "no_penalty", "filing_form", "review_form", "llm_polish",
            "narrative_facts", "narrative_discretion"} <= set(names)
    for name in names:
        assert load_template(name).variables  # parses, declared == used


def test_missing_variable_is_an_error():
    t = load_template("llm_polish")
    with pytest.raises(TemplateError, match="缺少变量：nonce"):
        t.render(task="x", data="{}")


def test_extra_variable_is_an_error():
    t = load_template("llm_polish")
    with pytest.raises(TemplateError, match="未声明的变量：surprise"):
        t.render(task="x", nonce="n", data="{}", surprise=1)


def test_undeclared_or_unused_variables_are_refused_at_load():
    with pytest.raises(TemplateError, match="未声明的变量：b"):
        parse_template("t", "---\nvariables: a\n---\n{{ a }}{{ b }}\n")
    with pytest.raises(TemplateError, match="没有使用的变量：b"):
        parse_template("t", "---\nvariables: a, b\n---\n{{ a }}\n")
    with pytest.raises(TemplateError, match="声明头"):
        parse_template("t", "{{ a }}\n")


def test_undefined_attribute_is_an_error():
    t = parse_template("t", "---\nvariables: ctx\n---\n{{ ctx.nothing_here }}\n")
    with pytest.raises(TemplateError, match="渲染失败"):
        t.render(ctx=object())


@pytest.mark.parametrize("kind", list(DOCS))
def test_golden(kind, ctx, statute_store):
    markup = compose(kind, ctx, store=statute_store, as_of=date(2025, 11, 20)).markup
    path = GOLDEN / f"{DOCS[kind]}.txt"
    if os.environ.get("ZHIFA_UPDATE_GOLDEN") or not path.exists():
        path.write_text(markup, encoding="utf-8")
    assert markup == path.read_text(encoding="utf-8")


def test_golden_no_penalty(make_ctx, no_penalty_data, statute_store):
    markup = compose("不予处罚", make_ctx(no_penalty_data), store=statute_store, as_of=date(2025, 11, 20)).markup
    path = GOLDEN / "no_penalty.txt"
    if os.environ.get("ZHIFA_UPDATE_GOLDEN") or not path.exists():
        path.write_text(markup, encoding="utf-8")
    assert markup == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("act, expected", [
    ("王小明在其经营场所销售过期食品", "在其经营场所销售过期食品"),
    ("当事人王小明在其经营场所销售过期食品", "在其经营场所销售过期食品"),
    ("当事人在其经营场所销售过期食品", "在其经营场所销售过期食品"),
    ("销售过期食品", "销售过期食品"),
    ("王小明", "王小明"),  # nothing would be left: keep it
])
def test_the_narrative_does_not_repeat_the_subject(act, expected):
    from prompts.render import without_subject

    assert without_subject(act, "王小明") == expected
