"""The lot-structure optimiser against a greedy method and the plain formulation, on generated ICT estates.

    uv run python benchmarks/sourcing.py [--sizes 50x10,200x20,500x100] [--seeds 1] [--time-limit 60]
                                         [--workers 2] [--skip-plain] [--relaxation SECONDS] [--json PATH]
                                         [--write-instances DIR]

For each size (services x suppliers) and seed it generates an estate (below), then, one after the other in the same
run and with the same time limit and solver threads:

1. greedy: the engine's greedy method alone (cheapest supplier per service, first-fit packing into lots, merges
   that pay, then repairs for the limits) - what a careful analyst with a spreadsheet would do;
2. the engine: `lot_structure_optimise` (bundles merged, supplier-owned lots, symmetry broken, greedy warm start);
3. plain: `lot_structure_plain`, the textbook formulation without any of that.

It prints, per instance: status, objective, best bound and gap, when the first solution was found (model building
included) and the ratios greedy / engine and plain / engine. With `--relaxation SECONDS`, it then solves the
set-partitioning relaxation by column generation alone for up to that long (from the greedy and the engine's lots),
whose bound says how much better than greedy any lot structure could possibly be. The targets (issue 4): proven
optimal up to 50 x 10 within 60 s; a gap of at most 2% at 200 x 20 after 60 s; at 500 x 100 a first solution within
10 s and a result at least 5% better than greedy. This is a benchmark, not a test: it prints figures, it asserts
nothing about time.

The generated estate, seeded: services grouped in towers (SIAM, networks, telephony, hosting, end-user computing,
applications...), each with a market price drawn log-normally; a few generalist suppliers price 45-85% of all
services at a small premium, specialists price most of one or two towers at a discount there and little else; every
service has at least three prices. Interfaces form a sparse graph: each service touches one or two others in its
tower (heavier) and, about one in two, one elsewhere (lighter). Policy: two bidders per lot, a lot costs about a
fifth of an average service, at most 3 lots a supplier, a share cap a little above an even split, SIAM kept apart
from two big towers, and two bundles (networks with telephony,
data centres with hosting: the first pair of services two suppliers price together).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pegasus.sourcing import optimiser  # noqa: E402
from pegasus.sourcing.baselines import lot_structure_greedy, lot_structure_plain  # noqa: E402

TOWERS = ["siam", "net", "tel", "dc", "host", "euc", "apps", "sec", "print", "mobile", "data", "cloud"]


def generate(n_services: int, n_suppliers: int, seed: int) -> dict:
    """A seeded estate of n_services services and n_suppliers suppliers, as the optimiser's JSON input."""
    rng = random.Random(f"{n_services}x{n_suppliers}:{seed}")
    n_towers = min(len(TOWERS), max(4, n_services // 8))
    towers = TOWERS[:n_towers]
    services = []
    tower_of: dict[str, str] = {}
    base: dict[str, float] = {}
    for i in range(n_services):
        tower = towers[i % n_towers] if i < n_towers else rng.choice(towers)
        sid = f"{tower}-{i:03d}"
        services.append({"id": sid, "name": f"{tower.upper()} service {i}"})
        tower_of[sid] = tower
        base[sid] = rng.lognormvariate(math.log(4.0), 0.7)  # £m over the contract term
    ids = [s["id"] for s in services]
    by_tower = {t: [s for s in ids if tower_of[s] == t] for t in towers}

    n_generalists = max(2, round(n_suppliers * 0.2))
    suppliers = []
    for k in range(n_suppliers):
        efficiency = rng.uniform(0.9, 1.15)
        prices: dict[str, float] = {}
        if k < n_generalists:
            coverage = rng.uniform(0.45, 0.85)
            for s in ids:
                if rng.random() < coverage:
                    prices[s] = base[s] * efficiency * rng.uniform(1.0, 1.2)
        else:
            home = rng.sample(towers, 2 if rng.random() < 0.3 else 1)
            for s in ids:
                if tower_of[s] in home and rng.random() < 0.8:
                    prices[s] = base[s] * efficiency * rng.uniform(0.8, 1.05)
                elif rng.random() < 0.03:
                    prices[s] = base[s] * efficiency * rng.uniform(1.0, 1.3)
        suppliers.append({"id": f"sup{k:03d}", "name": f"Supplier {k} (fictional)", "prices": prices})
    for s in ids:  # every service has at least three prices
        while sum(1 for sup in suppliers if s in sup["prices"]) < 3:
            sup = rng.choice([sup for sup in suppliers if s not in sup["prices"]])
            sup["prices"][s] = base[s] * rng.uniform(0.95, 1.25)
    for sup in suppliers:
        sup["prices"] = {s: round(p, 2) for s, p in sup["prices"].items()}

    interfaces: dict[tuple[str, str], float] = {}
    for s in ids:
        mates = [t for t in by_tower[tower_of[s]] if t != s]
        for t in rng.sample(mates, min(len(mates), rng.choice([1, 2]))):
            interfaces[min(s, t), max(s, t)] = round(rng.uniform(0.2, 0.8), 2)
        if rng.random() < 0.5:
            t = rng.choice(ids)
            if t != s and tower_of[t] != tower_of[s]:
                interfaces[min(s, t), max(s, t)] = round(rng.uniform(0.05, 0.4), 2)

    siam = by_tower["siam"]
    must_separate = [[siam[0], by_tower[t][0]] for t in ("euc", "dc") if t in by_tower and siam]
    must_bundle = []
    for a, b in (("net", "tel"), ("dc", "host")):
        # the first pair of the two towers that at least two suppliers price together (two bidders per lot)
        for x in by_tower.get(a, []):
            mates = [y for y in by_tower.get(b, []) if sum(1 for p in suppliers if {x, y} <= p["prices"].keys()) >= 2]
            if mates:
                must_bundle.append([x, mates[0]])
                break
    return {
        "services": services,
        "suppliers": suppliers,
        "interfaces": [{"a": a, "b": b, "weight": w} for (a, b), w in sorted(interfaces.items())],
        "lot_fixed_cost": 0.8,
        "min_bidders_per_lot": 2,
        "max_lots": max(4, n_services // 3),
        "max_lots_per_supplier": 3,
        "max_supplier_share": round(min(1.0, 1.5 / max(1, n_generalists + 1)), 2),
        "must_separate": must_separate,
        "must_bundle": must_bundle,
    }


TARGETS = {
    (50, 10): "proven optimal within the time limit",
    (200, 20): "gap at most 2% at the time limit",
    (500, 100): "first solution within 10 s; at least 5% better than greedy",
}


def _gap(result: optimiser.LotStructureResult) -> float | None:
    if result.objective is None or result.best_bound is None or result.objective == 0:
        return None
    return float((result.objective - result.best_bound) / result.objective)


def _row(name: str, result: optimiser.LotStructureResult) -> dict:
    return {
        "method": name,
        "status": result.status.value,
        "objective": None if result.objective is None else float(result.objective),
        "best_bound": None if result.best_bound is None else float(result.best_bound),
        "gap": _gap(result),
        "lots": len(result.lots),
        "first_solution_s": result.first_solution_seconds,
        "model_s": round(result.model_seconds, 2),
        "seconds": round(result.solve_seconds, 2),
    }


def _fmt(value, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec)


PLAIN_LIMIT = 3_000_000  # terms; beyond this the plain model takes minutes and gigabytes just to build in Python


def _plain_size(data: dict) -> int:
    """Terms in the plain formulation: lot links for every (service, lot, capable supplier), bidder clauses."""
    n = len(data["services"])
    lots = min(data.get("max_lots") or n, n)
    priced = sum(len(s["prices"]) for s in data["suppliers"])
    unpriced = n * len(data["suppliers"]) - priced
    return lots * (3 * priced + unpriced + 2 * len(data["interfaces"]))


def run_instance(n_services: int, n_suppliers: int, seed: int, args) -> dict:
    data = generate(n_services, n_suppliers, seed)
    if args.write_instances:
        folder = Path(args.write_instances)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"lots-{n_services}x{n_suppliers}-seed{seed}.json").write_text(json.dumps(data, indent=1))
    problem = optimiser.problem_from_json(data)
    rows = []
    greedy = lot_structure_greedy(problem)
    rows.append(_row("greedy", greedy))
    improvements: list[tuple[float, float]] = []
    optimised = optimiser.lot_structure_optimise(
        problem,
        time_limit=args.time_limit,
        workers=args.workers,
        on_improvement=lambda cost, at: improvements.append((round(at, 2), float(cost))),
    )
    rows.append(_row("engine", optimised))
    plain_size = _plain_size(data)
    if args.skip_plain:
        pass
    elif plain_size > PLAIN_LIMIT:
        rows.append(
            {
                "method": "plain",
                "status": f"NOT BUILT ({plain_size / 1e6:.1f}M terms)",
                "objective": None,
                "best_bound": None,
                "gap": None,
                "lots": 0,
                "first_solution_s": None,
                "model_s": None,
                "seconds": None,
            }
        )
    else:
        rows.append(_row("plain", lot_structure_plain(problem, time_limit=args.time_limit, workers=args.workers)))
    if optimised.lots:
        lots = [(lot.services, lot.supplier) for lot in optimised.lots]
        violations = optimiser.lot_structure_violations(problem, lots)
        assert not violations, violations  # the checker is independent of the solver
    priced = sum(len(s["prices"]) for s in data["suppliers"])
    relaxation = _relaxation(problem, [greedy, optimised], args.relaxation) if args.relaxation else None
    return {
        "size": f"{n_services}x{n_suppliers}",
        "seed": seed,
        "priced_pairs": priced,
        "interfaces": len(data["interfaces"]),
        "target": TARGETS.get((n_services, n_suppliers), ""),
        "rows": rows,
        "engine_improvements": improvements,
        "relaxation": relaxation,
    }


def _relaxation(problem: optimiser.LotProblem, results: list[optimiser.LotStructureResult], seconds: float) -> dict:
    """The set-partitioning relaxation's bound by column generation alone, from the lots of `results`."""
    c = optimiser.compile_problem(problem)
    index = {s.id: n for n, s in enumerate(problem.services)}
    unit_of = {i: u for u, members in enumerate(c.units) for i in members}
    supplier = {s.id: n for n, s in enumerate(problem.suppliers)}
    pricing = optimiser.ColumnGeneration(c)
    for result in results:
        pricing.add_solution(
            [(sorted({unit_of[index[sid]] for sid in lot.services}), supplier[lot.supplier]) for lot in result.lots]
        )
    started = time.perf_counter()
    pricing.run(started + seconds, give_up=False)
    return {
        "bound": None if pricing.bound is None else pricing.bound / c.scale,
        "solved": pricing.converged,
        "seconds": round(time.perf_counter() - started, 1),
        "lots_priced": len(pricing.pool),
    }


def report(instance: dict) -> None:
    print(
        f"\n{instance['size']} seed {instance['seed']} ({instance['priced_pairs']} prices, "
        f"{instance['interfaces']} interfaces) - target: {instance['target'] or 'none'}"
    )
    print(
        f"  {'method':<7} {'status':<10} {'objective':>10} {'bound':>10} {'gap':>7} {'lots':>5} "
        f"{'first s':>8} {'model s':>8} {'total s':>8}"
    )
    for row in instance["rows"]:
        print(
            f"  {row['method']:<7} {row['status']:<10} {_fmt(row['objective'], '.2f'):>10} "
            f"{_fmt(row['best_bound'], '.2f'):>10} {_fmt(row['gap'] and 100 * row['gap'], '.2f'):>6}% "
            f"{row['lots']:>5} {_fmt(row['first_solution_s'], '.2f'):>8} {_fmt(row['model_s']):>8} "
            f"{_fmt(row['seconds']):>8}"
        )
    by = {row["method"]: row for row in instance["rows"]}
    best = by["engine"]["objective"]
    ratios = []
    for other in ("greedy", "plain"):
        if other in by and by[other]["objective"] and best:
            ratios.append(f"{other} / engine = {by[other]['objective'] / best:.4f}")
        elif other in by:
            ratios.append(f"{other}: no solution")
    print("  ratio: " + "; ".join(ratios))
    relaxation = instance["relaxation"]
    if relaxation is not None and relaxation["bound"] is not None:
        greedy = by["greedy"]["objective"]
        print(
            f"  relaxation: bound {relaxation['bound']:.2f} ({'solved' if relaxation['solved'] else 'not solved'} in "
            f"{relaxation['seconds']} s, {relaxation['lots_priced']} lots): no lot structure costs less, so none is "
            f"more than {100 * (1 - relaxation['bound'] / greedy):.2f}% better than greedy"
            + (f"; engine's gap to it {100 * (1 - relaxation['bound'] / best):.2f}%" if best else "")
        )
    if instance["engine_improvements"]:
        steps = instance["engine_improvements"]
        print(
            f"  engine improvements: {len(steps)}, first at {steps[0][0]} s ({steps[0][1]:.2f}), "
            f"last at {steps[-1][0]} s ({steps[-1][1]:.2f})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50x10,200x20,500x100", help="services x suppliers, comma-separated")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument(
        "--relaxation", type=float, default=0, help="seconds for the relaxation's bound by column generation (0: none)"
    )
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--write-instances", help="write each generated instance as JSON into this folder")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(
        f"lot-structure optimiser benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, time limit {args.time_limit:g} s, {args.workers} workers"
    )
    results = []
    for size in args.sizes.split(","):
        n_services, n_suppliers = (int(x) for x in size.lower().split("x"))
        for seed in (int(s) for s in args.seeds.split(",")):
            started = time.perf_counter()
            instance = run_instance(n_services, n_suppliers, seed, args)
            instance["load_after"] = os.getloadavg()[0]
            instance["wall_s"] = round(time.perf_counter() - started, 1)
            report(instance)
            results.append(instance)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
