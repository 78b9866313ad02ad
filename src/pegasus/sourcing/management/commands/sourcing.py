"""`pegasus sourcing optimise FILE.json [--time-limit SECONDS] [--workers N] --json`: the optimal lot structure."""

import math

from pegasus.core.management.commands._base import BadInput, PegasusCommand, read_json, to_json
from pegasus.sourcing import optimiser

MAX_TIME_LIMIT = 24 * 3600.0  # seconds: a day is already far longer than any benchmark runs
MAX_WORKERS = 256


def _positive(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadInput(f"{option}: {text!r} is not a number of seconds") from None
    if not value > 0:
        raise BadInput(f"{option}: must be above 0")
    if not math.isfinite(value) or value > MAX_TIME_LIMIT:
        raise BadInput(f"{option}: must be at most {MAX_TIME_LIMIT:g} seconds (a day)")
    return value


class Command(PegasusCommand):
    help = "Design lots: the cheapest lot structure that meets the competition and concentration limits."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        optimise = sub.add_parser("optimise", help="optimise the lot structure described by a JSON file")
        optimise.add_argument("file", help="the problem as JSON (see the user guide); - reads standard input")
        optimise.add_argument("--time-limit", default=str(optimiser.DEFAULT_TIME_LIMIT), help="seconds, in all")
        optimise.add_argument("--workers", type=int, default=optimiser.DEFAULT_WORKERS, help="solver threads")
        optimise.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        data = read_json(options["file"])
        time_limit = _positive(options["time_limit"], "--time-limit")
        if not 1 <= options["workers"] <= MAX_WORKERS:
            raise BadInput(f"--workers: must be from 1 to {MAX_WORKERS}")
        try:
            problem = optimiser.problem_from_json(data)
        except optimiser.ProblemInputError as exc:
            raise BadInput(str(exc)) from None
        result = optimiser.lot_structure_optimise(problem, time_limit=time_limit, workers=options["workers"])
        if options["json"]:
            self.stdout.write(to_json(optimiser.result_to_json(result)))
        else:
            self.stdout.write(self.text(result))

    def text(self, result: optimiser.LotStructureResult) -> str:
        lines = [f"status: {result.status.value}"]
        if result.objective is not None:
            lines.append(f"objective: {result.objective}  (best bound {result.best_bound})")
            lines.append(f"hand-off cost: {result.handoff_cost}")
        for n, lot in enumerate(result.lots, start=1):
            lines.append(
                f"lot {n}: {', '.join(lot.services)} -> {lot.supplier} at {lot.price} ({lot.bidders} possible bidders)"
            )
        lines.extend(f"reason: {reason}" for reason in result.reasons)
        lines.append(f"solved in {result.solve_seconds:.2f} s")
        return "\n".join(lines)
