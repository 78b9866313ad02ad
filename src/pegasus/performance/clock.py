"""Clocks for service levels: elapsed (24x7) time and hours inside service windows.

Instants are integers: microseconds since 1970-01-01 UTC ("epoch micros"), so durations are exact and the same
arithmetic runs in Python, in DuckDB and in PostgreSQL.

Service windows are local times (for example 08:00-18:00 Europe/London) on listed days of the week, optionally
skipping England and Wales bank holidays. A window's instants come from its local start and end through the time
zone, so a window that spans a clock change is as long as the clocks say.

Local times without an offset: a time that happens twice when clocks go back (01:30 on the last Sunday of October
in London) is the first of the two (BST, Python's `fold=0`); a time that never happens when clocks go forward
(01:30 on the last Sunday of March) is moved forward to the moment the clocks changed (01:00 UTC, shown as 02:00
BST). So local times in order are instants in order, and a ticket is never "resolved before it opened" only
because it was opened in the missing hour.

Two implementations of the service-hours clock live here:

- `service_micros_reference`: walk the local days of an interval and add up its overlap with each window. Slow
  and obviously correct; the tests hold everything else to it.
- `ClockTable`: one row per UTC day holding the service time before that day started (`cum0`) and the day's
  window pieces clipped to it. The service time of an instant t is then
  `cum0[day(t)] + sum(clamp(t - a_j, 0, b_j - a_j))`, and a duration is the difference of two such values.
  This is what the SQL engine joins against, so millions of tickets need no Python loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pegasus.core.calendar import LONDON_ZONE_NAME, is_bank_holiday
from pegasus.core.exceptions import InputError

MICROS_PER_SECOND = 1_000_000
MICROS_PER_HOUR = 3600 * MICROS_PER_SECOND
MICROS_PER_DAY = 24 * MICROS_PER_HOUR
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DATE = date(1970, 1, 1)

# Instants Pegasus accepts: calendar tables are built for this span.
FIRST_YEAR = 1970
LAST_YEAR = 2099

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BANK_HOLIDAY_CALENDARS = ("england-and-wales",)


DAY_FULL_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def service_days_text(days: list[str]) -> str:
    """Service days as a person writes them: "Monday to Friday", "Monday, Wednesday and Friday", "Every day"."""
    order = sorted({DAY_NAMES.index(day) for day in days if day in DAY_NAMES})
    if len(order) == len(DAY_NAMES):
        return "Every day"
    if len(order) > 2 and order == list(range(order[0], order[-1] + 1)):
        return f"{DAY_FULL_NAMES[order[0]]} to {DAY_FULL_NAMES[order[-1]]}"
    names = [DAY_FULL_NAMES[i] for i in order]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class ClockError(InputError):
    """Service hours that cannot be used: an unknown time zone, day or time."""


def to_micros(moment: datetime) -> int:
    """Epoch micros of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("an instant needs a time zone")
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * MICROS_PER_SECOND + delta.microseconds


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def local_to_micros(naive: datetime, zone: str = LONDON_ZONE_NAME) -> int:
    """Epoch micros of a local wall-clock time: the first of a repeated time, the clock change for a missing one."""
    tz = _zone(zone)
    first = naive.replace(tzinfo=tz, fold=0)
    micros = to_micros(first)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive.replace(tzinfo=None):
        return micros
    # In a gap: fold=0 read it with the offset before the change, which lands after the change; find the change.
    low = to_micros(naive.replace(tzinfo=tz, fold=1))
    high = micros
    before = from_micros(low).astimezone(tz).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if from_micros(middle).astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


def local_iso(naive: datetime, zone: str = LONDON_ZONE_NAME) -> str:
    """ISO 8601 with the offset in force, for a local wall-clock time read as `local_to_micros` reads it."""
    return from_micros(local_to_micros(naive, zone)).astimezone(_zone(zone)).isoformat()


def local_of(micros: int, zone: str = LONDON_ZONE_NAME) -> datetime:
    """The wall-clock time (naive) in `zone` of an instant."""
    return from_micros(micros).astimezone(_zone(zone)).replace(tzinfo=None)


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ClockError(f"{name!r} is not a time zone") from None


