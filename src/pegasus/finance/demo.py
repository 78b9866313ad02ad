"""The programme's money as PCD 579 sets it out, for the demonstration estate. Loading twice changes nothing.

What the seed states is reproduced exactly: the Digital Policing (DP) budget of "circa £1bn (£200m/year)" over five
years, held as £200,000,000.00 a year for 2019-20 to 2023-24; "£6.7m over the next two years ... fully funded from the
DP budget", held as the Pegasus programme's budget over 2019-20 and 2020-21 adding to £6,700,000.00 and approved by
PCD 579 (approved by the DMPC on 10 June 2019); consultancy "through Bloom", "circa five existing key MPS DP people
released and backfilled", and "legal support through the National Legal Services Framework (NLSF)".

The seed gives no split of the £6.7m, so the split over consultancy, backfill, legal support and contingency, and
every commitment, payment and forecast below, is illustrative and marked so. Commitments are raised from June 2019,
after the approval; each is paid monthly from July 2019 to March 2021 on the first of the month, and the forecasts
are the same plan month by month. The demonstration reads the estate as at 23 May 2019 (`estate.demo.DEMO_AS_AT`),
before the approval: as at that day the position shows the budgets and nothing committed or spent; as at any later
day it shows what had been committed and paid by then against the forecast of the rest.

A replacement contract that shows a saving: the devices, mobile and print consolidation (PEG-2019-03, the "other
contracts ... which could be consolidated" of PCD 579) awards one planned tier-2 contract from 1 June 2020, the day
after Mobile Voice and Data's term ends, at £12,000,000.00 a year against about £14.3m a year for the three
contracts it replaces. A fictional supplier of the demonstration estate holds it; its value, term and tower shares
are illustrative. The major contracts' own re-procurement (PEG-2019-01) is not awarded yet, so the estate of six
tier-1 contracts worth £500m stays as the seed has it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from pegasus.core.clock import london_instant, story_at
from pegasus.estate import selectors as estate_selectors
from pegasus.estate import services as estate_services
from pegasus.estate.demo import ESTATE_ENTERED
from pegasus.finance import rules, services
from pegasus.governance import selectors as governance_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.procurement import services as procurement_services

DP_YEARS = (2019, 2020, 2021, 2022, 2023)
DP_A_YEAR = Decimal("200000000.00")
PROGRAMME_YEARS = (2019, 2020)
PAID_ON_DAY = 1  # on the first of the month, so a position as at any day of a month has it paid or forecast
FIRST_PAYMENT = date(2019, 7, 1)

# code, name, parent, {year: budget}; the programme's lines add to £6,700,000.00 over its two years.
PROGRAMME_LINES = [
    ("DP-PEG-CONS", "Consultancy through Bloom (illustrative split)", {2019: "2200000.00", 2020: "1900000.00"}),
    ("DP-PEG-BACK", "About five backfilled MPS DP posts (illustrative split)", {2019: "350000.00", 2020: "420000.00"}),
    ("DP-PEG-LEGAL", "Legal support through the NLSF (illustrative split)", {2019: "300000.00", 2020: "250000.00"}),
    ("DP-PEG-CONT", "Contingency (illustrative split)", {2019: "750000.00", 2020: "530000.00"}),
]
PROGRAMME_TOTAL = Decimal("6700000.00")

APPROVAL = "PCD579"
APPROVED_ON = date(2019, 6, 10)
DECISION = "PCD 579"
# Finance records the approval and the forecasts that follow it the afternoon PCD 579 is signed; each commitment
# on the day it is raised and each payment on the day it is paid.
APPROVAL_RECORDED = london_instant(APPROVED_ON, 14)


@dataclass(frozen=True)
class DemoCommitment:
    reference: str
    line: str
    supplier: str
    description: str
    raised_on: date
    # (first month paid, {financial year: amount paid in it}); paid in equal monthly parts to the end of each year
    payments: tuple[tuple[int, str], ...]
    first_paid: date

    @property
    def amount(self) -> Decimal:
        return sum((Decimal(amount) for _, amount in self.payments), Decimal("0.00"))


COMMITMENTS = [
    DemoCommitment(
        "BLOOM-2019-01",
        "DP-PEG-CONS",
        "Independent consultants through Bloom (illustrative)",
        "Call-off for 2019-20: programme, commercial and technical leads (illustrative)",
        date(2019, 6, 17),
        ((2019, "2200000.00"),),
        FIRST_PAYMENT,
    ),
    DemoCommitment(
        "BLOOM-2020-02",
        "DP-PEG-CONS",
        "Independent consultants through Bloom (illustrative)",
        "Call-off for 2020-21: requirements, evaluation and transition leads (illustrative)",
        date(2020, 3, 16),
        ((2020, "1900000.00"),),
        date(2020, 4, 1),
    ),
    DemoCommitment(
        "BACKFILL-2019",
        "DP-PEG-BACK",
        "Metropolitan Police Service - Digital Policing (internal recharge)",
        "Backfill of about five key MPS DP posts released to the programme, 2019-21 (illustrative)",
        date(2019, 6, 24),
        ((2019, "350000.00"), (2020, "420000.00")),
        FIRST_PAYMENT,
    ),
    DemoCommitment(
        "NLSF-2019-01",
        "DP-PEG-LEGAL",
        "Law firm on the National Legal Services Framework (illustrative)",
        "Legal support to the programme and its procurements, 2019-21 (illustrative)",
        date(2019, 6, 24),
        ((2019, "300000.00"), (2020, "250000.00")),
        FIRST_PAYMENT,
    ),
]

# The contract the devices, mobile and print consolidation awards: the three contracts it replaces, as one, at a
# lower annual value (about £14.3m a year between them).
AWARDING_PROCUREMENT = "PEG-2019-03"
NEW_CONTRACT = {
    "reference": "MPS-DP-T2-104",
    "title": "Devices, Mobile and Print (illustrative award)",
    "description": "Mobile voice and data, managed print and end-user devices as one contract, replacing the three "
    "contracts of PEG-2019-03 (illustrative value, term and supplier).",
    "tier": 2,
    "start_date": date(2020, 6, 1),
    "initial_end_date": date(2024, 5, 31),
    "notice_period_months": 3,
    "total_value": Decimal("48000000.00"),
    "annual_value": Decimal("12000000.00"),
    "vat_basis": "net",
    "status": "planned",
    "classification": "OFFICIAL-SENSITIVE",
    "classification_descriptor": "COMMERCIAL",
}
NEW_CONTRACT_SUPPLIER = "Greenwich Devices Ltd (illustrative)"
NEW_CONTRACT_OPTIONS = (12,)
# Shares of value by tower, close to each tower's share of what it replaces.
NEW_CONTRACT_TOWERS = (
    ("mobile", "34.50"),
    ("printers", "14.85"),
    ("devices", "50.65"),
)


def monthly_parts(amount: Decimal, months: int) -> list[Decimal]:
    """`amount` in `months` equal monthly parts to the penny, the last taking what rounding leaves."""
    part = (amount / months).quantize(rules.ZERO)
    return [part] * (months - 1) + [amount - part * (months - 1)]


def payment_plan(commitment: DemoCommitment) -> list[tuple[date, Decimal]]:
    """Each month's payment of a commitment (the month's first day): each year's amount in equal parts from the
    first month paid (or the year's start) to March."""
    plan = []
    for year, amount in commitment.payments:
        months = [m for m in rules.year_months(year) if m >= commitment.first_paid]
        plan.extend(zip(months, monthly_parts(Decimal(amount), len(months)), strict=True))
    return plan


def _changed(counts: dict[str, int], kind: str, saved: services.Saved) -> None:
    counts[kind] = counts.get(kind, 0) + int(saved.outcome == "created")


@story_at(ESTATE_ENTERED)
def _budgets(counts: dict[str, int]) -> None:
    save = services.budget_line_save
    _changed(counts, "budget lines", save(code="DP", name="Digital Policing (DP) budget", parent=None, by=None))
    _changed(counts, "budget lines", save(code="DP-RUN", name="Digital Policing run and change", parent="DP", by=None))
    _changed(counts, "budget lines", save(code="DP-PEG", name="Pegasus programme (PCD 579)", parent="DP", by=None))
    programme: dict[int, Decimal] = {}
    for code, name, amounts in PROGRAMME_LINES:
        _changed(counts, "budget lines", save(code=code, name=name, parent="DP-PEG", by=None))
        for year, amount in amounts.items():
            programme[year] = programme.get(year, rules.ZERO) + Decimal(amount)
            saved = services.budget_amount_save(line=code, year=year, amount=Decimal(amount), by=None)
            _changed(counts, "budget amounts", saved)
    for year in DP_YEARS:
        # DP reports its own budget plus its descendants': the run line holds what the programme does not.
        for code, amount in (
            ("DP", rules.ZERO),
            ("DP-PEG", rules.ZERO),
            ("DP-RUN", DP_A_YEAR - programme.get(year, 0)),
        ):
            _changed(
                counts, "budget amounts", services.budget_amount_save(line=code, year=year, amount=amount, by=None)
            )


def _ledgers(counts: dict[str, int]) -> None:
    decision = DECISION if governance_selectors.approved_decision(DECISION) is not None else None
    with story_at(APPROVAL_RECORDED):
        saved = services.approval_save(
            reference=APPROVAL,
            line="DP-PEG",
            amount=PROGRAMME_TOTAL,
            approved_on=APPROVED_ON,
            decision=decision,
            by=None,
        )
    _changed(counts, "approvals", saved)
    forecast: dict[tuple[str, date], Decimal] = {}
    for spec in COMMITMENTS:
        with story_at(london_instant(spec.raised_on, 11)):
            saved = services.commitment_save(
                reference=spec.reference,
                line=spec.line,
                approval=APPROVAL,
                supplier=spec.supplier,
                description=spec.description,
                raised_on=spec.raised_on,
                amount=spec.amount,
                cancelled_on=None,
                contract=None,
                by=None,
            )
        _changed(counts, "commitments", saved)
        for n, (month, amount) in enumerate(payment_plan(spec), start=1):
            with story_at(london_instant(month.replace(day=PAID_ON_DAY), 11)):
                saved = services.actual_save(
                    reference=f"{spec.reference}-{n:02d}",
                    line=spec.line,
                    commitment=spec.reference,
                    paid_on=month.replace(day=PAID_ON_DAY),
                    amount=amount,
                    by=None,
                )
            _changed(counts, "actuals", saved)
            forecast[spec.line, month] = forecast.get((spec.line, month), rules.ZERO) + amount
    _forecasts(counts, forecast)


@story_at(APPROVAL_RECORDED)
def _forecasts(counts: dict[str, int], forecast: dict[tuple[str, date], Decimal]) -> None:
    for code, _, _ in PROGRAMME_LINES:
        for year in PROGRAMME_YEARS:
            for month in rules.year_months(year):
                amount = forecast.get((code, month), rules.ZERO)
                _changed(counts, "forecasts", services.forecast_save(line=code, month=month, amount=amount, by=None))


# PEG-2019-03's call-off awarded, and its contract entered, after its governance approval (illustrative day).
AWARD_RECORDED = london_instant(date(2020, 3, 2), 10)


@story_at(AWARD_RECORDED)
def _replacement(counts: dict[str, int]) -> None:
    """The consolidation's award, when the estate and the procurements are loaded."""
    counts["replacement contracts"] = counts["awards"] = 0
    procurement = procurement_selectors.procurements().filter(reference=AWARDING_PROCUREMENT).first()
    if procurement is None:
        return
    contract = estate_selectors.contracts_of([NEW_CONTRACT["reference"]]).first()
    if contract is None:
        supplier = estate_selectors.suppliers().get(name=NEW_CONTRACT_SUPPLIER)
        towers = {t.code: t for t in estate_selectors.towers()}
        authority = estate_selectors.contracting_authority()
        operator = estate_selectors.organisations().filter(authority=authority).first()
        contract = estate_services.contract_create(
            towers=[estate_services.TowerShare(towers[code], Decimal(share)) for code, share in NEW_CONTRACT_TOWERS],
            options=[estate_services.OptionSpec(months) for months in NEW_CONTRACT_OPTIONS],
            by=None,
            supplier=supplier,
            authority=authority,
            operating_body=operator,
            **NEW_CONTRACT,  # type: ignore[typeddict-item]
        )
        counts["replacement contracts"] = 1
    if procurement.awarded_contract_id != contract.pk:
        procurement_services.procurement_award_record(procurement=procurement, contract=contract, by=None)
        counts["awards"] = 1


@transaction.atomic
def finance_demo_load() -> dict[str, int]:
    """Load the DP budget, the Pegasus programme's lines, approval, commitments, actuals and forecasts, and the award
    that shows a saving; loading twice changes nothing."""
    counts: dict[str, int] = {}
    _budgets(counts)
    _ledgers(counts)
    _replacement(counts)
    return {f"finance {kind}": n for kind, n in counts.items()}
