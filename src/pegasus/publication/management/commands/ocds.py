"""`pegasus ocds export --out FILE.json [--records] [--as-at D]`: everything publishable as OCDS 1.1.5. Each export
is recorded (`services.ocds_export_create`): checked against the schema, kept in the shared storage and offered on
the Open data page; the result of the check is said on standard error.

`pegasus ocds import PATH... [--skip-invalid] [--json]`: other public bodies' OCDS releases into the market view.
A folder stands for every `.json` file beneath it. A rejected file stops the import (exit 2, nothing stored) unless
`--skip-invalid` is given; then it is set aside, counted and named with its reason.
"""

import os
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from pegasus.core.clock import default_as_at
from pegasus.core.management.commands._base import BadInput, PegasusCommand, parse_date, to_json
from pegasus.publication import market, ocds_review, selectors, services
from pegasus.publication.models import OcdsExport

# Rejected files listed when an import stops; the rest are counted.
SHOWN = 20


class Command(PegasusCommand):
    help = "Open contracting: write the estate's contracts and the procurements as an OCDS release or record package."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write a release package (or, with --records, a record package)")
        export.add_argument("--out", required=True, help="the JSON file to write; - writes standard output")
        export.add_argument("--records", action="store_true", help="compiled records instead of releases")
        export.add_argument("--as-at", help="the date contracts' current ends are read at (YYYY-MM-DD)")
        load = sub.add_parser("import", help="read release packages, record packages or releases into the market view")
        load.add_argument("paths", nargs="+", metavar="PATH", help="a JSON file, or a folder of them")
        load.add_argument("--skip-invalid", action="store_true", help="import the good files, set the bad ones aside")
        load.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        if options["action"] == "import":
            return self.load(options)
        as_at = parse_date(options["as_at"], "--as-at") if options["as_at"] else default_as_at()
        published = timezone.now().replace(microsecond=0)
        name = options["out"]
        kind = OcdsExport.Kind.RECORDS if options["records"] else OcdsExport.Kind.RELEASES
        package = selectors.ocds_package(kind=kind, as_at=as_at, published=published)
        text = ocds_review.package_bytes(package).decode("utf-8")
        if name == "-":
            export = self.record(kind, as_at, published, package)
            self.stdout.write(text, ending="")
            self.stderr.write(f"{export.items} {kind}, {export.verdict}")
            return
        # Written beside its place first and moved there once the export is recorded: nothing is left half done.
        target = Path(name)
        try:
            handle, partial = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial, 0o666 & ~umask)  # as a file written in place would be, not mkstemp's owner-only
        except OSError as exc:
            raise BadInput(f"--out: {name}: {exc.strerror or exc}") from None
        try:
            with transaction.atomic():
                export = self.record(kind, as_at, published, package)
                try:
                    os.replace(partial, target)
                except OSError as exc:
                    raise BadInput(f"--out: {name}: {exc.strerror or exc}") from None
        finally:
            Path(partial).unlink(missing_ok=True)
        self.stderr.write(f"wrote {export.items} {kind} to {name}, {export.verdict}")

    def record(self, kind, as_at, published, package) -> OcdsExport:
        return services.ocds_export_create(
            kind=kind, as_at=as_at, generated_at=published, package=package, via=OcdsExport.Via.COMMAND, by=None
        )

    def load(self, options):
        paths = [Path(name) for name in options["paths"]]
        for path in paths:
            if not path.exists():
                raise BadInput(f"{path}: no such file or folder")
        try:
            results = market.read_files(paths)
        except OSError as exc:
            raise BadInput(f"{exc.filename}: {exc.strerror or exc}") from None
        if not results:
            raise BadInput(f"{', '.join(options['paths'])}: no .json files")
        source = " ".join(options["paths"])
        try:
            record = services.market_import(results, by=None, source=source, skip_invalid=options["skip_invalid"])
        except services.MarketFilesRejected as exc:
            shown = [f"{row['file']}: {row['reason']}" for row in exc.rejected[:SHOWN]]
            more = len(exc.rejected) - SHOWN
            shown += [f"and {more} more"] if more > 0 else []
            raise BadInput(f"{exc}: " + "; ".join(shown) + " (--skip-invalid imports the good files)") from None
        result = {
            "files": record.files,
            "releases_new": record.releases_new,
            "releases_unchanged": record.releases_unchanged,
            "processes": record.processes,
            "files_rejected": len(record.rejected),
            "rejected": record.rejected,
        }
        if options["json"]:
            self.stdout.write(to_json(result))
            return
        self.stdout.write(
            f"{record.files} files: {record.releases_new} new releases, {record.releases_unchanged} already held, "
            f"{record.processes} processes updated, {len(record.rejected)} files rejected"
        )
        for row in record.rejected:
            self.stdout.write(f"rejected {row['file']}: {row['reason']}")
