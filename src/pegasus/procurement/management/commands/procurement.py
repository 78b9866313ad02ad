"""`pegasus procurement schedule --replaces-end D --route R --regime {PCR2015,PA2023} [--start S] [--json]`."""

from pegasus.core.clock import default_as_at
from pegasus.core.management.commands._base import BadInput, PegasusCommand, parse_date, to_json
from pegasus.procurement import schedule
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
    requires_system_checks: list[str] = []

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

    def handle(self, *args, **options):
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
