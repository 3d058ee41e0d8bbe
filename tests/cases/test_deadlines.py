"""Deadline engine: 第八十五条 working days across national holidays, make-up workdays, calendar days
(九十日), and the clocks of a case."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from assistant.deadlines import (WORKING_DAY, HolidayCalendar, add_calendar_days, add_working_days,
                                 case_clocks, counting_unit, statutory_due)


def test_seven_working_days_from_28_september_2026_skip_national_day_and_count_the_makeup_saturday():
    # 9/29, 9/30, [10/1–10/7 国庆], 10/8, 10/9, 10/10 (Saturday, 调休上班), 10/12, 10/13
    assert add_working_days(date(2026, 9, 28), 7).day == date(2026, 10, 13)


def test_three_working_days_across_spring_festival_2026():
    # 2/13 Fri; 2/14 Sat is a make-up workday; 2/15–2/23 春节; 2/24, 2/25
    assert add_working_days(date(2026, 2, 13), 3).day == date(2026, 2, 25)


def test_section_85_decides_working_days_for_two_three_five_seven_days_only():
    assert counting_unit("行政处罚法", 7, "日")[0] == WORKING_DAY
    assert counting_unit("行政处罚法", 5, "日")[1] == "《中华人民共和国行政处罚法》第八十五条"
    assert counting_unit("行政处罚法", 90, "日")[0] == "日"
    assert counting_unit("行政处罚法", 15, "日")[0] == "日"
    assert counting_unit("行政强制法", 10, "日")[0] == WORKING_DAY  # 强制法 第六十九条


def test_ninety_calendar_days_ending_in_a_holiday_run_to_the_next_working_day():
    # 2026-07-04 + 90 days = 2026-10-02 (国庆) → 2026-10-08 (民法典 第二百零三条)
    assert add_calendar_days(date(2026, 7, 4), 90).day == date(2026, 10, 8)
    assert statutory_due(date(2026, 3, 2), 90, "日", "行政处罚法").day == date(2026, 6, 1)
    assert add_calendar_days(date(2026, 3, 2), 90).day == date(2026, 6, 1)  # 5/31 is a Sunday


def test_a_year_without_an_official_arrangement_warns_instead_of_guessing_silently():
    due = add_working_days(date(2026, 12, 28), 7)
    assert due.warnings and "2027年" in due.warnings[0]
    assert add_working_days(date(2026, 9, 28), 7).warnings == ()
    unknown = HolidayCalendar(extra={"years": {}})
    assert "未收录" in unknown.coverage_note(2031)
    # the provisional 2027 data still knows New Year's Day and the Spring Festival
    cal = HolidayCalendar()
    assert not cal.is_workday(date(2027, 1, 1)) and not cal.is_workday(date(2027, 2, 8))


def _case(**kw):
    base = dict(procedure="普通", state="调查取证", filed_on=date(2026, 9, 1), violation_date=date(2026, 8, 20),
                preserved_on=None, notice_served_on=None, hearing_requested_on=None, hearing_date=None,
                decided_on=None, served_on=None, closed_on=None, hearing_required=False, hearing_held=False,
                statement_waived=False, decision=None, extension_days=0)
    base.update(kw)
    return SimpleNamespace(**base)


def test_the_ninety_day_decision_clock_runs_from_filing_and_turns_overdue():
    clocks = {c.key: c for c in case_clocks(_case(), date(2026, 12, 1))}
    decision = clocks["decision"]
    assert decision.due == date(2026, 11, 30) and decision.overdue and decision.remaining_days == -1
    assert decision.basis == "《中华人民共和国行政处罚法》第六十条"
    assert clocks["limitation"].done  # filed within two years (第三十六条)


def test_clocks_follow_the_case_notice_hearing_service_and_payment():
    case = _case(state="决定", notice_served_on=date(2026, 9, 28), hearing_required=True, decided_on=date(2026, 10, 20),
                 served_on=date(2026, 10, 21), decision={"types": ["罚款"], "fine": 5000})
    clocks = {c.key: c for c in case_clocks(case, date(2026, 10, 22), agency_settings={"statement_period_days": 3})}
    assert clocks["hearing_request"].due == date(2026, 10, 10)  # 5 working days incl. the make-up Saturday
    assert clocks["statement"].due == date(2026, 10, 8) and clocks["statement"].done
    assert clocks["decision"].done
    assert clocks["payment"].due == date(2026, 11, 5) and clocks["payment"].basis.endswith("第六十七条")
    assert clocks["reconsideration"].due == date(2026, 12, 21)  # 12/20 is a Sunday
    assert clocks["lawsuit"].due == date(2027, 4, 21)
    assert clocks["court_enforcement"].due == date(2027, 7, 21)


def test_simple_procedure_has_no_ninety_day_clock():
    keys = {c.key for c in case_clocks(_case(procedure="简易", filed_on=None), date(2026, 10, 1))}
    assert "decision" not in keys


def test_three_working_days_across_spring_festival_2027_use_the_tentative_statutory_days_and_warn():
    # 2027 春节: 除夕 2/5 (Fri) to 初三 2/8 (Mon) are statutory holidays (国务院 arrangement not yet published)
    due = add_working_days(date(2027, 2, 4), 3)
    assert due.day == date(2027, 2, 11)  # 2/9, 2/10, 2/11
    assert due.warnings and "暂定" in due.warnings[0]


def test_five_working_days_from_the_eve_of_national_day_2026():
    # 9/30 → [10/1–10/7 国庆], 10/8, 10/9, 10/10 (调休上班), 10/12, 10/13
    assert add_working_days(date(2026, 9, 30), 5).day == date(2026, 10, 13)
