"""Forms for the procurement pages. Validation of the procurement as a whole stays in the model and services."""

from django import forms

from pegasus.procurement.models import Procurement, RouteChoice, Stage
from pegasus.procurement.selectors import (
    awarded_contract_choices,
    contract_choices,
    lot_choices,
    lot_label,
    option_choices,
)
from pegasus.procurement.services import MAX_STAGE_DAYS
from pegasus.ui.forms import NamedErrorsMixin

CURRENT_END = ""


class DateInput(forms.DateInput):
    input_type = "date"


class ProcurementForm(NamedErrorsMixin, forms.ModelForm):
    """A procurement's facts, the contracts it replaces and the end it is scheduled back from."""

    replaces = forms.ModelMultipleChoiceField(
        label="Contracts it replaces",
        queryset=contract_choices(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The new contract must start the day after the first of these ends.",
    )
    replaces_end_option = forms.ModelChoiceField(
        label="End to schedule back from",
        queryset=option_choices(),
        required=False,
        empty_label="The current end of each contract",
        help_text=(
            "Or the end of one contract with an extension option (and any available options before it) exercised."
        ),
    )

    class Meta:
        model = Procurement
        fields = [
            "reference",
            "title",
            "description",
            "starts_on",
            "route",
            "direct_award_justification",
            "annual_value",
            "value_vat_basis",
            "term_months",
            "extension_months",
            "authority_kind",
            "contract_type",
            "replaces_lot",
            "awarded_contract",
        ]
        widgets = {
            "starts_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "direct_award_justification": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "route": "PCR 2015 (started before 24 February 2025): open, restricted, competitive dialogue, competitive"
            " procedure with negotiation or a framework call-off. Procurement Act 2023: open, competitive flexible,"
            " a framework call-off or a direct award.",
            "annual_value": "In pounds, for a year of the new contract.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [("", "Choose a route"), *RouteChoice.choices]
        self.fields["replaces"].error_messages["required"] = "Select at least one contract the procurement replaces"
        self.fields["replaces"].label_from_instance = lambda c: f"{c.reference} {c.title} ({c.supplier.name})"
        self.fields["replaces_end_option"].label_from_instance = lambda o: (
            f"{o.contract.reference} with option {o.sequence} ({o.length_months} months, {o.state})"
        )
        self.fields["replaces_lot"].queryset = lot_choices(self.instance.replaces_lot_id)
        self.fields["replaces_lot"].empty_label = "No lot of a sourcing scenario"
        self.fields["replaces_lot"].label_from_instance = lot_label
        awarded = self.fields["awarded_contract"]
        awarded.queryset = awarded_contract_choices()
        awarded.empty_label = "No contract awarded yet"
        awarded.label_from_instance = lambda c: f"{c.reference} {c.title} ({c.supplier.name})"
        awarded.help_text = (
            "Once awarded: the new contract in the estate. Its saving against the contracts it replaces is shown on the"
            " savings page."
        )
        if self.instance.pk:
            self.fields["replaces"].initial = list(self.instance.replaces.values_list("pk", flat=True))
            self.fields["replaces_end_option"].initial = self.instance.replaces_end_option_id

    def procurement_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StageDurationForm(NamedErrorsMixin, forms.Form):
    days = forms.IntegerField(label="Duration (days)", min_value=1, max_value=MAX_STAGE_DAYS)

    def __init__(self, *args, stage_label: str, counting: str, minimum: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["days"]
        field.label = f"{stage_label} duration (days)"
        hint = {
            "calendar": "Calendar days, the start day included.",
            "working": "Working days in England and Wales, the start day included.",
            "time-limit": "Days from the notice to the deadline; a deadline on a weekend or bank holiday moves to the"
            " next working day.",
        }.get(counting, "")
        if minimum is not None:
            hint += f" The statutory minimum is {minimum} days."
        field.help_text = hint.strip()
        field.widget.attrs["class"] = "govuk-input--width-5"


class IsoDateInput(DateInput):
    """A date picker showing a date already held: its value must be ISO 8601, the one format a date input accepts."""

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class StageActualsForm(NamedErrorsMixin, forms.Form):
    """When a stage actually started and ended: either may be left empty until it happens."""

    actual_start = forms.DateField(
        label="Actually started", required=False, widget=IsoDateInput, help_text="For example 2019-06-10."
    )
    actual_end = forms.DateField(
        label="Actually ended", required=False, widget=IsoDateInput, help_text="Leave empty while the stage is running."
    )


class StageEstimateForm(NamedErrorsMixin, forms.Form):
    """A stage's three-point estimate for the schedule risk: calendar days, the stage's whole span; all three, or none
    to take the stage at its planned length."""

    optimistic_days = forms.DecimalField(
        label="Optimistic (days)", min_value=0, max_value=MAX_STAGE_DAYS, decimal_places=1, required=False
    )
    most_likely_days = forms.DecimalField(
        label="Most likely (days)", min_value=0, max_value=MAX_STAGE_DAYS, decimal_places=1, required=False
    )
    pessimistic_days = forms.DecimalField(
        label="Pessimistic (days)", min_value=0, max_value=MAX_STAGE_DAYS, decimal_places=1, required=False
    )
    distribution = forms.ChoiceField(
        label="Distribution",
        choices=Stage.Distribution.choices,
        help_text="PERT weights the most likely more than triangular does, and its tails are thinner.",
    )

    def __init__(self, *args, planned_days: int, minimum: float | None, **kwargs):
        super().__init__(*args, **kwargs)
        hint = f"Calendar days from the day after the stage before it ends; planned: {planned_days} days."
        if minimum is not None:
            hint += f" No draw goes under {minimum:g} days, the statutory minimum."
        for name in ("optimistic_days", "most_likely_days", "pessimistic_days"):
            self.fields[name].widget.attrs["class"] = "govuk-input--width-5"
        self.fields["optimistic_days"].help_text = hint
