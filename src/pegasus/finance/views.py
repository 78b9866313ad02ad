"""Finance pages: the position, a line's S-curve and the rows behind its figures, an approval's commitments, the
ledgers' forms, the imports and the position as a workbook. Thin: reads through `finance.selectors`, writes through
`finance.services`; a refusal is shown on the field it names with nothing written."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from pegasus.core import clock, intake, spreadsheets, tabular
from pegasus.core.access import require_perm
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import ImportRejected, OutOfBounds
from pegasus.finance import exports, forms, imports, rules, selectors, services
from pegasus.finance.charts import s_curve, s_curve_months
from pegasus.finance.services import FinanceRefused
from pegasus.ui.imports import ImportForm, rejected_errors

VIEW, CHANGE = "finance.view_finance", "finance.change_finance"
REFUSED = (FinanceRefused, OutOfBounds, ValidationError)
IMPORTED = "{title} imported from {name}: {result}."
IMPORT_INTROS = {
    "budgets": "One row per budget line and financial year; a row without a year adds or renames the line alone.",
    "approvals": "One row per approval. An id already held updates that approval.",
    "commitments": "One row per commitment. A commitment that would take its approval past its amount refuses the "
    "whole file.",
    "actuals": "One row per payment. An actual against a commitment is on the commitment's budget line.",
    "forecasts": "One row per budget line and month. A month already forecast is corrected.",
}


@dataclass(frozen=True)
class Period:
    form: forms.PeriodForm
    as_at: date
    year: int

    @property
    def query(self) -> str:
        """The period as a query string for the links that keep it."""
        return urlencode({"as_at": self.as_at.isoformat(), "year": self.year})

    @property
    def year_label(self) -> str:
        return rules.year_label(self.year)


def _period(request) -> Period:
    """The as-at date (the app's as-at by default) and financial year (the as-at date's by default) of a page."""
    default = clock.default_as_at()
    asked = {k: v for k, v in request.GET.items() if k in ("as_at", "year") and v}
    form = forms.PeriodForm({"as_at": default.isoformat(), "year": ""} | asked, default_as_at=default)
    as_at, year = form.period()
    return Period(form, as_at, year)


def _line_url(code: str, period: Period, anchor: str = "") -> str:
    return f"{reverse('finance-line', args=[code])}?{period.query}{anchor}"


@dataclass(frozen=True)
class ApprovalBar:
    """An approval's row with the share of it committed, for its headroom bar."""

    row: selectors.ApprovalRow

    @property
    def committed_percent(self) -> Decimal | None:
        approved = self.row.figures.approved
        if not approved:
            return None
        return (self.row.figures.committed / approved * 100).quantize(Decimal("0.1"))

    @property
    def meter_value(self) -> Decimal:
        """The committed amount the bar draws, within the bar (an over-commitment fills it)."""
        return min(self.row.figures.committed, self.row.figures.approved)

    @property
    def over(self) -> Decimal:
        """How far the committed total is past the approval (an approval reduced below it), or nothing."""
        return max(rules.ZERO, -self.row.figures.headroom)

    @property
    def meter_high(self) -> Decimal:
        """Where the bar turns to a warning: nine tenths committed."""
        return (self.row.figures.approved * Decimal("0.9")).quantize(rules.ZERO)


