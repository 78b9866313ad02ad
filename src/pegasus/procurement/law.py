"""The procurement law as plain functions over data. No Django.

- Which regime governs a procurement begun on a day (`regime_on`): the Public Contracts Regulations 2015 or the
  Procurement Act 2023.
- Procurement thresholds by date (`threshold_check`), from `data/thresholds.toml`.
- When a standstill period ends (`standstill_end`), under the Public Contracts Regulations 2015 and the
  Procurement Act 2023, on the England and Wales working-day calendar.
"""

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path

from pegasus.core.calendar import add_working_days, is_working_day
from pegasus.core.exceptions import InputError
from pegasus.core.money import Money, VatBasis, round_pennies

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


class RuleInputError(InputError):
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
    compared = round_pennies(Money(value_net, VatBasis.NET).to_basis(period.basis).amount)
    threshold = period.threshold(authority, contract_type)
    return ThresholdResult(regime_on(day), threshold, period.basis, compared, compared >= threshold, period)


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
