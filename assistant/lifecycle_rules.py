"""Rule tables of the case lifecycle: 第六十三条 hearing thresholds, 第五十八条 法制审核 rules (with the
local 目录清单 overrides per agency) and the configured 陈述申辩 window.

Data lives in ``assistant/data/hearing_thresholds.json`` and ``review_rules.json``; agencies override
it in their settings. Re-exported by :mod:`assistant.lifecycle`.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from assistant.deadlines import WORKING_DAY, add_period
from assistant.parties import NATURAL_PERSON

if TYPE_CHECKING:
    from assistant.lifecycle import Penalty


def hearing_rules(agency_settings: dict | None, region: str = "") -> dict:
    from assistant.data import load

    table = load("hearing_thresholds.json")
    rules = dict(table["default"])
    for prefix, override in table.get("regions", {}).items():
        if region and region.startswith(prefix):
            rules.update(override)
    rules.update((agency_settings or {}).get("hearing_thresholds") or {})
    return rules


def hearing_triggers(penalty: Penalty, party_kinds: list[str], agency_settings: dict | None = None,
                     region: str = "") -> list[str]:
    """Reasons (with 项) why 第六十三条 requires telling the party of the right to a hearing."""
    rules = hearing_rules(agency_settings, region or (agency_settings or {}).get("region", ""))
    reasons = []
    for kind in party_kinds or [NATURAL_PERSON]:
        fine_min = (rules.get("fine_at_least") or {}).get(kind)
        if fine_min is not None and penalty.fine >= float(fine_min):
            reasons.append(f"较大数额罚款（{kind}{float(fine_min):g}元以上，第六十三条第一款第（一）项）")
        conf_min = (rules.get("confiscation_at_least") or {}).get(kind)
        if conf_min is not None and penalty.confiscation >= float(conf_min):
            reasons.append("没收较大数额违法所得或较大价值非法财物（第六十三条第一款第（二）项）")
    for ptype, item in (rules.get("penalty_types") or {}).items():
        if ptype in penalty.penalty_types:
            reasons.append(f"{ptype}（{item}）")
    return list(dict.fromkeys(reasons))


def review_rules(agency_settings: dict | None) -> list[dict]:
    from assistant.data import load

    rules = {r["id"]: dict(r) for r in load("review_rules.json")["rules"]}
    for override in (agency_settings or {}).get("review_rules") or []:
        rules.setdefault(override["id"], {"enabled": True}).update(override)
    return [r for r in rules.values() if r.get("enabled", True)]


def review_matches(case, penalty: Penalty | None, party_kinds: list[str], agency_settings: dict | None = None) -> list[dict]:
    """The review rules (第五十八条 + 目录清单) matched by the case and the proposed/decided penalty."""
    hits = []
    for rule in review_rules(agency_settings):
        when = rule.get("when", {})
        matched = False
        if "flag" in when:
            matched = bool(getattr(case, when["flag"], False))
        elif "procedure" in when:
            matched = getattr(case, "procedure", None) == when["procedure"]
        elif "penalty_types_any" in when and penalty is not None:
            matched = bool(penalty.penalty_types & set(when["penalty_types_any"]))
        elif "fine_at_least" in when and penalty is not None:
            matched = any(penalty.fine >= float(when["fine_at_least"].get(k, float("inf"))) for k in party_kinds or [NATURAL_PERSON])
        if matched:
            hits.append({"id": rule["id"], "text": rule.get("text", ""), "article": rule.get("article", "")})
    return hits


def statement_due(notice_served_on: date, agency_settings: dict | None) -> date:
    """End of the 陈述申辩 window: configured per agency (no national law sets it)."""
    settings = agency_settings or {}
    days = int(settings.get("statement_period_days", 5))
    unit = settings.get("statement_period_unit", WORKING_DAY)
    return add_period(notice_served_on, days, unit).day
