"""Thresholds by date and standstill periods: the procurement law as PCD 579 and the law state it."""

from datetime import date
from decimal import Decimal

import pytest

from pegasus.procurement import law


def threshold(day: str, value: str, authority="sub-central", contract_type="services"):
    return law.threshold_check(
        day=date.fromisoformat(day),
        authority=law.Authority(authority),
        contract_type=law.ContractType(contract_type),
        value_net=Decimal(value),
    )


class TestThresholds:
    def test_pcd_579_cites_181302_for_mopac_in_2019(self):
        result = threshold("2019-05-23", "181302")
        assert (result.regime, result.threshold, result.vat_basis, result.above_threshold) == (
            law.Regime.PCR2015,
            Decimal("181302"),
            "net",
            True,
        )
        assert not threshold("2019-05-23", "181301.99").above_threshold

    def test_from_2022_the_value_is_compared_with_vat(self):
        result = threshold("2022-06-01", "177898")  # x 1.2 = 213,477.60
        assert (result.compared_value, result.threshold, result.above_threshold) == (
            Decimal("213477.60"),
            Decimal("213477"),
            True,
        )
        assert not threshold("2022-06-01", "177897").above_threshold  # 213,476.40

    @pytest.mark.parametrize(("day", "regime"), [("2025-02-23", "PCR2015"), ("2025-02-24", "PA2023")])
    def test_the_regime_changes_on_24_february_2025(self, day, regime):
        assert threshold(day, "1").regime == regime

    @pytest.mark.parametrize(
        ("day", "authority", "contract_type", "expected"),
        [
            ("2016-01-01", "central", "supplies", "106047"),
            ("2017-12-31", "sub-central", "services", "164176"),
            ("2018-01-01", "central", "works", "4551413"),
            ("2020-07-01", "sub-central", "light-touch", "663540"),
            ("2021-12-31", "central", "services", "122976"),
            ("2024-01-01", "sub-central", "supplies", "214904"),
            ("2025-12-31", "central", "works", "5372609"),
            ("2026-01-01", "sub-central", "services", "207720"),
            ("2030-01-01", "central", "supplies", "135018"),
        ],
    )
    def test_each_period_boundary(self, day, authority, contract_type, expected):
        assert threshold(day, "1", authority, contract_type).threshold == Decimal(expected)

    def test_a_date_before_2016_is_refused(self):
        with pytest.raises(law.RuleInputError, match="--date"):
            threshold("2015-12-31", "1")

    def test_every_day_from_2016_falls_in_exactly_one_period(self):
        periods = law.threshold_periods()
        for earlier, later in zip(periods, periods[1:], strict=False):
            assert (later.start - earlier.end).days == 1
        assert periods[-1].end is None


class TestStandstill:
    @pytest.mark.parametrize(
        ("sent", "end"),
        [
            ("2019-05-01", "2019-05-13"),  # Wed + 10 = Sat 11 May: extended to Mon 13
            ("2019-05-03", "2019-05-13"),  # Fri + 10 = Mon 13, a working day
            ("2019-05-17", "2019-05-28"),  # + 10 = Mon 27 May, spring bank holiday: Tue 28
            ("2019-12-16", "2019-12-27"),  # + 10 = Thu 26 Dec, Boxing Day: Fri 27
        ],
    )
    def test_pcr_2015_ten_calendar_days_ending_on_a_working_day(self, sent, end):
        assert law.standstill_end(law.Regime.PCR2015, date.fromisoformat(sent)) == date.fromisoformat(end)

    def test_pcr_2015_fifteen_days_when_not_sent_electronically(self):
        assert law.standstill_end(law.Regime.PCR2015, date(2019, 5, 1), law.NoticeMeans.OTHER) == date(2019, 5, 16)

    @pytest.mark.parametrize(
        ("published", "end"),
        [
            ("2025-03-03", "2025-03-12"),  # Mon: Mon-Fri (5), Mon-Wed (3)
            ("2025-03-01", "2025-03-12"),  # Sat: the count begins on Mon 3
            ("2025-12-19", "2026-01-02"),  # Fri 19 Dec, over Christmas and New Year
            ("2026-04-02", "2026-04-15"),  # Thu before Good Friday and Easter Monday
        ],
    )
    def test_pa_2023_eight_working_days_beginning_with_publication(self, published, end):
        assert law.standstill_end(law.Regime.PA2023, date.fromisoformat(published)) == date.fromisoformat(end)
