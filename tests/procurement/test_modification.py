"""Is a contract change lawful? PCR 2015 regulation 72 and the Procurement Act 2023 sections 74-77 and Schedule 8,
at every boundary, and against a plain reference written here in whole pennies."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pegasus.procurement import law
from pegasus.procurement import modification as m

PCR = law.Regime.PCR2015
ACT = law.Regime.PA2023


def verdict(
    regime,
    ground,
    change,
    *,
    original="1000000",
    prior="0",
    day="2019-06-01",
    authority="sub-central",
    contract_type="services",
    rationale=False,
):
    return m.modification_check(
        law.Regime(regime),
        m.Change(
            authority=law.Authority(authority),
            contract_type=law.ContractType(contract_type),
            day=date.fromisoformat(day),
            original_value=Decimal(original),
            change_value=Decimal(change),
            prior_value=Decimal(prior),
            legal_rationale=rationale,
        ),
        ground,
    )


def act(ground, change, **kwargs):
    kwargs.setdefault("day", "2026-03-01")
    return verdict(ACT, ground, change, **kwargs)


def outcome(v: m.Verdict) -> tuple[bool, str]:
    return v.permitted, v.notice.value


class TestPcrFiftyPerCent:
    """reg 72(1)(b) and (c) with 72(2): each change's increase at most 50% of the original value."""

    @pytest.mark.parametrize("ground", ["additional", "unforeseeable"])
    def test_exactly_half_the_original_value_is_permitted_with_a_modification_notice(self, ground):
        assert outcome(verdict(PCR, ground, "500000")) == (True, "modification-notice")

    @pytest.mark.parametrize("ground", ["additional", "unforeseeable"])
    def test_a_penny_more_than_half_is_refused(self, ground):
        result = verdict(PCR, ground, "500000.01")
        assert outcome(result) == (False, "none")
        assert "72(2)" in result.reason and "exceeds 50%" in result.reason

    def test_each_change_is_judged_on_its_own_whatever_came_before(self):
        assert verdict(PCR, "additional", "500000", prior="900000").permitted

    def test_a_reduction_is_no_increase(self):
        assert outcome(verdict(PCR, "unforeseeable", "-900000")) == (True, "modification-notice")

    def test_a_review_clause_has_no_value_limit_and_no_notice(self):
        assert outcome(verdict(PCR, "review-clause", "2000000")) == (True, "none")

    def test_a_new_contractor_has_no_value_limit_and_no_notice(self):
        assert outcome(verdict(PCR, "new-contractor", "0")) == (True, "none")


class TestPcrDeMinimis:
    """reg 72(1)(f), 72(5) and 72(6): the net cumulative value below both the threshold and 10% (15% for works)."""

    def test_just_below_ten_per_cent_is_permitted_without_notice(self):
        assert outcome(verdict(PCR, "de-minimis", "99999.99")) == (True, "none")

    def test_exactly_ten_per_cent_is_not_below_it(self):
        result = verdict(PCR, "de-minimis", "100000")
        assert not result.permitted and "72(5)(b)" in result.reason

    def test_works_allow_fifteen_per_cent(self):
        assert verdict(PCR, "de-minimis", "149999.99", contract_type="works").permitted
        assert not verdict(PCR, "de-minimis", "150000", contract_type="works").permitted

    def test_just_below_the_threshold_of_2019_excluding_vat(self):
        # MOPAC is sub-central: £181,302 in 2019 (PCD 579); 10% of £10m is not the limit that bites
        assert verdict(PCR, "de-minimis", "181301.99", original="10000000").permitted
        result = verdict(PCR, "de-minimis", "181302", original="10000000")
        assert not result.permitted and "72(5)(a)" in result.reason

    def test_from_2022_the_threshold_includes_vat(self):
        # £214,904 in 2024, with VAT: £179,086.66 x 1.2 = £214,903.99; £179,086.67 x 1.2 = £214,904.00
        assert verdict(PCR, "de-minimis", "179086.66", original="10000000", day="2024-06-01").permitted
        refused = verdict(PCR, "de-minimis", "179086.67", original="10000000", day="2024-06-01")
        assert not refused.permitted and "£214,904.00 with VAT" in refused.reason

    def test_the_threshold_in_force_on_the_day_of_the_change(self):
        # £189,330 from 2020 for a sub-central authority, £122,976 for a central one
        assert verdict(PCR, "de-minimis", "189329.99", original="10000000", day="2020-01-01").permitted
        assert not verdict(
            PCR, "de-minimis", "122976", original="10000000", day="2020-01-01", authority="central"
        ).permitted

    def test_earlier_changes_on_the_ground_count(self):
        assert verdict(PCR, "de-minimis", "30000", prior="69999.99").permitted
        assert not verdict(PCR, "de-minimis", "30000", prior="70000").permitted

    def test_net_cumulative_values_that_go_down_then_up(self):
        # earlier changes came to a net reduction of £80,000; this one adds back
        assert verdict(PCR, "de-minimis", "179999.99", prior="-80000").permitted  # net £99,999.99
        assert not verdict(PCR, "de-minimis", "180000", prior="-80000").permitted  # net £100,000.00

    def test_a_net_reduction_is_measured_by_its_size(self):
        assert verdict(PCR, "de-minimis", "-99999.99").permitted
        assert not verdict(PCR, "de-minimis", "-100000").permitted
        assert not verdict(PCR, "de-minimis", "-20000", prior="-80000").permitted

    def test_a_change_that_brings_the_net_value_back_below_the_limit_is_permitted(self):
        assert verdict(PCR, "de-minimis", "-50000", prior="120000").permitted


