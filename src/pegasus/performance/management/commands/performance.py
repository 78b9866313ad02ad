"""`pegasus performance sla|ingest|import`: service-desk tickets in, SLA attainment and service credits out."""

import re
from pathlib import Path

from django.conf import settings

from pegasus.core.calendar import LONDON_ZONE_NAME
from pegasus.core.management.commands._base import BadInput, PegasusCommand, to_json
from pegasus.performance import clock, datasets, duckdb_sql, importers, sla, ticket_loading

DATASET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def performance_dir() -> Path:
    return Path(settings.VAR_DIR) / "performance"


def dataset_dir(name: str) -> Path:
    if not DATASET_NAME.match(name):
        raise BadInput(f"--name: {name!r} must be letters, digits, '.', '_' or '-'")
    return performance_dir() / "datasets" / name


def stored_dataset(name: str) -> Path | None:
    """A dataset that an upload stored in the shared storage (what the pages read), as a directory on this host."""
    from pegasus.core import storage

    folder = f"{datasets.STORED_DATASETS}/{name}"
    if not storage.shared_storage().exists(f"{folder}/{datasets.TICKETS_PARQUET}"):
        return None
    return storage.local_folder(folder, (datasets.ASSIGNMENTS_PARQUET, datasets.TICKETS_PARQUET))


