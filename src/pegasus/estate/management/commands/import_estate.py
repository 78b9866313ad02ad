from pathlib import Path

from pegasus.core.exceptions import ImportRejected
from pegasus.core.management.commands._base import BadInput, PegasusCommand, to_json
from pegasus.core.tabular import error_text
from pegasus.estate.imports import IMPORTERS, KINDS


class Command(PegasusCommand):
    help = (
        "Import contracts or spend from an XLSX or CSV file, all or nothing: "
        "`import_estate contracts contracts.xlsx --json`. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="what the file holds")
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"{path}: {exc.strerror or 'cannot be read'}") from None
        try:
            result = IMPORTERS[options["kind"]](filename=path.name, data=data, by=None)
        except ImportRejected as exc:
            rest = len(exc.errors) - 1
            more = f"; {rest} more problem{'s' if rest != 1 else ''} in the file" if rest else ""
            raise BadInput(f"{path.name}: {error_text(exc.errors[0])} Nothing was imported{more}.") from None
        if options["json"]:
            self.stdout.write(to_json(result.as_dict()))
            return
        self.stdout.write(f"Imported {result.kind} from {path.name}: {result}.")
