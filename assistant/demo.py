"""Demo data (clearly marked 演示) so the app has something to show on a fresh machine:
one agency, one user per role, the demo discretion benchmark, demo precedents, a few cases at
different stages and a few decided, served cases (:mod:`assistant.demo_decided`). Idempotent: nothing is added twice.
"""
from __future__ import annotations

import logging
import os
from datetime import date, timedelta
from typing import Callable

from sqlalchemy import select

from assistant import auth, cases
from assistant.parties import PartyInput, credit_code_check_char
from assistant.roles import ADMIN, HANDLER, HEAD, RECORDS_KEEPER, REVIEWER, TRAINER
from assistant.settings import Settings
from assistant.store.case_tables import Agency, Case

log = logging.getLogger(__name__)

DEMO_AGENCY = "示范市市场监督管理局（演示）"
DEMO_CODE = "示市监"
# password for every demo account; override with ZHIFA_DEMO_PASSWORD (never used outside demo data)
DEFAULT_DEMO_PASSWORD = "zhifa-demo-2026"
DEMO_USERS = (
    ("officer1", "王承办（演示）", [HANDLER], "ZF-440700-0001"),
    ("officer2", "李承办（演示）", [HANDLER], "ZF-440700-0002"),
    ("reviewer1", "陈审核（演示）", [REVIEWER], "ZF-440700-0101"),
    ("head1", "赵局长（演示）", [HEAD], "ZF-440700-0201"),
    ("trainer1", "周培训（演示）", [TRAINER], None),
    ("records1", "吴档案（演示）", [RECORDS_KEEPER], None),
    ("admin", "系统管理员（演示）", [ADMIN], None),
)


def demo_password() -> str:
    return os.environ.get("ZHIFA_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)


def credit_code(body17: str) -> str:
    """Append the GB 32100 check character to 17 characters."""
    return body17 + credit_code_check_char(body17)


DEMO_CASES = (
    {"cause": "销售超过保质期的食品", "party": ("法人", "示范市平安便利店有限公司", credit_code("91440703MA4W00001")),
     "facts": "当事人在其经营场所货架上销售超过保质期的袋装饼干15袋，货值金额180元，违法所得60元。",
     "violated": "《中华人民共和国食品安全法》第三十四条第（十）项", "penalty": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
     "quantities": {"货值金额": 180, "违法所得": 60}, "benchmark_ref": "SJ-001", "days_ago": 20},
    {"cause": "未按规定明码标价", "party": ("法人", "示范市鲜果汇商贸有限公司", credit_code("91440703MA4W00002")),
     "facts": "当事人经营水果时，12种商品未标示价格。",
     "violated": "《中华人民共和国价格法》第十三条第一款", "penalty": "《中华人民共和国价格法》第四十二条",
     "quantities": {}, "benchmark_ref": "JG-001", "days_ago": 8},
)


def seed_demo(settings: Settings, say: Callable[[str], None] = print, *, today: date | None = None) -> None:
    """``today`` anchors every demo date (default: the real today)."""
    from assistant.precedents import _article_ids, seed_demo_precedents
    from assistant.store.db import Database
    from corpus.statutes import StatuteStore

    db = Database(settings.database_url)
    db.migrate()
    store = StatuteStore(settings.statute_db) if settings.statute_db.exists() else None
    today = today or date.today()
    with db.session() as s:
        agency = s.execute(select(Agency).where(Agency.name == DEMO_AGENCY)).scalar_one_or_none()
        if agency is None:
            # 唐山[000]、晋江[004]: every ordinary-procedure decision goes through 法制审核
            agency = cases.create_agency(s, name=DEMO_AGENCY, code=DEMO_CODE, region="示范市",
                                         settings={"review_rules": [{"id": "all_ordinary", "enabled": True}]})
            expiry = date.today() + timedelta(days=3 * 365)
            for username, name, roles, cred in DEMO_USERS:
                auth.create_user(s, username, demo_password(), name, roles, agency.id,
                                 credential_no=cred, credential_expiry=expiry if cred else None,
                                 legal_qualification=REVIEWER in roles)
            say(f"演示机关与账号已建立：{'、'.join(u[0] for u in DEMO_USERS)}（演示密码见 README）")
        added = seed_demo_precedents(s, store)
        if added:
            say(f"演示相似案例 {added} 件")
        existing = s.execute(select(Case.id).where(Case.agency_id == agency.id)).first()
        if existing is None:
            for spec in DEMO_CASES:
                kind, name, code = spec["party"]
                case = cases.create_case(
                    s, agency_id=agency.id, cause=f"{spec['cause']}（演示）", actor="officer1",
                    handlers=["officer1", "officer2"], source="日常检查",
                    filed_on=today - timedelta(days=spec["days_ago"]),
                    violation_date=today - timedelta(days=spec["days_ago"] + 3),
                    party=PartyInput(kind=kind, name=name, credit_code=code, address="示范市示范区示范路1号"),
                    salt=settings.salt(), today=today)
                as_of = case.violation_date
                cases.add_violation(s, case.id, actor="officer1", description=spec["facts"],
                                    violated_provision=spec["violated"], penalty_provision=spec["penalty"],
                                    violated_article_ids=_article_ids(store, [spec["violated"]], as_of),
                                    penalty_article_ids=_article_ids(store, [spec["penalty"]], as_of),
                                    benchmark_ref=spec["benchmark_ref"], quantities=spec["quantities"])
                cases.add_evidence(s, case.id, actor="officer1", type="现场笔录", title="现场检查笔录")
                cases.add_evidence(s, case.id, actor="officer1", type="书证", title="销售记录")
            say(f"演示案件 {len(DEMO_CASES)} 件")
        from assistant.demo_decided import seed_decided

        seed_decided(s, agency.id, settings=settings, store=store, today=today, say=say)
    _seed_benchmark(db, store, say)


def _seed_benchmark(db, store, say: Callable[[str], None]) -> None:
    """The demo benchmark is one import batch: re-seeding replaces it, never duplicates it."""
    from assistant.discretion.repository import save_report
    from corpus.benchmarks import load_demo_benchmarks

    report = load_demo_benchmarks(store)
    with db.session() as s:
        save_report(s, report)
    say(f"演示裁量基准 {len(report.benchmarks)} 项")