def parse_clock_time(text: str) -> int:
    """Seconds after midnight of "HH:MM" (or "HH:MM:SS"); "24:00" is the end of the day."""
    parts = str(text).split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ClockError(f"{text!r} is not a time of day (HH:MM)")
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = int(parts[2]) if len(parts) == 3 else 0
    if (hours, minutes, seconds) == (24, 0, 0):
        return 86400
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ClockError(f"{text!r} is not a time of day (HH:MM)")
    return hours * 3600 + minutes * 60 + seconds


@dataclass(frozen=True)
class ServiceHours:
    """When the service clock runs: local `start`-`end` (seconds after midnight) on `days` (0 = Monday)."""

    days: frozenset[int]
    start: int
    end: int
    timezone: str = LONDON_ZONE_NAME
    exclude_bank_holidays: bool = True

    def __post_init__(self) -> None:
        if not self.days or not all(0 <= d <= 6 for d in self.days):
            raise ClockError("service hours need at least one day, mon to sun")
        if not 0 <= self.start < self.end <= 86400:
            raise ClockError("service hours must start before they end, within one day")
        _zone(self.timezone)

    @classmethod
    def from_spec(cls, spec: dict) -> ServiceHours:
        """From the SLA file's `{days: [mon, ...], start: "08:00", end: "18:00", timezone, exclude_bank_holidays}`."""
        if not isinstance(spec, dict):
            raise ClockError("service_hours must be a mapping of days, start, end, timezone")
        days = spec.get("days")
        if not isinstance(days, list) or not days:
            raise ClockError("service_hours.days must list days such as [mon, tue, wed, thu, fri]")
        numbers = set()
        for day in days:
            name = str(day).strip().lower()[:3]
            if name not in DAY_NAMES:
                raise ClockError(f"service_hours.days: {day!r} is not a day of the week")
            numbers.add(DAY_NAMES.index(name))
        for key in ("start", "end"):
            if key not in spec:
                raise ClockError(f"service_hours.{key} is required (HH:MM)")
        holidays = spec.get("exclude_bank_holidays", None)
        if holidays in (None, False, "", "none"):
            exclude = False
        elif holidays is True or str(holidays).lower() in BANK_HOLIDAY_CALENDARS:
            exclude = True
        else:
            raise ClockError(
                f"service_hours.exclude_bank_holidays: {holidays!r} is not one of {', '.join(BANK_HOLIDAY_CALENDARS)}"
            )
        try:
            start, end = parse_clock_time(spec["start"]), parse_clock_time(spec["end"])
        except ClockError as exc:
            raise ClockError(f"service_hours: {exc}") from None
        return cls(
            days=frozenset(numbers),
            start=start,
            end=end,
            timezone=str(spec.get("timezone") or LONDON_ZONE_NAME),
            exclude_bank_holidays=exclude,
        )

    def is_service_day(self, day: date) -> bool:
        return day.weekday() in self.days and not (self.exclude_bank_holidays and is_bank_holiday(day))

    def window(self, day: date) -> tuple[int, int] | None:
        """The window of a local day as epoch micros [start, end), or None when the clock does not run that day."""
        if not self.is_service_day(day):
            return None
        midnight = datetime.combine(day, time())
        start = local_to_micros(midnight + timedelta(seconds=self.start), self.timezone)
        end = local_to_micros(midnight + timedelta(seconds=self.end), self.timezone)
        return (start, end) if end > start else None

    def windows(self, first: date, last: date) -> Iterator[tuple[int, int]]:
        day = first
        while day <= last:
            window = self.window(day)
            if window:
                yield window
            day += timedelta(days=1)


def service_micros_reference(hours: ServiceHours, start: int, end: int) -> int:
    """The service time in [start, end) by walking every local day it touches: the slow, obvious definition."""
    if end <= start:
        return 0
    zone = hours.timezone
    first = local_of(start, zone).date() - timedelta(days=1)
    last = local_of(end, zone).date() + timedelta(days=1)
    return sum(max(0, min(end, b) - max(start, a)) for a, b in hours.windows(first, last))


def elapsed_micros(start: int, end: int) -> int:
    """The 24x7 clock."""
    return end - start


