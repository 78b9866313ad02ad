"""Dates: calendar months, and working days in England and Wales (Europe/London).

Bank holidays come from the `holidays` package (GB, subdivision ENG, which England and Wales share). A working
day is Monday to Friday and not a bank holiday.
"""

from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

LONDON_ZONE_NAME = "Europe/London"  # the IANA name, as SLA files and the clock take a zone
LONDON_ZONE = ZoneInfo(LONDON_ZONE_NAME)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start` (before it when negative); `start` itself not counted."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months on, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    return day + relativedelta(months=months)


def term_end(start: date, months: int) -> date:
    """The last day of a term of `months` months beginning on `start`: 1 Apr 2016 + 36 months ends 31 Mar 2019.

    The corresponding-date rule: the term ends the day before the same day of the month `months` later, or on the
    last day of that month when it has no such day (a month from 31 January ends on 28 or 29 February).
    """
    corresponding = start + relativedelta(months=months)
    if corresponding.day != start.day:  # clamped: the later month is too short
        return corresponding
    return corresponding - timedelta(days=1)


def first_of_month(day: date) -> date:
    return day.replace(day=1)
