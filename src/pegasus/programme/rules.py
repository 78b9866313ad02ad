"""Programme control's rules for milestones and exits. Pure Python: plain values in, plain values out.

A milestone's RAG (as UK government programme offices use it): `complete` once it has happened (an actual date on
or before the day it is read as at); otherwise green when the forecast is on or before the baseline, amber when the
forecast slips past the baseline by no more than the programme's tolerance, red when it slips further or when the
baseline has passed with nothing done. On the baseline day itself the milestone can still be met, so it is not red
for that reason.

An exit plan's readiness is the share of its tasks done. Its red flag: the latest the incumbent contract can still
end (its current end with every option left exercised) comes before the replacement contract is planned to start,
leaving days with no contract at all.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

DEFAULT_TOLERANCE_DAYS = 30
ONE_DAY = timedelta(days=1)


class Rag(StrEnum):
    COMPLETE = "complete"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


RAG_LABELS = {
    Rag.COMPLETE: "Complete",
    Rag.GREEN: "Green: on track",
    Rag.AMBER: "Amber: slipping within tolerance",
    Rag.RED: "Red: beyond tolerance or overdue",
}


def actual_as_at(actual: date | None, as_at: date) -> date | None:
    """The actual date as it was known on `as_at`: one recorded for a later day had not happened yet."""
    return actual if actual is not None and actual <= as_at else None


def slip_days(*, baseline: date, forecast: date, actual: date | None = None) -> int:
    """Days the milestone is (or was, once done) later than its baseline; negative when earlier."""
    return ((actual or forecast) - baseline).days


def milestone_rag(*, baseline: date, forecast: date, actual: date | None, as_at: date, tolerance_days: int) -> Rag:
    """The milestone's RAG as at `as_at` (see the module's docstring). `actual` is ignored when after `as_at`."""
    if tolerance_days < 0:
        raise ValueError("the tolerance cannot be negative")
    if actual_as_at(actual, as_at) is not None:
        return Rag.COMPLETE
    if baseline < as_at:
        return Rag.RED
    slip = slip_days(baseline=baseline, forecast=forecast)
    if slip <= 0:
        return Rag.GREEN
    if slip <= tolerance_days:
        return Rag.AMBER
    return Rag.RED


def readiness(*, done: int, total: int) -> Decimal | None:
    """The share of an exit plan's tasks done, as a percentage to one decimal place; None for a plan with no tasks."""
    if total < 0 or done < 0 or done > total:
        raise ValueError("done tasks must be between none and all of them")
    if total == 0:
        return None
    return (Decimal(done) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class ExitCover(StrEnum):
    """Whether the incumbent contract lasts until its replacement is planned to start."""

    COVERED = "covered"  # its current end reaches the replacement's start
    NEEDS_OPTIONS = "needs-options"  # only with options still to be exercised
    GAP = "gap"  # not even with every option left: the red flag
    UNKNOWN = "unknown"  # no planned start to compare with


COVER_LABELS = {
    ExitCover.COVERED: "Covered by the current end",
    ExitCover.NEEDS_OPTIONS: "Covered only if options are exercised",
    ExitCover.GAP: "Gap: the contract ends before its replacement starts",
    ExitCover.UNKNOWN: "No planned start for the replacement",
}


@dataclass(frozen=True)
class ExitOutlook:
    cover: ExitCover
    gap_days: int  # days with no contract, with every option left exercised (0 when none)

    @property
    def red_flag(self) -> bool:
        return self.cover is ExitCover.GAP

    @property
    def label(self) -> str:
        return COVER_LABELS[self.cover]


def _days_uncovered(end: date, starts: date) -> int:
    # A contract ending the day before its replacement starts leaves no gap.
    return max(0, (starts - end - ONE_DAY).days)


def exit_outlook(*, current_end: date, latest_end: date | None, replacement_starts: date | None) -> ExitOutlook:
    """How the incumbent's end meets its replacement's planned start. `latest_end` is the current end with every
    option left exercised (None when a renewal without limit lets it roll on)."""
    if replacement_starts is None:
        return ExitOutlook(ExitCover.UNKNOWN, 0)
    if _days_uncovered(current_end, replacement_starts) == 0:
        return ExitOutlook(ExitCover.COVERED, 0)
    if latest_end is None or _days_uncovered(latest_end, replacement_starts) == 0:
        return ExitOutlook(ExitCover.NEEDS_OPTIONS, 0)
    return ExitOutlook(ExitCover.GAP, _days_uncovered(latest_end, replacement_starts))
