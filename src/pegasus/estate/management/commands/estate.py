from pegasus.core.clock import default_as_at
from pegasus.core.management.commands._base import PegasusCommand, parse_date, to_json
from pegasus.core.money import format_millions
from pegasus.estate.selectors import estate_summary


class Command(PegasusCommand):
    help = "Read the ICT estate: `estate summary --as-at 2019-05-23 --json`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        summary = sub.add_parser("summary", help="tier-1 totals and what expires, as at a date")
        summary.add_argument("--as-at", help="the date to read the estate as at (YYYY-MM-DD); default today")
        summary.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_at = parse_date(options["as_at"], "--as-at") if options.get("as_at") else default_as_at()
        summary = estate_summary(as_at=as_at)
        result = {
            "as_at": as_at,
            "organisation": summary.organisation,
            "towers": summary.towers,
            "tier1_contracts": summary.tier1_contracts,
            "tier1_suppliers": summary.tier1_suppliers,
            "total_contract_value": summary.total_contract_value,
            "vat_basis": "net",
            "expiring": summary.expiring,
            "supplier_concentration_hhi": summary.hhi,
        }
        if options["json"]:
            self.stdout.write(to_json(result))
            return
        self.stdout.write(f"{summary.organisation}, as at {as_at:%d %B %Y}")
        self.stdout.write(
            f"Tier-1: {summary.tier1_contracts} contracts, {summary.tier1_suppliers} suppliers, "
            f"{format_millions(summary.total_contract_value)} ex VAT"
        )
        for months, n in summary.expiring.items():
            self.stdout.write(f"  ending within {months:>2} months: {n}")