class Command(PegasusCommand):
    help = "Supplier performance: import service-desk exports, ingest tickets, report SLA attainment and credits."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        sla_parser = sub.add_parser("sla", help="SLA attainment, percentiles, open breaches and service credits")
        source = sla_parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--tickets", help="canonical tickets CSV, or a stored dataset (its directory or Parquet)")
        source.add_argument(
            "--dataset", help="name of a dataset stored by `performance ingest` here, or by an upload (upload-N)"
        )
        sla_parser.add_argument("--sla", required=True, help="SLA file (YAML or JSON)")
        sla_parser.add_argument("--assignments", help="assignments CSV (ticket_id, assigned_at, supplier)")
        sla_parser.add_argument("--skip-invalid", action="store_true", help="use the good rows, set the bad ones aside")
        sla_parser.add_argument(
            "--rejected-dir", help="where rejected rows are written (default var/performance/rejected)"
        )
        sla_parser.add_argument("--json", action="store_true")

        ingest = sub.add_parser("ingest", help="check a tickets CSV and store it as Parquet under var/")
        ingest.add_argument("--tickets", required=True)
        ingest.add_argument("--assignments")
        ingest.add_argument("--name", help="dataset name (default: the tickets file's name without .csv)")
        ingest.add_argument("--skip-invalid", action="store_true")
        ingest.add_argument("--json", action="store_true")

        imp = sub.add_parser("import", help="convert a service-desk export to canonical tickets and assignments")
        formats = imp.add_subparsers(dest="source", required=True)
        now = formats.add_parser("servicenow", help="ServiceNow incident event log (CSV or zip)")
        now.add_argument("--log", required=True)
        now.add_argument("--timezone", default=LONDON_ZONE_NAME, help="zone of the log's times (default Europe/London)")
        bpic = formats.add_parser("bpic2014", help="BPI Challenge 2014 case attributes and activity log")
        bpic.add_argument("--cases", required=True)
        bpic.add_argument("--events", required=True)
        bpic.add_argument("--timezone", default="Europe/Amsterdam", help="zone of the times (default Amsterdam)")
        for parser_ in (now, bpic):
            parser_.add_argument("--mapping", help="CSV of assignment_group,supplier")
            parser_.add_argument("--out", required=True, help="directory for tickets.csv and assignments.csv")
            parser_.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            result = getattr(self, f"do_{options['action']}")(options)
        except (ticket_loading.TicketFileError, sla.SlaFileError, importers.ImportFileError, clock.ClockError) as exc:
            raise BadInput(str(exc)) from None
        if options["json"]:
            self.stdout.write(to_json(result))
        else:
            self.stdout.write(self.text(options["action"], result))

    # -- sla ------------------------------------------------------------------------------------------------------

    def do_sla(self, options) -> dict:
        agreements = sla.read_agreements(_existing(options["sla"], "--sla"))
        con = duckdb_sql.connect()
        rejected: dict[str, ticket_loading.LoadReport] = {}
        loaded_assignments = None
        given = Path(options["tickets"]) if options["tickets"] else None
        if options["dataset"] or (given and (given.is_dir() or given.suffix.lower() == ".parquet")):
            if options["dataset"]:
                directory = dataset_dir(options["dataset"])
                if not directory.is_dir():  # not ingested on this host: one stored by an upload, if there is one
                    directory = stored_dataset(options["dataset"]) or directory
            else:
                assert given is not None
                directory = given if given.is_dir() else given.parent
            if not directory.is_dir():
                raise BadInput(f"--dataset: no dataset {options['dataset']!r}; ingest it first")
            loaded_assignments = datasets.open_dataset(con, directory)
            read = duckdb_sql.count_rows(con, "tickets")
            report = ticket_loading.LoadReport(rows_read=read)
        else:
            tickets_file = _existing(options["tickets"], "--tickets")
            report = ticket_loading.load_tickets(con, tickets_file, skip_invalid=options["skip_invalid"])
            if report.rejected_table:
                rejected["tickets"] = report
        assignment_report = None
        if options["assignments"]:
            assignment_report = ticket_loading.load_assignments(
                con, _existing(options["assignments"], "--assignments"), skip_invalid=options["skip_invalid"]
            )
            loaded_assignments = "assignments"
            if assignment_report.rejected_table:
                rejected["assignments"] = assignment_report
        result = sla.sla_report(con, agreements, assignments=loaded_assignments)
        output = {
            "results": result["results"],
            "credits": result["credits"],
            "rows_read": report.rows_read,
            "rows_rejected": report.rows_rejected,
            "unmatched_suppliers": result["unmatched_suppliers"],
        }
        if "handoffs" in result:
            output["handoffs"] = result["handoffs"]
        if assignment_report:
            output["assignment_rows_read"] = assignment_report.rows_read
            output["assignment_rows_rejected"] = assignment_report.rows_rejected
        if rejected:
            folder = Path(options["rejected_dir"]) if options["rejected_dir"] else performance_dir() / "rejected"
            files = {}
            for kind, load in rejected.items():
                source = Path(options[kind])
                target = folder / f"{source.stem}.rejected.csv"
                datasets.write_rejected(con, load, target)
                files[kind] = str(target)
            output["rejected_files"] = files
        return output

    # -- ingest ---------------------------------------------------------------------------------------------------

    def do_ingest(self, options) -> dict:
        source = _existing(options["tickets"], "--tickets")
        directory = dataset_dir(options["name"] or source.stem)
        con = duckdb_sql.connect()
        report = ticket_loading.load_tickets(con, source, skip_invalid=options["skip_invalid"])
        reports = {"tickets": report}
        assignments = None
        if options["assignments"]:
            reports["assignments"] = ticket_loading.load_assignments(
                con, _existing(options["assignments"], "--assignments"), skip_invalid=options["skip_invalid"]
            )
            assignments = "assignments"
        datasets.store_dataset(con, directory, assignments=assignments, rejected=reports)
        output = {
            "dataset": directory.name,
            "directory": str(directory),
            "rows_read": report.rows_read,
            "rows_rejected": report.rows_rejected,
            "rows_stored": report.rows_read - report.rows_rejected,
        }
        if assignments:
            output["assignment_rows_read"] = reports["assignments"].rows_read
            output["assignment_rows_rejected"] = reports["assignments"].rows_rejected
        rejected_files = {k: str(directory / f"{k}.rejected.csv") for k, r in reports.items() if r.rejected_table}
        if rejected_files:
            output["rejected_files"] = rejected_files
        return output

    # -- import ---------------------------------------------------------------------------------------------------

    def do_import(self, options) -> dict:
        mapping = importers.read_mapping(_existing(options["mapping"], "--mapping") if options["mapping"] else None)
        clock.ServiceHours(days=frozenset({0}), start=0, end=1, timezone=options["timezone"])  # checks the zone
        if options["source"] == "servicenow":
            imported = importers.import_servicenow(
                _existing(options["log"], "--log"), mapping=mapping, zone=options["timezone"]
            )
        else:
            imported = importers.import_bpic2014(
                _existing(options["cases"], "--cases"),
                _existing(options["events"], "--events"),
                mapping=mapping,
                zone=options["timezone"],
            )
        out = Path(options["out"])
        importers.write_csv(imported.tickets, importers.TICKET_COLUMNS, out / "tickets.csv")
        importers.write_csv(imported.assignments, importers.ASSIGNMENT_COLUMNS, out / "assignments.csv")
        return {
            "source": options["source"],
            **imported.summary(),
            "tickets_file": str(out / "tickets.csv"),
            "assignments_file": str(out / "assignments.csv"),
        }

    # -- text output ----------------------------------------------------------------------------------------------

    def text(self, action: str, result: dict) -> str:
        if action != "sla":
            return "\n".join(f"{key}: {value}" for key, value in result.items())
        lines = [
            f"{'supplier':<24} {'month':<7} {'P':>1} {'resolved':>8} {'met':>6} {'attain%':>7} {'target':>6} "
            f"{'median h':>8} {'p90 h':>8} {'credit':>12} {'open br.':>8}"
        ]
        for row in result["results"]:
            attained = "-" if row["attainment"] is None else f"{row['attainment']:.1f}"
            median = "-" if row["median_hours"] is None else f"{row['median_hours']:.2f}"
            p90 = "-" if row["p90_hours"] is None else f"{row['p90_hours']:.2f}"
            lines.append(
                f"{row['supplier'][:24]:<24} {row['month']:<7} {row['priority']:>1} {row['resolved']:>8} "
                f"{row['met']:>6} {attained:>7} {row['target']:>6.1f} {median:>8} {p90:>8} {row['credit']:>12} "
                f"{row['open_breached']:>8}"
            )
        lines.append("")
        for row in result["credits"]:
            lines.append(
                f"credit {row['supplier']} {row['month']}: £{row['credit']}" + (" (capped)" if row["capped"] else "")
            )
        lines.append(f"rows read {result['rows_read']}, rejected {result['rows_rejected']}")
        if result["unmatched_suppliers"]:
            lines.append("suppliers without an SLA: " + ", ".join(result["unmatched_suppliers"]))
        return "\n".join(lines)


def _existing(value: str, option: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise BadInput(f"{option}: {value} does not exist")
    return path
