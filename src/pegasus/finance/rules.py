"""The rules of programme finance, without Django: financial years, what each figure of the position means, how a
line's figures roll up its descendants, and the commitment control that keeps an approval from being exceeded.

Plain values in, plain values out. Money is `Decimal` pounds to the penny, net of VAT.
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pegasus.core.exceptions import InputError

ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)
YEAR_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


class FinanceInputError(InputError):
    """A financial year, month or figure that is not one; the message names the field."""


# --- Financial years: 1 April to 31 March, labelled 2019-20 ---------------------------------------------------------


def year_of(day: date) -> int:
    """The financial year containing `day`, by the calendar year it starts in: 31 March 2020 is in 2019."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def year_parse(label: str, field: str = "year") -> int:
    """'2019-20' -> 2019; anything else is a FinanceInputError naming `field`."""
    match = YEAR_LABEL.match(label.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]) or not 1900 <= int(match[1]) <= 2998:
        raise FinanceInputError(f"{field}: {label[:20]!r} is not a financial year such as 2019-20")
    return int(match[1])


def year_start(year: int) -> date:
    return date(year, 4, 1)


def year_end(year: int) -> date:
    return date(year + 1, 3, 31)


def year_months(year: int) -> list[date]:
    """The first day of each month of the financial year, April to March."""
    return [date(year + (month < 4), month, 1) for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


# --- The position ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A budget line's figures for a financial year as at a day (its own, or rolled up with its descendants)."""

    budget: Decimal = ZERO
    actual: Decimal = ZERO
    committed_open: Decimal = ZERO
    forecast_remaining: Decimal = ZERO

    @property
    def outturn(self) -> Decimal:
        return self.actual + self.forecast_remaining

    @property
    def variance(self) -> Decimal:
        """Budget less outturn: positive is an underspend."""
        return self.budget - self.outturn

    @property
    def available(self) -> Decimal:
        return self.budget - self.actual - self.committed_open

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, Decimal]:
        return {
            "budget": self.budget,
            "actual": self.actual,
            "committed_open": self.committed_open,
            "forecast_remaining": self.forecast_remaining,
            "outturn": self.outturn,
            "variance": self.variance,
            "available": self.available,
        }


def open_amount(amount: Decimal, paid: Decimal) -> Decimal:
    """What is still committed of a commitment: its amount less what has been paid against it, never below nothing."""
    return max(ZERO, amount - paid)


def counts_on(raised_on: date, cancelled_on: date | None, day: date) -> bool:
    """Whether a commitment counts on `day`: raised on or before it and not cancelled on or before it."""
    return raised_on <= day and (cancelled_on is None or cancelled_on > day)


def forecast_counts(month: date, year: int, as_at: date) -> bool:
    """Whether a forecast for `month` is still to come: in the year, after the month containing `as_at`."""
    return year_start(year) <= month <= year_end(year) and (month.year, month.month) > (as_at.year, as_at.month)


