"""Every lifecycle gate refuses with its own article: each gate of :data:`assistant.lifecycle.GATES`
is driven into its refusal on a minimal context, and the :class:`GateRefused` must name the
gate's article (行政处罚法 第X条) — no gate refuses silently or without a legal basis."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from assistant import lifecycle as lc
from assistant import roles
from assistant.errors import GateRefused

TODAY = date(2026, 10, 20)
GOOD_HANDLERS = [{"username": u, "credential_no": c, "credential_expiry": date(2030, 1, 1), "active": True}
                 for u, c in (("zhang3", "A1"), ("li4", "A2"))]


def _case(**over):
    base = dict(procedure=lc.ORDINARY, state=lc.STATEMENT, filed_on=date(2026, 10, 1), extension_days=0,
                notice={"types": ["罚款"], "fine": 5000, "confiscation": 0}, notice_served_on=date(2026, 10, 12),
                statement_waived=False, statement_due=date(2026, 10, 19), hearing_required=False,
                hearing_waived=False, hearing_held=False, hearing_requested_on=None, review_required=False,
                review_reasons=[], collective_required=False, collective_at=None, decision=None, outcome=None)
    return SimpleNamespace(**{**base, **over})


def _ctx(case=None, **over):
    base = dict(case=case or _case(), actor_username="zhang3", actor_roles=frozenset({roles.HANDLER}),
                actor_is_handler=True, handlers=list(GOOD_HANDLERS), party_kinds=["法人"],
                violations=[{"violated_provision": "《某法》第一条", "penalty_provision": "《某法》第二条"}],
                today=TODAY, payload={"penalty": {"types": ["罚款"], "fine": 5000}, "facts": "f", "reasons": "r",
                                      "basis": "b"})
    return lc.GateContext(**{**base, **over})


# gate key → a context on which that gate must refuse
REFUSING = {
    "two_handlers": lambda: _ctx(handlers=GOOD_HANDLERS[:1]),
    "actor_is_handler": lambda: _ctx(actor_is_handler=False),
    "actor_is_head": lambda: _ctx(actor_roles=frozenset({roles.HANDLER})),
    "has_party": lambda: _ctx(party_kinds=[]),
    "has_violation": lambda: _ctx(violations=[]),
    "notice_content": lambda: _ctx(payload={"penalty": {"types": ["罚款"], "fine": 5000}}),
    "hearing_rights": lambda: _ctx(payload={"penalty": {"types": ["吊销许可证件"]}, "facts": "f", "reasons": "r",
                                            "basis": "b"}),
    "statement_window": lambda: _ctx(today=date(2026, 10, 15)),
    "hearing_done": lambda: _ctx(_case(hearing_required=True, hearing_requested_on=date(2026, 10, 13))),
    "review_passed": lambda: _ctx(_case(review_required=True), review_passed=False),
    "collective_done": lambda: _ctx(_case(collective_required=True)),
    "not_heavier": lambda: _ctx(payload={"penalty": {"types": ["罚款"], "fine": 8000}}),
    "decision_content": lambda: _ctx(payload={"penalty": {"types": []}}),
    "within_90_days": lambda: _ctx(_case(filed_on=date(2026, 6, 1))),
    "simple_limits": lambda: _ctx(payload={"penalty": {"types": ["罚款"], "fine": 5000}}),
    "simple_notice": lambda: _ctx(_case(notice=None)),
    "statement_heard": lambda: _ctx(statements=[]),
    "served": lambda: _ctx(payload={"served_on": "2026-10-20"}),
    "nothing_to_enforce": lambda: _ctx(_case(decision={"types": ["罚款"], "fine": 5000}, outcome="处罚")),
    "reason_given": lambda: _ctx(payload={}),
    "no_penalty_ground": lambda: _ctx(payload={}),
}


def test_every_gate_has_a_refusing_case():
    assert set(REFUSING) == set(lc.GATES)


@pytest.mark.parametrize("key", sorted(lc.GATES))
def test_each_gate_refuses_with_its_article(key):
    gate = lc.GATES[key]
    assert gate.article.startswith("《中华人民共和国行政处罚法》第")
    with pytest.raises(GateRefused) as info:
        lc.run_gate(key, REFUSING[key]())
    assert info.value.article == gate.article and info.value.details["gate"] == key
    assert info.value.message and "Traceback" not in info.value.message


def test_every_gate_guards_at_least_one_transition():
    used = {g for t in lc.TRANSITIONS for g in t.gates}
    assert set(lc.GATES) - used == set()


@pytest.mark.parametrize("source,target", [(lc.FILING, lc.PRIOR_NOTICE), (lc.FILING, lc.DECISION),
                                           (lc.INVESTIGATION, lc.DECISION), (lc.PRIOR_NOTICE, lc.SERVICE),
                                           (lc.DECISION, lc.CLOSED)])
def test_skipping_a_step_is_refused_with_the_procedure_articles(source, target):
    with pytest.raises(GateRefused) as info:
        lc.check_transition(_ctx(_case(state=source)), target)
    assert info.value.details["gate"] == "sequence" and "第五十四条至第六十二条" in info.value.article
