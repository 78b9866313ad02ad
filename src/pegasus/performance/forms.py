"""Forms of the performance pages: an SLA with a row per priority, rating rules, a tickets upload and a KPI."""

from decimal import Decimal

from django import forms

from pegasus.performance.clock import DAY_NAMES
from pegasus.performance.models import KPI_DESCRIPTION_MAX, KPI_NAME_MAX, Clock
from pegasus.performance.services import TICKET_UPLOAD_LIMIT, GroupChoice
from pegasus.ui.forms import NamedErrorsMixin

PRIORITIES = (1, 2, 3, 4)
TARGET_INCOMPLETE = "Enter every figure of the P{priority} target, or none to leave P{priority} without a target"


class SlaForm(NamedErrorsMixin, forms.Form):
    monthly_charge = forms.DecimalField(label="Monthly charge (£, ex VAT)", min_value=0, decimal_places=2)
    credit_cap_percent = forms.DecimalField(
        label="Service credit cap (% of the monthly charge)", min_value=0, max_value=100, decimal_places=2
    )
    ticket_service = forms.CharField(
        label="Ticket service",
        required=False,
        help_text="The tickets' service value for this contract; leave blank to use all the supplier's tickets",
    )
    service_days = forms.MultipleChoiceField(
        label="Service days",
        choices=[(d, d.capitalize()) for d in DAY_NAMES],
        widget=forms.CheckboxSelectMultiple,
    )
    service_start = forms.TimeField(label="Service hours start (HH:MM)")
    service_end = forms.TimeField(label="Service hours end (HH:MM)", help_text="00:00 means midnight at the end")
    exclude_bank_holidays = forms.BooleanField(
        label="Stop the service clock on England and Wales bank holidays", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for p in PRIORITIES:
            self.fields[f"p{p}_hours"] = forms.DecimalField(
                label=f"P{p} resolve within (hours)", required=False, min_value=Decimal("0.01"), decimal_places=2
            )
            self.fields[f"p{p}_clock"] = forms.ChoiceField(label=f"P{p} clock", choices=Clock.choices, required=False)
            self.fields[f"p{p}_target"] = forms.DecimalField(
                label=f"P{p} attainment target (%)", required=False, min_value=0, max_value=100, decimal_places=2
            )
            self.fields[f"p{p}_credit"] = forms.DecimalField(
                label=f"P{p} credit (% of the monthly charge)",
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
            )
        for field in self.fields.values():
            label = str(field.label or "").lower()
            if isinstance(field, forms.DecimalField):
                field.error_messages["invalid"] = f"The {label} must be a number"

    def priority_rows(self):
        return [
            (p, self[f"p{p}_hours"], self[f"p{p}_clock"], self[f"p{p}_target"], self[f"p{p}_credit"])
            for p in PRIORITIES
        ]

    # A service's error on a target names its priority and the target's field.
    TARGET_FIELDS = {
        "resolve_within_hours": "p{p}_hours",
        "clock": "p{p}_clock",
        "attainment_target": "p{p}_target",
        "credit_percent": "p{p}_credit",
    }

    def row_field(self, name: str, params: dict) -> str | None:
        """The form field of a target's error: its priority's row."""
        pattern = self.TARGET_FIELDS.get(params.get("part", ""))
        if name != "targets" or pattern is None or "priority" not in params:
            return None
        return pattern.format(p=params["priority"])

    def clean(self):
        data = super().clean()
        for p in PRIORITIES:
            figures = [data.get(f"p{p}_hours"), data.get(f"p{p}_target"), data.get(f"p{p}_credit")]
            if any(f is not None for f in figures) and not all(f is not None for f in figures):
                self.add_error(f"p{p}_hours", TARGET_INCOMPLETE.format(priority=p))
        return data


class RatingRulesForm(NamedErrorsMixin, forms.Form):
    approaching_points = forms.DecimalField(
        label="Approaching target: up to how many points below target",
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    improvement_points = forms.DecimalField(
        label="Requires improvement: up to how many points below target",
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="Further below target is Inadequate",
    )


class TicketUploadForm(NamedErrorsMixin, forms.Form):
    file = forms.FileField(
        label="Service-desk file (CSV or ZIP)",
        help_text=(
            "A Pegasus tickets CSV (ticket_id, supplier, priority, opened_at, resolved_at; optionally service and "
            "others), a ServiceNow incident event log, or BPI Challenge 2014 case attributes. "
            f"Each file must be {TICKET_UPLOAD_LIMIT.hint}."
        ),
    )
    second_file = forms.FileField(
        label="Second file (optional)",
        required=False,
        help_text="The assignments of a tickets CSV (ticket_id, assigned_at, supplier), or the activity log that "
        "goes with BPI Challenge 2014 case attributes.",
    )


NOT_MAPPED = ""
NOT_MAPPED_LABEL = "Not mapped: no SLA reads its tickets"
UNKNOWN_TARGET = "Choose a supplier or contract from the list"


class GroupMappingForm(NamedErrorsMixin, forms.Form):
    """One select a group of the export: a supplier (every contract of it) or one of its contracts, or not mapped.

    Fields are `group_<n>` in the export's order (most tickets first); `choices()` turns the answers into what the
    mapping service takes."""

    def __init__(self, *args, groups: list[tuple[str, int]], targets, saved: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = groups
        self._suppliers = {f"s{s.pk}": s for s, _ in targets}
        self._contracts = {f"c{c.pk}": c for _, contracts in targets for c in contracts}
        options: list = [(NOT_MAPPED, NOT_MAPPED_LABEL)]
        for supplier, contracts in targets:
            options.append(
                (
                    supplier.name,
                    [(f"s{supplier.pk}", f"{supplier.name}: every contract")]
                    + [(f"c{c.pk}", f"{c.reference}: {c.title}") for c in contracts],
                )
            )
        for index, (group, tickets) in enumerate(groups):
            found = saved.get(group)
            initial = NOT_MAPPED
            if found is not None:
                initial = f"c{found.contract_id}" if found.contract_id else f"s{found.supplier_id}"
            self.fields[f"group_{index}"] = forms.ChoiceField(
                label=f"{group} ({tickets:,} tickets): maps to",
                choices=options,
                required=False,
                initial=initial,
                error_messages={"invalid_choice": UNKNOWN_TARGET},
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )

    def rows(self):
        """(group, tickets, bound field) for each group, in the export's order."""
        return [(group, tickets, self[f"group_{i}"]) for i, (group, tickets) in enumerate(self.groups)]

    def choices(self) -> dict[str, GroupChoice]:
        """Where each group goes: no supplier for a group left unmapped."""
        found: dict[str, GroupChoice] = {}
        for index, (group, _tickets) in enumerate(self.groups):
            value = self.cleaned_data.get(f"group_{index}") or NOT_MAPPED
            if value in self._contracts:
                contract = self._contracts[value]
                found[group] = GroupChoice(self._suppliers.get(f"s{contract.supplier_id}", contract.supplier), contract)
            else:
                found[group] = GroupChoice(self._suppliers.get(value))
        return found


class KpiForm(NamedErrorsMixin, forms.Form):
    """A contract's KPI (Procurement Act 2023 s52): its name, what it measures, and the SLA target it is, if any."""

    name = forms.CharField(label="Name", max_length=KPI_NAME_MAX, help_text="As the contract details notice shows it")
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=KPI_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What is measured, how, and the target",
    )
    sla_priority = forms.TypedChoiceField(
        label="SLA measure",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Choose the SLA target this KPI is, to rate it from the service desk's tickets",
    )

    def __init__(self, *args, targets=(), current: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Not an SLA measure: rated by the authority")]
        choices += [(t.priority, f"{t}, target {t.attainment_target.normalize():f}%") for t in targets]
        if current is not None and current not in {t.priority for t in targets}:
            choices.append((current, f"P{current} (no longer a target of the SLA)"))
        self.fields["sla_priority"].choices = choices