class TestNonSubstantial:
    """reg 72(1)(e) and 72(8); PA 2023 s74(1)(b) and (3): only with legal's recorded rationale."""

    @pytest.mark.parametrize(("regime", "day"), [(PCR, "2019-06-01"), (ACT, "2026-03-01")])
    def test_waits_for_legals_rationale(self, regime, day):
        result = verdict(regime, "non-substantial", "1000", day=day)
        assert (result.permitted, result.awaits_rationale, result.notice) == (False, True, m.Notice.NONE)
        assert "rationale" in result.reason

    def test_pcr_permitted_once_recorded_without_notice(self):
        result = verdict(PCR, "non-substantial", "1000", rationale=True)
        assert (outcome(result), result.awaits_rationale) == ((True, "none"), False)

    def test_act_permitted_once_recorded_with_the_notice_its_size_needs(self):
        assert outcome(act("non-substantial", "100000", rationale=True)) == (True, "none")
        assert outcome(act("non-substantial", "100000.01", rationale=True)) == (True, "UK10")


class TestActScheduleEight:
    """Schedule 8: paras 4, 5 and 7 cap the increase at 50%; paras 1, 2-3 and 9 have no value cap."""

    @pytest.mark.parametrize("ground", ["unforeseeable", "known-risk", "additional"])
    def test_exactly_half_is_permitted_and_a_penny_more_is_not(self, ground):
        assert outcome(act(ground, "500000")) == (True, "UK10")
        assert outcome(act(ground, "500000.01")) == (False, "none")

    @pytest.mark.parametrize("ground", ["unforeseeable", "known-risk", "additional"])
    def test_a_reduction_is_no_increase(self, ground):
        assert act(ground, "-700000").permitted

    @pytest.mark.parametrize("ground", ["provided-for", "urgency", "corporate-restructuring"])
    def test_no_value_cap(self, ground):
        assert outcome(act(ground, "3000000")) == (True, "UK10")

    def test_a_light_touch_contract_may_be_modified_on_any_ground_without_notice(self):
        for ground in m.GROUNDS[ACT]:
            result = act(ground, "5000000", contract_type="light-touch")
            assert outcome(result) == (True, "none") and "s74(2)" in result.reason


class TestActBelowThreshold:
    """s74(1)(c), (4) and (6): the change itself within 10% (15% works), the aggregate below the threshold."""

    def test_exactly_ten_per_cent_is_within(self):
        assert outcome(act("below-threshold", "100000")) == (True, "none")

    def test_a_penny_more_than_ten_per_cent_is_not(self):
        result = act("below-threshold", "100000.01")
        assert not result.permitted and "s74(4)(a)" in result.reason

    def test_a_reduction_counts_by_its_size(self):
        assert act("below-threshold", "-100000").permitted
        assert not act("below-threshold", "-100000.01").permitted

    def test_works_allow_fifteen_per_cent(self):
        assert act("below-threshold", "150000", contract_type="works").permitted
        assert not act("below-threshold", "150000.01", contract_type="works").permitted

    def test_just_below_the_threshold_with_vat(self):
        # £207,720 from 2026 for a sub-central authority: £173,100 x 1.2 = £207,720.00 is not less than it
        assert act("below-threshold", "173099.99", original="10000000").permitted
        result = act("below-threshold", "173100", original="10000000")
        assert not result.permitted and "s74(4)(b)" in result.reason

    def test_the_aggregate_of_below_threshold_changes(self):
        assert act("below-threshold", "23099.99", prior="150000", original="10000000").permitted
        assert not act("below-threshold", "23100", prior="150000", original="10000000").permitted

    def test_aggregates_that_go_down_then_up(self):
        assert act("below-threshold", "223099.99", prior="-50000", original="10000000").permitted
        assert not act("below-threshold", "223100", prior="-50000", original="10000000").permitted


