"""`pegasus finance position --as-at D [--year Y] --json`, `pegasus finance import KIND FILE --json`,
`pegasus finance savings --year Y --json`."""

from pathlib import Path

from pegasus.core.clock import default_as_at
from pegasus.core.exceptions import ImportRejected
from pegasus.core.management.commands._base import BadInput, PegasusCommand, parse_date, to_json
from pegasus.core.tabular import error_text
from pegasus.finance import imports, rules, selectors


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return rules.year_parse(text, "--year")
    except rules.FinanceInputError as exc:
        raise BadInput(str(exc)) from None


class Command(PegasusCommand):
    help = "Programme finance: the position of every budget line and approval, and the ledgers' imports."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        position = sub.add_parser("position", help="budget, actual, open commitments, forecast and headroom")
        position.add_argument("--as-at", help="the day the position is taken (default: today)")
        position.add_argument("--year", help="the financial year, such as 2019-20 (default: the one of --as-at)")
        position.add_argument("--json", action="store_true")
        load = sub.add_parser("import", help="import a ledger from CSV or XLSX, all or nothing")
        load.add_argument("kind", choices=imports.KINDS)
        load.add_argument("file", help="the .csv or .xlsx file")
        load.add_argument("--json", action="store_true")
        saved = sub.add_parser("savings", help="what the contracts that replace others save in a financial year")
        saved.add_argument("--year", required=True, help="the financial year, such as 2021-22")
        saved.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        {"position": self.position, "import": self.import_file, "savings": self.savings}[options["action"]](options)

    def position(self, options) -> None:
        as_at = parse_date(options["as_at"], "--as-at") if options["as_at"] else default_as_at()
        result = selectors.position(as_at=as_at, year=_year(options["year"]))
        out = result.to_json()
        if options["json"]:
            self.stdout.write(to_json(out))
            return
        self.stdout.write(f"Position for {out['year']} as at {out['as_at']}")
        self.stdout.write(
            f"{'line':<24} {'budget':>16} {'actual':>16} {'committed':>16} {'outturn':>16} {'variance':>16}"
        )
        for row in result.lines:
            f = row.total
            self.stdout.write(
                f"{'  ' * row.depth + row.code:<24} {f.budget:>16,.2f} {f.actual:>16,.2f} {f.committed_open:>16,.2f} "
                f"{f.outturn:>16,.2f} {f.variance:>16,.2f}"
            )
        for a in out["approvals"]:
            self.stdout.write(
                f"approval {a['id']} ({a['budget_line']}): approved {a['approved']}, committed {a['committed']}, "
                f"spent {a['spent']}, headroom {a['headroom']}"
            )

    def import_file(self, options) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"{path}: {exc.strerror or 'cannot be read'}") from None
        try:
            result = imports.ledger_import(options["kind"], filename=path.name, data=data, by=None)
        except ImportRejected as exc:
            rest = len(exc.errors) - 1
            more = f"; {rest} more problem{'s' if rest != 1 else ''} in the file" if rest else ""
            raise BadInput(f"{path.name}: {error_text(exc.errors[0])} Nothing was imported{more}.") from None
        if options["json"]:
            self.stdout.write(to_json(result.as_dict()))
        else:
            self.stdout.write(f"Imported {result.kind} from {path.name}: {result}.")

    def savings(self, options) -> None:
        year = _year(options["year"])  # required, so never None
        result = selectors.savings(year if year is not None else rules.year_of(default_as_at()))
        out = result.to_json()
        if options["json"]:
            self.stdout.write(to_json(out))
            return
        self.stdout.write(f"Savings in {out['year']} (net of VAT). {out['month_rule']}")
        for r in out["replacements"]:
            saving = r["saving"] if r["saving"] is not None else "not computed"
            self.stdout.write(
                f"{r['contract']} replaces {', '.join(r['replaces'])}: {r['replaced_annual_value'] or 'unknown'} a year"
                f" -> {r['annual_value'] or 'unknown'} a year, {r['months_in_service']} months in service,"
                f" saving {saving}"
            )
        for t in out["by_tower"]:
            self.stdout.write(f"  {t['tower']:<40} {t['saving']:>16}")
        self.stdout.write(f"Total saving: {out['total']}")
        for u in out["unknown"]:
            self.stdout.write(f"Value not known: {u['contract']}: {u['reason']}")
        self.stdout.write(f"Estate run rate on {result.year_start.isoformat()}: {out['baseline_run_rate']} a year")
        if out["scenario"]:
            scenario = out["scenario"]
            cost = scenario["modelled_annual_cost"]
            self.stdout.write(f"Chosen scenario {scenario['name']}: modelled at {cost} a year")
