"""The market view's filters and its import form; the notices' filters and the forms of their actions."""

from django import forms

from pegasus.core import intake
from pegasus.publication.market import ICT_DIVISIONS, UPLOAD_LIMIT, FileResult, read_upload
from pegasus.publication.models import Notice
from pegasus.publication.selectors import MARKET_SORTS, MarketFilters, NoticeFilters
from pegasus.publication.services import RATINGS
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


# --- Post-award notices ------------------------------------------------------------------------------------------


class NoticeFilterForm(NamedErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label="Notice", required=False, choices=[("", "Any notice"), *Notice.Kind.choices])
    state = forms.ChoiceField(label="State", required=False, choices=[("", "Any state"), *Notice.State.choices])
    contract = forms.CharField(label="Contract reference", required=False, max_length=50)
    supplier = forms.TypedChoiceField(label="Supplier", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = [("", "Any supplier"), *((s.pk, s.name) for s in suppliers)]

    def filters(self) -> NoticeFilters:
        if not self.is_valid():
            return NoticeFilters()
        data = self.cleaned_data
        return NoticeFilters(
            kind=data["kind"], state=data["state"], contract=data["contract"].strip(), supplier=data["supplier"]
        )


class NoticeNoteForm(NamedErrorsMixin, forms.Form):
    note = forms.CharField(
        label="Note on the notice",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the notice should say that the records do not.",
    )


class NoticeCorrectForm(NamedErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="What the correction corrects",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Said on the correction, which is checked and published as a notice of its own.",
    )


RATING_CHOICES = [("", "Choose a rating"), *((r, r) for r in RATINGS)]


class PerformanceNoticeForm(NamedErrorsMixin, forms.Form):
    """A UK9's ratings: one field for each KPI that the supplier's figures could not rate."""

    def __init__(self, *args, unrated=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item in unrated:
            self.fields[f"rating_{item['kpi']}"] = forms.ChoiceField(
                label=f"Rating of {item['name']}",
                choices=RATING_CHOICES,
                help_text="There were no figures for the period to rate it from: rate it from what you know.",
                error_messages={
                    "required": f"Select the rating of {item['name']}",
                    "invalid_choice": f"Select the rating of {item['name']} from the list",  # noqa: S608 (a message, not SQL)
                },
            )

    def ratings(self) -> dict[str, str]:
        return {name.removeprefix("rating_"): value for name, value in self.cleaned_data.items()}
