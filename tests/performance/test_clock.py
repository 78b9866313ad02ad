"""The service-hours clock: hand-computed intervals across weekends, bank holidays and both clock changes."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pegasus.core.calendar import LONDON_ZONE
from pegasus.performance import clock, duckdb_sql

HOUR = clock.MICROS_PER_HOUR
OFFICE = clock.ServiceHours(days=frozenset(range(5)), start=8 * 3600, end=18 * 3600)
ALWAYS = clock.ServiceHours(days=frozenset(range(7)), start=0, end=86400, exclude_bank_holidays=False)


def local(text: str) -> int:
    return clock.local_to_micros(datetime.fromisoformat(text))


def sql_over(expression: str, values: list[int]) -> list[int]:
    """`expression` of column `v` evaluated by DuckDB over `values`, in order."""
    rows = (
        duckdb_sql.connect()
        .execute(
            f"SELECT {expression} FROM (SELECT unnest($1::BIGINT[]) AS v, generate_subscripts($1::BIGINT[], 1) AS n) "
            "ORDER BY n",
            [values],
        )
        .fetchall()
    )
    return [row[0] for row in rows]


def sql_instants(naive: list[datetime]) -> list[int]:
    """Epoch micros of London wall-clock times, as the ticket loader's SQL computes them."""
    walls = [clock.to_micros(n.replace(tzinfo=UTC)) for n in naive]
    return sql_over(duckdb_sql.london_instant_sql("v"), walls)


def sql_walls(instants: list[int]) -> list[int]:
    return sql_over(duckdb_sql.london_wall_sql("v"), instants)


def both_clocks(hours: clock.ServiceHours, start: str, end: str) -> tuple[int, int]:
    """The reference and the table-driven service time of a local interval, in micros."""
    a, b = local(start), local(end)
    table = clock.ClockTable.build(hours, clock.day_of(a) - 1, clock.day_of(b) + 1)
    return clock.service_micros_reference(hours, a, b), table.between(a, b)


