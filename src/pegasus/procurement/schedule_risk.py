"""Schedule risk of a procurement: Monte Carlo over its stages' three-point estimates. No Django.

Each stage has an optimistic (a), most likely (m) and pessimistic (b) duration in calendar days and a distribution:

- `triangular` on [a, b] with its mode at m;
- `pert`: a + (b - a) * Beta(alpha, beta) with alpha = 1 + 4(m - a)/(b - a) and beta = 1 + 4(b - m)/(b - a), whose
  mean is (a + 4m + b)/6.

a == b is a fixed duration. A statutory minimum (a tender period, the standstill) is a floor: a draw below it is
raised to it. Stages run one after another, so in each iteration the new contract starts ceil(sum of the stage
durations) days after the start (a sum within `WHOLE_DAY_TOLERANCE` of a whole day counts as that day, so that
10.2 + 10.8 is 21 days, not 22 because of binary fractions).

How it is drawn, and why. Each stage's draws are a Latin hypercube sample by inversion: iteration i of stage s takes
u = (p_s(i) + v) / n, with p_s a random permutation of 0..n-1 and v uniform on [0, 1), so each of the n strata of
[0, 1) is drawn exactly once (each u is still uniform on [0, 1), and stages are independent of each other), and the
duration is the distribution's quantile function at u: closed form for the triangular, a table of 8,193 points
computed from the beta density for PERT, interpolated linearly. Inversion keeps a duration in the order of its u, so
the rank of a stage's draw is p_s(i) itself, with the draws raised to the floor sharing the average of the lowest
ranks. The drivers are therefore Spearman's rank correlation computed exactly without sorting anything, and the whole
simulation is a handful of vectorised passes over the draws: 20 procurements of 12 stages at 100,000 iterations take
well under a second (`benchmarks/schedule_risk.py`), where `Generator.beta` and `argsort` alone would take three.

Percentiles: P80 is the earliest date on or before which at least 80% of the iterations start (so with 10
iterations it is the 8th earliest start).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from pegasus.core.calendar import term_end
from pegasus.core.exceptions import InputError

DISTRIBUTIONS = ("triangular", "pert")
MAX_ITERATIONS = 1_000_000
MAX_STAGE_DAYS = 3650  # ten years: no stage of a procurement lasts longer
WHOLE_DAY_TOLERANCE = 1e-7
PERT_TABLE_POINTS = 8192  # intervals of the PERT quantile table: 8,193 points, 64 KB, in cache while it is read
_DENSITY_POINTS = 1 << 16  # intervals of the grid the beta distribution function is integrated on
PERCENTILES = (50, 80, 90)


class ScheduleRiskInputError(InputError):
    """Stages or options the simulation cannot use; the message names the stage or option at fault."""


@dataclass(frozen=True)
class StageEstimate:
    name: str
    optimistic: float
    most_likely: float
    pessimistic: float
    distribution: str = "pert"
    minimum: float | None = None  # the statutory floor, in calendar days

    @classmethod
    def fixed(cls, name: str, days: float, minimum: float | None = None) -> StageEstimate:
        return cls(name, days, days, days, "pert", minimum)

    @property
    def is_fixed(self) -> bool:
        return self.pessimistic == self.optimistic

    @property
    def mean(self) -> float:
        """The mean of the distribution before the floor: (a + m + b)/3 triangular, (a + 4m + b)/6 PERT."""
        a, m, b = self.optimistic, self.most_likely, self.pessimistic
        return (a + m + b) / 3 if self.distribution == "triangular" else (a + 4 * m + b) / 6


def check_stages(stages: Sequence[StageEstimate]) -> None:
    """Raise ScheduleRiskInputError naming the first stage whose estimate cannot be drawn from."""
    if not stages:
        raise ScheduleRiskInputError("stages: at least one stage")
    for n, st in enumerate(stages):
        where = f"stages[{n}] ({st.name})" if st.name else f"stages[{n}]"
        values = {"optimistic": st.optimistic, "most_likely": st.most_likely, "pessimistic": st.pessimistic}
        if st.minimum is not None:
            values["minimum"] = st.minimum
        for key, value in values.items():
            if not math.isfinite(value) or not 0 <= value <= MAX_STAGE_DAYS:
                raise ScheduleRiskInputError(f"{where}: {key} must be 0 to {MAX_STAGE_DAYS} days, not {value}")
        if st.pessimistic < st.optimistic:
            raise ScheduleRiskInputError(
                f"{where}: pessimistic {st.pessimistic:g} is below optimistic {st.optimistic:g}"
            )
        if not st.optimistic <= st.most_likely <= st.pessimistic:
            raise ScheduleRiskInputError(
                f"{where}: most likely {st.most_likely:g} is outside optimistic {st.optimistic:g}"
                f" to pessimistic {st.pessimistic:g}"
            )
        if st.distribution not in DISTRIBUTIONS:
            raise ScheduleRiskInputError(
                f"{where}: distribution {st.distribution!r} is not one of {', '.join(DISTRIBUTIONS)}"
            )


def check_iterations(iterations: int) -> None:
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ScheduleRiskInputError(f"--iterations: must be 1 to {MAX_ITERATIONS:,}, not {iterations}")


# --- Quantile functions -------------------------------------------------------------------------------------


def pert_shape(st: StageEstimate) -> tuple[float, float]:
    a, m, b = st.optimistic, st.most_likely, st.pessimistic
    return 1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a)


@lru_cache(maxsize=512)
def pert_table(alpha: float, beta: float) -> np.ndarray:
    """The Beta(alpha, beta) quantile function at u = 0, 1/K, ..., 1 (K = PERT_TABLE_POINTS), read-only.

    The distribution function is the density integrated on a fine grid (trapezoids, the density's powers taken in
    log space), then inverted by interpolation."""
    x = np.linspace(0.0, 1.0, _DENSITY_POINTS + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_density = (alpha - 1) * np.log(x) + (beta - 1) * np.log1p(-x)
    density = np.exp(log_density - np.max(log_density[1:-1]))
    density[~np.isfinite(density)] = 0.0
    cdf = np.concatenate(([0.0], np.cumsum((density[1:] + density[:-1]) / 2)))
    cdf /= cdf[-1]
    table = np.interp(np.linspace(0.0, 1.0, PERT_TABLE_POINTS + 1), cdf, x)
    table[0], table[-1] = 0.0, 1.0
    table.setflags(write=False)
    return table


@lru_cache(maxsize=512)
def _pert_days(a: float, b: float, alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """The PERT quantile table in days, and the slope from each point to the next (one point more, slope 0, for a
    u that rounds to 1)."""
    days = a + (b - a) * pert_table(alpha, beta)
    days = np.append(days, days[-1])
    return days, np.diff(days, append=days[-1])


def quantile(st: StageEstimate, u: np.ndarray) -> np.ndarray:
    """The stage's duration at probabilities `u` (before the floor): its quantile function, vectorised."""
    a, m, b = st.optimistic, st.most_likely, st.pessimistic
    if b == a:
        return np.full(u.shape, a)
    if st.distribution == "triangular":
        low = u < (m - a) / (b - a)
        spread = np.where(low, u * ((b - a) * (m - a)), (1 - u) * ((b - a) * (b - m)))
        np.sqrt(spread, out=spread)
        return np.where(low, a + spread, b - spread)
    days, slope = _pert_days(a, b, *pert_shape(st))
    position = u * PERT_TABLE_POINTS
    i = position.astype(np.intp)  # u is not negative: truncation is the floor
    out = np.take(slope, i)
    position -= i
    out *= position
    out += np.take(days, i)
    return out