class TestContractChangeNotice:
    """s75: a UK10 before the change unless it moves the value by 10% or less (15% works), except para 9."""

    def test_ten_per_cent_or_less_needs_no_notice(self):
        assert outcome(act("provided-for", "100000")) == (True, "none")
        assert outcome(act("provided-for", "-100000")) == (True, "none")
        assert outcome(act("provided-for", "100000.01")) == (True, "UK10")
        assert outcome(act("provided-for", "-100000.01")) == (True, "UK10")

    def test_fifteen_per_cent_for_works(self):
        assert outcome(act("urgency", "150000", contract_type="works")) == (True, "none")
        assert outcome(act("urgency", "150000.01", contract_type="works")) == (True, "UK10")

    def test_novation_on_corporate_restructuring_always_needs_the_notice(self):
        result = act("corporate-restructuring", "0")
        assert outcome(result) == (True, "UK10") and "Sch 8 para 9" in result.reason


class TestPublicationOfTheModifiedContract:
    """s77: the contract as modified is published where its value, with VAT, is more than £5 million."""

    def test_over_five_million_with_vat(self):
        # £3,700,000 + £466,666.68 = £4,166,666.68; x 1.2 = £5,000,000.02
        result = act("provided-for", "466666.68", original="3700000")
        assert result.notice is m.Notice.UK10 and result.publish_modified_contract and "s77" in result.reason

    def test_exactly_five_million_with_vat_is_not_more(self):
        result = act("provided-for", "466666.67", original="3700000")  # £5,000,000.00 with VAT
        assert result.notice is m.Notice.UK10 and not result.publish_modified_contract

    def test_not_for_a_change_that_needed_no_notice(self):
        assert not act("provided-for", "1000000", original="10000000").publish_modified_contract


class TestBadInput:
    def test_a_ground_of_the_other_regime_names_the_regimes_grounds(self):
        with pytest.raises(law.RuleInputError, match="--ground: 'provided-for' is not a ground under PCR2015"):
            verdict(PCR, "provided-for", "1")
        with pytest.raises(law.RuleInputError, match="below-threshold, non-substantial|non-substantial"):
            act("de-minimis", "1")

    @pytest.mark.parametrize("original", ["0", "-1"])
    def test_an_original_value_of_nothing(self, original):
        with pytest.raises(law.RuleInputError, match="--original-value"):
            verdict(PCR, "additional", "1", original=original)

    def test_a_date_before_the_regime(self):
        with pytest.raises(law.RuleInputError, match="--date: the Procurement Act 2023 governs"):
            act("provided-for", "1", day="2025-02-23")
        with pytest.raises(law.RuleInputError, match="--date: the Public Contracts Regulations 2015 govern contracts"):
            verdict(PCR, "additional", "1", day="2015-02-25")
        assert act("provided-for", "1", day="2025-02-24").permitted

    def test_de_minimis_before_the_thresholds_held(self):
        with pytest.raises(law.RuleInputError, match="--date: thresholds are held from 2016-01-01"):
            verdict(PCR, "de-minimis", "1", day="2015-06-01")


# --- A plain reference, in whole pennies, written from the statutes and not from the module -----------------