class TestLocalTimes:
    def test_a_time_repeated_when_clocks_go_back_is_the_first_one(self):
        """01:30 on 27 October 2019 happens twice; without an offset it is the BST one, 00:30 UTC."""
        assert clock.local_to_micros(datetime(2019, 10, 27, 1, 30)) == clock.to_micros(
            datetime(2019, 10, 27, 0, 30, tzinfo=UTC)
        )

    def test_a_time_skipped_when_clocks_go_forward_is_the_moment_they_changed(self):
        """01:30 on 31 March 2019 never happens; it is read as 01:00 UTC (02:00 BST), when the clocks went forward."""
        assert clock.local_to_micros(datetime(2019, 3, 31, 1, 30)) == clock.to_micros(
            datetime(2019, 3, 31, 1, 0, tzinfo=UTC)
        )
        assert clock.local_iso(datetime(2019, 3, 31, 1, 30)) == "2019-03-31T02:00:00+01:00"

    @pytest.mark.parametrize("day", ["2019-03-31", "2019-10-27"])
    def test_local_times_in_order_are_instants_in_order(self, day):
        """Minute by minute through each change day, instants never go backwards."""
        start = datetime.fromisoformat(f"{day}T00:00")
        instants = [clock.local_to_micros(start + timedelta(minutes=m)) for m in range(0, 4 * 60)]
        assert instants == sorted(instants)

    def test_the_changes_of_2019_are_where_the_time_zone_database_puts_them(self):
        changes = [c for c in clock.changes() if c[0] // clock.MICROS_PER_DAY in range(17897, 18262)]
        assert [clock.from_micros(c[0]) for c in changes] == [
            datetime(2019, 3, 31, 1, 0, tzinfo=UTC),
            datetime(2019, 10, 27, 1, 0, tzinfo=UTC),
        ]


class TestServiceHours:
    @pytest.mark.parametrize(
        ("start", "end", "hours"),
        [
            ("2019-06-03T09:00", "2019-06-03T11:30", 2.5),  # inside one window
            ("2019-06-03T06:00", "2019-06-03T06:30", 0),  # before the window
            ("2019-06-03T19:00", "2019-06-04T07:00", 0),  # overnight, outside both windows
            ("2019-06-03T07:00", "2019-06-03T19:00", 10),  # starts and ends outside the window
            ("2019-06-07T17:00", "2019-06-10T09:00", 2),  # over a weekend
            ("2019-06-08T10:00", "2019-06-09T16:00", 0),  # on a weekend
            ("2019-05-24T17:00", "2019-05-28T09:00", 2),  # weekend and the spring bank holiday (27 May)
            ("2019-12-24T17:00", "2019-12-27T09:00", 2),  # Christmas Day and Boxing Day
            ("2019-03-29T17:00", "2019-04-01T09:00", 2),  # over the spring clock change
            ("2019-10-25T17:00", "2019-10-28T09:00", 2),  # over the autumn clock change
            ("2019-06-03T08:00", "2019-06-17T08:00", 100),  # two weeks: ten working days
            ("2019-12-20T12:00", "2020-01-02T12:00", 6 + 10 * 5 + 4),  # Christmas, Boxing Day, New Year's Day off
        ],
    )
    def test_office_hours_between_local_times(self, start, end, hours):
        assert both_clocks(OFFICE, start, end) == (hours * HOUR, hours * HOUR)

    def test_the_spring_clock_change_day_has_23_hours(self):
        assert both_clocks(ALWAYS, "2019-03-31T00:00", "2019-04-01T00:00") == (23 * HOUR, 23 * HOUR)

    def test_the_autumn_clock_change_day_has_25_hours(self):
        assert both_clocks(ALWAYS, "2019-10-27T00:00", "2019-10-28T00:00") == (25 * HOUR, 25 * HOUR)

    def test_elapsed_time_over_the_spring_change_is_an_hour_short(self):
        """Friday 17:00 GMT to Monday 09:00 BST is 63 hours, not 64."""
        assert clock.elapsed_micros(local("2019-03-29T17:00"), local("2019-04-01T09:00")) == 63 * HOUR

    def test_windows_can_skip_bank_holidays_or_not(self):
        keep_holidays = clock.ServiceHours(
            days=frozenset(range(5)), start=8 * 3600, end=18 * 3600, exclude_bank_holidays=False
        )
        assert both_clocks(keep_holidays, "2019-05-27T00:00", "2019-05-28T00:00") == (10 * HOUR, 10 * HOUR)

    def test_windows_in_another_time_zone(self):
        """08:00-18:00 in New York is 13:00-23:00 in London in June."""
        new_york = clock.ServiceHours(
            days=frozenset(range(5)), start=8 * 3600, end=18 * 3600, timezone="America/New_York"
        )
        assert both_clocks(new_york, "2019-06-03T12:00", "2019-06-03T14:00") == (HOUR, HOUR)

    def test_spec_from_the_sla_file(self):
        hours = clock.ServiceHours.from_spec(
            {"days": ["mon", "Tuesday"], "start": "08:30", "end": "24:00", "exclude_bank_holidays": "england-and-wales"}
        )
        assert (hours.days, hours.start, hours.end, hours.exclude_bank_holidays) == (
            frozenset({0, 1}),
            8 * 3600 + 1800,
            86400,
            True,
        )

    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            ({"days": ["funday"], "start": "08:00", "end": "18:00"}, "not a day of the week"),
            ({"days": ["mon"], "start": "8am", "end": "18:00"}, "not a time of day"),
            ({"days": ["mon"], "start": "18:00", "end": "08:00"}, "must start before they end"),
            ({"days": ["mon"], "start": "08:00", "end": "18:00", "timezone": "Mars/Olympus"}, "not a time zone"),
            ({"days": ["mon"], "start": "08:00", "end": "18:00", "exclude_bank_holidays": "scotland"}, "scotland"),
        ],
    )
    def test_bad_specs_say_what_is_wrong(self, spec, message):
        with pytest.raises(clock.ClockError, match=message):
            clock.ServiceHours.from_spec(spec)


