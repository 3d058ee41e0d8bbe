"""Demo cases that have been decided (演示): each goes through the real case service — 立案 → 调查取证 →
事先告知 → 陈述申辩 (放弃) → 法制审核 (reviewer1 同意) → 决定 (head1) → 送达 — so that 公示 (redaction
preview, publish, withdraw, overdue), statistics and teaching have real decisions to work on.

The parties are synthetic (示范市 addresses, checksum-valid but invented identifiers). Dates are relative
to the seeding day: two decisions within the 7-working-day publication window and one older decision
that shows as overdue until it is published. Seeding is idempotent (keyed on the 演示 cause).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import cases
from assistant.parties import PartyInput, credit_code_check_char
from assistant.store.case_tables import Case, CaseParty

# a natural person with every identifier the redaction set covers (invented; the ID checksum is valid)
DEMO_PERSON = {"name": "欧阳明辉", "id_number": "440703198503124511", "phone": "13912345678",
               "address": "示范市示范区幸福路88号2栋301房"}
DEMO_WITNESS = {"name": "司马晓燕", "phone": "13800001111"}  # 举报人
DEMO_LEGAL_REP = "诸葛建国"
FOOD_34 = "《中华人民共和国食品安全法》第三十四条第（十）项"
FOOD_124 = "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"
FOOD_71 = "《中华人民共和国食品安全法》第七十一条第一款"
FOOD_125 = "《中华人民共和国食品安全法》第一百二十五条第一款第（二）项"
PRICE_13 = "《中华人民共和国价格法》第十三条第一款"
PRICE_42 = "《中华人民共和国价格法》第四十二条"
NO_PENALTY_GROUND = "当事人初次违法，危害后果轻微并已当场改正（《中华人民共和国行政处罚法》第三十三条第一款）"


def _cc(body17: str) -> str:
    return body17 + credit_code_check_char(body17)


DEMO_DECIDED = (
    {"cause": "销售超过保质期的乳制品（演示）", "source": "投诉举报", "decided_days_ago": 40,
     "party": PartyInput("自然人", DEMO_PERSON["name"], id_number=DEMO_PERSON["id_number"],
                         address=DEMO_PERSON["address"], phone=DEMO_PERSON["phone"]),
     "facts": (f"当事人{DEMO_PERSON['name']}（身份证号{DEMO_PERSON['id_number']}，住{DEMO_PERSON['address']}，"
               f"电话{DEMO_PERSON['phone']}）在其经营的摊位销售超过保质期的纯牛奶12盒，货值金额240元，违法所得96元。"
               f"举报人{DEMO_WITNESS['name']}（电话{DEMO_WITNESS['phone']}）来电举报。"),
     "violated": FOOD_34, "penalty": FOOD_124, "quantities": {"货值金额": 240, "违法所得": 96},
     "benchmark_ref": "SJ-001", "fine": 50000, "confiscation": 96,
     "evidence": (("现场笔录", "现场检查笔录"), ("证人证言", "举报人的证言"), ("书证", "进货单据"))},
    {"cause": "销售标签不符合规定的预包装食品（演示）", "source": "日常检查", "decided_days_ago": 6,
     "party": PartyInput("法人", "示范市鑫味食品有限公司", credit_code=_cc("91440703MA4W00004"),
                         address="示范市示范区工业大道18号", legal_representative=DEMO_LEGAL_REP),
     "facts": "当事人在其经营场所销售的沙琪玛标签未标示“泡打粉”成分，共48袋，货值金额2497元。",
     "violated": FOOD_71, "penalty": FOOD_125, "quantities": {"货值金额": 2497},
     "benchmark_ref": None, "fine": 8000, "confiscation": 0,
     "evidence": (("现场笔录", "现场检查笔录"), ("物证", "涉案产品及照片"), ("书证", "销售凭证"))},
    {"cause": "未按规定明码标价（首次违法，演示）", "source": "日常检查", "decided_days_ago": 3, "no_penalty": True,
     "party": PartyInput("法人", "示范市晨光文具有限公司", credit_code=_cc("91440703MA4W00005"),
                         address="示范市示范区学府路3号", legal_representative="钱文静"),
     "facts": "当事人经营文具时，5种商品未标示价格，检查当日已全部补标。",
     "violated": PRICE_13, "penalty": PRICE_42, "quantities": {}, "benchmark_ref": "JG-001",
     "fine": 0, "warning": True,
     "evidence": (("现场笔录", "现场检查笔录"), ("视听资料", "整改后价签照片"))},
)


def seed_decided(s: Session, agency_id: int, *, settings, store, today: date,
                 say: Callable[[str], None]) -> int:
    """Create the decided demo cases that do not exist yet and enter each decision in the 公示 register
    (its 7-working-day deadline runs from the decision date); returns how many were added."""
    from assistant.precedents import _article_ids
    from assistant.publicity import PublicityPolicy, decision_record_from_case, register_decision

    policy = PublicityPolicy.from_settings(settings)
    added = 0
    for spec in DEMO_DECIDED:
        exists = s.execute(select(Case.id).where(Case.agency_id == agency_id, Case.cause == spec["cause"])).first()
        if exists is None:
            case_id = _decide(s, agency_id, spec, salt=settings.salt(), store=store, today=today,
                              article_ids=_article_ids)
            register_decision(s, decision_record_from_case(s, case_id), actor="officer1", policy=policy)
            added += 1
    if added:
        say(f"演示已决案件 {added} 件（已送达，待公示）")
    return added


def _decide(s: Session, agency_id: int, spec: dict, *, salt: str, store, today: date, article_ids) -> int:
    decided = today - timedelta(days=spec["decided_days_ago"])
    filed = decided - timedelta(days=30)
    notice_day = decided - timedelta(days=12)
    case = cases.create_case(s, agency_id=agency_id, cause=spec["cause"], actor="officer1",
                             handlers=["officer1", "officer2"], source=spec["source"], filed_on=filed,
                             violation_date=filed - timedelta(days=4), party=spec["party"], salt=salt, today=filed)
    if spec["party"].kind == "自然人":
        witness = cases.add_party(s, case.id, PartyInput("自然人", DEMO_WITNESS["name"], phone=DEMO_WITNESS["phone"]),
                                  actor="officer1", salt=salt)
        s.execute(select(CaseParty).where(CaseParty.case_id == case.id, CaseParty.party_id == witness.id)) \
            .scalar_one().role = "举报人"
    as_of = case.violation_date
    cases.add_violation(s, case.id, actor="officer1", description=spec["facts"], violated_provision=spec["violated"],
                        penalty_provision=spec["penalty"],
                        violated_article_ids=article_ids(store, [spec["violated"]], as_of),
                        penalty_article_ids=article_ids(store, [spec["penalty"]], as_of),
                        benchmark_ref=spec["benchmark_ref"], quantities=spec["quantities"])
    for kind, title in spec["evidence"]:
        cases.add_evidence(s, case.id, actor="officer2", type=kind, title=title)
    cases.advance(s, case.id, "调查取证", actor="officer1", today=filed)
    penalty = {"types": ["警告"]} if spec.get("warning") else \
        {"types": ["罚款"] + (["没收违法所得"] if spec.get("confiscation") else []), "fine": spec["fine"],
         **({"confiscation": spec["confiscation"]} if spec.get("confiscation") else {})}
    cases.advance(s, case.id, "事先告知", actor="officer1", today=notice_day, payload={
        "facts": spec["facts"], "reasons": f"当事人的行为违反了{spec['violated']}的规定",
        "basis": spec["penalty"], "penalty": penalty, "served_on": notice_day, "hearing_rights_stated": True})
    cases.record_waiver(s, case.id, actor="officer1", on=notice_day + timedelta(days=1),
                        content="当事人书面表示放弃陈述、申辩（演示）")
    if case.hearing_required:
        cases.record_statement(s, case.id, actor="officer1", kind="放弃听证", on=notice_day + timedelta(days=1),
                               content="当事人书面表示放弃听证（演示）")
    review_day = notice_day + timedelta(days=3)
    cases.advance(s, case.id, "法制审核", actor="officer1", today=review_day)
    cases.mark_review_passed(s, case.id, "reviewer1", opinion="同意。事实清楚，证据充分，程序合法，适用法律正确（演示）")
    if spec.get("no_penalty"):
        cases.advance(s, case.id, "不予处罚", actor="head1", today=decided, payload={"ground": NO_PENALTY_GROUND})
    else:
        cases.advance(s, case.id, "决定", actor="head1", today=decided)
    cases.advance(s, case.id, "送达", actor="officer1", today=decided,
                  payload={"served_on": decided, "method": "直接送达"})
    return case.id
