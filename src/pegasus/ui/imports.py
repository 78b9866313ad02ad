"""The page side of every CSV or XLSX import: the upload form, and a refused file's problems in the error summary."""

from django import forms

from pegasus.core import intake, tabular
from pegasus.core.exceptions import ImportRejected

MAX_ERRORS_SHOWN = 100
SELECT_A_FILE = "Select a {kind} file to import"
FILE_IS_EMPTY = "The selected file is empty"
FILE_TOO_LARGE = tabular.FILE_TOO_LARGE
FILE_REJECTED = "{name} has {count} problem{s}. Nothing was imported."
MORE_ERRORS = "And {count} more problem{s}: fix these first, then import the file again."


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=f"An XLSX or CSV file with a header row, {tabular.UPLOAD_LIMIT.hint}.",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, kind: str, **kwargs):
        kwargs["prefix"] = kind
        super().__init__(*args, **kwargs)
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
        if upload.size > tabular.MAX_BYTES:
            raise forms.ValidationError(FILE_TOO_LARGE)
        return upload


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def rejected_errors(form: ImportForm, name: str, exc: ImportRejected) -> list[dict]:
    """Put the rejection on the form's file field, and the bad rows (the first 100) into the error summary."""
    count = len(exc.errors)
    form.add_error("file", FILE_REJECTED.format(name=intake.shortened(name), count=count, s=_plural(count)))
    anchor = form["file"].auto_id
    shown = [{"message": tabular.error_text(e), "anchor": anchor} for e in exc.errors[:MAX_ERRORS_SHOWN]]
    rest = count - len(shown)
    if rest:
        shown.append({"message": MORE_ERRORS.format(count=rest, s=_plural(rest)), "anchor": ""})
    return shown
