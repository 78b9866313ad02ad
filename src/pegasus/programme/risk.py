"""How the RAID log scores a risk and which items go to the programme board: plain values in, plain values out.

A risk's probability and impact are each rated 1 (very low) to 5 (very high); its score is their product, 1 to 25,
read on the usual HMG 5x5 probability-impact matrix. Pegasus's convention for the bands is the common one in
government programme offices: 1-4 low, 5-9 medium, 10-14 high, 15-25 very high. A risk is scored before its
mitigations (inherent) and, once assessed, after them (residual); the current score is the residual where there is
one, else the inherent.

Escalation, Pegasus's convention: an open risk whose current score is 15 or more (very high), or an open issue of
the highest priority (critical), goes to the programme board and shows on the dashboard.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

SCALE = (1, 2, 3, 4, 5)
ESCALATE_FROM = 15
CRITICAL = "critical"
# Issues in order of urgency (the model's IssuePriority values).
PRIORITY_ORDER = ("critical", "high", "medium", "low")

LOW, MEDIUM, HIGH, VERY_HIGH = "low", "medium", "high", "very-high"
# (band, label, lowest score, highest score): Pegasus's bands on the HMG 5x5 matrix.
BANDS = (
    (LOW, "Low", 1, 4),
    (MEDIUM, "Medium", 5, 9),
    (HIGH, "High", 10, 14),
    (VERY_HIGH, "Very high", 15, 25),
)
BAND_LABELS = {band: label for band, label, _, _ in BANDS}
PROBABILITY_LABELS = {1: "Very low", 2: "Low", 3: "Medium", 4: "High", 5: "Very high"}
IMPACT_LABELS = PROBABILITY_LABELS

NOT_ON_SCALE = "{name} must be a whole number from 1 to 5, not {value!r}."


def _rating(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise ValueError(NOT_ON_SCALE.format(name=name, value=value))
    return value


def score(probability: int, impact: int) -> int:
    """Probability x impact, each 1 to 5: 1 to 25."""
    return _rating("Probability", probability) * _rating("Impact", impact)


def current_score(
    inherent_probability: int | None,
    inherent_impact: int | None,
    residual_probability: int | None = None,
    residual_impact: int | None = None,
) -> int | None:
    """The residual score where the residual is assessed, else the inherent; None when neither is (not a risk)."""
    if residual_probability is not None and residual_impact is not None:
        return score(residual_probability, residual_impact)
    if inherent_probability is not None and inherent_impact is not None:
        return score(inherent_probability, inherent_impact)
    return None


def band(value: int) -> str:
    """The band of a score 1 to 25: low, medium, high or very-high."""
    for name, _, low, high in BANDS:
        if low <= value <= high:
            return name
    raise ValueError(f"A score is from 1 to 25, not {value!r}.")


def band_range(name: str) -> tuple[int, int]:
    """The lowest and highest score of a band."""
    for band_name, _, low, high in BANDS:
        if band_name == name:
            return low, high
    raise ValueError(f"{name!r} is not a band: {', '.join(b for b, *_ in BANDS)}.")


def escalates(*, kind: str, is_open: bool, current: int | None = None, priority: str = "") -> bool:
    """Whether an item goes to the board: an open risk scoring 15 or more, or an open critical issue."""
    if not is_open:
        return False
    if kind == "risk":
        return current is not None and current >= ESCALATE_FROM
    if kind == "issue":
        return priority == CRITICAL
    return False


@dataclass(frozen=True)
class Cell:
    """One cell of the 5x5 heat map: how many risks sit at this probability and impact, and the cell's band."""

    probability: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def band(self) -> str:
        return band(self.score)

    @property
    def band_label(self) -> str:
        return BAND_LABELS[self.band]


def heat_map(ratings: Iterable[tuple[int, int]]) -> list[Cell]:
    """All 25 cells, probability 5 down to 1 and impact 1 to 5 across, each with the count of (probability, impact)
    pairs in `ratings` at it."""
    counts: dict[tuple[int, int], int] = {}
    for probability, impact in ratings:
        key = (_rating("Probability", probability), _rating("Impact", impact))
        counts[key] = counts.get(key, 0) + 1
    return [Cell(p, i, counts.get((p, i), 0)) for p in reversed(SCALE) for i in SCALE]


def top_order_key(current: int, proximity: date | None, reference: str) -> tuple:
    """Sort key of the top risks: the highest current score first, then the nearest proximity (none last)."""
    return (-current, proximity is None, proximity or date.max, reference)


def issue_order_key(priority: str, raised_on: date, reference: str) -> tuple:
    """Sort key of the top issues: the most urgent priority first, then the longest open."""
    rank = PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else len(PRIORITY_ORDER)
    return (rank, raised_on, reference)


def next_reference(prefix: str, taken: Iterable[str]) -> str:
    """The next free reference of a kind, such as R-004 after R-001 to R-003 (R-1000 after R-999)."""
    highest = 0
    start = f"{prefix}-"
    for reference in taken:
        tail = reference[len(start) :] if reference.startswith(start) else ""
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}-{highest + 1:03d}"


PREFIXES = {"risk": "R", "assumption": "A", "issue": "I", "dependency": "D"}
