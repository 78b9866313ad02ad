"""The RAID log's pages: the log with its filters and heat map, an item with its mitigations, links and history, the
programme director's forms, and the log as a workbook in and out. Thin: reads through `selectors.raid`, writes
through `services.raid`; a refusal is shown on the field it names with nothing written."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from pegasus.core import clock, intake, spreadsheets, tabular
from pegasus.core.access import require_perm
from pegasus.core.audit import audit_record
from pegasus.core.exceptions import ImportRejected, InvalidTransition
from pegasus.programme import (
    charts,
    exports,
    imports,
    permissions,  # noqa: F401
    risk,
)
from pegasus.programme.forms import raid as forms
from pegasus.programme.models import Mitigation, RaidItem, RaidKind
from pegasus.programme.selectors import raid as selectors
from pegasus.programme.selectors.programmes import the_programme
from pegasus.programme.services import raid as services
from pegasus.ui.forms import service_errors_to_form
from pegasus.ui.imports import ImportForm, rejected_errors

VIEW, CHANGE = "programme.view_programme", "programme.change_programme"
ITEM_FIELDS = (
    "kind",
    "title",
    "description",
    "owner",
    "raised_on",
    "cause",
    "event",
    "effect",
    "inherent_probability",
    "inherent_impact",
    "residual_probability",
    "residual_impact",
    "proximity",
    "priority",
    "contract",
    "procurement",
    "decision",
    "milestone",
    "business_case",
)
IMPORTED = "RAID log imported from {name}: {result}."
NO_PROGRAMME = "No programme is held: load the demonstration or add the programme first."


def _filters(request):
    """The filter form, the filters it asks for (a value it refuses is left out), the as-at date and its error."""
    as_at, as_at_error = clock.as_at_from(request.GET.get("as_at"))
    asked = request.GET.copy()
    if not asked.get("as_at") or as_at_error:
        asked["as_at"] = as_at.isoformat()
    form = forms.RaidFilterForm(asked)
    form.is_valid()
    data = form.cleaned_data  # only the fields that are valid
    filters = selectors.RaidFilters(
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        owner=data.get("owner") or "",
        band=data.get("band") or "",
        contract=data.get("contract"),
        procurement=data.get("procurement"),
        text=(data.get("q") or "").strip(),
    )
    return form, filters, as_at_error, as_at


@require_perm(VIEW)
def raid_list(request):
    """The log as at a day, narrowed by the filters, with the heat map of its open risks and the heat map's table."""
    form, filters, as_at_error, as_at = _filters(request)
    rows = selectors.raid_list(as_at=as_at, filters=filters)
    cells = selectors.raid_heat_map(rows)
    query = urlencode({k: v for k, v in request.GET.items() if v})
    return render(
        request,
        "programme/raid_list.html",
        {
            "form": form,
            "as_at": as_at,
            "as_at_error": as_at_error,
            "rows": rows,
            "counts": {kind.label: sum(1 for r in rows if r.item.kind == kind) for kind in RaidKind},
            "open_risks": sum(c.count for c in cells),
            "chart": charts.heat_map(
                "raid-heat-map", f"Open risks by current probability and impact, {as_at:%d %B %Y}", cells
            ),
            "heat_rows": [
                (p, risk.PROBABILITY_LABELS[p], [c for c in cells if c.probability == p]) for p in reversed(risk.SCALE)
            ],
            "bands": risk.BANDS,
            "escalate_from": risk.ESCALATE_FROM,
            "query": query,
            "can_change": request.user.has_perm(CHANGE),
        },
    )


def _item(pk: int) -> RaidItem:
    try:
        return selectors.raid_item_get(pk)
    except RaidItem.DoesNotExist:
        raise Http404("No such RAID item") from None


def _mitigation(item: RaidItem, pk: int) -> Mitigation:
    try:
        return selectors.mitigation_get(item, pk)
    except Mitigation.DoesNotExist:
        raise Http404("No such mitigation") from None


