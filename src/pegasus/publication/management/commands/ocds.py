"""`pegasus ocds export --out FILE.json [--records] [--as-at D]`: everything publishable as OCDS 1.1.5."""

import json
from pathlib import Path

from django.utils import timezone

from pegasus.core.audit import audit_record
from pegasus.core.management.commands._base import BadInput, PegasusCommand, parse_date
from pegasus.estate.selectors import default_as_at
from pegasus.publication import ocds


class Command(PegasusCommand):
    help = "Open contracting: write the estate's contracts and the procurements as an OCDS release or record package."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write a release package (or, with --records, a record package)")
        export.add_argument("--out", required=True, help="the JSON file to write; - writes standard output")
        export.add_argument("--records", action="store_true", help="compiled records instead of releases")
        export.add_argument("--as-at", help="the date contracts' current ends are read at (YYYY-MM-DD)")

    def handle(self, *args, **options):
        as_at = parse_date(options["as_at"], "--as-at") if options["as_at"] else default_as_at()
        published = timezone.now().replace(microsecond=0)
        name = options["out"]
        uri = ocds.package_uri("records.json" if options["records"] else "releases.json")
        build = ocds.record_package if options["records"] else ocds.release_package
        package = build(as_at, published, uri)
        text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
        if name == "-":
            self.stdout.write(text, ending="")
        else:
            try:
                Path(name).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise BadInput(f"--out: {name}: {exc.strerror or exc}") from None
            kind = "records" if options["records"] else "releases"
            count = len(package[kind])
            self.stderr.write(f"wrote {count} {kind} to {name}")
        audit_record(
            action="publication.ocds-export",
            by=None,
            obj=None,
            summary=f"OCDS {'record' if options['records'] else 'release'} package exported as at {as_at}",
            data={"as_at": as_at.isoformat(), "out": name},
        )
