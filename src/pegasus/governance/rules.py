"""Rules of the law and of the scheme of delegation, as plain functions over data. No Django.

- Procurement thresholds by date (`threshold_check`), from `data/thresholds.toml`.
- Who approves a decision (`approver_for`), from a scheme of delegation such as `data/scheme-mopac.toml`.
- When a standstill period ends (`standstill_end`), under the Public Contracts Regulations 2015 and the
  Procurement Act 2023, on the England and Wales working-day calendar.
- Which FOI exemptions still withhold a decision's Part 2 on a day (`exemptions_in_force`).
"""

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path

from pegasus.core.calendar import add_working_days, is_working_day
from pegasus.core.money import STANDARD_VAT_RATE, VatBasis, round_pennies

DATA = Path(__file__).resolve().parent / "data"

# The Procurement Act 2023 governs procurements begun on or after 24 February 2025; earlier ones stay under the
# Public Contracts Regulations 2015.
PA2023_COMMENCEMENT = date(2025, 2, 24)
EARLIEST_THRESHOLD_DATE = date(2016, 1, 1)


class Regime(StrEnum):
    PCR2015 = "PCR2015"
    PA2023 = "PA2023"


class Authority(StrEnum):
    CENTRAL = "central"
    SUB_CENTRAL = "sub-central"


class ContractType(StrEnum):
    SUPPLIES = "supplies"
    SERVICES = "services"
    WORKS = "works"
    LIGHT_TOUCH = "light-touch"


class RuleInputError(ValueError):
    """An input the rules cannot answer for; the message names the field."""


def regime_on(day: date) -> Regime:
    return Regime.PA2023 if day >= PA2023_COMMENCEMENT else Regime.PCR2015


# --- Thresholds ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdPeriod:
    start: date
    end: date | None
    central: Decimal
    sub_central: Decimal
    works: Decimal
    light_touch: Decimal
    basis: VatBasis
    source: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def threshold(self, authority: Authority, contract_type: ContractType) -> Decimal:
        if contract_type is ContractType.WORKS:
            return self.works
        if contract_type is ContractType.LIGHT_TOUCH:
            return self.light_touch
        return self.central if authority is Authority.CENTRAL else self.sub_central


@cache
def threshold_periods(path: Path = DATA / "thresholds.toml") -> tuple[ThresholdPeriod, ...]:
    with path.open("rb") as handle:
        periods = tomllib.load(handle)["period"]
    return tuple(
        ThresholdPeriod(
            start=p["from"],
            end=p.get("to"),
            central=Decimal(p["central"]),
            sub_central=Decimal(p["sub_central"]),
            works=Decimal(p["works"]),
            light_touch=Decimal(p["light_touch"]),
            basis=VatBasis(p["basis"]),
            source=p["source"],
        )
        for p in periods
    )


@dataclass(frozen=True)
class ThresholdResult:
    regime: Regime
    threshold: Decimal
    vat_basis: VatBasis
    compared_value: Decimal
    above_threshold: bool
    period: ThresholdPeriod


def threshold_check(
    *, day: date, authority: Authority, contract_type: ContractType, value_net: Decimal
) -> ThresholdResult:
    """Whether an estimated value (pounds, excluding VAT) reaches the threshold in force on `day`.

    Where the period's thresholds include VAT, the value compared is the value plus VAT at the standard rate.
    """
    if day < EARLIEST_THRESHOLD_DATE:
        raise RuleInputError(f"--date: thresholds are held from {EARLIEST_THRESHOLD_DATE.isoformat()}, not {day}")
    if value_net < 0:
        raise RuleInputError("--value: an estimated value cannot be negative")
    period = next(p for p in threshold_periods() if p.covers(day))
    compared = round_pennies(value_net * (1 + STANDARD_VAT_RATE) if period.basis is VatBasis.GROSS else value_net)
    threshold = period.threshold(authority, contract_type)
    return ThresholdResult(regime_on(day), threshold, period.basis, compared, compared >= threshold, period)


# --- Scheme of delegation -----------------------------------------------------------------------------------


class DecisionType(StrEnum):
    BUSINESS_CASE = "business-case"
    PROCUREMENT_STRATEGY = "procurement-strategy"
    CONTRACT_AWARD = "contract-award"
    CONTRACT_EXTENSION = "contract-extension"
    PROCUREMENT_EXEMPTION = "procurement-exemption"


