"""The 公示 register: deadlines over the holiday calendar, states, withdrawal, overdue, audit."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from assistant.audit import verify_chain
from assistant.errors import GateRefused, InputError, PermissionDenied
from assistant.publicity import (PublicityPolicy, approve, correct, corrections, get_publication, mark_revoked,
                                 overdue, preview, publication_due, register_decision, withdraw, withdrawal_due)
from assistant.store.audit_tables import AuditEntry
from assistant.store.publicity_tables import Publication


# -- deadlines ------------------------------------------------------------------------------------
def test_seven_working_days_across_spring_festival_2026():
    # decided Thu 12 Feb 2026: Fri 13, Sat 14 (调休上班), 春节 15–23 Feb off, 24–27, Sat 28 (调休上班)
    due, basis = publication_due(date(2026, 2, 12), "行政处罚")
    assert due == date(2026, 2, 28)
    assert "7个工作日" in basis
    assert publication_due(date(2026, 2, 12), "行政许可")[0] == date(2026, 2, 28)


def test_twenty_working_days_for_other_decisions():
    assert publication_due(date(2026, 2, 12), "行政强制")[0] == date(2026, 3, 18)


def test_seven_working_days_across_national_day_2026():
    # Tue 29 Sep: 30 Sep, 国庆 1–7 Oct off, Thu 8, Fri 9, Sat 10 (调休上班), 12, 13, 14
    assert publication_due(date(2026, 9, 29), "行政处罚")[0] == date(2026, 10, 14)


def test_periods_are_configurable():
    policy = PublicityPolicy(publish_working_days={"行政处罚": 5}, publish_working_days_other=10)
    assert publication_due(date(2026, 2, 12), "行政处罚", policy)[0] == date(2026, 2, 26)


def test_withdrawal_takes_the_stricter_of_statute_and_local_rule():
    # statute: 3 working days (第四十八条 + 第八十五条); revoked Wed 30 Sep 2026 → 8, 9, Sat 10 Oct
    statute_only = PublicityPolicy(withdraw_local_days=None)
    assert withdrawal_due(date(2026, 9, 30), statute_only)[0] == date(2026, 10, 10)
    # [001]: 1日内 — stricter than the statute, so it wins
    due, basis = withdrawal_due(date(2026, 9, 30))
    assert due == date(2026, 10, 1) and basis.startswith("川办发")
    # a laxer local rule (B7: 5个工作日) loses to the statute
    lax = PublicityPolicy(withdraw_local_days=5, withdraw_local_working=True)
    due, basis = withdrawal_due(date(2026, 9, 30), lax)
    assert due == date(2026, 10, 10) and basis.startswith("行政处罚法 第四十八条")


# -- states -----------------------------------------------------------------------------------------
def test_preview_then_approve_publishes_and_audits(session, person_decision):
    pv = preview(session, person_decision, actor="liming")
    row = get_publication(session, person_decision.decision_id)
    assert row.state == "previewed" and row.due_on == date(2026, 2, 28)
    assert row.public_fields["party_name"] == "张某某"
    assert pv.redactions
    approve(session, person_decision.decision_id, actor="head1", role="机关负责人", on=date(2026, 2, 24))
    assert row.state == "published" and row.published_on == date(2026, 2, 24)
    actions = session.execute(select(AuditEntry.action).where(AuditEntry.case_id == 11)).scalars().all()
    assert actions == ["publicity.register", "publicity.preview", "publicity.publish"]
    assert verify_chain(session, 11).ok
    # audit details never carry personal data
    details = " ".join(str(d) for d in session.execute(select(AuditEntry.detail)).scalars())
    assert "张三丰" not in details and "44070319850312451X" not in details


def test_approval_needs_a_preview_and_an_authorised_role(session, person_decision):
    register_decision(session, person_decision, actor="liming")
    with pytest.raises(InputError, match="须先预览"):
        approve(session, person_decision.decision_id, actor="head1")
    preview(session, person_decision, actor="liming")
    with pytest.raises(PermissionDenied):
        approve(session, person_decision.decision_id, actor="x", role="承办人")
    changed = replace(person_decision, facts=person_decision.facts + "补充。")
    with pytest.raises(InputError, match="重新预览"):
        approve(session, person_decision.decision_id, actor="head1", record=changed)


def test_minor_is_refused_and_nothing_is_written(session, person_decision):
    from assistant.publicity import Party

    minor = replace(person_decision, party=Party(kind="natural_person", name="王小二", minor=True))
    with pytest.raises(GateRefused, match="未成年人"):
        preview(session, minor, actor="liming")
    assert session.execute(select(Publication)).first() is None


def test_correction_is_logged_with_reason(session, firm_decision):
    preview(session, firm_decision, actor="chenwei")
    approve(session, firm_decision.decision_id, actor="head1")
    fixed = replace(firm_decision, facts=firm_decision.facts.replace("2497元", "2479元"))
    correct(session, fixed, actor="chenwei", reason="货值金额笔误")
    row = get_publication(session, firm_decision.decision_id)
    assert row.state == "corrected" and "2479元" in row.public_fields["facts"]
    [ev] = corrections(session, firm_decision.decision_id)
    assert "货值金额笔误" in ev.note and "facts" in ev.note and ev.old_hash != ev.new_hash
    with pytest.raises(InputError, match="更正理由"):
        correct(session, fixed, actor="chenwei", reason=" ")


def test_withdrawal_and_overdue_listing(session, person_decision, firm_decision):
    # person: decided 12 Feb 2026, due 28 Feb, never published → overdue on 2 Mar
    register_decision(session, person_decision, actor="liming")
    # firm: published, then revoked on 30 Sep 2026; local rule → withdraw by 1 Oct
    firm = replace(firm_decision, decided_on=date(2026, 9, 1))
    preview(session, firm, actor="chenwei")
    approve(session, firm.decision_id, actor="head1", on=date(2026, 9, 3))
    mark_revoked(session, firm.decision_id, actor="chenwei", revoked_on=date(2026, 9, 30), reason="复议撤销")
    assert overdue(session, date(2026, 2, 28)) == []
    items = overdue(session, date(2026, 10, 2))
    assert [(i.decision_id, i.what, i.due_on) for i in items] == [
        (person_decision.decision_id, "publication", date(2026, 2, 28)),
        (firm.decision_id, "withdrawal", date(2026, 10, 1)),
    ]
    assert items[0].days_overdue == (date(2026, 10, 2) - date(2026, 2, 28)).days
    with pytest.raises(InputError, match="说明理由"):
        withdraw(session, firm.decision_id, actor="chenwei", explanation="")
    row = withdraw(session, firm.decision_id, actor="chenwei", explanation="该决定已被复议机关撤销", on=date(2026, 10, 1))
    assert row.state == "withdrawn" and row.withdrawn_on <= row.withdraw_due_on
    assert [i.decision_id for i in overdue(session, date(2026, 10, 2))] == [person_decision.decision_id]
    with pytest.raises(InputError, match="已于"):
        withdraw(session, firm.decision_id, actor="chenwei", explanation="再次撤回")


def test_withdraw_without_prior_revocation_starts_the_clock(session, firm_decision):
    preview(session, firm_decision, actor="chenwei")
    approve(session, firm_decision.decision_id, actor="head1")
    row = withdraw(session, firm_decision.decision_id, actor="chenwei", explanation="决定已变更",
                   revoked_on=date(2026, 10, 9), on=date(2026, 10, 12))
    assert row.withdraw_due_on == date(2026, 10, 10)
    assert any("逾期撤回" in e.note for e in row.events)