def descendants(parents: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Each line's code with the codes of itself and every line below it, from each line's parent code."""
    children: dict[str | None, list[str]] = {}
    for code, parent in parents.items():
        children.setdefault(parent, []).append(code)
    below: dict[str, list[str]] = {}
    for code in parents:
        found, stack = [], [code]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(children.get(current, ()))
        below[code] = found
    return below


def roll_up(parents: Mapping[str, str | None], own: Mapping[str, Figures]) -> dict[str, Figures]:
    """Each line's reported figures: its own plus those of all its descendants."""
    totals: dict[str, Figures] = {}
    for code, codes in descendants(parents).items():
        total = Figures()
        for each in codes:
            total = total + own.get(each, Figures())
        totals[code] = total
    return totals


def cycle_through(parents: Mapping[str, str | None], code: str, parent: str | None) -> bool:
    """Whether making `parent` the parent of `code` would put `code` below itself."""
    seen = set()
    while parent is not None and parent not in seen:
        if parent == code:
            return True
        seen.add(parent)
        parent = parents.get(parent)
    return False


@dataclass(frozen=True)
class ApprovalFigures:
    approved: Decimal
    committed: Decimal
    spent: Decimal

    @property
    def headroom(self) -> Decimal:
        return self.approved - self.committed


# --- Control: no commitment takes an approval past what was approved -----------------------------------------------


@dataclass(frozen=True)
class Held:
    """A commitment as the control sees it."""

    raised_on: date
    cancelled_on: date | None
    amount: Decimal


def committed_on(commitments: Iterable[Held], day: date) -> Decimal:
    return sum((c.amount for c in commitments if counts_on(c.raised_on, c.cancelled_on, day)), ZERO)


def peak_committed(commitments: Iterable[Held], from_day: date) -> tuple[Decimal, date]:
    """The most committed against an approval on any day from `from_day` on, and the first day it is reached.

    A sweep over the days commitments are raised and cancelled: the total rises on the one and falls on the other.
    """
    changes: dict[date, Decimal] = {}
    for c in commitments:
        changes[c.raised_on] = changes.get(c.raised_on, ZERO) + c.amount
        if c.cancelled_on is not None and c.cancelled_on > c.raised_on:
            changes[c.cancelled_on] = changes.get(c.cancelled_on, ZERO) - c.amount
        elif c.cancelled_on is not None:  # cancelled on the day it was raised: it never counts
            changes[c.raised_on] -= c.amount
    days = sorted(changes)
    total = sum((changes[day] for day in days if day <= from_day), ZERO)
    peak, peak_day = total, from_day
    for day in days:
        if day > from_day:
            total += changes[day]
            if total > peak:
                peak, peak_day = total, day
    return peak, peak_day


def shortfall_message(
    *, approval: str, headroom: Decimal, shortfall: Decimal, approver: str, clause: str | None
) -> str:
    """The refusal of a commitment that would exceed an approval: what is left, what is short, who may approve it."""
    by = f"{approver} (paragraph {clause})" if clause else approver
    return (
        f"This would commit more than approval {approval} allows: its headroom is £{headroom:,.2f} and the "
        f"commitment needs £{shortfall:,.2f} more. A further approval of £{shortfall:,.2f} would need {by} under the "
        f"scheme of delegation."
    )


# --- Savings: what a contract that replaces others saves in a financial year --------------------------------------

MONTH_RULE = (
    "A month of the year counts when the new contract is in service on its first day: on or after its start date and "
    "on or before its end (the day it ended early, else its current end under the estate's term rules as at that day)."
)


def in_service(start: date, end: date, day: date) -> bool:
    """Whether a contract running from `start` to `end` (both days included) is in service on `day`."""
    return start <= day <= end


def months_in_service(year: int, start: date, end_as_at: Callable[[date], date]) -> int:
    """The months of financial `year` in which a contract is in service on the month's first day.

    `end_as_at(day)` is the contract's end as things stand on `day` (the day it ended early, else its current end
    under the term rules), so that a tacit renewal counts only from the day it has taken effect.
    """
    return sum(1 for month in year_months(year) if month >= start and in_service(start, end_as_at(month), month))


def saving(replaced_annual: Decimal, own_annual: Decimal, months: int) -> Decimal:
    """The cashable saving in a year: (annual value of what is replaced - the new contract's) x months / 12, to the
    penny (half up). Negative when the new contract costs more than what it replaces."""
    if not 0 <= months <= 12:
        raise FinanceInputError(f"months_in_service: {months} is not between 0 and 12")
    return ((replaced_annual - own_annual) * months / 12).quantize(ZERO, rounding=ROUND_HALF_UP)


def split_by_shares(amount: Decimal, shares: Sequence[tuple[str, Decimal]]) -> list[tuple[str | None, Decimal]]:
    """`amount` split over towers by their percentage shares, to the penny, the parts adding up to `amount` exactly.

    Each part is amount x share / 100 rounded down to the penny in magnitude; the pennies left over go one each to
    the largest remainders. What shares short of 100% leave is reported against no tower (None); shares over 100% are
    scaled down to 100%.
    """
    total_share = sum((share for _, share in shares), Decimal(0))
    if not shares or total_share <= 0:
        return [(None, amount)]
    scale = max(total_share, Decimal(100))
    pennies = int((amount * 100).to_integral_value())
    sign = -1 if pennies < 0 else 1
    exact = [abs(pennies) * share / scale for _, share in shares]
    parts = [int(e) for e in exact]
    covered = round(abs(pennies) * total_share / scale)  # every penny, unless the shares fall short of 100%
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: max(0, covered - sum(parts))]:
        parts[i] += 1
    out: list[tuple[str | None, Decimal]] = [
        (tower, Decimal(sign * part) / 100) for (tower, _), part in zip(shares, parts, strict=True)
    ]
    left = abs(pennies) - sum(parts)
    if left:
        out.append((None, Decimal(sign * left) / 100))
    return [(tower, part.quantize(ZERO)) for tower, part in out]
