"""The schedule risk's Monte Carlo (`procurement.schedule_risk`): closed forms, the floor, whole days, percentiles,
the drivers and determinism. No database."""

import math
from datetime import date, timedelta

import numpy as np
import pytest

from pegasus.procurement import schedule_risk as sr
from pegasus.procurement.schedule_risk import Simulation, StageEstimate

START = date(2020, 1, 1)
N = 200_000


def triangular_quantile(a: float, m: float, b: float, p: float) -> float:
    if p < (m - a) / (b - a):
        return a + math.sqrt(p * (b - a) * (m - a))
    return b - math.sqrt((1 - p) * (b - a) * (b - m))


def beta33_quantile(p: float) -> float:
    """Beta(3, 3), PERT's shape when the most likely is midway: its CDF is 10x^3 - 15x^4 + 6x^5; solved by bisection."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if 10 * mid**3 - 15 * mid**4 + 6 * mid**5 < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def ranks_by_sorting(x: np.ndarray) -> np.ndarray:
    """0-based average ranks the slow, obvious way: sort, then share ranks across runs of equal values."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(x.size)
    i = 0
    while i < x.size:
        j = i
        while j + 1 < x.size and x[order[j + 1]] == x[order[i]]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2
        i = j + 1
    return ranks


class TestOneStageAgainstClosedForms:
    @pytest.mark.parametrize("p", [0.05, 0.2, 0.5, 0.8, 0.9, 0.99])
    def test_triangular_draws_have_the_triangular_quantiles(self, p):
        draws = sr.draw([StageEstimate("Evaluation", 10, 20, 60, "triangular")], N, seed=7)
        assert np.quantile(draws.durations[0], p) == pytest.approx(triangular_quantile(10, 20, 60, p), abs=0.02)

    @pytest.mark.parametrize("p", [0.05, 0.2, 0.5, 0.8, 0.9, 0.99])
    def test_pert_with_the_most_likely_at_the_optimistic_is_beta_1_5(self, p):
        """alpha = 1, beta = 5: Q(p) = 1 - (1 - p)^(1/5) on [a, b]."""
        draws = sr.draw([StageEstimate("Governance", 10, 10, 70, "pert")], N, seed=8)
        expected = 10 + 60 * (1 - (1 - p) ** 0.2)
        assert np.quantile(draws.durations[0], p) == pytest.approx(expected, abs=0.03)

    @pytest.mark.parametrize("p", [0.1, 0.5, 0.8, 0.95])
    def test_pert_with_the_most_likely_at_the_pessimistic_is_beta_5_1(self, p):
        draws = sr.draw([StageEstimate("Signature", 5, 15, 15, "pert")], N, seed=9)
        assert np.quantile(draws.durations[0], p) == pytest.approx(5 + 10 * p**0.2, abs=0.01)

    @pytest.mark.parametrize("p", [0.1, 0.5, 0.8, 0.9])
    def test_pert_with_the_most_likely_midway_is_beta_3_3(self, p):
        draws = sr.draw([StageEstimate("Requirements", 60, 90, 120, "pert")], N, seed=10)
        assert np.quantile(draws.durations[0], p) == pytest.approx(60 + 60 * beta33_quantile(p), abs=0.05)

    def test_p80_of_one_stage_is_its_quantile_rounded_up_to_a_whole_day(self):
        """Q(0.8) of triangular (10, 20, 65) is 65 - sqrt(0.2 * 55 * 45) = 42.75 days: the new contract starts 43
        days after the start."""
        sim = sr.simulate([StageEstimate("Evaluation", 10, 20, 65, "triangular")], start=START, iterations=N, seed=1)
        assert triangular_quantile(10, 20, 65, 0.8) == pytest.approx(42.75, abs=0.01)
        assert sim.percentile_days(80) == 43
        assert sim.p80 == START + timedelta(days=43)

    def test_the_pert_mean_is_a_plus_4m_plus_b_over_6(self):
        draws = sr.draw([StageEstimate("Evaluation", 25, 45, 120, "pert")], N, seed=3)
        assert draws.durations[0].mean() == pytest.approx((25 + 4 * 45 + 120) / 6, abs=0.05)