@dataclass(frozen=True)
class ClockTable:
    """Per UTC day from `first_day` (days since 1970-01-01): service time before the day, and the day's pieces."""

    first_day: int
    cum0: list[int]
    pieces: list[list[tuple[int, int]]]

    @classmethod
    def build(cls, hours: ServiceHours, first_day: int, last_day: int) -> ClockTable:
        """Cover UTC days first_day..last_day inclusive (as days since the epoch)."""
        day_start = first_day * MICROS_PER_DAY
        # Local days that may reach into the covered UTC days (zones are within a day and a bit of UTC).
        local_first = EPOCH_DATE + timedelta(days=first_day - 2)
        local_last = EPOCH_DATE + timedelta(days=last_day + 2)
        windows = sorted(hours.windows(local_first, local_last))
        # Service time before the first covered day, counted from the first window we built (days before it are
        # far enough back that they cancel out in every difference).
        cum0: list[int] = []
        pieces: list[list[tuple[int, int]]] = []
        total = sum(max(0, min(b, day_start) - a) for a, b in windows if a < day_start)
        index = 0
        for day in range(first_day, last_day + 1):
            lo, hi = day * MICROS_PER_DAY, (day + 1) * MICROS_PER_DAY
            cum0.append(total)
            day_pieces: list[tuple[int, int]] = []
            while index < len(windows) and windows[index][1] <= lo:
                index += 1
            probe = index
            while probe < len(windows) and windows[probe][0] < hi:
                a, b = max(windows[probe][0], lo), min(windows[probe][1], hi)
                if b > a:
                    if day_pieces and day_pieces[-1][1] == a:
                        day_pieces[-1] = (day_pieces[-1][0], b)
                    else:
                        day_pieces.append((a, b))
                probe += 1
            pieces.append(day_pieces)
            total += sum(b - a for a, b in day_pieces)
        return cls(first_day=first_day, cum0=cum0, pieces=pieces)

    def at(self, micros: int) -> int:
        """Service time from the table's origin up to an instant."""
        index = micros // MICROS_PER_DAY - self.first_day
        if not 0 <= index < len(self.cum0):
            raise ClockError("instant outside the clock table")
        return self.cum0[index] + sum(max(0, min(micros, b) - a) for a, b in self.pieces[index])

    def between(self, start: int, end: int) -> int:
        return max(0, self.at(end) - self.at(start))


@lru_cache(maxsize=8)
def changes(zone: str = LONDON_ZONE_NAME) -> tuple[tuple[int, int, int], ...]:
    """Every change of a zone's UTC offset from 1970 to 2099: (instant, offset before, offset after), in micros.

    Found by comparing offsets a week apart and halving the week where they differ (a zone does not change twice
    in a week; changes fall on whole seconds): a few thousand look-ups, so a command pays milliseconds for it.
    """
    tz = _zone(zone)

    def offset(micros: int) -> int:
        moment = from_micros(micros).astimezone(tz).utcoffset()
        assert moment is not None
        return (moment.days * 86400 + moment.seconds) * MICROS_PER_SECOND

    week = 7 * MICROS_PER_DAY
    start = (date(FIRST_YEAR, 1, 1) - EPOCH_DATE).days * MICROS_PER_DAY
    stop = (date(LAST_YEAR + 1, 1, 1) - EPOCH_DATE).days * MICROS_PER_DAY
    found: list[tuple[int, int, int]] = []
    current = offset(start)
    for low in range(start, stop, week):
        high = min(low + week, stop)
        after = offset(high)
        if after == current:
            continue
        lo, hi = low, high  # offset(lo) == current, offset(hi) == after
        while hi - lo > MICROS_PER_SECOND:
            middle = (lo + hi) // 2
            if offset(middle) == current:
                lo = middle
            else:
                hi = middle
        found.append((hi - hi % MICROS_PER_SECOND, current, after))
        current = after
    return tuple(found)


def day_of(micros: int) -> int:
    return micros // MICROS_PER_DAY


def first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def month_starts(first: date, last: date) -> Iterator[date]:
    """First days of the months from `first`'s month to `last`'s month inclusive."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = first_of_next_month(month)
