"""`pegasus procurement schedule --replaces-end D --route R --regime {PCR2015,PA2023} [--start S] [--json]` and
`pegasus procurement risk FILE.json [--iterations N] [--seed S] [--json]`."""

from decimal import Decimal

from pegasus.core.clock import default_as_at
from pegasus.core.management.commands._base import (
    BadInput,
    PegasusCommand,
    parse_date,
    parse_int,
    read_json,
    to_json,
)
from pegasus.procurement import schedule, schedule_risk
from pegasus.procurement.law import Regime

MAX_STAGE_DAYS = 3650  # ten years: no stage of a procurement lasts longer, and dates stay far from year 1


def _durations(items: list[str]) -> dict[str, int]:
    durations = {}
    for item in items:
        key, sep, days = item.partition("=")
        if not sep or not key:
            raise BadInput(f"--duration: {item!r} is not STAGE=DAYS")
        not_days = f"--duration: {key}: {days[:20]!r} is not a whole number of days"
        if len(days.strip()) > 12:  # before int(): converting thousands of digits is slow, and they mean nothing
            raise BadInput(not_days)
        try:
            durations[key] = int(days)
        except ValueError:
            raise BadInput(not_days) from None
        if durations[key] > MAX_STAGE_DAYS:
            raise BadInput(f"--duration: {key}: at most {MAX_STAGE_DAYS} days")
    return durations


class Command(PegasusCommand):
    help = "Procurements: the latest start of each stage so the new contract starts when the old one ends."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        schedule_parser = sub.add_parser("schedule", help="schedule a procurement backwards from a contract's end")
        schedule_parser.add_argument("--replaces-end", required=True, help="last day of the contract being replaced")
        schedule_parser.add_argument("--route", required=True, choices=[r.value for r in schedule.Route])
        schedule_parser.add_argument("--regime", required=True, choices=[g.value for g in Regime])
        schedule_parser.add_argument(
            "--start", help="planned start of the first stage (default: today, for slack only)"
        )
        schedule_parser.add_argument(
            "--duration", action="append", default=[], metavar="STAGE=DAYS", help="change a stage's duration"
        )
        schedule_parser.add_argument("--json", action="store_true")
        risk_parser = sub.add_parser(
            "risk", help="the odds of a procurement's stages: P50/P80/P90 start, chance of a late start, drivers"
        )
        risk_parser.add_argument("file", metavar="FILE.json", help="start, deadline and stages (- for stdin)")
        risk_parser.add_argument("--iterations", default="10000", help="iterations of the simulation (10000)")
        risk_parser.add_argument("--seed", default="0", help="seed of the random draws (0): same seed, same output")
        risk_parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["action"] == "risk":
            return self.risk(options)
        replaces_end = parse_date(options["replaces_end"], "--replaces-end")
        start = parse_date(options["start"], "--start") if options["start"] else None
        try:
            result = schedule.procurement_schedule(
                replaces_end=replaces_end,
                route=schedule.Route(options["route"]),
                regime=Regime(options["regime"]),
                as_at=default_as_at(),
                start=start,
                durations=_durations(options["duration"]),
            )
        except schedule.ScheduleInputError as exc:
            raise BadInput(str(exc)) from None
        out = schedule.schedule_to_json(result)
        self.stdout.write(to_json(out) if options["json"] else self.text(out))

    def text(self, out: dict) -> str:
        planned = out["start"] is not None
        lines = [
            f"{out['regime']} {out['route']}: contract starts {out['contract_start']}; "
            f"latest start {out['latest_start']}; slack {out['slack_days']} days"
            + ("  AT RISK" if out["at_risk"] else "")
        ]
        for st in out["stages"]:
            line = f"  {st['name']:<32} latest {st['latest_start']} .. {st['latest_end']}"
            if planned:
                line += f"  planned {st['planned_start']} .. {st['planned_end']}"
            line += f"  slack {st['slack_days']:>5}" + ("  AT RISK" if st["at_risk"] else "")
            lines.append(line)
        lines.extend(f"warning: {w}" for w in out["warnings"])
        return "\n".join(lines)

    def risk(self, options) -> None:
        iterations = parse_int(options["iterations"], "--iterations", lo=-(10**9), hi=schedule_risk.MAX_ITERATIONS)
        if iterations < 1:
            raise BadInput(f"--iterations: must be positive, not {iterations}")
        seed = parse_int(options["seed"], "--seed", lo=0, hi=2**63 - 1)
        start, deadline, stages = _risk_input(options["file"])
        try:
            result = schedule_risk.simulate(stages, start=start, iterations=iterations, seed=seed)
        except schedule_risk.ScheduleRiskInputError as exc:
            raise BadInput(f"{options['file']}: {exc}") from None
        out = schedule_risk.simulation_to_json(result, deadline)
        self.stdout.write(to_json(out) if options["json"] else _risk_text(out))


