"""Backward scheduling of a re-procurement: statutory periods, working days, standstill by regime, slack and risk."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegasus.core.calendar import is_working_day
from pegasus.procurement import schedule
from pegasus.procurement.law import Regime


def plan(end="2020-03-31", route="open", regime="PCR2015", as_at="2019-01-01", start=None, **durations):
    return schedule.procurement_schedule(
        replaces_end=date.fromisoformat(end),
        route=schedule.Route(route),
        regime=Regime(regime),
        as_at=date.fromisoformat(as_at),
        start=date.fromisoformat(start) if start else None,
        durations={k.replace("_", "-"): v for k, v in durations.items()},
    )


def latest(result):
    return {st.template.key: (st.latest_start.isoformat(), st.latest_end.isoformat()) for st in result.stages}


def planned(result):
    return {st.template.key: (st.planned_start.isoformat(), st.planned_end.isoformat()) for st in result.stages}


class TestBackwardScheduling:
    def test_pcr_open_around_christmas_2019(self):
        """A contract ending 31 March 2020, worked back by hand on the England and Wales calendar."""
        assert latest(plan()) == {
            # 90 days ending 7 July 2019 would start on 9 April (a Tuesday)
            "requirements": ("2019-04-09", "2019-07-07"),
            "market-engagement": ("2019-07-08", "2019-09-05"),
            # reg 27: 30 days (35 less 5 for electronic tenders) from Sunday 8 September: notice on Friday 6th
            "tender-period": ("2019-09-06", "2019-10-08"),
            "evaluation": ("2019-10-09", "2019-11-07"),
            "governance-approval": ("2019-11-08", "2019-12-09"),
            # reg 87: a notice on 11 December would end standstill on Saturday 21st, extended to Monday 23rd
            "award-notice": ("2019-12-10", "2019-12-10"),
            "standstill": ("2019-12-11", "2019-12-20"),
            # five working days skipping Christmas Day and Boxing Day, ending before New Year's Day
            "contract-signature": ("2019-12-23", "2019-12-31"),
            "mobilisation": ("2020-01-02", "2020-03-31"),
            "incumbent-exit": ("2020-01-02", "2020-03-31"),
        }

    def test_pa2023_standstill_is_eight_working_days_beginning_with_the_notice(self):
        out = latest(plan("2026-12-31", route="open", regime="PA2023"))
        # Mobilisation from Friday 2 October; signature 25 Sep - 1 Oct; standstill must end by 24 September:
        # published Tuesday 15th, it runs 15, 16, 17, 18, 21, 22, 23, 24 September.
        assert out["contract-signature"] == ("2026-09-25", "2026-10-01")
        assert out["award-notice"] == ("2026-09-15", "2026-09-15")
        assert out["standstill"] == ("2026-09-15", "2026-09-24")

    def test_pa2023_competitive_flexible_has_a_participation_period(self):
        stages = [st.template for st in plan("2026-12-31", route="competitive-flexible", regime="PA2023").stages]
        assert [t.key for t in stages] == [
            "requirements",
            "market-engagement",
            "participation-period",
            "selection",
            "tender-period",
            "negotiation",
            "evaluation",
            "governance-approval",
            "award-notice",
            "standstill",
            "contract-signature",
            "mobilisation",
            "incumbent-exit",
        ]
        minimums = {t.key: (t.minimum, t.basis) for t in stages if t.minimum}
        assert minimums == {
            "participation-period": (25, "Procurement Act 2023 s54(3)"),
            "tender-period": (25, "Procurement Act 2023 s54(4)"),
        }

    @pytest.mark.parametrize(
        ("route", "regime", "minimums"),
        [
            ("open", "PCR2015", {"tender-period": 30}),
            ("restricted", "PCR2015", {"participation-period": 30, "tender-period": 25}),
            ("competitive-procedure-with-negotiation", "PCR2015", {"participation-period": 30, "tender-period": 25}),
            ("competitive-dialogue", "PCR2015", {"participation-period": 30}),
            ("framework-call-off", "PCR2015", {}),
            ("open", "PA2023", {"tender-period": 25}),
            ("framework-call-off", "PA2023", {}),
            ("direct-award", "PA2023", {}),
        ],
    )
    def test_statutory_minimums_per_route(self, route, regime, minimums):
        stages = plan("2027-03-31", route=route, regime=regime).stages
        assert {st.template.key: st.template.minimum for st in stages if st.template.minimum} == minimums
        for stage in stages:
            if stage.template.minimum:
                assert (stage.latest_end - stage.latest_start).days >= stage.template.minimum

    def test_a_longer_stage_moves_every_earlier_stage(self):
        base, longer = latest(plan()), latest(plan(mobilisation=180))
        assert longer["mobilisation"] == ("2019-10-04", "2020-03-31")
        assert longer["incumbent-exit"] == base["incumbent-exit"]
        assert longer["requirements"][0] < base["requirements"][0]

    def test_a_longer_exit_than_mobilisation_holds_back_signature(self):
        out = latest(plan(incumbent_exit=120))
        assert out["incumbent-exit"] == ("2019-12-03", "2020-03-31")
        assert out["contract-signature"][1] < "2019-12-03"


class TestPlannedStart:
    def test_a_tender_deadline_on_good_friday_moves_past_easter_monday_2020(self):
        """Notice on 11 March 2020 + 30 days = Good Friday 10 April; 13 April is Easter Monday."""
        out = planned(plan("2030-03-31", start="2020-03-09", requirements=1, market_engagement=1))
        assert out["tender-period"] == ("2020-03-11", "2020-04-14")
        assert out["evaluation"] == ("2020-04-15", "2020-05-14")
        # governance ends Saturday 13 June; the award notice goes on Monday; standstill to 25 June (reg 87)
        assert out["award-notice"] == ("2020-06-15", "2020-06-15")
        assert out["standstill"] == ("2020-06-16", "2020-06-25")

    def test_starting_on_the_latest_start_puts_nothing_at_risk(self):
        result = plan(start="2019-04-09")
        assert result.slack_days >= 0 and not result.at_risk
        assert result.stages[0].slack_days == 0

    def test_starting_a_working_day_later_puts_the_first_stage_at_risk(self):
        result = plan(start="2019-04-10")
        assert result.stages[0].slack_days == -1
        assert result.stages[0].at_risk and result.at_risk

    def test_without_a_start_the_plan_starts_on_the_as_at_date(self):
        assert plan(as_at="2019-04-09").stages[0].slack_days == 0
        assert plan(as_at="2019-04-10").at_risk
        assert not plan(as_at="2019-03-01").at_risk


class TestRegimes:
    def test_a_pcr_procurement_advertised_on_24_february_2025_is_warned(self):
        result = plan("2030-03-31", start="2025-02-20", requirements=1, market_engagement=1)
        assert planned(result)["tender-period"][0] == "2025-02-24"
        assert result.warnings == (
            "the planned tender notice on 2025-02-24 is on or after 2025-02-24: a procurement begun then falls"
            " under the Procurement Act 2023, not PCR 2015",
        )

    def test_a_pcr_procurement_advertised_the_working_day_before_is_not(self):
        result = plan("2030-03-31", start="2025-02-19", requirements=1, market_engagement=1)
        assert planned(result)["tender-period"][0] == "2025-02-21"
        assert result.warnings == ()

    def test_a_pa2023_procurement_that_must_be_advertised_before_it_commenced_is_warned(self):
        result = plan("2025-06-30", regime="PA2023")
        assert result.warnings[0].startswith("the latest tender notice on 2024-")
        assert plan("2026-06-30", regime="PA2023").warnings == ()

    def test_a_route_the_regime_does_not_have(self):
        with pytest.raises(schedule.ScheduleInputError, match=r"^--route: restricted is not a PA2023 route \(open, "):
            plan(route="restricted", regime="PA2023")
        with pytest.raises(schedule.ScheduleInputError, match=r"^--route: competitive-flexible is not a PCR2015 route"):
            plan(route="competitive-flexible")

    def test_the_standstill_of_a_call_off_is_voluntary(self):
        stage = next(st for st in plan(route="framework-call-off").stages if st.template.key == "standstill")
        assert stage.template.basis == "PCR 2015 reg 87 (voluntary for a call-off)"


class TestDurations:
    def test_below_the_statutory_minimum(self):
        with pytest.raises(schedule.ScheduleInputError) as error:
            plan(tender_period=20)
        assert str(error.value) == (
            "--duration: tender-period: 20 days is under the statutory minimum of 30 (PCR 2015 reg 27(2) and (6))"
        )

    def test_the_standstill_is_set_by_law(self):
        with pytest.raises(
            schedule.ScheduleInputError, match="^--duration: standstill: the standstill period is set by law"
        ):
            plan(standstill=5)

    def test_an_unknown_stage(self):
        with pytest.raises(schedule.ScheduleInputError, match="^--duration: 'dialogue' is not a stage of this route"):
            plan(dialogue=10)


ROUTE_PAIRS = [(regime, route) for regime, routes in schedule.ROUTES.items() for route in routes]


class TestProperties:
    @given(
        st.dates(min_value=date(2017, 1, 1), max_value=date(2032, 12, 31)),
        st.sampled_from(ROUTE_PAIRS),
    )
    def test_the_latest_schedule_is_contiguous_and_feasible(self, end, pair):
        regime, route = pair
        result = schedule.procurement_schedule(replaces_end=end, route=route, regime=regime, as_at=end)
        chain = [st for st in result.stages if not st.template.parallel]
        assert chain[-1].latest_end == end
        for stage in result.stages:
            assert stage.latest_start <= stage.latest_end or stage.template.counting is schedule.Counting.STANDSTILL
            if stage.template.counting is not schedule.Counting.STANDSTILL:
                assert is_working_day(stage.latest_start)
        for before, after in zip(chain, chain[1:], strict=False):
            lag = 0 if after.template.counting is schedule.Counting.STANDSTILL and regime is Regime.PA2023 else 1
            # each stage ends right before the next, unless it must end on a working day and a weekend intervenes
            gap = [
                before.latest_end + timedelta(days=n)
                for n in range(1, (after.latest_start - before.latest_end).days - lag + 1)
            ]
            assert before.latest_end <= after.latest_start - timedelta(days=lag)
            if before.template.counting is not schedule.Counting.STANDSTILL:  # standstill ends when the law says
                assert not any(is_working_day(day) for day in gap)

    @given(
        st.dates(min_value=date(2017, 1, 1), max_value=date(2032, 12, 31)),
        st.sampled_from(ROUTE_PAIRS),
    )
    def test_starting_on_the_latest_start_finishes_in_time(self, end, pair):
        regime, route = pair
        first = schedule.procurement_schedule(replaces_end=end, route=route, regime=regime, as_at=end).latest_start
        result = schedule.procurement_schedule(replaces_end=end, route=route, regime=regime, as_at=end, start=first)
        assert not result.at_risk
        assert result.planned_contract_start <= result.contract_start
