"""Forms for the estate pages. Validation of the contract as a whole stays in the services."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from pegasus.core import bounds
from pegasus.core.clock import AS_AT_LABEL
from pegasus.core.exceptions import OutOfBounds
from pegasus.estate import terms
from pegasus.estate.models import Contract, ContractChange, ServiceTower, Supplier, TerminationReason
from pegasus.estate.selectors import EXPIRY_WINDOWS, SORTS
from pegasus.estate.services import CONTRACT_FIELDS, OptionSpec, TowerShare
from pegasus.ui.forms import NamedErrorsMixin

MAX_OPTIONS = 4


class DateInput(forms.DateInput):
    input_type = "date"


def within_dates(value) -> None:
    """A form field's validator: the date lies within the dates Pegasus computes with."""
    try:
        bounds.check_date(value, AS_AT_LABEL)
    except OutOfBounds as exc:
        raise ValidationError(str(exc)) from None


class ContractFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="Reference, title or supplier")
    tower = forms.ChoiceField(label="Tower", required=False)
    supplier = forms.ChoiceField(label="Supplier", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Contract.Status.choices])
    tier = forms.ChoiceField(
        label="Tier", required=False, choices=[("", "Any tier"), ("1", "Tier 1"), ("2", "Tier 2"), ("3", "Tier 3")]
    )
    expiring = forms.ChoiceField(
        label="Ends within",
        required=False,
        choices=[("", "Any time"), *[(str(m), f"{m} months") for m in EXPIRY_WINDOWS]],
    )
    as_at = forms.DateField(label=AS_AT_LABEL, required=False, widget=DateInput, validators=[within_dates])
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput)
    dir = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")], widget=forms.HiddenInput)

    def __init__(self, *args, towers, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tower"].choices = [("", "Any tower"), *[(c.key, c.label) for c in towers]]
        self.fields["supplier"].choices = [("", "Any supplier"), *[(c.key, c.label) for c in suppliers]]


class ContractForm(NamedErrorsMixin, forms.ModelForm):
    """The contract's facts, one share field per tower and up to four extension options."""

    class Meta:
        model = Contract
        fields = list(CONTRACT_FIELDS)
        widgets = {
            "start_date": DateInput,
            "initial_end_date": DateInput,
            "ended_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, towers: list[ServiceTower], **kwargs):
        super().__init__(*args, **kwargs)
        self.towers = towers
        shares = {}
        options = []
        if self.instance.pk:
            shares = {s.tower_id: s.share_percent for s in self.instance.tower_shares.all()}
            options = list(self.instance.options.all())
        for tower in towers:
            self.fields[f"share_{tower.code}"] = forms.DecimalField(
                label=f"{tower.name} share (%)",
                required=False,
                min_value=Decimal("0.01"),
                max_value=Decimal(100),
                decimal_places=2,
                initial=shares.get(tower.pk),
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "0.01"}),
            )
        for n in range(1, MAX_OPTIONS + 1):
            existing = options[n - 1] if n <= len(options) else None
            self.fields[f"option_{n}_months"] = forms.IntegerField(
                label=f"Option {n} length (months)",
                required=False,
                min_value=bounds.MIN_MONTHS,
                max_value=bounds.MAX_MONTHS,
                initial=existing.length_months if existing else None,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
            )
            self.fields[f"option_{n}_state"] = forms.ChoiceField(
                label=f"Option {n} state",
                choices=[(s.value, s.value.capitalize()) for s in terms.OptionState],
                initial=existing.state if existing else terms.OptionState.AVAILABLE.value,
                # A held contract's options are decided by contract changes only: their state is shown, not edited.
                disabled=bool(self.instance.pk),
            )
        if self.instance.pk:
            self.fields["ended_on"].disabled = True
            self.fields["ended_on"].help_text = "Set by a termination recorded as a contract change."
        self.fields["supplier"].queryset = Supplier.objects.order_by("name")

    def share_fields(self):
        return [self[f"share_{tower.code}"] for tower in self.towers]

    def option_fields(self):
        return [(self[f"option_{n}_months"], self[f"option_{n}_state"]) for n in range(1, MAX_OPTIONS + 1)]

    def tower_shares(self) -> list[TowerShare]:
        return [
            TowerShare(tower, self.cleaned_data[f"share_{tower.code}"])
            for tower in self.towers
            if self.cleaned_data.get(f"share_{tower.code}")
        ]

    def option_specs(self) -> list[OptionSpec]:
        specs = []
        for n in range(1, MAX_OPTIONS + 1):
            months = self.cleaned_data.get(f"option_{n}_months")
            if months:
                specs.append(OptionSpec(months, self.cleaned_data[f"option_{n}_state"]))
        return specs

    def contract_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SupplierForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "companies_house_number", "is_sme"]
        widgets = {"companies_house_number": forms.TextInput(attrs={"class": "govuk-input--width-10"})}


class ChangeForm(NamedErrorsMixin, forms.Form):
    """A proposed change to a contract; what each kind asks for is checked by `services.change_propose`."""

    kind = forms.ChoiceField(label="Kind of change", choices=ContractChange.Kind.choices)
    option = forms.TypedChoiceField(
        label="Extension option",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="For an option's exercise or lapse.",
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    effective_on = forms.DateField(label="Effective date", widget=DateInput, validators=[within_dates])
    value = forms.DecimalField(
        label="Value, £ excluding VAT",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Signed: negative for a reduction. For a variation, its change in value.",
    )
    term_change_months = forms.IntegerField(
        label="Change in term, months", required=False, help_text="Variations only; signed."
    )
    scope = forms.CharField(label="Change in scope", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    ground = forms.ChoiceField(label="Ground", required=False)
    termination_date = forms.DateField(
        label="Termination date", required=False, widget=DateInput, validators=[within_dates]
    )
    termination_reason = forms.ChoiceField(
        label="Termination reason", required=False, choices=[("", "Not a termination"), *TerminationReason.choices]
    )
    decision = forms.TypedChoiceField(label="Decision that authorises it", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, options=(), grounds=(), decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [("", "None")] + [
            (o.pk, f"Option {o.sequence}: {o.length_months} months") for o in options
        ]
        self.fields["ground"].choices = [("", "The option's own, or none")] + [(g, g) for g in grounds]
        self.fields["decision"].choices = [("", "None")] + [
            (d.pk, f"{d.reference} v{d.version}: {d.title} ({d.get_status_display().lower()})") for d in decisions
        ]


class RationaleForm(NamedErrorsMixin, forms.Form):
    legal_rationale = forms.CharField(label="Legal's rationale", widget=forms.Textarea(attrs={"rows": 3}))
