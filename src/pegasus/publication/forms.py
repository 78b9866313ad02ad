"""The market view's filters and its import form."""

from django import forms

from pegasus.core import intake
from pegasus.publication.market import ICT_DIVISIONS, UPLOAD_LIMIT, FileResult, read_upload
from pegasus.publication.selectors import MARKET_SORTS, MarketFilters
from pegasus.ui.forms import NamedErrorsMixin


class MarketFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200, help_text="Title, buyer or supplier")
    division = forms.ChoiceField(
        label="What was bought",
        required=False,
        choices=[
            ("ict", "All ICT"),
            *[(code, f"{code}: {text}") for code, text in ICT_DIVISIONS.items()],
            ("all", "Everything, ICT or not"),
        ],
    )
    ends = forms.ChoiceField(
        label="Ends",
        required=False,
        choices=[
            ("", "Any time"),
            ("12", "In the next 12 months"),
            ("24", "In the next 24 months"),
            ("ended", "Ended"),
        ],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("end", "End date, latest first"),
            ("ending", "End date, soonest first"),
            ("value", "Value, highest first"),
            ("buyer", "Buyer"),
        ],
    )

    def filters(self) -> MarketFilters:
        if not self.is_valid():
            return MarketFilters()
        data = self.cleaned_data
        sort = data["sort"] if data["sort"] in MARKET_SORTS else "end"
        return MarketFilters(division=data["division"] or "ict", q=data["q"].strip(), ends=data["ends"], sort=sort)


class MarketImportForm(NamedErrorsMixin, forms.Form):
    file = forms.FileField(
        label="OCDS file",
        help_text=(
            "A release package, a record package or a single release as JSON (UTF-8), or a ZIP of such files, "
            f"{UPLOAD_LIMIT.hint}"
        ),
    )
    skip_invalid = forms.BooleanField(
        label="Import what is good and set aside what is not",
        required=False,
        help_text="For a ZIP: otherwise one faulty file in it stops the whole import",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = "Select an OCDS file (JSON, or a ZIP of JSON files)"

    def clean_file(self):
        """The file within its limits, read into `documents` (its size is checked before it is read)."""
        upload = self.cleaned_data["file"]
        try:
            intake.check_size(upload.size, UPLOAD_LIMIT)
            self.documents: list[FileResult] = read_upload(upload.name, upload.read())
        except intake.UploadRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload
