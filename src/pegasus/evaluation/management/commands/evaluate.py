"""`pegasus evaluate FILE.json [--json]`: score, rank and test the sensitivity of a tender's bids."""

from pegasus.core.management.commands._base import BadInput, PegasusCommand, read_json, to_json
from pegasus.evaluation import scoring


class Command(PegasusCommand):
    help = "Score a tender: quality and price criteria, pass marks, rank order and sensitivity of the winner."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the tender as JSON (see the user guide); - reads standard input")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        data = read_json(options["file"])
        try:
            tender = scoring.tender_from_json(data)
        except scoring.EvaluationInputError as exc:
            raise BadInput(str(exc)) from None
        result = scoring.evaluation_to_json(scoring.tender_evaluate(tender))
        self.stdout.write(to_json(result) if options["json"] else self.text(result))

    def text(self, result: dict) -> str:
        lines = [f"{'rank':>4}  {'bidder':<20} {'quality':>8} {'price':>8} {'total':>8}"]
        for bid in result["bids"]:
            if bid["passed"]:
                lines.append(
                    f"{bid['rank']:>4}  {bid['bidder']:<20} {bid['quality']:>8} {bid['price_score']:>8}"
                    f" {bid['total']:>8}"
                )
        for failed in result["failed"]:
            lines.append(
                f"failed: {failed['bidder']} scored {failed['score']} on {failed['criterion']}"
                f" (pass mark {failed['pass_mark']})"
            )
        sensitivity = result["sensitivity"]
        if sensitivity and sensitivity["smallest_change"]:
            change = sensitivity["smallest_change"]
            weights = ", ".join(f"{k} {v}" for k, v in change["weights"].items())
            lines.append(
                f"sensitivity: moving {change['weight_moved']} points of weight ({weights})"
                f" puts {change['challenger']} ahead of {sensitivity['winner']}"
            )
        elif sensitivity:
            lines.append(f"sensitivity: no change of weights puts another bid ahead of {sensitivity['winner']}")
        for gone in sensitivity["if_withdrawn"] if sensitivity else []:
            lines.append(f"if {gone['withdrawn']} withdrew, {gone['winner']} would win")
        lines.extend(f"warning: {w}" for w in result["warnings"])
        return "\n".join(lines)
