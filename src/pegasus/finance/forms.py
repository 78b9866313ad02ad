"""Forms for the finance pages: the period a page reads, and one form per ledger write. The rules stay in
`finance.services`; a refusal is shown on the field it names (`show_refusal`)."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from pegasus.core import bounds
from pegasus.core.clock import AS_AT_LABEL
from pegasus.core.exceptions import OutOfBounds
from pegasus.finance import rules
from pegasus.finance.services import FinanceRefused
from pegasus.ui.forms import NamedErrorsMixin, service_errors_to_form

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
NOT_A_MONTH = "Enter the month as a year and month, for example 2019-09"
NOT_NEGATIVE = "The {label} must be £0.00 or more"
TOO_LARGE = "The {label} must be less than £1,000,000,000,000"
YEARS_EITHER_SIDE = 5
# What a service calls a field, where the form calls it something else.
SERVICE_FIELDS = {"line": "budget_line", "line_id": "budget_line", "on": "cancelled_on"}


class DateInput(forms.DateInput):
    input_type = "date"


def within_dates(value: date) -> None:
    try:
        bounds.check_date(value, "Date")
    except OutOfBounds as exc:
        raise ValidationError(str(exc)) from None


def money_field(label: str, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(
        label=label, max_digits=16, decimal_places=2, min_value=Decimal(0), max_value=bounds.MAX_MONEY, **kwargs
    )
    field.widget.attrs.update({"class": "govuk-input--width-10", "inputmode": "decimal"})
    return field


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput, validators=[within_dates], **kwargs)


class LedgerForm(NamedErrorsMixin, forms.Form):
    """A form whose write a finance service may refuse: the refusal is put on the field it names."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "").lower()
            if isinstance(field, forms.DecimalField):
                field.error_messages["min_value"] = NOT_NEGATIVE.format(label=label)
                field.error_messages["max_value"] = TOO_LARGE.format(label=label)
                field.error_messages["max_digits"] = TOO_LARGE.format(label=label)
                field.error_messages["max_whole_digits"] = TOO_LARGE.format(label=label)
                field.error_messages["max_decimal_places"] = f"The {label} must be pounds and pence, such as 1250.50"

    def show_refusal(self, exc: Exception) -> None:
        """A service's refusal on the field it names (`FinanceRefused.field`, `OutOfBounds.field`), else at the top."""
        if isinstance(exc, FinanceRefused | OutOfBounds):
            name = SERVICE_FIELDS.get(exc.field, exc.field)
            self.add_error(name if name in self.fields else None, str(exc))
            return
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            exc = ValidationError(
                {SERVICE_FIELDS.get(name, name): errors for name, errors in exc.error_dict.items()}  # type: ignore[misc]
            )
        service_errors_to_form(self, exc)


def line_choices(lines) -> list[tuple[str, str]]:
    return [("", "Select a budget line"), *((line.code, f"{line.code} {line.name}") for line in lines)]