class TestManyStages:
    STAGES = [
        StageEstimate(f"Stage {n}", 10 + n, 20 + 2 * n, 60 + 3 * n, "pert" if n % 2 else "triangular")
        for n in range(12)
    ]

    def test_the_mean_of_the_sum_is_the_sum_of_the_means(self):
        draws = sr.draw(self.STAGES, N, seed=11)
        assert draws.durations.sum(axis=0).mean() == pytest.approx(sum(s.mean for s in self.STAGES), abs=0.05)

    def test_mean_days_counts_whole_days_so_it_is_half_a_day_above_the_mean_sum(self):
        """The sum is spread over many days, so rounding it up adds half a day on average."""
        sim = sr.simulate(self.STAGES, start=START, iterations=N, seed=11)
        assert sim.mean_days == pytest.approx(sum(s.mean for s in self.STAGES) + 0.5, abs=0.06)

    def test_the_same_seed_gives_the_same_result_and_another_seed_another(self):
        one = sr.simulate(self.STAGES, start=START, iterations=5000, seed=42)
        two = sr.simulate(self.STAGES, start=START, iterations=5000, seed=42)
        other = sr.simulate(self.STAGES, start=START, iterations=5000, seed=43)
        assert np.array_equal(one.counts, two.counts) and one.low_days == two.low_days
        assert one.drivers == two.drivers and one.mean_days == two.mean_days
        assert not np.array_equal(one.counts, other.counts) or one.low_days != other.low_days

    def test_the_widest_stage_drives_the_total_most_and_a_fixed_stage_not_at_all(self):
        stages = [
            StageEstimate("Narrow", 10, 11, 12),
            StageEstimate("Fixed", 30, 30, 30),
            StageEstimate("Wide", 20, 40, 200),
            StageEstimate("Middling", 10, 20, 50, "triangular"),
        ]
        sim = sr.simulate(stages, start=START, iterations=20_000, seed=5)
        assert [d.name for d in sim.drivers] == ["Wide", "Middling", "Narrow", "Fixed"]
        assert sim.drivers[0].correlation > 0.8
        assert sim.drivers[-1].correlation == 0.0

    def test_the_drivers_are_spearmans_correlation_as_sorting_computes_it(self):
        """Ranks from the strata, ties at the floor averaged, equal the ranks a sort gives."""
        stages = [*self.STAGES[:5], StageEstimate("Floored", 10, 20, 60, "triangular", minimum=25)]
        draws = sr.draw(stages, 4000, seed=12)
        days = draws.days
        total_ranks = ranks_by_sorting(days.astype(float))
        assert np.array_equal(sr.average_ranks_of_days(days), total_ranks)
        fast = sr.spearman(draws.ranks, sr.average_ranks_of_days(days))
        for s, correlation in enumerate(fast):
            expected = np.corrcoef(ranks_by_sorting(draws.durations[s]), total_ranks)[0, 1]
            assert correlation == pytest.approx(expected, abs=1e-12)


class TestFloorAndWholeDays:
    def test_no_draw_is_under_the_statutory_minimum_and_the_floor_holds_the_share_below_it(self):
        """Triangular (10, 20, 60) is below 25 with probability 1 - 35^2 / (50 * 40) = 0.3875: all of it at 25."""
        draws = sr.draw([StageEstimate("Tender period", 10, 20, 60, "triangular", minimum=25)], N, seed=2)
        assert draws.durations.min() == 25
        assert np.mean(draws.durations[0] == 25) == pytest.approx(0.3875, abs=0.002)

    def test_a_floor_above_the_pessimistic_makes_the_stage_fixed_at_the_floor(self):
        sim = sr.simulate([StageEstimate("Standstill", 5, 6, 8, minimum=10)], start=START, iterations=100, seed=1)
        assert sim.p50 == sim.p90 == START + timedelta(days=10)
        assert sim.drivers[0].correlation == 0.0

    @pytest.mark.parametrize(
        ("days", "whole"),
        [((10.2, 10.8), 21), ((10.5,), 11), ((10.0, 0.1), 11), ((7.0,), 7), ((0.1, 0.2, 0.7), 1)],
    )
    def test_the_start_is_the_sum_rounded_up_to_a_whole_day(self, days, whole):
        stages = [StageEstimate.fixed(f"Stage {n}", d) for n, d in enumerate(days)]
        sim = sr.simulate(stages, start=START, iterations=10, seed=0)
        assert sim.p50 == sim.p80 == sim.p90 == START + timedelta(days=whole)
        assert sim.mean_days == whole