@require_perm(VIEW)
def position(request):
    """Every budget line as a tree with its rolled-up figures, the totals, and every approval with its headroom."""
    period = _period(request)
    found = selectors.position(as_at=period.as_at, year=period.year)
    total = rules.Figures()
    for root in found.roots:
        total = total + root.total
    return render(
        request,
        "finance/position.html",
        {
            "period": period,
            "position": found,
            "rows": [(row, min(row.depth * 2, 9)) for row in found.lines],
            "total": total,
            "approvals": [ApprovalBar(a) for a in found.approvals],
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@require_perm(VIEW)
def position_export(request):
    period = _period(request)
    found = selectors.position(as_at=period.as_at, year=period.year)
    audit_record(
        action="finance.position-export",
        by=request.user,
        summary=f"Exported the finance position for {period.year_label} as at {period.as_at:%d %B %Y} as XLSX",
        data={"as_at": period.as_at.isoformat(), "year": period.year_label, "lines": len(found.lines)},
    )
    response = HttpResponse(exports.position_xlsx(found), content_type=spreadsheets.XLSX_TYPE)
    name = f"pegasus-finance-position-{period.year_label}-as-at-{period.as_at.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_perm(VIEW)
def line(request, code: str):
    """A line's own and rolled-up figures, its S-curve with the figures beside it, and the rows behind them."""
    period = _period(request)
    found = selectors.position(as_at=period.as_at, year=period.year)
    row = next((r for r in found.lines if r.code == code), None)
    if row is None:
        raise Http404("No such budget line")
    codes = selectors.lines_under(code)
    behind = selectors.commitments_paid_behind(as_at=period.as_at, codes=codes)
    actuals = list(selectors.actuals_behind(codes=codes, year=period.year, as_at=period.as_at))
    paid: dict[date, Decimal] = {}
    for actual in actuals:
        month = actual.paid_on.replace(day=1)
        paid[month] = paid.get(month, rules.ZERO) + actual.amount
    forecast = {m["month"]: m["forecast"] for m in selectors.monthly_profile(codes=codes, year=period.year)}
    curve = s_curve_months(year=period.year, as_at=period.as_at, budget=row.total.budget, paid=paid, forecast=forecast)
    below = [r for r in found.lines if r.parent == code]
    return render(
        request,
        "finance/line.html",
        {
            "period": period,
            "row": row,
            "parent": found.line(row.parent) if row.parent else None,
            "children": below,
            "approvals": [ApprovalBar(a) for a in found.approvals if a.line in codes],
            "figures": [
                ("Budget", "budget", row.own.budget, row.total.budget),
                ("Actual", "actual", row.own.actual, row.total.actual),
                ("Committed (open)", "committed_open", row.own.committed_open, row.total.committed_open),
                ("Forecast remaining", "forecast_remaining", row.own.forecast_remaining, row.total.forecast_remaining),
                ("Outturn", "outturn", row.own.outturn, row.total.outturn),
                ("Variance", "variance", row.own.variance, row.total.variance),
                ("Available", "available", row.own.available, row.total.available),
            ],
            "chart": s_curve("s-curve", f"{row.code}: cumulative spend in {period.year_label}", curve),
            "commitments": behind,
            "committed_open": sum((b.open for b in behind), rules.ZERO),
            "actuals": actuals,
            "actual_total": sum((a.amount for a in actuals), rules.ZERO),
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@require_perm(VIEW)
def approval(request, reference: str):
    """An approval's figures and the commitments its committed and spent are drawn from."""
    period = _period(request)
    found = selectors.position(as_at=period.as_at, year=period.year)
    row = next((a for a in found.approvals if a.reference == reference), None)
    if row is None:
        raise Http404("No such approval")
    behind = selectors.commitments_paid_behind(as_at=period.as_at, approval=reference)
    return render(
        request,
        "finance/approval.html",
        {
            "period": period,
            "approval": ApprovalBar(row),
            "line": found.line(row.line),
            "commitments": behind,
            "committed": sum((b.commitment.amount for b in behind), rules.ZERO),
            "spent": sum((b.paid for b in behind), rules.ZERO),
            "can_change": request.user.has_perm(CHANGE),
        },
    )


# --- Writes: one form, one service each ------------------------------------------------------------------------------


def _lines():
    return list(selectors.budget_lines())


def _commitment(reference: str):
    commitment = selectors.commitments().filter(reference=reference).first()
    if commitment is None:
        raise Http404("No such commitment")
    return commitment


@require_perm(CHANGE)
def commitment_create(request):
    initial = {"budget_line": request.GET.get("line", ""), "approval": request.GET.get("approval", "")}
    form = forms.CommitmentForm(
        request.POST or None, initial=initial, lines=_lines(), approvals=list(selectors.approvals())
    )

    def write(data):
        saved = services.commitment_save(
            reference=data["reference"].strip(),
            line=data["budget_line"],
            approval=data["approval"] or None,
            supplier=data["supplier"],
            description=data["description"],
            raised_on=data["raised_on"],
            amount=data["amount"],
            cancelled_on=None,
            contract=data["contract"].strip() or None,
            by=request.user,
        )
        return saved, f"Commitment {saved.row} {saved.outcome}"

    return _ledger_form(request, form, "finance/commitment_form.html", write, {"commitment": None})


def _ledger_form(request, form, template: str, write, context: dict | None = None):
    """A ledger's form: on a valid POST `write(cleaned_data)` saves through one service and returns what it saved
    with the message to show, and the browser goes to the line's page; a refusal shows on the field it names, with
    nothing written; otherwise the form again."""
    context = {"form": form, **(context or {})}
    if request.method == "POST" and form.is_valid():
        try:
            saved, message = write(form.cleaned_data)
        except REFUSED as exc:
            form.show_refusal(exc)
            return render(request, template, context)
        messages.success(request, message)
        row = saved.row
        return redirect(_line_url(getattr(row, "line_id", None) or row.code, _period(request)))
    return render(request, template, context)


@require_perm(CHANGE)
def commitment_edit(request, reference: str):
    commitment = _commitment(reference)
    initial = {
        "reference": commitment.reference,
        "budget_line": commitment.line_id,
        "approval": commitment.approval_id or "",
        "supplier": commitment.supplier,
        "description": commitment.description,
        "raised_on": commitment.raised_on,
        "amount": commitment.amount,
        "contract": commitment.contract_id or "",
    }
    form = forms.CommitmentForm(
        request.POST or None, initial=initial, lines=_lines(), approvals=list(selectors.approvals()), editing=True
    )

    def write(data):
        saved = services.commitment_save(
            reference=commitment.reference,
            line=data["budget_line"],
            approval=data["approval"] or None,
            supplier=data["supplier"],
            description=data["description"],
            raised_on=data["raised_on"],
            amount=data["amount"],
            cancelled_on=commitment.cancelled_on,
            contract=data["contract"].strip() or None,
            by=request.user,
        )
        return saved, f"Commitment {saved.row} {saved.outcome}"

    return _ledger_form(request, form, "finance/commitment_form.html", write, {"commitment": commitment})


@require_perm(CHANGE)
def commitment_cancel(request, reference: str):
    commitment = _commitment(reference)
    form = forms.CancelForm(request.POST or None, initial={"cancelled_on": commitment.cancelled_on})

    def write(data):
        saved = services.commitment_cancel(reference=commitment.reference, on=data["cancelled_on"], by=request.user)
        return saved, f"Commitment {saved.row} cancelled from {data['cancelled_on']:%d %B %Y}"

    return _ledger_form(request, form, "finance/cancel_form.html", write, {"commitment": commitment})


@require_perm(CHANGE)
def actual_create(request):
    initial = {"budget_line": request.GET.get("line", ""), "commitment": request.GET.get("commitment", "")}
    form = forms.ActualForm(request.POST or None, initial=initial, lines=_lines())

    def write(data):
        saved = services.actual_save(
            reference=data["reference"].strip(),
            line=data["budget_line"],
            commitment=data["commitment"].strip() or None,
            paid_on=data["paid_on"],
            amount=data["amount"],
            by=request.user,
        )
        return saved, f"Actual {saved.row} {saved.outcome}"

    return _ledger_form(request, form, "finance/actual_form.html", write)


@require_perm(CHANGE)
def forecast_set(request):
    form = forms.ForecastForm(
        request.POST or None, initial={"budget_line": request.GET.get("line", "")}, lines=_lines()
    )

    def write(data):
        saved = services.forecast_save(
            line=data["budget_line"], month=data["month"], amount=data["amount"], by=request.user
        )
        return saved, f"Forecast for {saved.row} {saved.outcome}"

    return _ledger_form(request, form, "finance/forecast_form.html", write)


@require_perm(CHANGE)
def approval_create(request):
    form = forms.ApprovalForm(
        request.POST or None, initial={"budget_line": request.GET.get("line", "")}, lines=_lines()
    )

    def write(data):
        saved = services.approval_save(
            reference=data["reference"].strip(),
            line=data["budget_line"],
            amount=data["amount"],
            approved_on=data["approved_on"],
            decision=data["decision"].strip() or None,
            by=request.user,
        )
        return saved, f"Approval {saved.row} {saved.outcome}"

    return _ledger_form(request, form, "finance/approval_form.html", write)


@require_perm(CHANGE)
def budget_line_create(request):
    form = forms.BudgetLineForm(request.POST or None, initial={"parent": request.GET.get("parent", "")}, lines=_lines())

    def write(data):
        saved = services.budget_line_save(
            code=data["code"].strip(), name=data["name"], parent=data["parent"] or None, by=request.user
        )
        return saved, f"Budget line {saved.row} {saved.outcome}"

    return _ledger_form(request, form, "finance/budget_line_form.html", write)


@require_perm(CHANGE)
def budget_set(request):
    period = _period(request)
    form = forms.BudgetAmountForm(
        request.POST or None,
        initial={"budget_line": request.GET.get("line", ""), "year": str(period.year)},
        lines=_lines(),
        around=period.year,
    )

    def write(data):
        saved = services.budget_amount_save(
            line=data["budget_line"], year=int(data["year"]), amount=data["amount"], by=request.user
        )
        return saved, f"Budget for {saved.row} {saved.outcome}"

    return _ledger_form(request, form, "finance/budget_form.html", write)


# --- Imports ----------------------------------------------------------------------------------------------------------


@require_perm(CHANGE)
def import_page(request):
    """One upload per kind of ledger file, each with its templates and columns."""
    forms_by_kind = {kind: ImportForm(kind=kind) for kind in imports.KINDS}
    posted, extra_errors = None, []
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in imports.KINDS:
            return HttpResponseBadRequest("Unknown kind of import")
        posted = forms_by_kind[kind] = ImportForm(request.POST, request.FILES, kind=kind)
        if posted.is_valid():
            upload = posted.cleaned_data["file"]
            try:
                result = imports.ledger_import(kind, filename=upload.name, data=upload.read(), by=request.user)
            except ImportRejected as exc:
                extra_errors = rejected_errors(posted, upload.name, exc)
            else:
                name = intake.shortened(upload.name)
                messages.success(request, IMPORTED.format(title=kind.capitalize(), name=name, result=result))
                return redirect("finance-import")
    return render(
        request,
        "finance/import.html",
        {
            "sections": [
                {
                    "kind": kind,
                    "title": kind.capitalize(),
                    "intro": IMPORT_INTROS[kind],
                    "form": forms_by_kind[kind],
                    "columns": imports.COLUMNS[kind],
                }
                for kind in imports.KINDS
            ],
            "form": posted,
            "extra_errors": extra_errors,
        },
    )


@require_perm(CHANGE)
def import_template(request, kind: str, fmt: str):
    if kind not in imports.KINDS or fmt not in tabular.FORMATS:
        raise Http404
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else spreadsheets.XLSX_TYPE
    response = HttpResponse(imports.template(kind, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="pegasus-finance-{kind}-template.{fmt}"'
    return response
