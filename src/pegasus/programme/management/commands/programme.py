"""`pegasus programme report --month YYYY-MM --out FILE.pdf|.docx`: the programme board's monthly highlight report,
reading the programme as at the month's last day."""

from pathlib import Path

from pegasus.core.management.commands._base import BadInput, PegasusCommand
from pegasus.programme import report_docx, report_pdf
from pegasus.programme.selectors import board

WRITERS = {".pdf": report_pdf.highlight_pdf, ".docx": report_docx.highlight_docx}


class Command(PegasusCommand):
    help = "Programme control: the board's monthly highlight report."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="write the monthly highlight report as PDF or DOCX")
        report.add_argument("--month", required=True, help="the month reported, YYYY-MM; read as at its last day")
        report.add_argument("--out", required=True, help="the file to write: its name ends .pdf or .docx")

    def handle(self, *args, **options):
        try:
            as_at = board.month_end(options["month"])
        except board.MonthInputError as exc:
            raise BadInput(f"--month: {exc}") from None
        out = Path(options["out"])
        writer = WRITERS.get(out.suffix.lower())
        if writer is None:
            raise BadInput(f"--out: {out.name!r} must end .pdf or .docx")
        found = board.board(as_at)
        if found is None:
            raise BadInput("No programme is set up: load the demonstration (`pegasus demo`) or create one")
        try:
            out.write_bytes(writer(found))
        except OSError as exc:
            raise BadInput(f"--out: {exc.strerror or exc}") from None
        self.stdout.write(f"Wrote the highlight report for {as_at:%B %Y} (as at {as_at:%d %B %Y}) to {out}")
