"""Deadline engine (domain-spec §1.6).

- 工作日 where the statute says so: 行政处罚法 第八十五条 (“二日”“三日”“五日”“七日”), 行政强制法
  第六十九条 (十日以内). Working days exclude weekends and statutory holidays and include the
  State Council's make-up workdays (调休上班日).
- Calendar days otherwise (九十日, 十五日 — an inference, configurable in ``data/clocks.json``):
  the start day is not counted and a period ending on a holiday runs to the next working day
  (民法典 第二百零一条、第二百零三条).

Holiday data: the ``chinese-calendar`` package (official notices, 2004 to its last year) and
``assistant/data/holidays.json`` for later years. A year whose arrangement is only provisional
(statutory days without the 调休 arrangement) or wholly unknown is never silently treated as all
workdays: every result computed across such a year carries a warning.
"""
from __future__ import annotations

import calendar as _calendar
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from assistant.data import load

log = logging.getLogger(__name__)

WORKING_DAY = "工作日"
CALENDAR_DAY = "日"
MONTH = "月"
YEAR = "年"

OFFICIAL, PROVISIONAL, UNKNOWN = "official", "provisional", "unknown"


class HolidayCalendar:
    """Official Chinese holidays and make-up workdays, with per-year coverage."""

    def __init__(self, extra: dict | None = None) -> None:
        data = extra if extra is not None else load("holidays.json")
        self._years: dict[int, dict] = {}
        for year, spec in data.get("years", {}).items():
            self._years[int(year)] = {
                "status": spec.get("status", PROVISIONAL),
                "source": spec.get("source", ""),
                "holidays": {date.fromisoformat(d) for d in spec.get("holidays", [])},
                "workdays": {date.fromisoformat(d) for d in spec.get("workdays", [])},
            }
        try:
            import chinese_calendar
            from chinese_calendar import constants
        except ImportError:  # pragma: no cover - declared dependency
            self._cc = None
            self._cc_years: set[int] = set()
        else:
            self._cc = chinese_calendar
            self._cc_years = {d.year for d in constants.holidays}

    def coverage(self, year: int) -> str:
        if year in self._cc_years:
            return OFFICIAL
        if year in self._years:
            return self._years[year]["status"]
        return UNKNOWN

    def coverage_note(self, year: int) -> str:
        status = self.coverage(year)
        if status == OFFICIAL:
            return ""
        if status == PROVISIONAL:
            return (f"{year}年节假日安排为暂定数据（{self._years[year]['source']}），"
                    "期限可能因调休安排而不同，请以国务院办公厅通知为准，并请系统管理员更新节假日数据")
        return (f"{year}年节假日安排未收录，仅按周末计算工作日，期限可能不准确；"
                "请系统管理员补充该年国务院办公厅放假安排（节假日数据）")

    def is_holiday(self, day: date) -> bool:
        return not self.is_workday(day)

    def is_workday(self, day: date) -> bool:
        status = self.coverage(day.year)
        if status == OFFICIAL:
            return bool(self._cc.is_workday(day))
        spec = self._years.get(day.year)
        if spec:
            if day in spec["workdays"]:
                return True
            if day in spec["holidays"]:
                return False
        return day.weekday() < 5


@lru_cache(maxsize=1)
def default_calendar() -> HolidayCalendar:
    return HolidayCalendar()


@dataclass(frozen=True)
class Due:
    """A computed deadline with the warnings collected while computing it."""

    day: date
    unit: str
    warnings: tuple[str, ...] = ()


class _Warn:
    def __init__(self, cal: HolidayCalendar) -> None:
        self.cal, self.notes = cal, []

    def touch(self, day: date) -> None:
        note = self.cal.coverage_note(day.year)
        if note and note not in self.notes:
            _warn_once(note)
            self.notes.append(note)


_WARNED: set[str] = set()


def _warn_once(note: str) -> None:
    """Provisional / missing holiday data is logged once per process (each Due still carries it)."""
    if note in _WARNED:
        log.debug(note)
        return
    _WARNED.add(note)
    log.warning(note)


def add_working_days(start: date, n: int, cal: HolidayCalendar | None = None) -> Due:
    """The n-th working day after ``start`` (start day not counted); n < 0 counts backwards."""
    cal = cal or default_calendar()
    warn = _Warn(cal)
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    while left:
        day += timedelta(days=step)
        warn.touch(day)
        if cal.is_workday(day):
            left -= 1
    return Due(day, WORKING_DAY, tuple(warn.notes))


def _roll_forward(day: date, cal: HolidayCalendar, warn: _Warn) -> date:
    warn.touch(day)
    while not cal.is_workday(day):
        day += timedelta(days=1)
        warn.touch(day)
    return day


def add_calendar_days(start: date, n: int, cal: HolidayCalendar | None = None, *,
                      roll_forward: bool = True) -> Due:
    cal = cal or default_calendar()
    warn = _Warn(cal)
    day = start + timedelta(days=n)
    if roll_forward and n > 0:
        day = _roll_forward(day, cal, warn)
    return Due(day, CALENDAR_DAY, tuple(warn.notes))


