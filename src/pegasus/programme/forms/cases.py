"""Forms for the business cases' pages: the as-at date a page reads, a new case, a new version of its five cases,
an option of its appraisal and the option's years, a scenario brought in, the approval and the withdrawal. The rules
stay in `programme.services.cases`; a refusal is shown on the field it names."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from pegasus.core import bounds
from pegasus.core.clock import AS_AT_LABEL, AS_AT_NOT_A_DATE
from pegasus.core.exceptions import OutOfBounds
from pegasus.programme.models import FIVE_CASES, BusinessCase, CaseVersion
from pegasus.programme.services.cases import YearRow
from pegasus.ui.forms import NamedErrorsMixin

MAX_YEAR_LINES = 201
YEAR_LINE = "Line {line}: write the year, its costs and its benefits separated by commas, for example 1, 250000, 0"
YEAR_NOT_WHOLE = "Line {line}: the year must be a whole number from 0 to 200"
AMOUNT_NOT_MONEY = "Line {line}: the {what} must be an amount in pounds, such as 1250000.00"
TOO_MANY_LINES = "Give at most {most} years"


class DateInput(forms.DateInput):
    input_type = "date"


def _within_dates(value: date) -> None:
    try:
        bounds.check_date(value, AS_AT_LABEL)
    except OutOfBounds as exc:
        raise ValidationError(str(exc)) from None


def money_field(label: str, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(
        label=label, max_digits=16, decimal_places=2, min_value=Decimal(0), max_value=bounds.MAX_MONEY, **kwargs
    )
    field.widget.attrs.update({"class": "govuk-input--width-10", "inputmode": "decimal"})
    return field


def percent_field(label: str, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(
        label=label, max_digits=6, decimal_places=2, min_value=Decimal(0), max_value=Decimal(1000), **kwargs
    )
    field.widget.attrs.update({"class": "govuk-input--width-5", "inputmode": "decimal"})
    return field


class AsAtForm(forms.Form):
    """The day a page reads the programme as at (a GET form)."""

    as_at = forms.DateField(label=AS_AT_LABEL, required=False, widget=DateInput, validators=[_within_dates])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_at"].error_messages["invalid"] = AS_AT_NOT_A_DATE


def _section_fields() -> dict[str, forms.CharField]:
    fields = {}
    for name in FIVE_CASES:
        model_field = CaseVersion._meta.get_field(name)
        fields[name] = forms.CharField(
            label=str(model_field.verbose_name),
            help_text=str(model_field.help_text),
            required=False,
            max_length=bounds.MAX_LONG_TEXT,
            widget=forms.Textarea(attrs={"rows": 5}),
        )
    return fields


class CaseForm(NamedErrorsMixin, forms.Form):
    reference = forms.CharField(label="Reference", max_length=50, help_text="For example PEG-FBC-3.")
    title = forms.CharField(label="Title", max_length=300)
    stage = forms.ChoiceField(label="Stage", choices=[("", "Select a stage"), *BusinessCase.Stage.choices])
    value = money_field("Value", help_text="The spend it asks approval for, in pounds excluding VAT.")
    procurement = forms.ModelChoiceField(
        label="Procurement",
        queryset=None,
        required=False,
        empty_label="None: a case of the whole programme",
        help_text="The procurement it is the case for, if any.",
    )

    def __init__(self, *args, procurements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procurement"].queryset = procurements
        self.fields["procurement"].label_from_instance = lambda p: f"{p.reference} {p.title}"
        self.fields |= _section_fields()


class VersionForm(NamedErrorsMixin, forms.Form):
    note = forms.CharField(label="What changed", max_length=300, help_text="One line for the list of versions.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = _section_fields()
        fields["note"] = self.fields["note"]
        self.fields = fields  # type: ignore[assignment]


class OptionForm(NamedErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    business_as_usual = forms.BooleanField(
        label="Business as usual",
        required=False,
        help_text="The option of carrying on as now: every appraisal keeps one.",
    )
    shortlisted = forms.BooleanField(
        label="On the short list", required=False, initial=True, help_text="Untick for an option dropped early."
    )
    dropped_reason = forms.CharField(
        label="Why it was dropped from the long list", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    optimism_bias_percent = percent_field(
        "Optimism bias (%)", help_text="Added to every year's costs before discounting, for example 24."
    )


class YearsForm(NamedErrorsMixin, forms.Form):
    years = forms.CharField(
        label="Costs and benefits by year",
        help_text="One line a year: the year (0 is the first, not discounted), its costs and its benefits in pounds "
        "in real terms, before optimism bias, separated by commas. For example: 0, 1500000, 0",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def clean_years(self) -> list[YearRow]:
        text = self.cleaned_data["years"]
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if len(lines) > MAX_YEAR_LINES:
            raise ValidationError(TOO_MANY_LINES.format(most=MAX_YEAR_LINES))
        rows = []
        for number, line in lines:
            parts = [p.strip().replace("£", "").replace("_", "") for p in line.split(",", 2)]
            if len(parts) != 3:
                raise ValidationError(YEAR_LINE.format(line=number))
            year_text, *amounts = parts
            if not year_text.isdigit() or len(year_text) > 3:
                raise ValidationError(YEAR_NOT_WHOLE.format(line=number))
            values = []
            for what, amount in zip(("costs", "benefits"), amounts, strict=True):
                try:
                    value = Decimal(amount.replace(" ", "")) if len(amount) <= 30 else None
                except InvalidOperation:
                    value = None
                if value is None or not value.is_finite():
                    raise ValidationError(AMOUNT_NOT_MONEY.format(line=number, what=what))
                values.append(value)
            rows.append(YearRow(int(year_text), values[0], values[1]))
        return rows


def years_text(option) -> str:
    """An option's years as the years form writes them."""
    return "\n".join(f"{y.year}, {y.costs}, {y.benefits}" for y in option.years.all())


class ScenarioOptionForm(NamedErrorsMixin, forms.Form):
    scenario = forms.ModelChoiceField(label="Sourcing scenario", queryset=None, empty_label="Select a scenario")
    last_year = forms.IntegerField(
        label="Last year of the appraisal",
        min_value=0,
        max_value=30,
        initial=9,
        help_text="Its modelled cost is taken in every year from year 0 to this one (9 gives ten years).",
    )
    optimism_bias_percent = percent_field("Optimism bias (%)", initial=Decimal(0))
    name = forms.CharField(label="Option name", max_length=200, required=False, help_text="The scenario's by default.")

    def __init__(self, *args, scenarios, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].queryset = scenarios
        self.fields["last_year"].widget.attrs.update({"class": "govuk-input--width-3"})


class ApproveForm(NamedErrorsMixin, forms.Form):
    decision = forms.ModelChoiceField(
        label="Decision",
        queryset=None,
        empty_label="Select the decision",
        help_text="An approved business-case decision, taken by the approver the scheme names for the case's value "
        "(clause 4.8: the Deputy Mayor from £500,000).",
    )

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions
        self.fields["decision"].label_from_instance = lambda d: f"{d.reference} {d.title}"


class WithdrawForm(NamedErrorsMixin, forms.Form):
    reason = forms.CharField(label="Why it is withdrawn", widget=forms.Textarea(attrs={"rows": 3}))