class PeriodForm(forms.Form):
    """The as-at date and financial year a finance page reads (a GET form)."""

    as_at = forms.DateField(label="As at", required=False, widget=DateInput, validators=[within_dates])
    year = forms.ChoiceField(label="Financial year", required=False)

    def __init__(self, *args, default_as_at: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_at"].error_messages["invalid"] = "Enter the as-at date as a real date, for example 2019-05-23"
        self.fields["year"].error_messages["invalid_choice"] = "Select a financial year from the list"
        self.default_as_at = default_as_at
        asked = self.data.get("as_at") if self.is_bound else None
        around = rules.year_of(default_as_at)
        try:
            around = rules.year_of(bounds.check_date(date.fromisoformat(str(asked)), AS_AT_LABEL)) if asked else around
        except (ValueError, OutOfBounds):
            pass
        years = range(around - YEARS_EITHER_SIDE, around + YEARS_EITHER_SIDE + 1)
        self.fields["year"].choices = [
            ("", "The year of the as-at date"),
            *((str(y), rules.year_label(y)) for y in years),
        ]

    def period(self) -> tuple[date, int]:
        """The as-at date and year asked for; the defaults in place of anything the form refuses."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        as_at = data.get("as_at") or self.default_as_at
        year = int(data["year"]) if data.get("year") else rules.year_of(as_at)
        return as_at, year


class CommitmentForm(LedgerForm):
    reference = forms.CharField(label="Reference", max_length=50, help_text="The order or call-off number.")
    budget_line = forms.ChoiceField(label="Budget line")
    approval = forms.ChoiceField(label="Approval", required=False, help_text="The approval it is made under, if any.")
    supplier = forms.CharField(label="Supplier", max_length=200)
    description = forms.CharField(label="Description", max_length=500, required=False)
    raised_on = date_field("Date raised", help_text="For example 2019-06-17.")
    amount = money_field("Amount", help_text="In pounds, excluding VAT.")
    contract = forms.CharField(
        label="Contract", max_length=50, required=False, help_text="The estate contract's reference, if it has one."
    )

    def __init__(self, *args, lines, approvals, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = line_choices(lines)
        self.fields["approval"].choices = [
            ("", "None"),
            *((a.reference, f"{a.reference} ({a.line_id})") for a in approvals),
        ]
        if editing:
            self.fields["reference"].disabled = True


class CancelForm(LedgerForm):
    cancelled_on = date_field("Cancelled on", help_text="From this day the commitment no longer counts.")


class ActualForm(LedgerForm):
    reference = forms.CharField(label="Reference", max_length=50, help_text="The invoice or payment number.")
    budget_line = forms.ChoiceField(label="Budget line")
    commitment = forms.CharField(
        label="Commitment", max_length=50, required=False, help_text="The reference of the commitment it pays, if any."
    )
    paid_on = date_field("Date paid", help_text="For example 2019-07-31.")
    amount = money_field("Amount", help_text="In pounds, excluding VAT.")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = line_choices(lines)


class ForecastForm(LedgerForm):
    budget_line = forms.ChoiceField(label="Budget line")
    month = forms.CharField(label="Month", max_length=7, help_text="A year and month, for example 2019-09.")
    amount = money_field("Amount", help_text="What the line is forecast to pay in that month, in pounds excluding VAT.")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = line_choices(lines)
        self.fields["month"].widget.attrs["class"] = "govuk-input--width-5"

    def clean_month(self) -> date:
        match = MONTH.match(self.cleaned_data["month"].strip())
        try:
            month = date(int(match[1]), int(match[2]), 1) if match else None
        except ValueError:
            month = None
        if month is None:
            raise ValidationError(NOT_A_MONTH)
        within_dates(month)
        return month


class ApprovalForm(LedgerForm):
    reference = forms.CharField(label="Reference", max_length=50)
    budget_line = forms.ChoiceField(label="Budget line", help_text="The line it authorises spending from.")
    amount = money_field("Amount approved", help_text="In pounds, excluding VAT.")
    approved_on = date_field("Date approved")
    decision = forms.CharField(
        label="Decision",
        max_length=50,
        required=False,
        help_text="The reference of the approved decision in Pegasus that gave it, such as PCD 579, if there is one.",
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = line_choices(lines)


class BudgetLineForm(LedgerForm):
    code = forms.CharField(label="Code", max_length=50, help_text="Such as DP-PEG-CONS.")
    name = forms.CharField(label="Name", max_length=200)
    parent = forms.ChoiceField(label="Parent line", required=False, help_text="The line it sits under, if any.")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "None: a top line"), *line_choices(lines)[1:]]


class BudgetAmountForm(LedgerForm):
    budget_line = forms.ChoiceField(label="Budget line")
    year = forms.ChoiceField(label="Financial year")
    amount = money_field("Budget", help_text="For the year, in pounds excluding VAT.")

    def __init__(self, *args, lines, around: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = line_choices(lines)
        years = range(around - YEARS_EITHER_SIDE, around + YEARS_EITHER_SIDE + 1)
        self.fields["year"].choices = [("", "Select a financial year"), *((str(y), rules.year_label(y)) for y in years)]
