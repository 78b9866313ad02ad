"""The evaluation report as a workbook, OFFICIAL-SENSITIVE [COMMERCIAL]: criteria, every original score, the
moderated scores, the ranking and the sensitivity, for the commercial team's file."""

import io
import math
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

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
    sheet.append([marking])
    sheet["A1"].font = Font(bold=True, color="FFFFFF")
    sheet["A1"].fill = PatternFill("solid", fgColor="D4351C")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.oddHeader.center.text = marking
    sheet.oddFooter.center.text = marking
    for letter in "ABCDEFGH":
        sheet.column_dimensions[letter].width = 28
    return sheet


def evaluation_workbook(lot: Lot, *, marking: str) -> Workbook:
    workbook = Workbook()
    criteria = _sheet(
        workbook, "Criteria", marking, ["Id", "Criterion", "Kind", "Weight (%)", "Price method", "Pass mark"], True
    )
    for c in lot.criteria.order_by("position"):
        criteria.append([c.code, c.title, c.get_kind_display(), c.weight, c.price_method, c.pass_mark])
    scores = _sheet(workbook, "Original scores", marking, ["Bidder", "Criterion", "Evaluator", "Score", "Rationale"])
    for s in Score.objects.filter(bid__lot=lot).select_related("bid__supplier", "criterion", "evaluator"):
        scores.append([s.bid.bidder, s.criterion.title, s.evaluator.get_username(), s.score, s.rationale])
    moderated = _sheet(workbook, "Moderated scores", marking, ["Bidder", "Criterion", "Consensus", "Rationale", "By"])
    for m in Moderation.objects.filter(bid__lot=lot).select_related("bid__supplier", "criterion", "moderated_by"):
        moderated.append([m.bid.bidder, m.criterion.title, m.score, m.rationale, m.moderated_by.get_username()])
    result = selectors.lot_result(lot)
    ranking = _sheet(
        workbook, "Ranking", marking, ["Rank", "Bidder", "Price (£, excl. VAT)", "Quality", "Price score", "Total"]
    )
    if not result.complete:
        ranking.append([f"Not ranked: {result.moderated} of {result.needed} scores moderated."])
    for row in result.rows:
        ranking.append(
            [row.rank or "failed", row.bidder, row.price, row.quality, row.price_score or "", row.total or ""]
        )
        ranking.cell(row=ranking.max_row, column=3).number_format = "£#,##0.00"
    ranking.append([])
    for words in result.warnings + result.sensitivity_words:
        ranking.append([words])
    return workbook


def evaluation_xlsx(lot: Lot, *, marking: str) -> HttpResponse:
    buffer = io.BytesIO()
    evaluation_workbook(lot, marking=marking).save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"evaluation-{lot.tender.reference}-lot-{lot.number}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
