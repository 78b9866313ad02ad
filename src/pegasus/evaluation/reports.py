"""The evaluation report, OFFICIAL-SENSITIVE [COMMERCIAL], as a workbook and as a PDF: criteria, the ranking and
the sensitivity, the moderated scores and every original score, for the commercial team's file."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from pegasus.core import spreadsheets
from pegasus.core.documents import person_name, render_pdf
from pegasus.evaluation import selectors
from pegasus.evaluation.models import Lot, Moderation, Score

ENVELOPE_STEP = Decimal(100_000)


def approval_envelope(price: Decimal) -> Decimal:
    """A rounded approval value to suggest for an award: the next multiple of £100,000 above the price.

    Strictly above, so that the value published with Part 1 is never the winning bid's own price.
    """
    return Decimal(math.floor(price / ENVELOPE_STEP) + 1) * ENVELOPE_STEP


def _sheet(workbook, title: str, marking: str, headers: list[str], first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    spreadsheets.xlsx_append(sheet, [marking])
    sheet["A1"].font = Font(bold=True, color="FFFFFF")
    sheet["A1"].fill = PatternFill("solid", fgColor="D4351C")
    spreadsheets.xlsx_append(sheet, headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.oddHeader.center.text = marking
    sheet.oddFooter.center.text = marking
    for letter in "ABCDEFGH":
        sheet.column_dimensions[letter].width = 28
    return sheet


def _criteria(lot: Lot) -> list[list]:
    return [
        [c.code, c.title, c.get_kind_display(), c.weight, c.price_method, c.pass_mark]
        for c in lot.criteria.order_by("position")
    ]


def _originals(lot: Lot) -> list[list]:
    scores = Score.objects.filter(bid__lot=lot).select_related("bid__supplier", "criterion", "evaluator")
    return [[s.bid.bidder, s.criterion.title, person_name(s.evaluator), s.score, s.rationale] for s in scores]


def _moderated(lot: Lot) -> list[list]:
    moderations = Moderation.objects.filter(bid__lot=lot).select_related("bid__supplier", "criterion", "moderated_by")
    return [[m.bid.bidder, m.criterion.title, m.score, m.rationale, person_name(m.moderated_by)] for m in moderations]


def evaluation_workbook(lot: Lot, *, marking: str) -> Workbook:
    workbook = Workbook()
    criteria = _sheet(
        workbook, "Criteria", marking, ["Id", "Criterion", "Kind", "Weight (%)", "Price method", "Pass mark"], True
    )
    for row in _criteria(lot):
        spreadsheets.xlsx_append(criteria, row)
    scores = _sheet(workbook, "Original scores", marking, ["Bidder", "Criterion", "Evaluator", "Score", "Rationale"])
    for row in _originals(lot):
        spreadsheets.xlsx_append(scores, row)
    moderated = _sheet(workbook, "Moderated scores", marking, ["Bidder", "Criterion", "Consensus", "Rationale", "By"])
    for row in _moderated(lot):
        spreadsheets.xlsx_append(moderated, row)
    result = selectors.lot_result(lot)
    ranking = _sheet(
        workbook, "Ranking", marking, ["Rank", "Bidder", "Price (£, excl. VAT)", "Quality", "Price score", "Total"]
    )
    if not result.complete:
        spreadsheets.xlsx_append(ranking, [f"Not ranked: {result.moderated} of {result.needed} scores moderated."])
    for row in result.rows:
        spreadsheets.xlsx_append(
            ranking, [row.rank or "failed", row.bidder, row.price, row.quality, row.price_score or "", row.total or ""]
        )
        ranking.cell(row=ranking.max_row, column=3).number_format = "£#,##0.00"
    ranking.append([])
    for words in result.warnings + result.sensitivity_words:
        spreadsheets.xlsx_append(ranking, [words])
    return workbook


def _download(body: bytes, content_type: str, lot: Lot, extension: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    name = f"evaluation-{lot.tender.reference}-lot-{lot.number}-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def evaluation_xlsx(lot: Lot, *, marking: str) -> HttpResponse:
    return _download(
        spreadsheets.xlsx_bytes(evaluation_workbook(lot, marking=marking)), spreadsheets.XLSX_TYPE, lot, "xlsx"
    )


@dataclass(frozen=True)
class ReportHeader:
    heading: str
    title: str
    marking: str
    running: str


@dataclass(frozen=True)
class EvaluationReport:
    header: ReportHeader
    result: selectors.LotResult
    criteria: list[list]
    moderated: list[list]
    originals: list[list]
    produced: str


def evaluation_pdf(lot: Lot, *, marking: str) -> HttpResponse:
    """The report as a PDF for the file and the approver's pack, marked on every page."""
    tender = lot.tender
    produced = timezone.localtime().strftime("%d %B %Y %H:%M")
    report = EvaluationReport(
        header=ReportHeader(
            heading="Tender evaluation report",
            title=f"{tender.reference} {tender.title}: lot {lot.number}, {lot.title}",
            marking=marking,
            running=f"{tender.reference} lot {lot.number} evaluation report, produced {produced}",
        ),
        result=selectors.lot_result(lot),
        criteria=_criteria(lot),
        moderated=_moderated(lot),
        originals=_originals(lot),
        produced=produced,
    )
    return _download(render_pdf("evaluation/documents/report.html", report), "application/pdf", lot, "pdf")
