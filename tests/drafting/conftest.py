"""Drafting fixtures: the example case as JSON data and as a DraftContext over the real statute store."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from assistant.documents.context import context_from_dict

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="session")
def decision_data() -> dict:
    return json.loads((DATA / "decision_context.json").read_text(encoding="utf-8"))


@pytest.fixture
def data(decision_data) -> dict:
    """A fresh, mutable copy of the example case."""
    return copy.deepcopy(decision_data)


@pytest.fixture
def make_ctx(statute_store):
    def make(d: dict):
        return context_from_dict(d, statute_store)

    return make


@pytest.fixture
def ctx(make_ctx, data):
    return make_ctx(data)


@pytest.fixture
def no_penalty_data(data) -> dict:
    d = data
    d["doc_number"] = "江环不罚〔2025〕3号"
    d["penalties"] = []
    d["discretion"] = {}
    d["procedure"] = {"notice_number": "江环告〔2025〕20号", "notice_date": "2025-10-10"}
    d["case"]["facts"]["quantities"] = []
    d["case"]["facts"]["harm"] = "未造成危害后果"
    d["no_penalty"] = {
        "ground": [{"law": "行政处罚法", "article": 33, "kuan": 1}],
        "reason": "违法行为轻微并及时改正，没有造成危害后果",
        "education": "向当事人宣讲了大气污染防治法律规定，当事人表示今后依法申领排污许可证",
    }
    return d
