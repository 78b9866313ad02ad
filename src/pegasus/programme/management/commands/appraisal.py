"""`pegasus appraisal npv FILE.json [--json]`: the Green Book options appraisal of a file of options (issue 17).

The file is `{"options": [{"name", "optimism_bias_percent", "years": [{"year", "costs", "benefits"}]}]}`, amounts in
pounds as text or numbers; `-` reads standard input. Bad input exits 2 with one line naming the option and year.
"""

from pegasus.core.management.commands._base import BadInput, PegasusCommand, read_json, to_json
from pegasus.programme import appraisal


class Command(PegasusCommand):
    help = "Options appraisal: present costs and benefits, NPV, rank, the preferred option and switching values."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        npv = sub.add_parser("npv", help="appraise the options of a JSON file at the Green Book discount rates")
        npv.add_argument("file", help="the options as JSON (- for standard input)")
        npv.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        document = read_json(options["file"])
        try:
            result = appraisal.appraise(appraisal.options_from_json(document))
        except appraisal.AppraisalInputError as exc:
            raise BadInput(f"{options['file']}: {exc}") from None
        out = appraisal.appraisal_to_json(result)
        self.stdout.write(to_json(out) if options["json"] else self.text(out))

    def text(self, out: dict) -> str:
        width = max(len("Option"), *(len(o["name"]) for o in out["options"]))
        head = f"{'Rank':>4}  {'Option':<{width}}  {'Present costs':>20}  {'Present benefits':>20}  {'NPV':>20}"
        lines = [
            "Green Book options appraisal: 3.5% a year to year 30, 3.0% from year 31; optimism bias added to costs.",
            "",
            head,
            "-" * len(head),
        ]
        for o in sorted(out["options"], key=lambda o: o["rank"]):
            lines.append(
                f"{o['rank']:>4}  {o['name']:<{width}}  {_money(o['present_costs']):>20}  "
                f"{_money(o['present_benefits']):>20}  {_money(o['npv']):>20}"
            )
        lines += ["", f"Preferred: {out['preferred']} (the highest NPV)"]
        if out["switching_values"]:
            lines += ["", "Switching values:"]
            lines += [f"  {s['in_words']}" for s in out["switching_values"]]
        return "\n".join(lines)


def _money(text: str) -> str:
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, pence = digits.partition(".")
    return f"{sign}£{int(whole):,}.{pence}"
