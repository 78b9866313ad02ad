"""KPI ratings of the Procurement Act 2023 (s52, s71): Good, Approaching target, Requires improvement, Inadequate.

A KPI here is one priority's resolution target. Its attainment over a period is compared with its target; the
authority's rules say how many percentage points below the target each rating reaches down to. The defaults: at or
above target is Good; up to 2 points below is Approaching target; up to 5 points below is Requires improvement;
further below is Inadequate. A KPI with nothing resolved in the period is not rated.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Rating(Enum):
    GOOD = "Good"
    APPROACHING = "Approaching target"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"

    @property
    def tag(self) -> str:
        """The GOV.UK tag colour that shows the rating."""
        return {
            Rating.GOOD: "govuk-tag--green",
            Rating.APPROACHING: "govuk-tag--yellow",
            Rating.REQUIRES_IMPROVEMENT: "govuk-tag--orange",
            Rating.INADEQUATE: "govuk-tag--red",
        }[self]


@dataclass(frozen=True)
class Thresholds:
    """Points below target down to which a KPI is still Approaching target, and still Requires improvement."""

    approaching_points: Decimal = Decimal("2")
    improvement_points: Decimal = Decimal("5")

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.approaching_points <= self.improvement_points <= Decimal(100):
            raise ValueError("rating bands must satisfy 0 <= approaching <= requires improvement <= 100 points")


DEFAULT_THRESHOLDS = Thresholds()


def kpi_rating(met: int, resolved: int, target: Decimal, rules: Thresholds = DEFAULT_THRESHOLDS) -> Rating | None:
    """The rating of `met` out of `resolved` against `target` percent, compared exactly (no float rounding)."""
    if resolved == 0:
        return None
    # attainment = 100 x met / resolved; shortfall in points = target - attainment, kept as an exact fraction.
    shortfall_x_resolved = target * resolved - Decimal(100 * met)
    if shortfall_x_resolved <= 0:
        return Rating.GOOD
    if shortfall_x_resolved <= rules.approaching_points * resolved:
        return Rating.APPROACHING
    if shortfall_x_resolved <= rules.improvement_points * resolved:
        return Rating.REQUIRES_IMPROVEMENT
    return Rating.INADEQUATE


def overall_rating(ratings: list[Rating | None]) -> Rating | None:
    """A contract's headline: its worst-rated KPI (a contract is as good as its weakest service level)."""
    order = list(Rating)
    rated = [r for r in ratings if r is not None]
    return max(rated, key=order.index) if rated else None
