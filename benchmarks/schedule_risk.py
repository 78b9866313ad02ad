"""Schedule risk for the whole estate: 20 procurements of 12 stages at 100,000 iterations each.

    uv run python benchmarks/schedule_risk.py [--procurements 20] [--stages 12] [--iterations 100000] [--runs 5]
                                              [--python-procurements 2] [--seed 2019] [--json PATH]

Steps, in one run:

1. seeded procurements: each stage a three-point estimate (optimistic 5-60 days, most likely above it, pessimistic
   up to four times as far again), half triangular and half PERT, one stage in four with a statutory floor above its
   optimistic days (so some draws are floored and tie);
2. `procurement.schedule_risk.simulate` for every procurement (draws, whole days, P50/P80/P90, mean, drivers), the
   whole estate --runs times, wall and CPU time, the best kept;
3. the baseline: a plain Python loop over the same draws (the uniforms step 2 drew, read back with `draw`), for the
   first --python-procurements procurements, scaled to the estate: per iteration, each stage's duration by the same
   quantile function in Python (`math.sqrt`; the same PERT table, as a list), the floor, the sum, rounded up; then
   the percentiles, the mean, and Spearman's correlation from ranks by `sorted` with ties averaged. Its results must
   equal the vectorised ones (same percentiles and mean, correlations within 1e-9): it computes what they compute;
4. for the record, the textbook numpy route at the same size: `Generator.triangular`/`Generator.beta` draws and
   `argsort` ranks, one procurement, scaled.

Wall time on a shared machine swings with the neighbours' load, so CPU time is printed beside it. This is a
benchmark, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from pegasus.procurement import schedule_risk as sr

START = date(2025, 4, 1)


def estate(procurements: int, stages: int, seed: int) -> list[list[sr.StageEstimate]]:
    rng = np.random.default_rng(seed)
    out = []
    for p in range(procurements):
        chain = []
        for s in range(stages):
            low = float(rng.integers(5, 61))
            likely = low + float(rng.integers(0, 31))
            high = likely + float(rng.integers(1, 4 * int(likely - low) + 31))
            floor = low + (likely - low) / 2 + 1 if s % 4 == 2 else None
            chain.append(sr.StageEstimate(f"P{p} stage {s}", low, likely, high, ("triangular", "pert")[s % 2], floor))
        out.append(chain)
    return out


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


# --- The baseline: a plain Python loop over the same draws ---------------------------------------------------


def python_quantile(st: sr.StageEstimate, u: float, table: list[float] | None) -> float:
    a, m, b = st.optimistic, st.most_likely, st.pessimistic
    if b == a:
        return a
    if st.distribution == "triangular":
        if u < (m - a) / (b - a):
            return a + math.sqrt(u * ((b - a) * (m - a)))
        return b - math.sqrt((1 - u) * ((b - a) * (b - m)))
    assert table is not None
    position = u * sr.PERT_TABLE_POINTS
    i = int(position)
    left = table[i]
    right = table[i + 1] if i + 1 < len(table) else left
    return left + (position - i) * (right - left)


def average_ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def pearson(x: list[float], y: list[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


def python_simulation(stages: list[sr.StageEstimate], uniforms: list[list[float]]) -> dict:
    n = len(uniforms[0])
    tables: list[list[float] | None] = []
    for st in stages:
        if st.distribution == "pert" and st.pessimistic > st.optimistic:
            alpha, beta = sr.pert_shape(st)
            tables.append(
                [st.optimistic + (st.pessimistic - st.optimistic) * v for v in sr.pert_table(alpha, beta).tolist()]
            )
        else:
            tables.append(None)
    durations = [[0.0] * n for _ in stages]
    days = [0] * n
    for i in range(n):
        total = 0.0
        for s, st in enumerate(stages):
            d = python_quantile(st, uniforms[s][i], tables[s])
            if st.minimum is not None and d < st.minimum:
                d = st.minimum
            durations[s][i] = d
            total += d
        days[i] = math.ceil(total - sr.WHOLE_DAY_TOLERANCE)
    ordered = sorted(days)
    percentiles = {p: ordered[-(-p * n // 100) - 1] for p in sr.PERCENTILES}
    total_ranks = average_ranks([float(d) for d in days])
    correlations = [pearson(average_ranks(durations[s]), total_ranks) for s in range(len(stages))]
    return {"percentiles": percentiles, "mean_days": sum(days) / n, "correlations": correlations}


def textbook_numpy(stages: list[sr.StageEstimate], n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    columns = []
    for st in stages:
        a, m, b = st.optimistic, st.most_likely, st.pessimistic
        if st.distribution == "triangular":
            x = rng.triangular(a, m, b, n)
        else:
            alpha, beta = sr.pert_shape(st)
            x = a + (b - a) * rng.beta(alpha, beta, n)
        columns.append(np.maximum(x, st.minimum) if st.minimum is not None else x)
    durations = np.array(columns)
    days = np.ceil(durations.sum(axis=0) - sr.WHOLE_DAY_TOLERANCE)
    np.argsort(durations, axis=1)
    np.argsort(days)


def run(args) -> dict:
    procurements = estate(args.procurements, args.stages, args.seed)
    seeds = list(range(len(procurements)))

    def whole_estate():
        return [
            sr.simulate(chain, start=START, iterations=args.iterations, seed=seed)
            for chain, seed in zip(procurements, seeds, strict=True)
        ]

    whole_estate()  # warm: the PERT tables are computed once and cached
    runs = [timed(whole_estate) for _ in range(args.runs)]
    sims = runs[0][0]
    best_wall = min(r[1] for r in runs)
    best_cpu = min(r[2] for r in runs)

    k = min(args.python_procurements, len(procurements))
    python_wall = python_cpu = 0.0
    for p in range(k):
        draws = sr.draw(procurements[p], args.iterations, seeds[p])
        uniforms = draws.uniforms.tolist()
        result, wall, cpu = timed(lambda p=p, uniforms=uniforms: python_simulation(procurements[p], uniforms))
        python_wall += wall
        python_cpu += cpu
        sim = sims[p]
        same = all(sim.percentile_days(q) == result["percentiles"][q] for q in sr.PERCENTILES)
        same = same and math.isclose(sim.mean_days, result["mean_days"], abs_tol=1e-9)
        by_name = {d.name: d.correlation for d in sim.drivers}
        worst = max(abs(by_name[st.name] - c) for st, c in zip(procurements[p], result["correlations"], strict=True))
        if not same or worst > 1e-9:
            raise SystemExit(f"procurement {p}: the Python loop disagrees (worst correlation gap {worst:.2e})")
    scale = len(procurements) / k
    _, textbook_wall, textbook_cpu = timed(lambda: textbook_numpy(procurements[0], args.iterations, 0))

    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" numpy {np.__version__}",
        "procurements": len(procurements),
        "stages": args.stages,
        "iterations": args.iterations,
        "draws": len(procurements) * args.stages * args.iterations,
        "estate_wall_s": best_wall,
        "estate_cpu_s": best_cpu,
        "estate_wall_runs_s": [r[1] for r in runs],
        "python_procurements": k,
        "python_wall_s_scaled": python_wall * scale,
        "python_cpu_s_scaled": python_cpu * scale,
        "ratio_wall": python_wall * scale / best_wall,
        "ratio_cpu": python_cpu * scale / best_cpu,
        "textbook_numpy_wall_s_scaled": textbook_wall * len(procurements),
        "textbook_numpy_cpu_s_scaled": textbook_cpu * len(procurements),
        "example": {
            "p50": sims[0].p50.isoformat(),
            "p80": sims[0].p80.isoformat(),
            "p90": sims[0].p90.isoformat(),
            "mean_days": sims[0].mean_days,
            "top_driver": sims[0].drivers[0].name,
        },
    }


def report(r: dict) -> None:
    print(f"Machine: {r['machine']}")
    print(
        f"{r['procurements']} procurements x {r['stages']} stages x {r['iterations']:,} iterations"
        f" = {r['draws']:,} draws"
    )
    print(
        f"vectorised (procurement.schedule_risk.simulate), whole estate: {r['estate_wall_s'] * 1000:.0f} ms wall,"
        f" {r['estate_cpu_s'] * 1000:.0f} ms CPU (best of {len(r['estate_wall_runs_s'])};"
        f" runs {', '.join(f'{t * 1000:.0f}' for t in r['estate_wall_runs_s'])} ms)"
    )
    print(
        f"plain Python loop over the same draws ({r['python_procurements']} procurements, scaled):"
        f" {r['python_wall_s_scaled']:.1f} s wall, {r['python_cpu_s_scaled']:.1f} s CPU; same results"
    )
    print(f"ratio: {r['ratio_wall']:.0f}x wall, {r['ratio_cpu']:.0f}x CPU")
    print(
        f"for the record, textbook numpy (Generator.beta/triangular, argsort ranks; scaled):"
        f" {r['textbook_numpy_wall_s_scaled'] * 1000:.0f} ms wall, {r['textbook_numpy_cpu_s_scaled'] * 1000:.0f} ms CPU"
    )
    e = r["example"]
    print(f"procurement 0: P50 {e['p50']}, P80 {e['p80']}, P90 {e['p90']}, mean {e['mean_days']:.2f} days")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procurements", type=int, default=20)
    parser.add_argument("--stages", type=int, default=12)
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="runs of the whole estate; the best is kept (default 5)")
    parser.add_argument(
        "--python-procurements", type=int, default=2, help="procurements the Python loop runs, scaled (default 2)"
    )
    parser.add_argument("--seed", type=int, default=2019, help="random seed of the estimates")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON to PATH")
    args = parser.parse_args(argv)
    result = run(args)
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