# --- The simulation -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draws:
    """Every iteration's draws: `uniforms[s, i]` and `durations[s, i]` (floored) of stage s, and the ranks of the
    durations in each stage (0-based, ties at the floor sharing their average rank)."""

    uniforms: np.ndarray
    durations: np.ndarray
    ranks: list[np.ndarray | None]  # None for a stage whose every draw is the same

    @property
    def days(self) -> np.ndarray:
        """Whole days from the start to the new contract's start, per iteration."""
        return whole_days(self.durations.sum(axis=0))


def whole_days(total: np.ndarray) -> np.ndarray:
    return np.ceil(total - WHOLE_DAY_TOLERANCE).astype(np.int64)


def draw(stages: Sequence[StageEstimate], iterations: int, seed: int) -> Draws:
    """Draw every stage `iterations` times (Latin hypercube by inversion, see the module); same seed, same draws."""
    check_stages(stages)
    check_iterations(iterations)
    rng = np.random.default_rng(seed)
    n = iterations
    uniforms = np.empty((len(stages), n))
    durations = np.empty((len(stages), n))
    ranks: list[np.ndarray | None] = []
    for s, st in enumerate(stages):
        strata = rng.permutation(n)
        u = uniforms[s]
        np.add(strata, rng.random(n, dtype=np.float32), out=u)
        u *= 1 / n
        raw = quantile(st, u)
        floored = 0
        if st.minimum is not None:
            np.maximum(raw, st.minimum, out=durations[s])
            floored = int(np.count_nonzero(raw <= st.minimum))
        else:
            durations[s] = raw
        if st.is_fixed or floored >= n:
            ranks.append(None)
        elif floored:
            # Inversion keeps the order of u: the floored draws are those of the lowest `floored` strata.
            ranks.append(np.where(strata < floored, (floored - 1) / 2, strata.astype(np.float64)))
        else:
            ranks.append(strata.astype(np.float64))  # floats: the correlation's dot product runs in BLAS
    return Draws(uniforms, durations, ranks)


def average_ranks_of_days(days: np.ndarray) -> np.ndarray:
    """0-based ranks of whole days, ties sharing their average rank: by counting, no sort."""
    low = int(days.min())
    counts = np.bincount(days - low)
    before = np.cumsum(counts) - counts
    return (before + (counts - 1) / 2)[days - low]


def _dot(x: np.ndarray, y: np.ndarray) -> float:
    # einsum's own loop, not BLAS: a BLAS dot spreads over threads that spin-wait for each other when the machine is
    # busy, and takes a hundred times longer.
    return float(np.einsum("i,i->", x, y))


