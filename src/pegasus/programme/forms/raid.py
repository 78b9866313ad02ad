"""Forms of the RAID log: the filters of the log (a GET form), an item, closing and reopening it, and a
mitigation. The rules stay in `programme.services.raid`; a refusal is shown on the field it names."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from pegasus.core import bounds
from pegasus.core.clock import AS_AT_LABEL
from pegasus.core.exceptions import OutOfBounds
from pegasus.estate import selectors as estate_selectors
from pegasus.governance import selectors as governance_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme import risk
from pegasus.programme.models import IssuePriority, RaidKind, RaidStatus
from pegasus.programme.selectors import raid as selectors
from pegasus.ui.forms import NamedErrorsMixin

RATINGS = [("", "Not rated"), *((str(n), f"{n} – {risk.PROBABILITY_LABELS[n]}") for n in risk.SCALE)]


class DateInput(forms.DateInput):
    input_type = "date"


def within_dates(value: date) -> None:
    try:
        bounds.check_date(value, "Date")
    except OutOfBounds as exc:
        raise ValidationError(str(exc)) from None


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput, validators=[within_dates], **kwargs)


def rating_field(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=RATINGS, coerce=int, empty_value=None, required=False, help_text=help_text
    )


def text_area(label: str, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=False, **kwargs)


class RaidFilterForm(forms.Form):
    """What the log is narrowed to, and the day it is read as at."""

    q = forms.CharField(label="Search", required=False, help_text="Reference, title, owner, cause, event or effect")
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *RaidKind.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Open or closed"), *RaidStatus.choices])
    band = forms.ChoiceField(
        label="Risk score",
        required=False,
        choices=[("", "Any score"), *((b, f"{label} ({lo} to {hi})") for b, label, lo, hi in risk.BANDS)],
    )
    owner = forms.ChoiceField(label="Owner", required=False)
    contract = forms.TypedChoiceField(label="Contract", required=False, coerce=int, empty_value=None)
    procurement = forms.TypedChoiceField(label="Procurement", required=False, coerce=int, empty_value=None)
    as_at = forms.DateField(label=AS_AT_LABEL, required=False, widget=DateInput, validators=[within_dates])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Any owner"), *((o, o) for o in selectors.raid_owners())]
        self.fields["contract"].choices = [
            ("", "Any contract"),
            *((str(c.pk), c.reference) for c in estate_selectors.contracts_by_reference()),
        ]
        self.fields["procurement"].choices = [
            ("", "Any procurement"),
            *((str(p.pk), p.reference) for p in procurement_selectors.procurements().order_by("reference")),
        ]
        self.fields["as_at"].error_messages["invalid"] = "Enter the as-at date as a real date, for example 2019-05-23"
        for name in ("kind", "status", "band", "owner", "contract", "procurement"):
            self.fields[name].error_messages["invalid_choice"] = f"Select a {name} from the list"  # noqa: S608 (a message, not SQL)


class RaidItemForm(NamedErrorsMixin, forms.Form):
    """A risk, assumption, issue or dependency: what each kind needs is checked by the service."""

    kind = forms.ChoiceField(label="Kind", choices=[("", "Select a kind"), *RaidKind.choices])
    reference = forms.CharField(
        label="Reference",
        max_length=20,
        required=False,
        help_text="Leave it empty for the next of its kind (R-001 for a risk, A-, I-, D- for the others).",
    )
    title = forms.CharField(label="Title", max_length=300)
    description = text_area("Description")
    owner = forms.CharField(label="Owner", max_length=200, help_text="Who answers for it: a name or a post.")
    raised_on = date_field("Date raised", help_text="For example 2019-05-23.")
    cause = text_area("Cause", help_text="For a risk: because of …")
    event = text_area("Event", help_text="For a risk: there is a risk that …")
    effect = text_area("Effect", help_text="For a risk: which would lead to …")
    inherent_probability = rating_field("Inherent probability", "Before mitigation, 1 (very low) to 5 (very high).")
    inherent_impact = rating_field("Inherent impact", "Before mitigation, 1 (very low) to 5 (very high).")
    residual_probability = rating_field("Residual probability", "After mitigation, once assessed.")
    residual_impact = rating_field("Residual impact", "After mitigation, once assessed.")
    proximity = date_field("Proximity", required=False, help_text="For a risk: when it would happen, if it does.")
    priority = forms.ChoiceField(
        label="Priority", required=False, choices=[("", "No priority (not an issue)"), *IssuePriority.choices]
    )
    contract = forms.ModelChoiceField(label="Contract", required=False, queryset=None, empty_label="None")
    procurement = forms.ModelChoiceField(label="Procurement", required=False, queryset=None, empty_label="None")
    decision = forms.ModelChoiceField(label="Decision", required=False, queryset=None, empty_label="None")
    milestone = forms.ModelChoiceField(label="Milestone", required=False, queryset=None, empty_label="None")
    business_case = forms.ModelChoiceField(label="Business case", required=False, queryset=None, empty_label="None")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = estate_selectors.contracts_by_reference()
        self.fields["procurement"].queryset = procurement_selectors.procurements().order_by("reference")
        self.fields["decision"].queryset = governance_selectors.decision_list().order_by("reference", "-version")
        self.fields["milestone"].queryset = selectors.milestones()
        self.fields["business_case"].queryset = selectors.business_cases()
        self.fields["contract"].label_from_instance = lambda c: f"{c.reference} {c.title}"
        self.fields["procurement"].label_from_instance = lambda p: f"{p.reference} {p.title}"
        self.fields["decision"].label_from_instance = lambda d: f"{d.reference} v{d.version} {d.title[:80]}"
        if editing:
            del self.fields["reference"]
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "An item keeps its kind."


class RaidCloseForm(NamedErrorsMixin, forms.Form):
    closed_on = date_field("Date closed")
    resolution = text_area("Resolution", help_text="How it was resolved: an issue needs one.")


class ReopenForm(forms.Form):
    """Nothing to enter: the button confirms."""


class MitigationForm(NamedErrorsMixin, forms.Form):
    action = text_area("Action", rows=3)
    owner = forms.CharField(label="Owner", max_length=200)
    due_on = date_field("Due date")
    done_on = date_field("Date done", required=False, help_text="Empty until it is done.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].required = True
        self.fields["action"].error_messages["required"] = "Enter the action"


class MitigationDoneForm(NamedErrorsMixin, forms.Form):
    done_on = date_field("Date done")
