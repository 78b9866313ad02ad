"""The lot-structure optimiser: which services to put in which lot, and which supplier wins each lot.

Plain values in, plain values out; no Django. The input is issue 4's JSON object (`problem_from_json`); a solution
partitions the services into lots and awards each lot to one supplier that prices every service in it, at the cost
of the lots, the winning prices and the interfaces cut by lot boundaries. How it is found (the reasons are in
docs/benchmarks.md, "Lot-structure optimiser"), one module each:

- `problem`: the input, the result, what a lot structure costs and which constraints it breaks (the checker);
- `compiled`: the problem in integers, bundles merged into units; the complete solutions the methods exchange;
- `greedy`: a commercial analyst's method, the warm start and the benchmark's baseline;
- `cpsat`: the CP-SAT model, lots as slots owned by a supplier;
- `annealing`: simulated annealing from the greedy solution;
- `neighbourhoods`: large neighbourhoods of the incumbent re-solved exactly, the rest fixed;
- `columns`: the set-partitioning relaxation by column generation, for the bound (and price-and-branch);
- `search`: `lot_structure_optimise`, which runs them (the whole-problem solver beside the search from the greedy
  solution) and returns the best with the best bound.
"""

from pegasus.sourcing.optimiser.columns import ColumnGeneration
from pegasus.sourcing.optimiser.compiled import Awards, Compiled, awards_to_lots, awards_value, compile_problem
from pegasus.sourcing.optimiser.greedy import lot_structure_greedy
from pegasus.sourcing.optimiser.problem import (
    DECIMAL_PLACES,
    MAX_AMOUNT,
    OPTIONAL_KEYS,
    REQUIRED_KEYS,
    Interface,
    Lot,
    LotCost,
    LotProblem,
    LotStructureResult,
    ProblemInputError,
    Service,
    SolveStatus,
    Supplier,
    lot_structure_cost,
    lot_structure_violations,
    problem_from_json,
    result_to_json,
)
from pegasus.sourcing.optimiser.search import (
    DEFAULT_TIME_LIMIT,
    DEFAULT_WORKERS,
    lot_structure_optimise,
    solve_model,
    solver_bound,
)

__all__ = [
    "DECIMAL_PLACES",
    "DEFAULT_TIME_LIMIT",
    "DEFAULT_WORKERS",
    "MAX_AMOUNT",
    "OPTIONAL_KEYS",
    "REQUIRED_KEYS",
    "Awards",
    "ColumnGeneration",
    "Compiled",
    "Interface",
    "Lot",
    "LotCost",
    "LotProblem",
    "LotStructureResult",
    "ProblemInputError",
    "Service",
    "SolveStatus",
    "Supplier",
    "awards_to_lots",
    "awards_value",
    "compile_problem",
    "lot_structure_cost",
    "lot_structure_greedy",
    "lot_structure_optimise",
    "lot_structure_violations",
    "problem_from_json",
    "result_to_json",
    "solve_model",
    "solver_bound",
]
