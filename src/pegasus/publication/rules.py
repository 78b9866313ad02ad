"""Which post-award notice the law asks for, and by when. Plain values in, plain values out; no Django.

- UK7, contract details notice: Procurement Act 2023 s53. Published within 30 days of the contract being entered
  into (s53(1)); where the contract is worth more than £5 million it includes the key performance indicators set
  under s52 (at least three, s52(1)).
- UK9, contract performance notice: s71, for contracts worth more than £5 million. Each KPI set under s52 is
  assessed at least once in every period of 12 months and on termination (s52(2)-(3)), rated Good, Approaching
  target, Requires improvement or Inadequate, and the assessment published (s71(1)).
- UK10, contract change notice: s75. Published before a public contract is modified, unless the modification rules
  say otherwise (`procurement.modification`: `Verdict.notice == "UK10"`). Where s77 asks for it, the contract as
  modified is published within 90 days of the modification: Pegasus does not hold that document, so the notice
  carries the reminder and its date.
- UK11, contract termination notice: s80. Published within 30 days of the day the contract terminates, for any
  reason (expiry included).
- PCR-MOD, modification notice: the Public Contracts Regulations 2015 regulation 72(1)(b) and (c) with 72(3), for a
  contract awarded under PCR 2015 and modified on one of those grounds (`Verdict.notice == "modification-notice"`).

A UK7, UK9, UK10 or UK11 of a contract awarded under PCR 2015 is not required by the Act (it applies to contracts
awarded under it, from 24 February 2025): Pegasus lets one be published, and says that it is voluntary.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pegasus.core.calendar import add_months

# s52(1) and s71(1): a contract whose value is more than £5 million has KPIs, assessed and published.
KPI_VALUE = Decimal("5000000")
KPIS_AT_LEAST = 3
UK11_DAYS = 30  # s80(1)
S77_DAYS = 90  # s77
UK7_DAYS = 30  # s53(1)
UK9_MONTHS = 12  # s52(2), s71


class NoticeKind(StrEnum):
    UK7 = "UK7"
    UK9 = "UK9"
    UK10 = "UK10"
    UK11 = "UK11"
    PCR_MOD = "PCR-MOD"


TITLES = {
    NoticeKind.UK7: "Contract details notice",
    NoticeKind.UK9: "Contract performance notice",
    NoticeKind.UK10: "Contract change notice",
    NoticeKind.UK11: "Contract termination notice",
    NoticeKind.PCR_MOD: "Modification notice",
}
# The notices the Procurement Act 2023 asks for; a PCR-MOD is the Regulations' own.
ACT_NOTICES = frozenset({NoticeKind.UK7, NoticeKind.UK9, NoticeKind.UK10, NoticeKind.UK11})
VOLUNTARY = "Published voluntarily: the contract was awarded under PCR 2015"


@dataclass(frozen=True)
class Requirement:
    """Whether the law asks for the notice, the provision that does, when it is due (if a date can be given) and
    why, in the words the notice page shows."""

    required: bool
    provision: str
    due: date | None
    text: str
    reminder: str = ""


def requirement(
    kind: str,
    regime: str,
    *,
    effective_on: date | None = None,
    termination_date: date | None = None,
    start_date: date | None = None,
    last_assessed: date | None = None,
    publish_modified_contract: bool = False,
) -> Requirement:
    """What the law asks of a notice of `kind` for a contract of `regime` ("PA2023" or "PCR2015"): the change's
    `effective_on` for a UK10, the `termination_date` for a UK11, the contract's `start_date` for a UK7, the end of
    the last assessment period published for a UK9 (its `start_date` when there was none)."""
    kind = NoticeKind(kind)
    if kind is NoticeKind.PCR_MOD:
        return Requirement(
            regime == "PCR2015",
            "PCR 2015 reg 72(3)",
            None,
            "Required by the Public Contracts Regulations 2015, regulation 72(3): the contract was modified under "
            "regulation 72(1)(b) or (c)"
            if regime == "PCR2015"
            else "Not required: the contract was awarded under the Procurement Act 2023 (a UK10 is its notice)",
        )
    if regime != "PA2023":
        return Requirement(False, "", None, VOLUNTARY)
    if kind is NoticeKind.UK10:
        assert effective_on is not None
        reminder = ""
        if publish_modified_contract:
            reminder = (
                "Section 77: publish the contract as modified within 90 days of the modification, by "
                f"{_day(effective_on + timedelta(days=S77_DAYS))} (the document is not held in Pegasus)"
            )
        return Requirement(
            True,
            "PA 2023 s75",
            effective_on - timedelta(days=1),
            f"Required by the Procurement Act 2023, section 75(1): publish before the modification takes effect on "
            f"{_day(effective_on)}",
            reminder,
        )
    if kind is NoticeKind.UK11:
        assert termination_date is not None
        due = termination_date + timedelta(days=UK11_DAYS)
        return Requirement(
            True,
            "PA 2023 s80",
            due,
            f"Required by the Procurement Act 2023, section 80(1): publish within 30 days of the contract's "
            f"termination on {_day(termination_date)}, by {_day(due)}",
        )
    if kind is NoticeKind.UK9:
        assert start_date is not None
        due = add_months(last_assessed or start_date, UK9_MONTHS)
        since = "the last assessment published" if last_assessed else "the contract's start"
        return Requirement(
            True,
            "PA 2023 s71",
            due,
            f"Required by the Procurement Act 2023, section 71(1): each KPI is assessed at least once every 12 months "
            f"(s52(2)), by {_day(due)} from {since}, and on termination",
        )
    assert start_date is not None
    due = start_date + timedelta(days=UK7_DAYS)
    return Requirement(
        True,
        "PA 2023 s53",
        due,
        f"Required by the Procurement Act 2023, section 53(1): publish within 30 days of the contract being entered "
        f"into, by {_day(due)}; a contract worth more than £5 million includes its KPIs (s52, s53)",
    )


def kpis_required(value: Decimal) -> bool:
    """s52(1): a contract worth more than £5 million has KPIs (at least three), assessed and published (s71)."""
    return value > KPI_VALUE


def uk9_due(last_period_end: date | None, start_date: date, as_at: date) -> bool:
    """A UK9 is due when no assessment has been published in the 12 months before `as_at` (s52(2))."""
    return add_months(last_period_end or start_date, UK9_MONTHS) <= as_at


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