@require_perm(VIEW)
def raid_detail(request, pk: int):
    """An item as at a day: what it is, its scores, mitigations, what it concerns, and every change to it."""
    item = _item(pk)
    as_at, as_at_error = clock.as_at_from(request.GET.get("as_at"))
    row = selectors.RaidRow(item, as_at)
    return render(
        request,
        "programme/raid_detail.html",
        {
            "row": row,
            "item": item,
            "as_at": as_at,
            "as_at_error": as_at_error,
            "raised_later": item.raised_on > as_at,
            "mitigations": list(selectors.mitigations_of(item)),
            "history": selectors.raid_history(item),
            "escalate_from": risk.ESCALATE_FROM,
            "can_change": request.user.has_perm(CHANGE),
        },
    )


def _form_page(request, form, template: str, write, context: dict):
    """On a valid POST `write(cleaned_data)` saves through one service and returns the item and the message; a
    refusal shows on the field it names with nothing written; otherwise the form (again)."""
    context = {"form": form, **context}
    if request.method == "POST" and form.is_valid():
        try:
            item, message = write(form.cleaned_data)
        except (ValidationError, InvalidTransition) as exc:
            service_errors_to_form(form, exc)
            return render(request, template, context)
        messages.success(request, message)
        return redirect("raid-detail", pk=item.pk)
    return render(request, template, context)


def _item_values(data: dict) -> dict:
    return {name: data.get(name) for name in ITEM_FIELDS}


@require_perm(CHANGE)
def raid_create(request):
    programme = the_programme()
    kind = request.GET.get("kind", "")
    form = forms.RaidItemForm(
        request.POST or None,
        initial={"kind": kind if kind in RaidKind.values else "", "raised_on": clock.london_today()},
    )

    def write(data):
        if programme is None:
            raise ValidationError(NO_PROGRAMME)
        saved = services.raid_item_save(
            programme=programme, reference=data["reference"].strip() or None, **_item_values(data), by=request.user
        )
        return saved.row, f"{saved.row.reference} raised"

    return _form_page(request, form, "programme/raid_form.html", write, {"item": None})


@require_perm(CHANGE)
def raid_edit(request, pk: int):
    item = _item(pk)
    initial = {name: getattr(item, name) for name in ITEM_FIELDS}
    form = forms.RaidItemForm(request.POST or None, initial=initial, editing=True)

    def write(data):
        saved = services.raid_item_save(
            programme=item.programme,
            reference=item.reference,
            **(_item_values(data) | {"kind": item.kind}),
            resolution=item.resolution,
            closed_on=item.closed_on,
            by=request.user,
        )
        return saved.row, f"{item.reference} {'saved' if saved.outcome != 'unchanged' else 'unchanged'}"

    return _form_page(request, form, "programme/raid_form.html", write, {"item": item})


@require_perm(CHANGE)
def raid_close(request, pk: int):
    item = _item(pk)
    form = forms.RaidCloseForm(
        request.POST or None, initial={"closed_on": clock.london_today(), "resolution": item.resolution}
    )

    def write(data):
        closed = services.raid_item_close(
            item=item, closed_on=data["closed_on"], resolution=data["resolution"], by=request.user
        )
        return closed, f"{closed.reference} closed on {closed.closed_on:%d %B %Y}"

    return _form_page(request, form, "programme/raid_close.html", write, {"item": item})


@require_perm(CHANGE)
def raid_reopen(request, pk: int):
    item = _item(pk)
    form = forms.ReopenForm(request.POST if request.method == "POST" else None)

    def write(data):
        reopened = services.raid_item_reopen(item=item, by=request.user)
        return reopened, f"{reopened.reference} reopened"

    return _form_page(request, form, "programme/raid_reopen.html", write, {"item": item})


@require_perm(CHANGE)
def mitigation_create(request, pk: int):
    item = _item(pk)
    form = forms.MitigationForm(request.POST or None, initial={"owner": item.owner})

    def write(data):
        services.mitigation_save(item=item, **data, by=request.user)
        return item, f"Mitigation added to {item.reference}"

    return _form_page(request, form, "programme/raid_mitigation_form.html", write, {"item": item, "mitigation": None})