@dataclass(frozen=True)
class DelegationRule:
    decision_types: frozenset[DecisionType]
    approver: str
    minimum: Decimal | None = None
    clause: str | None = None

    def applies(self, decision_type: DecisionType, value: Decimal) -> bool:
        return decision_type in self.decision_types and (self.minimum is None or value >= self.minimum)


@dataclass(frozen=True)
class SchemeVersion:
    effective_from: date
    source: str
    rules: tuple[DelegationRule, ...]


@dataclass(frozen=True)
class Scheme:
    name: str
    versions: tuple[SchemeVersion, ...]

    def version_on(self, day: date) -> SchemeVersion:
        in_force = [v for v in self.versions if v.effective_from <= day]
        if not in_force:
            raise RuleInputError(f"--date: {self.name} has no version in force on {day.isoformat()}")
        return max(in_force, key=lambda v: v.effective_from)


@cache
def load_scheme(path: Path = DATA / "scheme-mopac.toml") -> Scheme:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return Scheme(
        name=data["name"],
        versions=tuple(
            SchemeVersion(
                effective_from=v["effective_from"],
                source=v.get("source", ""),
                rules=tuple(
                    DelegationRule(
                        decision_types=frozenset(DecisionType(d) for d in r["decision_types"]),
                        approver=r["approver"],
                        minimum=Decimal(r["minimum"]) if "minimum" in r else None,
                        clause=r.get("clause"),
                    )
                    for r in v["rule"]
                ),
            )
            for v in data["version"]
        ),
    )


@dataclass(frozen=True)
class Approval:
    approver: str
    clause: str | None
    scheme: str


def approver_for(*, decision_type: DecisionType, value: Decimal, day: date, scheme: Scheme | None = None) -> Approval:
    """Who the scheme in force on `day` names to approve a decision of this type and value."""
    scheme = scheme or load_scheme()
    version = scheme.version_on(day)
    rule = next((r for r in version.rules if r.applies(decision_type, value)), None)
    if rule is None:
        raise RuleInputError(f"--decision-type: {scheme.name} names no approver for {decision_type}")
    return Approval(rule.approver, rule.clause, scheme.name)


# --- Standstill ---------------------------------------------------------------------------------------------


class NoticeMeans(StrEnum):
    ELECTRONIC = "electronic"
    OTHER = "other"


def standstill_end_pcr2015(sent: date, means: NoticeMeans = NoticeMeans.ELECTRONIC) -> date:
    """PCR 2015 regulation 87(2): the standstill period ends at midnight at the end of "the 10th day after the
    relevant sending date, if the notice is sent by fax or electronic means" (the 15th day otherwise), and
    87(4): "where the standstill period ends on a day which is not a working day, the standstill period is
    extended until midnight at the end of the next working day"."""
    end = sent + timedelta(days=10 if means is NoticeMeans.ELECTRONIC else 15)
    while not is_working_day(end):
        end += timedelta(days=1)
    return end


def standstill_end_pa2023(published: date) -> date:
    """Procurement Act 2023 section 51: the mandatory standstill period is "the period of eight working days
    beginning with the day on which the contract award notice is published" (UK6).
    A notice published on a non-working day starts the count on the next working day."""
    first = published if is_working_day(published) else add_working_days(published, 1)
    return add_working_days(first, 7)


def standstill_end(regime: Regime, day: date, means: NoticeMeans = NoticeMeans.ELECTRONIC) -> date:
    """The last day of the standstill period; the contract may be entered into the day after."""
    return standstill_end_pcr2015(day, means) if regime is Regime.PCR2015 else standstill_end_pa2023(day)


# --- Part 2 and the Freedom of Information Act -------------------------------------------------------------------


@dataclass(frozen=True)
class Exemption:
    """A section of the Freedom of Information Act 2000 that withholds Part 2, until `ceases_on` (None: no end)."""

    section: str
    name: str
    ceases_on: date | None


def exemptions_in_force(exemptions: list[Exemption], day: date) -> list[Exemption]:
    """The exemptions that still withhold Part 2 on `day`, in the order given.

    An exemption ceases on its date (it no longer applies from that day); one without a date never lapses by itself.
    Part 2 may be released without a public-interest decision only when this list is empty. A disclosure cannot be
    undone, so an unknown end date counts as "still applies".
    """
    return [e for e in exemptions if e.ceases_on is None or e.ceases_on > day]
