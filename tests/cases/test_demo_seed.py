"""``zhifa demo seed``: besides the open demo cases (ids 1 and 2, unchanged), decided cases that went
through the real services — with redaction-worthy parties, publication deadlines and one overdue — the
deterministic fact narrative of a demo case, and recommendations saved with the case."""
from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from assistant.case_drafting import draft_for_case
from assistant.demo import DEMO_CASES, demo_password, seed_demo
from assistant.demo_decided import DEMO_DECIDED, DEMO_LEGAL_REP, DEMO_PERSON
from assistant.parties import validate_id_number
from assistant.publicity import overdue
from assistant.settings import load_settings
from assistant.store.audit_tables import AuditEntry
from assistant.store.case_tables import Case, CaseEvent, Party
from assistant.store.db import Database

pytestmark = pytest.mark.slow
TODAY = date(2026, 11, 22)


@pytest.fixture
def seeded(tmp_path, statute_store):
    settings = load_settings(env={"ZHIFA_HOME": str(tmp_path / "home"), "ZHIFA_STATUTE_DB": str(statute_store.path)},
                             config_file=None)
    seed_demo(settings, say=lambda _m: None, today=TODAY)
    seed_demo(settings, say=lambda _m: None, today=TODAY)  # idempotent
    db = Database(settings.database_url)
    yield SimpleNamespace(db=db, statutes=statute_store, settings=settings)
    db.dispose()


def test_seed_adds_served_decisions_through_the_services_once(seeded):
    with seeded.db.session() as s:
        cases = s.execute(select(Case).order_by(Case.id)).scalars().all()
        assert [c.cause for c in cases] == [f"{d['cause']}（演示）" for d in DEMO_CASES] + \
            [d["cause"] for d in DEMO_DECIDED]
        assert [c.state for c in cases[:2]] == ["立案", "立案"]  # the open demo cases are unchanged
        decided = cases[2:]
        assert [c.state for c in decided] == ["送达"] * 3
        assert [c.outcome for c in decided] == ["处罚", "处罚", "不予处罚"]
        assert all(c.review_passed_at and c.decision_number and c.served_on for c in decided)
        # the real lifecycle ran: every step is an event, decided by head1 after reviewer1 passed it
        for c in decided:
            steps = [e.to_state for e in s.execute(select(CaseEvent).where(CaseEvent.case_id == c.id)
                                                    .order_by(CaseEvent.id)).scalars() if e.to_state != e.from_state]
            assert steps == ["立案", "调查取证", "事先告知", "法制审核", c.outcome if c.outcome == "不予处罚" else "决定",
                             "送达"], steps
        assert [c.decided_on for c in decided] == [date(2026, 10, 13), date(2026, 11, 16), date(2026, 11, 19)]
        person = s.execute(select(Party).where(Party.name == DEMO_PERSON["name"])).scalar_one()
        assert validate_id_number(person.id_number) == DEMO_PERSON["id_number"] and person.phone
        company = s.execute(select(Party).where(Party.legal_representative == DEMO_LEGAL_REP)).scalar_one()
        assert company.kind == "法人" and company.credit_code
        # on 2026-11-22 only the old decision is past its 7-working-day publication deadline
        late = overdue(s, TODAY)
        assert [i.decision_id for i in late] == [decided[0].decision_number]
        # and no audit row names the natural person or carries the identifiers
        details = " ".join(str(a.detail) for a in s.execute(select(AuditEntry)).scalars())
        for identifier in DEMO_PERSON.values():
            assert identifier not in details


def test_fact_narrative_of_demo_cases_says_place_and_amounts_once(seeded):
    for case_id in (1, 4):
        draft = draft_for_case(seeded, case_id, "告知书", fine=50000)
        facts = next(v for v in draft.sections.values() if "经查" in v)  # facts, evidence and 定性
        place = "示范市示范区示范路1号" if case_id == 1 else "示范市示范区工业大道18号"
        assert place not in facts and not re.search(r"号在其|在[^，。]{1,30}在其", facts), facts
        assert facts.count("在其经营场所") == 1, facts
        assert facts.count("货值金额") == 1 and facts.count("违法所得") <= 1, facts
        for amount in set(re.findall(r"\d+(?:\.\d+)?元", facts)):
            assert facts.count(amount) == 1, (amount, facts)


def test_recommendation_is_saved_with_the_case_and_feeds_peer_amounts(seeded, monkeypatch, capsys):
    from assistant.cli import main
    from assistant.discretion.repository import peer_amounts
    from assistant.store.discretion_tables import CaseDiscretionRow

    monkeypatch.setenv("ZHIFA_HOME", str(seeded.settings.home))
    monkeypatch.setenv("ZHIFA_STATUTE_DB", str(seeded.statutes.path))
    monkeypatch.setenv("ZHIFA_PASSWORD", demo_password())  # --actor is authenticated (assistant.cli.identity)
    assert main(["discretion", "recommend", "1", "--actor", "officer1"]) == 0
    assert main(["discretion", "recommend", "1", "--actor", "officer1", "--json"]) == 0  # replaces, not adds
    capsys.readouterr()
    with seeded.db.session() as s:
        rows = s.execute(select(CaseDiscretionRow).where(CaseDiscretionRow.case_id == 1)).scalars().all()
        assert len(rows) == 1 and rows[0].violation_code == "SJ-001" and rows[0].proposed
        code, band, proposed = rows[0].violation_code, rows[0].band, rows[0].proposed
        assert s.execute(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.action == "discretion.recommend", AuditEntry.case_id == 1)).scalar() == 2
        assert proposed in peer_amounts(s, code, band)  # another case of the same violation sees it
        assert proposed not in peer_amounts(s, code, band, exclude_case_id=1)  # never its own peer
    assert main(["discretion", "recommend", "2", "--no-save"]) == 0
    with seeded.db.session() as s:
        assert s.execute(select(func.count()).select_from(CaseDiscretionRow)
                         .where(CaseDiscretionRow.case_id == 2)).scalar() == 0