@require_perm(CHANGE)
def mitigation_edit(request, pk: int, mitigation: int):
    item = _item(pk)
    row = _mitigation(item, mitigation)
    initial = {"action": row.action, "owner": row.owner, "due_on": row.due_on, "done_on": row.done_on}
    form = forms.MitigationForm(request.POST or None, initial=initial)

    def write(data):
        services.mitigation_save(item=item, mitigation=row, **data, by=request.user)
        return item, f"Mitigation of {item.reference} saved"

    return _form_page(request, form, "programme/raid_mitigation_form.html", write, {"item": item, "mitigation": row})


@require_perm(CHANGE)
def mitigation_done(request, pk: int, mitigation: int):
    item = _item(pk)
    row = _mitigation(item, mitigation)
    form = forms.MitigationDoneForm(request.POST or None, initial={"done_on": row.done_on or clock.london_today()})

    def write(data):
        services.mitigation_done(mitigation=row, done_on=data["done_on"], by=request.user)
        return item, f"Mitigation of {item.reference} done on {data['done_on']:%d %B %Y}"

    return _form_page(request, form, "programme/raid_mitigation_done.html", write, {"item": item, "mitigation": row})


# --- The log as a workbook ------------------------------------------------------------------------------------------


@require_perm(VIEW)
def raid_export(request):
    """Every item held, in the import's layout (with scores as at the day), as XLSX."""
    as_at, _ = clock.as_at_from(request.GET.get("as_at"))
    rows = [selectors.RaidRow(item, as_at) for item in selectors.raid_items().order_by("reference")]
    audit_record(
        action="programme.raid-export",
        by=request.user,
        summary=f"Exported the RAID log ({len(rows)} items) as XLSX",
        data={"as_at": as_at.isoformat(), "items": len(rows)},
    )
    title = f"Pegasus RAID log, exported with status as at {as_at:%d %B %Y}"
    response = HttpResponse(exports.raid_xlsx(rows, title=title), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="pegasus-raid-log-as-at-{as_at.isoformat()}.xlsx"'
    return response


@require_perm(CHANGE)
def raid_import(request):
    form = ImportForm(request.POST or None, request.FILES or None, kind="RAID")
    extra_errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.raid_import(filename=upload.name, data=upload.read(), by=request.user)
        except ImportRejected as exc:
            extra_errors = rejected_errors(form, upload.name, exc)
        else:
            messages.success(request, IMPORTED.format(name=intake.shortened(upload.name), result=result))
            return redirect("raid-list")
    return render(
        request,
        "programme/raid_import.html",
        {"form": form, "extra_errors": extra_errors, "columns": imports.COLUMNS},
    )


@require_perm(CHANGE)
def raid_import_template(request, fmt: str):
    if fmt not in tabular.FORMATS:
        raise Http404
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else spreadsheets.XLSX_TYPE
    response = HttpResponse(imports.template(fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="pegasus-raid-template.{fmt}"'
    return response


urlpatterns = [
    path("raid/", raid_list, name="raid-list"),
    path("raid/new/", raid_create, name="raid-create"),
    path("raid/export.xlsx", raid_export, name="raid-export"),
    path("raid/import/", raid_import, name="raid-import"),
    path("raid/import/template.<slug:fmt>", raid_import_template, name="raid-import-template"),
    path("raid/<int:pk>/", raid_detail, name="raid-detail"),
    path("raid/<int:pk>/edit/", raid_edit, name="raid-edit"),
    path("raid/<int:pk>/close/", raid_close, name="raid-close"),
    path("raid/<int:pk>/reopen/", raid_reopen, name="raid-reopen"),
    path("raid/<int:pk>/mitigations/new/", mitigation_create, name="raid-mitigation-create"),
    path("raid/<int:pk>/mitigations/<int:mitigation>/", mitigation_edit, name="raid-mitigation-edit"),
    path("raid/<int:pk>/mitigations/<int:mitigation>/done/", mitigation_done, name="raid-mitigation-done"),
]