# Instants from late 2018 to early 2020, so that both clock changes and the bank holidays of 2019 are crossed.
instants = st.integers(
    min_value=clock.to_micros(datetime(2018, 12, 20, tzinfo=UTC)),
    max_value=clock.to_micros(datetime(2020, 1, 10, tzinfo=UTC)),
).map(lambda m: m - m % (60 * clock.MICROS_PER_SECOND))
hour_specs = st.builds(
    lambda days, start, length, holidays: clock.ServiceHours(
        days=frozenset(days),
        start=start * 1800,
        end=min(86400, start * 1800 + length * 1800),
        exclude_bank_holidays=holidays,
    ),
    st.sets(st.integers(0, 6), min_size=1),
    st.integers(0, 46),
    st.integers(1, 48),
    st.booleans(),
)
TABLE_FIRST = clock.day_of(clock.to_micros(datetime(2018, 12, 18, tzinfo=UTC)))
TABLE_LAST = clock.day_of(clock.to_micros(datetime(2020, 1, 12, tzinfo=UTC)))


class TestClockProperties:
    @settings(max_examples=60, deadline=None)
    @given(hours=hour_specs, points=st.lists(instants, min_size=3, max_size=3))
    def test_additive_bounded_and_equal_to_the_reference(self, hours, points):
        """clock(a, c) = clock(a, b) + clock(b, c); never more than the elapsed time; table = walking the days."""
        a, b, c = sorted(points)
        table = clock.ClockTable.build(hours, TABLE_FIRST, TABLE_LAST)
        assert table.between(a, c) == table.between(a, b) + table.between(b, c)
        assert 0 <= table.between(a, c) <= c - a
        assert table.between(a, c) == clock.service_micros_reference(hours, a, c)

    @settings(max_examples=60, deadline=None)
    @given(moment=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)))
    def test_sql_reads_wall_clock_time_like_zoneinfo(self, moment):
        """The engine's SQL reads local times as the clock module does and shows instants as zoneinfo does."""
        naive = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        instant = clock.local_to_micros(naive)
        assert sql_instants([naive]) == [instant]
        assert sql_walls([instant]) == [clock.to_micros(clock.local_of(instant).replace(tzinfo=UTC))]

    def test_the_changes_are_those_of_the_time_zone_database(self):
        """257 changes 1970-2099, each where zoneinfo's offsets differ a second apart, and none elsewhere."""
        changes = clock.changes()
        assert len(changes) == 257
        for instant, before, after in changes:
            assert clock.from_micros(instant - 1).astimezone(LONDON_ZONE).utcoffset() == timedelta(microseconds=before)
            assert clock.from_micros(instant).astimezone(LONDON_ZONE).utcoffset() == timedelta(microseconds=after)
        # Between consecutive changes the offset holds (checked at their midpoint).
        for (first, _b, after), (second, before, _a) in zip(changes, changes[1:], strict=False):
            assert after == before
            middle = clock.from_micros((first + second) // 2).astimezone(LONDON_ZONE).utcoffset()
            assert middle == timedelta(microseconds=after)

    def test_sql_agrees_with_zoneinfo_through_every_change_day(self):
        """Every five minutes from 00:00 to 04:00 local on every change day 1970-2099 (and each minute's last
        second), the SQL instant is `local_to_micros`'s: the first of a repeated time, the change for a skipped one."""
        days = {clock.from_micros(instant).date() for instant, _before, _after in clock.changes()}
        naive = [
            datetime.combine(day, datetime.min.time()) + timedelta(minutes=m, seconds=s)
            for day in sorted(days)
            for m in range(0, 240, 5)
            for s in (0, 59)
        ]
        assert sql_instants(naive) == [clock.local_to_micros(n) for n in naive]

    def test_a_long_table_is_built_quickly_enough_to_cover_years(self):
        """Ten years of office hours give one row per UTC day."""
        first = clock.day_of(local("2015-01-01T00:00"))
        table = clock.ClockTable.build(OFFICE, first, first + 3652)
        assert len(table.cum0) == 3653
        assert table.between(local("2015-01-05T00:00"), local("2015-01-05T00:00") + 7 * 24 * HOUR) == 50 * HOUR


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (["mon", "tue", "wed", "thu", "fri"], "Monday to Friday"),
        (["sat", "sun", "mon", "tue", "wed", "thu", "fri"], "Every day"),
        (["mon", "wed", "fri"], "Monday, Wednesday and Friday"),
        (["sat", "sun"], "Saturday and Sunday"),
        (["mon"], "Monday"),
    ],
)
def test_service_days_read_as_a_person_writes_them(days, text):
    assert clock.service_days_text(days) == text