def add_months(start: date, months: int) -> date:
    """Same day-of-month ``months`` later (clamped to the month end)."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def add_period(start: date, length: int, unit: str, cal: HolidayCalendar | None = None, *,
               roll_forward: bool = True) -> Due:
    cal = cal or default_calendar()
    if unit == WORKING_DAY:
        return add_working_days(start, length, cal)
    if unit == CALENDAR_DAY:
        return add_calendar_days(start, length, cal, roll_forward=roll_forward)
    if unit in (MONTH, YEAR):
        warn = _Warn(cal)
        day = add_months(start, length * (12 if unit == YEAR else 1))
        if roll_forward:
            day = _roll_forward(day, cal, warn)
        return Due(day, unit, tuple(warn.notes))
    raise ValueError(f"未知的期限单位：{unit}")


def counting_unit(law: str | None, length: int, unit: str, rules: list[dict] | None = None) -> tuple[str, str]:
    """Decide whether a statutory “N日” counts working days; returns (unit, basis article)."""
    if unit != CALENDAR_DAY or not law:
        return unit, ""
    for rule in rules if rules is not None else load("clocks.json")["working_day_rules"]:
        if rule["law"] != law:
            continue
        if length in rule.get("lengths_days", ()) or length <= rule.get("max_days", -1):
            return WORKING_DAY, rule["article"]
    return CALENDAR_DAY, load("clocks.json")["calendar_rule"]["article"]


def statutory_due(start: date, length: int, unit: str, law: str | None = None,
                  cal: HolidayCalendar | None = None) -> Due:
    """A statutory period “N日/月/年” of ``law`` counted from ``start`` with the counting rules."""
    real_unit, _ = counting_unit(law, length, unit)
    roll = load("clocks.json")["calendar_rule"]["roll_forward_holiday"]
    return add_period(start, length, real_unit, cal, roll_forward=roll)


# -- case clocks -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Clock:
    key: str
    name: str
    start: date
    due: date
    unit: str
    length: int
    remaining_days: int          # calendar days from today to due (negative when overdue)
    overdue: bool
    done: bool                   # the act the clock waits for has happened
    basis: str                   # source article(s)
    counting_basis: str = ""     # why working / calendar days
    warnings: tuple[str, ...] = field(default=())

    @property
    def status(self) -> str:
        if self.done:
            return "已完成"
        return "已超期" if self.overdue else "进行中"


def case_clocks(case, today: date, *, agency_settings: dict | None = None,
                cal: HolidayCalendar | None = None, spec: dict | None = None) -> list[Clock]:
    """The running clocks of a case (:class:`assistant.store.case_tables.Case` or any object with
    the same date attributes). A clock appears once its start event has happened."""
    cal = cal or default_calendar()
    spec = spec or load("clocks.json")
    settings = agency_settings or {}
    roll = spec["calendar_rule"]["roll_forward_holiday"]
    events = _case_events(case)
    fine = float(((getattr(case, "decision", None) or {}).get("fine") or 0))
    computed: dict[str, Clock] = {}
    for c in spec["clocks"]:
        if c.get("procedure") and getattr(case, "procedure", None) != c["procedure"]:
            continue
        if c.get("when_flag") and not getattr(case, c["when_flag"], False):
            continue
        if c.get("when_fine") and fine <= 0:
            continue
        start_ref = c["start"]
        if start_ref.startswith("clock:"):
            ref = computed.get(start_ref.split(":", 1)[1])
            start = ref.due if ref else None
        else:
            start = events.get(start_ref)
        if start is None:
            continue
        length, unit = c["length"], c["unit"]
        if isinstance(length, str) and length.startswith("agency:"):
            length = int(settings.get(length.split(":", 1)[1], _AGENCY_DEFAULTS[length.split(":", 1)[1]]))
        if isinstance(unit, str) and unit.startswith("agency:"):
            unit = settings.get(unit.split(":", 1)[1], _AGENCY_DEFAULTS[unit.split(":", 1)[1]])
        real_unit, counting_basis = counting_unit(c.get("law"), length, unit, spec["working_day_rules"])
        if c.get("extension") and getattr(case, "extension_days", 0):
            length = length + int(case.extension_days)
        if c.get("direction") == "before":
            due = add_working_days(start, -length, cal) if real_unit == WORKING_DAY else \
                Due(start - timedelta(days=length), real_unit)
        else:
            due = add_period(start, length, real_unit, cal, roll_forward=roll)
        stop = c.get("stop")
        done = bool(stop and events.get(stop))
        remaining = (due.day - today).days
        clock = Clock(key=c["key"], name=c["name"], start=start, due=due.day, unit=real_unit, length=length,
                      remaining_days=remaining, overdue=(not done and remaining < 0), done=done,
                      basis=c["article"], counting_basis=counting_basis, warnings=due.warnings)
        computed[c["key"]] = clock
    return list(computed.values())


_AGENCY_DEFAULTS = {"statement_period_days": 5, "statement_period_unit": WORKING_DAY}


def _case_events(case) -> dict[str, object]:
    names = ("filed_on", "violation_date", "preserved_on", "notice_served_on", "hearing_requested_on",
             "hearing_date", "decided_on", "served_on", "closed_on")
    events: dict[str, object] = {n: getattr(case, n, None) for n in names}
    events["hearing_held_flag"] = getattr(case, "hearing_held", False) or None
    state = getattr(case, "state", "")
    events["statement_closed"] = True if (getattr(case, "statement_waived", False) or state not in (
        "事先告知", "陈述申辩")) and getattr(case, "notice_served_on", None) else None
    return events
