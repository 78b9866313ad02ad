"""Rules of a procurement that follow from the law, as plain functions over plain values. No Django.

- `estimated_value`: what the regime counts as the contract's value (PCR 2015 reg 6; Procurement Act 2023
  Schedule 3): the maximum the authority could pay over the longest term, every option, extension and renewal
  included, on the VAT basis of the threshold period in force on the day the procurement starts (net before
  1 January 2022; inclusive of VAT from then, PPN 10/21), compared with the threshold of that period.
- `replaced_end`: the last day of the contracts a procurement replaces, with a named extension option exercised.
- `required_notices`: the notices a procurement must (or may) publish, by regime, route and value, with citations.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from pegasus.core.calendar import term_end
from pegasus.core.money import STANDARD_VAT_RATE, Money, VatBasis, format_pounds, round_pennies
from pegasus.procurement.law import (
    EARLIEST_THRESHOLD_DATE,
    Authority,
    ContractType,
    Regime,
    RuleInputError,
    regime_on,
    threshold_periods,
)
from pegasus.procurement.schedule import Route

# PCR 2015 reg 6(16)(b) (services) and reg 6(14)(b) (supplies): a contract without a fixed term is valued at its
# monthly value times 48.
INDEFINITE_MONTHS = 48


@dataclass(frozen=True)
class EstimatedValue:
    regime: Regime
    amount: Decimal  # pounds, on `basis`
    basis: VatBasis
    months: int
    threshold: Decimal  # on the same basis
    above_threshold: bool
    source: str
    steps: tuple[str, ...]  # how the amount was computed, in words, for the page


def estimated_value(
    *,
    starts_on: date,
    annual_value: Decimal,
    annual_basis: VatBasis,
    term_months: int | None,
    extension_months: int = 0,
    authority: Authority = Authority.SUB_CENTRAL,
    contract_type: ContractType = ContractType.SERVICES,
) -> EstimatedValue:
    """The estimated value as the regime in force on `starts_on` counts it, and whether it reaches the threshold.

    `term_months` is the initial term (None for a contract without a fixed term, valued at 48 months under PCR
    2015 and refused under the Procurement Act 2023, which needs a maximum term); `extension_months` the total of
    every option, extension and renewal. Raises RuleInputError naming the field at fault.
    """
    if starts_on < EARLIEST_THRESHOLD_DATE:
        raise RuleInputError(f"starts_on: thresholds are held from {EARLIEST_THRESHOLD_DATE.isoformat()}")
    if annual_value < 0:
        raise RuleInputError("annual_value: an annual value cannot be negative")
    if extension_months < 0:
        raise RuleInputError("extension_months: cannot be negative")
    regime = regime_on(starts_on)
    steps: list[str] = []
    if term_months is None:
        if regime is Regime.PA2023:
            raise RuleInputError(
                "term_months: give the maximum term; the Procurement Act 2023 (Schedule 3) values a contract over"
                " its maximum term"
            )
        months = INDEFINITE_MONTHS
        steps.append("No fixed term: 48 months of value (PCR 2015 reg 6(16)(b))")
    else:
        if term_months < 1:
            raise RuleInputError("term_months: must be at least 1 month")
        months = term_months + extension_months
        law = "PCR 2015 reg 6(1)" if regime is Regime.PCR2015 else "Procurement Act 2023 Schedule 3 paragraph 1"
        steps.append(
            f"Maximum term: {term_months} months plus {extension_months} months of options and extensions"
            f" = {months} months ({law})"
        )
    period = next(p for p in threshold_periods() if p.covers(starts_on))
    value = annual_value * months / 12
    steps.append(
        f"{format_pounds(annual_value)} a year ({annual_basis.value} of VAT) x {months} / 12"
        f" = {format_pounds(round_pennies(value))}"
    )
    converted = Money(value, annual_basis).to_basis(period.basis, STANDARD_VAT_RATE)
    if annual_basis is VatBasis.NET and period.basis is VatBasis.GROSS:
        steps.append(f"Plus VAT at {STANDARD_VAT_RATE:.0%}: thresholds include VAT from 1 January 2022 (PPN 10/21)")
    elif annual_basis is VatBasis.GROSS and period.basis is VatBasis.NET:
        steps.append(f"Less VAT at {STANDARD_VAT_RATE:.0%}: thresholds before 1 January 2022 exclude VAT")
    amount = round_pennies(converted.amount)
    threshold = period.threshold(authority, contract_type)
    above = amount >= threshold
    verdict = "is at or above" if above else "is below"
    included = "including" if period.basis is VatBasis.GROSS else "excluding"
    steps.append(
        f"{format_pounds(amount)} {verdict} the {authority.value} {contract_type.value} threshold of"
        f" {format_pounds(threshold)} ({included} VAT; {period.source})"
    )
    return EstimatedValue(regime, amount, period.basis, months, threshold, above, period.source, tuple(steps))


# --- The end of what a procurement replaces -----------------------------------------------------------------


@dataclass(frozen=True)
class ReplacedContract:
    reference: str
    current_end: date
    # Months of the available options up to and including the one the procurement assumes exercised, in order.
    option_months: tuple[int, ...] = ()


def replaced_end(contracts: Sequence[ReplacedContract]) -> tuple[date, str]:
    """The day the first of the replaced contracts ends (with any options assumed exercised), and its reference.

    The new contract must start the day after: that is the deadline every stage is scheduled back from.
    """
    if not contracts:
        raise RuleInputError("replaces: a procurement replaces at least one contract")

    def end(contract: ReplacedContract) -> date:
        months = sum(contract.option_months)
        return term_end(contract.current_end + timedelta(days=1), months) if months else contract.current_end

    first = min(contracts, key=lambda c: (end(c), c.reference))
    return end(first), first.reference


# --- Notices ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    code: str
    name: str
    basis: str
    when: str
    required: bool = True


# Contracts Finder: sub-central authorities advertise opportunities of £25,000 or more (PCR 2015 reg 110(3)).
CONTRACTS_FINDER_SUB_CENTRAL = Decimal("25000")
# PA 2023 s87 (below-threshold contract details notice): £30,000 for a sub-central authority, inclusive of VAT.
PA2023_BELOW_THRESHOLD_DETAILS = Decimal("30000")
PA2023_PIPELINE_CONTRACT_VALUE = Decimal("2000000")
PA2023_CONTRACT_PUBLISHED_ABOVE = Decimal("5000000")

COMPETITIVE_ROUTES = {
    Route.OPEN,
    Route.RESTRICTED,
    Route.COMPETITIVE_DIALOGUE,
    Route.COMPETITIVE_WITH_NEGOTIATION,
    Route.COMPETITIVE_FLEXIBLE,
}


def _pcr2015_notices(route: Route, value: EstimatedValue) -> list[Notice]:
    if not value.above_threshold:
        notices = []
        if value.amount >= CONTRACTS_FINDER_SUB_CENTRAL and route is not Route.FRAMEWORK_CALL_OFF:
            notices.append(
                Notice("CF", "Contracts Finder opportunity", "PCR 2015 reg 110", "when the opportunity is advertised")
            )
        if value.amount >= CONTRACTS_FINDER_SUB_CENTRAL:
            notices.append(Notice("CF", "Contracts Finder award", "PCR 2015 reg 112", "within 90 days of award"))
        return notices
    notices = [
        Notice(
            "PIN",
            "Prior information notice",
            "PCR 2015 reg 48",
            "optional; may shorten the tender period",
            required=False,
        )
    ]
    if route is Route.FRAMEWORK_CALL_OFF:
        notices.append(
            Notice(
                "VEAT",
                "Voluntary ex ante transparency notice",
                "PCR 2015 reg 99(3)",
                "optional; protects a call-off from ineffectiveness",
                required=False,
            )
        )
        return notices
    notices += [
        Notice("F02", "Contract notice", "PCR 2015 reg 49", "to start the procedure"),
        Notice("CF", "Contracts Finder opportunity", "PCR 2015 reg 106", "within 24 hours of the contract notice"),
        Notice("F03", "Contract award notice", "PCR 2015 reg 50", "within 30 days of the award"),
        Notice("CF", "Contracts Finder award", "PCR 2015 reg 108", "within a reasonable time of the award"),
    ]
    return notices


def _pa2023_notices(route: Route, value: EstimatedValue) -> list[Notice]:
    if not value.above_threshold:
        notices = []
        if route is not Route.FRAMEWORK_CALL_OFF and route is not Route.DIRECT_AWARD:
            notices.append(Notice("UK4", "Tender notice", "Procurement Act 2023 s86", "if the contract is advertised"))
        if value.amount >= PA2023_BELOW_THRESHOLD_DETAILS:
            notices.append(
                Notice("UK7", "Contract details notice", "Procurement Act 2023 s87", "within 30 days of entering it")
            )
        return notices
    notices = []
    if value.amount >= PA2023_PIPELINE_CONTRACT_VALUE:
        notices.append(
            Notice(
                "UK1",
                "Pipeline notice",
                "Procurement Act 2023 s93",
                "when the authority expects to spend over £100m in the coming year",
                required=False,
            )
        )
    notices.append(
        Notice(
            "UK2",
            "Preliminary market engagement notice",
            "Procurement Act 2023 s17",
            "before the tender notice, when the market is engaged",
        )
    )
    notices.append(
        Notice(
            "UK3",
            "Planned procurement notice",
            "Procurement Act 2023 s15",
            "optional; at least 40 days before the tender notice to shorten the tender period",
            required=False,
        )
    )
    if route in COMPETITIVE_ROUTES:
        notices.append(Notice("UK4", "Tender notice", "Procurement Act 2023 s21", "to start the procedure"))
    if route is Route.DIRECT_AWARD:
        notices.append(
            Notice("UK5", "Transparency notice", "Procurement Act 2023 s44", "before a direct award (Schedule 5)")
        )
    notices.append(
        Notice("UK6", "Contract award notice", "Procurement Act 2023 s50", "before entering into the contract")
    )
    details = "within 30 days of entering into the contract"
    if value.amount > PA2023_CONTRACT_PUBLISHED_ABOVE:
        details += ", with the contract (s94) and at least three KPIs (s52): over £5m"
    notices.append(Notice("UK7", "Contract details notice", "Procurement Act 2023 s53", details))
    return notices


def required_notices(route: Route, value: EstimatedValue) -> tuple[Notice, ...]:
    """The notices a procurement publishes under its regime, by route and estimated value; optional ones flagged."""
    if value.regime is Regime.PCR2015:
        return tuple(_pcr2015_notices(route, value))
    return tuple(_pa2023_notices(route, value))
