"""The contract term rules: current end, maximum end, decisions due and days to expiry, without Django."""

from datetime import date

import pytest

from pegasus.estate import terms


def contract_terms(**kwargs) -> terms.ContractTerms:
    base = {"start": date(2016, 4, 1), "initial_end": date(2019, 3, 31), "notice_months": 3}
    return terms.ContractTerms(**{**base, **kwargs})


class TestExtend:
    def test_a_36_month_term_ends_the_day_before_its_anniversary(self):
        assert terms.extend(date(2016, 3, 31), 36) == date(2019, 3, 31)

    def test_an_extension_begins_the_day_after_the_end_it_extends(self):
        assert terms.extend(date(2019, 3, 31), 12) == date(2020, 3, 31)

    def test_month_ends_are_clamped(self):
        assert terms.extend(date(2019, 1, 30), 1) == date(2019, 2, 28)  # begins 31 Jan


class TestTacitRenewal:
    """A 36-month term with a 12-month tacit renewal and 3 months' notice (what GLPI cannot hold)."""

    def glpi_case(self, **kwargs):
        return contract_terms(renewal=terms.RenewalType.TACIT, renewal_months=12, **kwargs)

    def test_before_the_notice_date_the_contract_ends_with_its_initial_term(self):
        assert terms.current_end(self.glpi_case(), date(2018, 12, 31)) == date(2019, 3, 31)

    def test_once_the_notice_date_passes_without_notice_it_has_renewed(self):
        assert terms.current_end(self.glpi_case(), date(2019, 1, 1)) == date(2020, 3, 31)

    def test_it_keeps_rolling_year_after_year(self):
        assert terms.current_end(self.glpi_case(), date(2021, 6, 1)) == date(2022, 3, 31)

    def test_notice_is_due_three_months_before_the_end(self):
        decision = terms.next_decision(self.glpi_case(), date(2018, 6, 1))
        assert decision == terms.Decision(date(2018, 12, 31), terms.DecisionKind.STOP_TACIT_RENEWAL, date(2019, 3, 31))

    def test_without_a_limit_it_has_no_maximum_end(self):
        assert terms.maximum_end(self.glpi_case()) is None

    def test_a_limit_on_renewals_gives_a_maximum_end(self):
        assert terms.maximum_end(self.glpi_case(max_renewals=2)) == date(2021, 3, 31)
        assert terms.current_end(self.glpi_case(max_renewals=2), date(2030, 1, 1)) == date(2021, 3, 31)

    def test_a_renewal_needs_a_length(self):
        with pytest.raises(ValueError, match="length"):
            contract_terms(renewal=terms.RenewalType.TACIT, renewal_months=0)


class TestOptions:
    def test_exercised_options_move_the_current_end(self):
        contract = contract_terms(options=(terms.Option(12, terms.OptionState.EXERCISED), terms.Option(12)))
        assert terms.current_end(contract, date(2019, 1, 1)) == date(2020, 3, 31)

    def test_available_options_count_towards_the_maximum_end_and_lapsed_ones_do_not(self):
        contract = contract_terms(
            options=(terms.Option(12, terms.OptionState.EXERCISED), terms.Option(6), terms.Option(6, "lapsed"))
        )
        assert terms.maximum_end(contract) == date(2020, 9, 30)

    def test_an_available_option_makes_the_next_decision_an_extension_decision(self):
        decision = terms.next_decision(contract_terms(options=(terms.Option(12),)), date(2018, 1, 1))
        assert decision.kind is terms.DecisionKind.EXTEND_OR_REPLACE
        assert decision.due == date(2018, 12, 31)

    def test_with_nothing_left_to_extend_a_replacement_is_due(self):
        assert terms.next_decision(contract_terms(), date(2018, 1, 1)).kind is terms.DecisionKind.REPLACE

    def test_an_express_renewal_must_be_agreed(self):
        contract = contract_terms(renewal=terms.RenewalType.EXPRESS, renewal_months=12, max_renewals=1)
        assert terms.next_decision(contract, date(2018, 1, 1)).kind is terms.DecisionKind.AGREE_RENEWAL
        assert terms.current_end(contract, date(2020, 1, 1)) == date(2019, 3, 31)  # never renews by itself
        assert terms.maximum_end(contract) == date(2020, 3, 31)


class TestDaysToExpiry:
    def test_counts_calendar_days_from_the_as_at_date(self):
        assert terms.days_to_expiry(contract_terms(), date(2019, 3, 1)) == 30

    def test_is_negative_once_ended(self):
        assert terms.days_to_expiry(contract_terms(), date(2019, 4, 2)) == -2

    def test_an_early_end_overrides_the_term(self):
        contract = contract_terms(ended_on=date(2018, 6, 30), options=(terms.Option(12),))
        assert terms.current_end(contract, date(2018, 1, 1)) == date(2018, 6, 30)
        assert terms.maximum_end(contract) == date(2018, 6, 30)
        assert terms.next_decision(contract, date(2018, 1, 1)) is None


class TestTimeline:
    def test_segments_follow_each_other_and_skip_lapsed_options(self):
        contract = contract_terms(
            options=(terms.Option(12, terms.OptionState.EXERCISED), terms.Option(6, "lapsed"), terms.Option(6))
        )
        segments = terms.timeline(contract)
        assert [(s.label, s.start, s.end, s.state) for s in segments] == [
            ("Initial term", date(2016, 4, 1), date(2019, 3, 31), "term"),
            ("Option 1", date(2019, 4, 1), date(2020, 3, 31), "exercised"),
            ("Option 3", date(2020, 4, 1), date(2020, 9, 30), "available"),
        ]


def test_a_term_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end before"):
        contract_terms(initial_end=date(2016, 1, 1))


class TestDecisionUrgency:
    @pytest.mark.parametrize(
        ("as_at", "urgent"),
        [
            (date(2019, 5, 16), False),  # 15 days before the notice is due
            (date(2019, 5, 17), True),  # 14 days
            (date(2019, 5, 31), True),  # due today
            (date(2019, 6, 1), False),  # overdue is shown as overdue, not as due soon
        ],
    )
    def test_a_decision_is_urgent_within_the_window_before_it_is_due(self, as_at, urgent):
        """The urgency window is one named number of days, counted up to and including the due date."""
        decision = terms.Decision(
            due=date(2019, 5, 31), kind=terms.DecisionKind.REPLACE, applies_to_end=date(2019, 8, 31)
        )
        assert terms.DECISION_URGENT_DAYS == 14
        assert terms.decision_urgent(decision, as_at) is urgent
