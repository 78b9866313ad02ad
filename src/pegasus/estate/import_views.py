"""The import page: upload a contracts or spend file, see what changed or every row that stopped it."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render

from pegasus.core import intake
from pegasus.core.access import require_perm
from pegasus.core.exceptions import ImportRejected
from pegasus.estate import imports

MAX_ERRORS_SHOWN = 100
SELECT_A_FILE = "Select a {kind} file to import"
FILE_IS_EMPTY = "The selected file is empty"
FILE_TOO_LARGE = imports.FILE_TOO_LARGE
FILE_REJECTED = "{name} has {count} problem{s}. Nothing was imported."
MORE_ERRORS = "And {count} more problem{s}: fix these first, then import the file again."
IMPORTED = "{title} imported from {name}: {result}."
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=f"An XLSX or CSV file with a header row, {imports.UPLOAD_LIMIT.hint}.",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, prefix=kind, **kwargs)
        self.fields["file"].label = f"Upload a {kind} file"
        self.fields["file"].error_messages.update(
            {
                "required": SELECT_A_FILE.format(kind=kind),
                "invalid": SELECT_A_FILE.format(kind=kind),
                "empty": FILE_IS_EMPTY,
            }
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(FILE_TOO_LARGE)
        return upload


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _rejected(form: ImportForm, name: str, exc: ImportRejected) -> list[dict]:
    """Put the rejection on the form's file field, and the bad rows (the first 100) into the error summary."""
    count = len(exc.errors)
    form.add_error("file", FILE_REJECTED.format(name=intake.shortened(name), count=count, s=_plural(count)))
    anchor = form["file"].auto_id
    shown = [{"message": imports.error_text(e), "anchor": anchor} for e in exc.errors[:MAX_ERRORS_SHOWN]]
    rest = count - len(shown)
    if rest:
        shown.append({"message": MORE_ERRORS.format(count=rest, s=_plural(rest)), "anchor": ""})
    return shown


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
                extra_errors = _rejected(posted, upload.name, exc)
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
    if kind not in KINDS or fmt not in imports.FORMATS:
        raise Http404
    if not request.user.has_perm(KINDS[kind].perm):
        raise PermissionDenied
    if fmt == "csv":
        response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(imports.template_xlsx(kind), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="pegasus-{kind}-template.{fmt}"'
    return response