RISK_KEYS = {"start", "deadline", "stages"}
STAGE_KEYS = {"name", "optimistic", "most_likely", "pessimistic", "distribution", "minimum"}


def _days(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise BadInput(f"{where}: {value!r} is not a number of days")
    if not 0 <= value <= schedule_risk.MAX_STAGE_DAYS:
        raise BadInput(f"{where}: must be 0 to {schedule_risk.MAX_STAGE_DAYS} days, not {value}")
    return float(value)


def _risk_input(name: str) -> tuple:
    """The start, the deadline (or None) and the stages of a risk input file; BadInput names the field at fault."""
    doc = read_json(name)
    if not isinstance(doc, dict):
        raise BadInput(f"{name}: expected an object with start, deadline and stages")
    unknown = sorted(set(doc) - RISK_KEYS)
    if unknown:
        raise BadInput(f"{name}: unknown field {unknown[0]!r} (expected {', '.join(sorted(RISK_KEYS))})")
    if not isinstance(doc.get("start"), str):
        raise BadInput(f"{name}: start: a date YYYY-MM-DD is required")
    start = parse_date(doc["start"], f"{name}: start")
    deadline = None
    if doc.get("deadline") is not None:
        if not isinstance(doc["deadline"], str):
            raise BadInput(f"{name}: deadline: {doc['deadline']!r} is not a date (YYYY-MM-DD)")
        deadline = parse_date(doc["deadline"], f"{name}: deadline")
    items = doc.get("stages")
    if not isinstance(items, list) or not items:
        raise BadInput(f"{name}: stages: a list of at least one stage is required")
    stages = []
    for n, item in enumerate(items):
        where = f"{name}: stages[{n}]"
        if not isinstance(item, dict):
            raise BadInput(f"{where}: expected an object")
        unknown = sorted(set(item) - STAGE_KEYS)
        if unknown:
            raise BadInput(f"{where}: unknown field {unknown[0]!r}")
        for key in ("optimistic", "most_likely", "pessimistic"):
            if key not in item:
                raise BadInput(f"{where}: {key} is required")
        label = item.get("name", f"stage {n + 1}")
        if not isinstance(label, str):
            raise BadInput(f"{where}: name: {label!r} is not text")
        distribution = item.get("distribution", "pert")
        if distribution not in schedule_risk.DISTRIBUTIONS:
            raise BadInput(
                f"{where}: distribution {distribution!r} is not one of {', '.join(schedule_risk.DISTRIBUTIONS)}"
            )
        minimum = item.get("minimum")
        stage = schedule_risk.StageEstimate(
            name=label[:200],
            optimistic=_days(item["optimistic"], f"{where}: optimistic"),
            most_likely=_days(item["most_likely"], f"{where}: most_likely"),
            pessimistic=_days(item["pessimistic"], f"{where}: pessimistic"),
            distribution=distribution,
            minimum=None if minimum is None else _days(minimum, f"{where}: minimum"),
        )
        try:
            schedule_risk.check_stages([stage])
        except schedule_risk.ScheduleRiskInputError as exc:
            raise BadInput(f"{where}: {str(exc).partition(': ')[2]}") from None
        stages.append(stage)
    return start, deadline, stages


def _risk_text(out: dict) -> str:
    lines = [
        f"{out['iterations']:,} iterations from {out['start']}: the new contract starts by"
        f" {out['p50']} (P50), {out['p80']} (P80), {out['p90']} (P90); on average {out['mean_days']:.1f} days"
    ]
    if out["deadline"] is not None:
        lines.append(f"chance of starting after {out['deadline']}: {out['probability_late']:.1%}")
    lines.append("drivers (Spearman rank correlation with the total):")
    lines.extend(f"  {d['name']:<40} {d['correlation']:+.3f}" for d in out["drivers"])
    return "\n".join(lines)