def reference(regime, ground, authority, contract_type, day, original, change, prior, rationale):
    """(permitted, notice, awaits_rationale, publish) with every amount in pennies, excluding VAT."""
    period = next(p for p in law.threshold_periods() if p.start <= day and (p.end is None or day <= p.end))
    if contract_type == "works":
        threshold = period.works
    elif contract_type == "light-touch":
        threshold = period.light_touch
    else:
        threshold = period.central if authority == "central" else period.sub_central
    threshold_pennies = int(threshold * 100)

    def compared(pennies):  # with VAT at 20% where the thresholds include it, rounded half up to a penny
        return (pennies * 12 + 5) // 10 if period.basis == "gross" else pennies

    def within_share(pennies, strict):  # 10% of the original, 15% for works
        lhs, rhs = (20 * pennies, 3 * original) if contract_type == "works" else (10 * pennies, original)
        return lhs < rhs if strict else lhs <= rhs

    if regime == "PCR2015":
        if ground in ("review-clause", "new-contractor"):
            return True, "none", False, False
        if ground in ("additional", "unforeseeable"):
            return (
                (True, "modification-notice", False, False) if 2 * change <= original else (False, "none", False, False)
            )
        if ground == "non-substantial":
            return (True, "none", False, False) if rationale else (False, "none", True, False)
        net = abs(prior + change)
        ok = compared(net) < threshold_pennies and within_share(net, strict=True)
        return ok, "none", False, False
    if contract_type == "light-touch":
        return True, "none", False, False
    if ground == "below-threshold":
        ok = within_share(abs(change), strict=False) and compared(abs(prior + change)) < threshold_pennies
        return ok, "none", False, False
    if ground in ("unforeseeable", "known-risk", "additional") and 2 * change > original:
        return False, "none", False, False
    if ground == "non-substantial" and not rationale:
        return False, "none", True, False
    if within_share(abs(change), strict=False) and ground != "corporate-restructuring":
        return True, "none", False, False
    as_modified = max(original + prior + change, 0)
    with_vat = (as_modified * 12 + 5) // 10  # every Act contract is from 2025: thresholds and values with VAT
    return True, "UK10", False, with_vat > 500_000_000


@st.composite
def changes(draw):
    regime, ground = draw(st.sampled_from([(r.value, g) for r, grounds in m.GROUNDS.items() for g in grounds]))
    authority = draw(st.sampled_from(["central", "sub-central"]))
    contract_type = draw(st.sampled_from(["supplies", "services", "works", "light-touch"]))
    first = date(2016, 1, 1) if regime == "PCR2015" else date(2025, 2, 24)
    day = first + timedelta(days=draw(st.integers(0, 5000)))
    # from a few pounds to a hundred million, and whole multiples of 20 pennies too, so that 50%, 10% and 15% of
    # the original fall on a penny
    original = draw(st.integers(1, 10 ** draw(st.integers(2, 9)))) * draw(st.sampled_from([1, 20, 20, 20]))
    prior = draw(st.one_of(st.just(0), st.integers(-original, original)))
    period = next(p for p in law.threshold_periods() if p.covers(day))
    threshold = int(period.threshold(law.Authority(authority), law.ContractType(contract_type)) * 100)
    share = 3 * original // 20 if contract_type == "works" else original // 10
    # the boundaries of the ground as often as anywhere, give or take a penny: this change at half or a share of
    # the original; the net of the changes on the ground at the share or at the threshold (with or without VAT);
    # the contract as modified at £5m with VAT
    if ground in ("de-minimis", "below-threshold"):
        nets = [share, -share, threshold, -threshold, threshold * 10 // 12, -(threshold * 10 // 12)]
        edges = [net - prior for net in nets] + [share, -share]
    else:
        edges = [original // 2, share, -share, 416_666_667 - original - prior]
    change = draw(
        st.one_of(
            st.integers(-2 * original, 2 * original),
            st.builds(lambda edge, by: edge + by, st.sampled_from(edges), st.sampled_from([-1, 0, 1])),
            st.sampled_from(edges),
        )
    )
    return regime, ground, authority, contract_type, day, original, change, prior, draw(st.booleans())


@settings(max_examples=1000)
@given(changes())
def test_the_rules_agree_with_a_plain_reference(case):
    regime, ground, authority, contract_type, day, original, change, prior, rationale = case
    result = m.modification_check(
        law.Regime(regime),
        m.Change(
            authority=law.Authority(authority),
            contract_type=law.ContractType(contract_type),
            day=day,
            original_value=Decimal(original) / 100,
            change_value=Decimal(change) / 100,
            prior_value=Decimal(prior) / 100,
            legal_rationale=rationale,
        ),
        ground,
    )
    expected = reference(regime, ground, authority, contract_type, day, original, change, prior, rationale)
    assert (result.permitted, result.notice.value, result.awaits_rationale, result.publish_modified_contract) == (
        expected
    )
    assert result.ground == ground and result.reason