class TestPercentileDefinition:
    def simulation(self, counts: list[int], low: int = 1) -> Simulation:
        return Simulation(START, sum(counts), low, np.array(counts), 0.0, ())

    def test_p80_of_ten_runs_a_day_apart_is_the_eighth(self):
        sim = self.simulation([1] * 10)
        assert (sim.percentile_days(50), sim.percentile_days(80), sim.percentile_days(90)) == (5, 8, 9)

    def test_exactly_80_percent_by_a_day_makes_that_day_the_p80(self):
        assert self.simulation([8, 2]).percentile_days(80) == 1
        assert self.simulation([7, 3]).percentile_days(80) == 2

    def test_at_least_the_share_rounds_up_the_count_needed(self):
        """Of 3 runs, 50% needs 2 (1.5 rounded up): the second earliest."""
        assert self.simulation([1, 1, 1]).percentile_days(50) == 2

    def test_shares_by_a_date_and_after_it(self):
        sim = self.simulation([2, 0, 3, 5], low=10)
        day = START + timedelta(days=12)
        assert sim.share_by(day) == 0.5
        assert sim.probability_after(day) == 0.5
        assert sim.share_by(START + timedelta(days=9)) == 0.0
        assert sim.probability_after(START + timedelta(days=13)) == 0.0

    def test_the_latest_start_for_80_percent_is_the_deadline_less_the_p80_days(self):
        sim = self.simulation([1] * 10, low=100)  # P80 is 107 days
        assert sim.latest_start_for(date(2021, 1, 31)) == date(2021, 1, 31) - timedelta(days=107)

    def test_the_curve_gives_each_day_reached_with_the_share_by_it(self):
        assert self.simulation([1, 0, 3], low=2).curve() == [
            (START + timedelta(days=2), 0.25),
            (START + timedelta(days=4), 1.0),
        ]


class TestRefusals:
    @pytest.mark.parametrize(
        ("stage", "message"),
        [
            (StageEstimate("Evaluation", 30, 40, 20), "pessimistic 20 is below optimistic 30"),
            (StageEstimate("Evaluation", 30, 50, 40), "most likely 50 is outside optimistic 30 to pessimistic 40"),
            (StageEstimate("Evaluation", 30, 40, 50, "normal"), "distribution 'normal' is not one of"),
            (StageEstimate("Evaluation", -1, 4, 5), "optimistic must be 0 to 3650 days"),
            (StageEstimate("Evaluation", 1, 4, math.inf), "pessimistic must be 0 to 3650 days"),
        ],
    )
    def test_a_stage_that_cannot_be_drawn_is_named(self, stage, message):
        with pytest.raises(sr.ScheduleRiskInputError, match=message):
            sr.simulate([stage], start=START, iterations=10, seed=0)

    @pytest.mark.parametrize("iterations", [0, -5, sr.MAX_ITERATIONS + 1])
    def test_iterations_are_positive_and_bounded(self, iterations):
        with pytest.raises(sr.ScheduleRiskInputError, match="--iterations"):
            sr.simulate([StageEstimate.fixed("A", 1)], start=START, iterations=iterations, seed=0)


class TestExtension:
    @pytest.mark.parametrize(
        ("must_run_to", "months"),
        [
            (date(2021, 9, 30), 0),
            (date(2021, 9, 1), 0),
            (date(2021, 10, 1), 1),
            (date(2021, 10, 31), 1),
            (date(2022, 1, 7), 4),
        ],
    )
    def test_the_fewest_whole_months_that_reach_the_day(self, must_run_to, months):
        assert sr.extension_months(date(2021, 9, 30), must_run_to) == months

    @pytest.mark.parametrize(
        ("share", "text"),
        [(0.0, "0%"), (0.004, "less than 1%"), (0.35, "35%"), (0.996, "more than 99%"), (1.0, "100%")],
    )
    def test_chances_read_as_whole_percentages(self, share, text):
        assert sr.chance_text(share) == text