def spearman(stage_ranks: Sequence[np.ndarray | None], total_ranks: np.ndarray) -> list[float]:
    """Spearman's rank correlation of each stage with the total: Pearson's correlation of their average ranks (0
    for a stage that does not vary, or a total that does not)."""
    n = total_ranks.size
    centre = (n - 1) / 2
    y = total_ranks - centre
    y_norm = math.sqrt(_dot(y, y))
    out = []
    for ranks in stage_ranks:
        if ranks is None or y_norm == 0:
            out.append(0.0)
            continue
        x = ranks - centre
        x_norm = math.sqrt(_dot(x, x))
        covariance = _dot(x, y)
        out.append(covariance / (x_norm * y_norm) if x_norm else 0.0)
    return out


@dataclass(frozen=True)
class Driver:
    name: str
    correlation: float


@dataclass(frozen=True)
class Simulation:
    """The distribution of the new contract's start: `counts[k]` iterations start `low_days + k` days after `start`."""

    start: date
    iterations: int
    low_days: int
    counts: np.ndarray
    mean_days: float
    drivers: tuple[Driver, ...]

    def percentile_days(self, percent: int) -> int:
        """The fewest whole days by which at least `percent`% of the iterations start (exact integer arithmetic)."""
        if not 0 < percent <= 100:
            raise ScheduleRiskInputError(f"percentile: {percent} is not 1 to 100")
        needed = -(-percent * self.iterations // 100)
        return self.low_days + int(np.searchsorted(np.cumsum(self.counts), needed, side="left"))

    def percentile(self, percent: int) -> date:
        """The earliest date on or before which at least `percent`% of the iterations start."""
        return self.start + timedelta(days=self.percentile_days(percent))

    @property
    def p50(self) -> date:
        return self.percentile(50)

    @property
    def p80(self) -> date:
        return self.percentile(80)

    @property
    def p90(self) -> date:
        return self.percentile(90)

    def share_by(self, day: date) -> float:
        """The share of iterations starting on or before `day`."""
        k = (day - self.start).days - self.low_days
        if k < 0:
            return 0.0
        return float(self.counts[: k + 1].sum()) / self.iterations

    def probability_after(self, day: date) -> float:
        """The share of iterations starting after `day`."""
        return 1.0 - self.share_by(day)

    def latest_start_for(self, deadline: date, percent: int = 80) -> date:
        """The latest first-stage start for at least `percent`% of the iterations to start on or before `deadline`."""
        return deadline - timedelta(days=self.percentile_days(percent))

    def curve(self) -> list[tuple[date, float]]:
        """Each start date any iteration reaches, with the share starting on or before it."""
        shares = np.cumsum(self.counts) / self.iterations
        return [
            (self.start + timedelta(days=self.low_days + k), float(shares[k]))
            for k in np.flatnonzero(self.counts).tolist()
        ]


def simulate(stages: Sequence[StageEstimate], *, start: date, iterations: int, seed: int) -> Simulation:
    """Monte Carlo of a procurement's stages run one after another from `start`; same seed, same result."""
    draws = draw(stages, iterations, seed)
    days = draws.days
    correlations = spearman(draws.ranks, average_ranks_of_days(days))
    drivers = sorted(
        (Driver(st.name, c) for st, c in zip(stages, correlations, strict=True)),
        key=lambda d: -abs(d.correlation),
    )
    low = int(days.min())
    return Simulation(
        start=start,
        iterations=iterations,
        low_days=low,
        counts=np.bincount(days - low),
        mean_days=float(days.mean()),
        drivers=tuple(drivers),
    )


def simulation_to_json(sim: Simulation, deadline: date | None) -> dict[str, Any]:
    """The result as `pegasus procurement risk --json` prints it."""
    return {
        "start": sim.start,
        "iterations": sim.iterations,
        "p50": sim.p50,
        "p80": sim.p80,
        "p90": sim.p90,
        "mean_days": round(sim.mean_days, 4),
        "deadline": deadline,
        "probability_late": round(sim.probability_after(deadline), 6) if deadline is not None else None,
        "drivers": [{"name": d.name, "correlation": round(d.correlation, 6)} for d in sim.drivers],
    }


MAX_EXTENSION_MONTHS = 120


def extension_months(current_end: date, must_run_to: date) -> int:
    """The fewest whole months a contract ending on `current_end` must be extended by to run to `must_run_to` (0 when
    it already does; at most MAX_EXTENSION_MONTHS)."""
    months = 0
    while (
        months < MAX_EXTENSION_MONTHS
        and (term_end(current_end + timedelta(days=1), months) if months else current_end) < must_run_to
    ):
        months += 1
    return months


def chance_text(share: float) -> str:
    """A share of iterations as a board reads it: whole percentages, never 0% or 100% unless every iteration
    agrees (then "less than 1%" or "more than 99%")."""
    if share <= 0:
        return "0%"
    if share >= 1:
        return "100%"
    if share < 0.01:
        return "less than 1%"
    if share > 0.99:
        return "more than 99%"
    return f"{round(share * 100)}%"
