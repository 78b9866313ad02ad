"""The import page: upload a contracts or spend file, see what changed or every row that stopped it."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render

from pegasus.core import intake, spreadsheets, tabular
from pegasus.core.access import require_perm
from pegasus.core.exceptions import ImportRejected
from pegasus.estate import imports
from pegasus.ui.imports import ImportForm, rejected_errors

IMPORTED = "{title} imported from {name}: {result}."


@dataclass(frozen=True)
class ImportKind:
    kind: str
    perm: str
    title: str
    intro: str


KINDS = {
    imports.CONTRACTS: ImportKind(
        imports.CONTRACTS,
        "estate.import_contracts",
        "Contracts",
        "One row per contract. A reference already held updates that contract where a value differs; a new "
        "reference adds a contract, and a supplier name not yet held adds a supplier.",
    ),
    imports.SPEND: ImportKind(
        imports.SPEND,
        "estate.import_spend",
        "Spend",
        "One row per contract and month. A month already recorded is corrected where the amount differs.",
    ),
}


@require_perm("estate.import_spend")
def import_page(request):
    allowed = [k for k in KINDS.values() if request.user.has_perm(k.perm)]
    forms_by_kind = {k.kind: ImportForm(kind=k.kind) for k in allowed}
    posted, extra_errors = None, []
    if request.method == "POST":
        kind = KINDS.get(request.POST.get("kind", ""))
        if kind is None:
            return HttpResponseBadRequest("Unknown kind of import")
        if not request.user.has_perm(kind.perm):
            raise PermissionDenied
        posted = forms_by_kind[kind.kind] = ImportForm(request.POST, request.FILES, kind=kind.kind)
        if posted.is_valid():
            upload = posted.cleaned_data["file"]
            try:
                result = imports.IMPORTERS[kind.kind](filename=upload.name, data=upload.read(), by=request.user)
            except ImportRejected as exc:
                extra_errors = rejected_errors(posted, upload.name, exc)
            else:
                messages.success(
                    request, IMPORTED.format(title=kind.title, name=intake.shortened(upload.name), result=result)
                )
                return redirect("import")
    return render(
        request,
        "estate/import.html",
        {
            "sections": [
                {
                    "kind": k,
                    "form": forms_by_kind[k.kind],
                    "columns": imports.COLUMNS[k.kind],
                }
                for k in allowed
            ],
            "form": posted,
            "extra_errors": extra_errors,
        },
    )


@require_perm("estate.import_spend")
def import_template(request, kind: str, fmt: str):
    if kind not in KINDS or fmt not in tabular.FORMATS:
        raise Http404
    if not request.user.has_perm(KINDS[kind].perm):
        raise PermissionDenied
    if fmt == "csv":
        response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(imports.template_xlsx(kind), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="pegasus-{kind}-template.{fmt}"'
    return response
