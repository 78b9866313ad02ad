"""Programme rules: a milestone's RAG at every boundary of the tolerance, an exit plan's readiness, and the red flag
when a contract cannot last until its replacement starts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegasus.programme.rules import (
    DEFAULT_TOLERANCE_DAYS,
    ExitCover,
    Rag,
    actual_as_at,
    exit_outlook,
    milestone_rag,
    readiness,
    slip_days,
)

AS_AT = date(2019, 5, 23)
BASELINE = date(2019, 9, 2)  # after the as-at day: only the slip decides


def rag(slip: int, tolerance: int = DEFAULT_TOLERANCE_DAYS, *, baseline: date = BASELINE, actual=None) -> Rag:
    return milestone_rag(
        baseline=baseline,
        forecast=baseline + timedelta(days=slip),
        actual=actual,
        as_at=AS_AT,
        tolerance_days=tolerance,
    )


class TestMilestoneRag:
    @pytest.mark.parametrize(
        ("slip", "expected"),
        [
            (-10, Rag.GREEN),
            (0, Rag.GREEN),
            (1, Rag.AMBER),
            (DEFAULT_TOLERANCE_DAYS - 1, Rag.AMBER),
            (DEFAULT_TOLERANCE_DAYS, Rag.AMBER),
            (DEFAULT_TOLERANCE_DAYS + 1, Rag.RED),
        ],
    )
    def test_the_slip_against_the_default_tolerance(self, slip, expected):
        """Green on or before the baseline, amber 1 to 30 days late, red from 31 days."""
        assert rag(slip) is expected

    @pytest.mark.parametrize("tolerance", [1, 7, 30, 90])
    def test_every_boundary_of_any_tolerance(self, tolerance):
        """0 green; 1, tolerance-1 and tolerance amber (where they are slips at all); tolerance+1 red."""
        assert rag(0, tolerance) is Rag.GREEN
        assert rag(1, tolerance) is Rag.AMBER
        if tolerance > 1:
            assert rag(tolerance - 1, tolerance) is Rag.AMBER
        assert rag(tolerance, tolerance) is Rag.AMBER
        assert rag(tolerance + 1, tolerance) is Rag.RED

    def test_no_tolerance_makes_any_slip_red(self):
        assert rag(0, 0) is Rag.GREEN
        assert rag(1, 0) is Rag.RED

    def test_on_the_baseline_day_it_can_still_be_met(self):
        """Baseline today with nothing done: judged on its forecast, not yet overdue."""
        assert rag(0, baseline=AS_AT) is Rag.GREEN
        assert rag(5, baseline=AS_AT) is Rag.AMBER

    def test_a_passed_baseline_without_an_actual_is_red_whatever_the_forecast(self):
        yesterday = AS_AT - timedelta(days=1)
        assert rag(0, baseline=yesterday) is Rag.RED
        assert rag(1, baseline=yesterday) is Rag.RED

    def test_an_actual_on_or_before_the_day_read_is_complete(self):
        assert rag(45, actual=AS_AT) is Rag.COMPLETE
        assert rag(0, baseline=date(2019, 1, 1), actual=date(2019, 2, 1)) is Rag.COMPLETE

    def test_an_actual_after_the_day_read_has_not_happened_yet(self):
        """Read as at 23 May, a milestone done on 10 June is still open."""
        assert rag(3, baseline=date(2019, 6, 7), actual=date(2019, 6, 10)) is Rag.AMBER
        assert actual_as_at(date(2019, 6, 10), AS_AT) is None
        assert actual_as_at(AS_AT, AS_AT) == AS_AT

    def test_a_negative_tolerance_is_refused(self):
        with pytest.raises(ValueError):
            rag(0, -1)

    def test_slip_is_measured_to_the_actual_once_done(self):
        assert slip_days(baseline=BASELINE, forecast=BASELINE + timedelta(days=9)) == 9
        assert slip_days(baseline=BASELINE, forecast=BASELINE, actual=BASELINE - timedelta(days=2)) == -2

    @given(slip=st.integers(-400, 400), tolerance=st.integers(0, 365))
    def test_rag_is_the_plain_reading_of_the_slip(self, slip, tolerance):
        """Against a plain reference: green, amber or red by the slip alone when the baseline lies ahead."""
        expected = Rag.GREEN if slip <= 0 else Rag.AMBER if slip <= tolerance else Rag.RED
        assert rag(slip, tolerance) is expected


class TestReadiness:
    @pytest.mark.parametrize(
        ("done", "total", "expected"),
        [
            (0, 8, Decimal("0.0")),
            (2, 9, Decimal("22.2")),
            (1, 3, Decimal("33.3")),
            (2, 3, Decimal("66.7")),
            (8, 8, Decimal("100.0")),
        ],
    )
    def test_is_the_share_of_tasks_done(self, done, total, expected):
        assert readiness(done=done, total=total) == expected

    def test_a_plan_without_tasks_has_no_readiness(self):
        assert readiness(done=0, total=0) is None

    def test_more_done_than_tasks_is_refused(self):
        with pytest.raises(ValueError):
            readiness(done=3, total=2)


class TestExitOutlook:
    STARTS = date(2020, 7, 20)

    def test_red_flag_when_even_every_option_left_ends_before_the_replacement(self):
        outlook = exit_outlook(
            current_end=date(2020, 3, 31), latest_end=date(2020, 6, 30), replacement_starts=self.STARTS
        )
        assert outlook.cover is ExitCover.GAP
        assert outlook.red_flag
        assert outlook.gap_days == 19  # 1 to 19 July 2020 without a contract

    def test_no_flag_when_the_options_left_reach_the_replacement(self):
        outlook = exit_outlook(
            current_end=date(2020, 3, 31), latest_end=date(2021, 3, 31), replacement_starts=self.STARTS
        )
        assert outlook.cover is ExitCover.NEEDS_OPTIONS
        assert not outlook.red_flag

    def test_covered_when_the_current_end_reaches_the_replacement(self):
        outlook = exit_outlook(
            current_end=date(2020, 10, 31), latest_end=date(2021, 10, 31), replacement_starts=self.STARTS
        )
        assert outlook.cover is ExitCover.COVERED

    def test_ending_the_day_before_the_replacement_starts_leaves_no_gap(self):
        day_before = self.STARTS - timedelta(days=1)
        assert exit_outlook(current_end=day_before, latest_end=day_before, replacement_starts=self.STARTS).cover is (
            ExitCover.COVERED
        )
        two_before = self.STARTS - timedelta(days=2)
        outlook = exit_outlook(current_end=two_before, latest_end=two_before, replacement_starts=self.STARTS)
        assert outlook.red_flag
        assert outlook.gap_days == 1

    def test_a_contract_that_rolls_on_is_never_flagged(self):
        outlook = exit_outlook(current_end=date(2019, 12, 31), latest_end=None, replacement_starts=self.STARTS)
        assert outlook.cover is ExitCover.NEEDS_OPTIONS

    def test_without_a_planned_start_there_is_nothing_to_compare(self):
        outlook = exit_outlook(current_end=date(2019, 12, 31), latest_end=date(2019, 12, 31), replacement_starts=None)
        assert outlook.cover is ExitCover.UNKNOWN
        assert not outlook.red_flag
