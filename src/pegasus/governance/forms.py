"""The decision form: the paper's fields, its recommendations, its route and the exemptions of its Part 2."""

from datetime import date
from decimal import Decimal

from django import forms

from pegasus.estate import selectors as estate_selectors
from pegasus.governance.models import PAPER_FIELDS, PART1_SECTIONS, Decision, Recommendation
from pegasus.governance.services import ExemptionSpec, RecommendationSpec
from pegasus.procurement import selectors as procurement_selectors
from pegasus.ui.forms import NamedErrorsMixin

MAX_RECOMMENDATIONS = 6
MAX_ROUTE_STEPS = 4
MAX_EXEMPTIONS = 3

DECISION_FIELDS = PAPER_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


def _rows(n: int) -> dict:
    return {"rows": n}


class DecisionForm(NamedErrorsMixin, forms.ModelForm):
    """A draft decision. Blank rows of the lists are ignored; a half-filled row is an error on its own field."""

    class Meta:
        model = Decision
        fields = list(DECISION_FIELDS)
        widgets = {
            "executive_summary": forms.Textarea(attrs=_rows(4)),
            "required_by": DateInput,
            "part1_deferred_until": DateInput,
            "part1_deferral_reason": forms.Textarea(attrs=_rows(2)),
            "part2": forms.Textarea(attrs=_rows(6)),
            "ceo_statement": forms.Textarea(attrs=_rows(3)),
            **{name: forms.Textarea(attrs=_rows(4)) for name in PART1_SECTIONS},
        }
        help_texts = {
            "part2": "Confidential facts and advice, OFFICIAL-SENSITIVE [COMMERCIAL]. Never published unless released "
            "after review.",
            "part1_deferred_until": "Leave empty to publish Part 1 as soon as the decision is approved.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = self.instance if self.instance.pk else None
        if decision is not None and decision.version > 1:
            self.fields["reference"].disabled = True
        recommendations = list(decision.recommendations.all()) if decision else []
        route = list(decision.route.all()) if decision else []
        exemptions = list(decision.exemptions.all()) if decision else []
        for n in range(1, MAX_RECOMMENDATIONS + 1):
            existing = recommendations[n - 1] if n <= len(recommendations) else None
            self.fields[f"rec_{n}_kind"] = forms.ChoiceField(
                label=f"Recommendation {n}: approve or note",
                choices=Recommendation.Kind.choices,
                initial=existing.kind if existing else Recommendation.Kind.APPROVE,
            )
            self.fields[f"rec_{n}_text"] = forms.CharField(
                label=f"Recommendation {n}",
                required=False,
                initial=existing.text if existing else "",
                widget=forms.Textarea(attrs=_rows(2)),
            )
            self.fields[f"rec_{n}_amount"] = forms.DecimalField(
                label=f"Recommendation {n} amount (£)",
                required=False,
                min_value=Decimal(0),
                decimal_places=2,
                initial=existing.amount if existing else None,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-10", "step": "0.01"}),
            )
        for n in range(1, MAX_ROUTE_STEPS + 1):
            existing = route[n - 1] if n <= len(route) else None
            self.fields[f"route_{n}_body"] = forms.CharField(
                label=f"Meeting {n}", required=False, initial=existing.body if existing else ""
            )
            self.fields[f"route_{n}_date"] = forms.DateField(
                label=f"Meeting {n} date",
                required=False,
                initial=existing.meets_on if existing else None,
                widget=DateInput,
            )
        for n in range(1, MAX_EXEMPTIONS + 1):
            existing = exemptions[n - 1] if n <= len(exemptions) else None
            self.fields[f"exempt_{n}_section"] = forms.CharField(
                label=f"Exemption {n} section",
                required=False,
                max_length=8,
                initial=existing.section if existing else "",
                help_text="For example s43" if n == 1 else "",
                widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
            )
            self.fields[f"exempt_{n}_name"] = forms.CharField(
                label=f"Exemption {n} name", required=False, initial=existing.name if existing else ""
            )
            self.fields[f"exempt_{n}_ceases"] = forms.DateField(
                label=f"Exemption {n} ceases on",
                required=False,
                initial=existing.ceases_on if existing else None,
                widget=DateInput,
            )

    def recommendation_rows(self):
        return [
            (self[f"rec_{n}_kind"], self[f"rec_{n}_text"], self[f"rec_{n}_amount"])
            for n in range(1, MAX_RECOMMENDATIONS + 1)
        ]

    def route_rows(self):
        return [(self[f"route_{n}_body"], self[f"route_{n}_date"]) for n in range(1, MAX_ROUTE_STEPS + 1)]

    def exemption_rows(self):
        return [
            (self[f"exempt_{n}_section"], self[f"exempt_{n}_name"], self[f"exempt_{n}_ceases"])
            for n in range(1, MAX_EXEMPTIONS + 1)
        ]

    def clean(self):
        data = super().clean()
        for n in range(1, MAX_RECOMMENDATIONS + 1):
            if data.get(f"rec_{n}_amount") is not None and not data.get(f"rec_{n}_text", "").strip():
                self.add_error(f"rec_{n}_text", f"Enter the text of recommendation {n}, or remove its amount")
        for n in range(1, MAX_ROUTE_STEPS + 1):
            if data.get(f"route_{n}_date") and not data.get(f"route_{n}_body", "").strip():
                self.add_error(f"route_{n}_body", f"Enter the meeting {n} that meets on that date")
        for n in range(1, MAX_EXEMPTIONS + 1):
            section = data.get(f"exempt_{n}_section", "").strip()
            name = data.get(f"exempt_{n}_name", "").strip()
            if (section or name or data.get(f"exempt_{n}_ceases")) and not (section and name):
                field = f"exempt_{n}_section" if not section else f"exempt_{n}_name"
                self.add_error(field, f"Enter both the section and the name of exemption {n}")
        return data

    # Where a service's error on a row of a list (keyed by the list, with the row's position and part) is shown.
    ROW_FIELDS = {
        "recommendations": {"text": "rec_{n}_text", "amount": "rec_{n}_amount"},
        "route": {"body": "route_{n}_body", "meets_on": "route_{n}_date"},
        "exemptions": {"section": "exempt_{n}_section", "name": "exempt_{n}_name", "ceases_on": "exempt_{n}_ceases"},
    }

    def row_field(self, name: str, params: dict) -> str | None:
        """The form field of row `position` (counted among the rows filled in, as the lists are) of a list."""
        position, part = params.get("position", 0), params.get("part")
        rows = getattr(self, "_filled_rows", {}).get(name, [])
        pattern = self.ROW_FIELDS.get(name, {}).get(part)
        if pattern is None or not 1 <= position <= len(rows):
            return None
        return pattern.format(n=rows[position - 1])

    def _filled(self, name: str, rows: list[int]) -> list[int]:
        self._filled_rows = {**getattr(self, "_filled_rows", {}), name: rows}
        return rows

    def decision_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in DECISION_FIELDS if not self.fields[name].disabled}

    def recommendations(self) -> list[RecommendationSpec]:
        return [
            RecommendationSpec(
                self.cleaned_data[f"rec_{n}_kind"],
                self.cleaned_data[f"rec_{n}_text"].strip(),
                self.cleaned_data[f"rec_{n}_amount"],
            )
            for n in self._filled(
                "recommendations",
                [n for n in range(1, MAX_RECOMMENDATIONS + 1) if self.cleaned_data.get(f"rec_{n}_text", "").strip()],
            )
        ]

    def route(self) -> list[tuple[str, date | None]]:
        return [
            (self.cleaned_data[f"route_{n}_body"].strip(), self.cleaned_data[f"route_{n}_date"])
            for n in self._filled(
                "route",
                [n for n in range(1, MAX_ROUTE_STEPS + 1) if self.cleaned_data.get(f"route_{n}_body", "").strip()],
            )
        ]

    def exemptions(self) -> list[ExemptionSpec]:
        return [
            ExemptionSpec(
                self.cleaned_data[f"exempt_{n}_section"].strip(),
                self.cleaned_data[f"exempt_{n}_name"].strip(),
                self.cleaned_data[f"exempt_{n}_ceases"],
            )
            for n in self._filled(
                "exemptions",
                [n for n in range(1, MAX_EXEMPTIONS + 1) if self.cleaned_data.get(f"exempt_{n}_section", "").strip()],
            )
        ]


# The largest id a database integer column holds: a larger number names no decision and must not reach the query.
MAX_ID = 2**31 - 1
CHOOSE_A_DECISION = "Choose a decision on this page to release or keep withheld"


class ReviewStepForm(forms.Form):
    """Which decision a release review form was for, and which step it takes; anything else is a bad request."""

    decision = forms.IntegerField(min_value=1, max_value=MAX_ID, error_messages={"required": CHOOSE_A_DECISION})
    action = forms.ChoiceField(choices=[("release", "Release"), ("extend", "Keep withheld")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("invalid", "min_value", "max_value"):
            self.fields["decision"].error_messages[name] = CHOOSE_A_DECISION
        self.fields["action"].error_messages["invalid_choice"] = "Choose to release Part 2 or to keep it withheld"
        self.fields["action"].error_messages["required"] = "Choose to release Part 2 or to keep it withheld"


class ReleaseForm(NamedErrorsMixin, forms.Form):
    note = forms.CharField(
        label="Release review",
        widget=forms.Textarea(attrs=_rows(3)),
        help_text="Why Part 2 may now be published: for example, the commercial interests it protected have passed.",
    )


class EarlyReleaseForm(NamedErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Public interest decision",
        widget=forms.Textarea(attrs=_rows(3)),
        help_text="Why Part 2 may be published before its exemptions cease: the public interest test, or why the "
        "exemption no longer holds. Recorded with your name and shown on this page; a disclosure cannot be undone.",
    )


class ExtendForm(NamedErrorsMixin, forms.Form):
    exemption = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    ceases_on = forms.DateField(label="Exemption now ceases on", widget=DateInput)
    reason = forms.CharField(label="Why the exemption still applies", widget=forms.Textarea(attrs=_rows(2)))


class ConcernsForm(NamedErrorsMixin, forms.Form):
    """The contracts and procurements a decision concerns: two lists of checkboxes, either or both left empty."""

    contracts = forms.ModelMultipleChoiceField(
        label="Contracts it concerns",
        queryset=estate_selectors.contracts_by_reference(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply. Contracts whose changes it authorises are listed with it anyway.",
    )
    procurements = forms.ModelMultipleChoiceField(
        label="Procurements it concerns",
        queryset=procurement_selectors.procurements().order_by("reference"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
    )

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contracts"].label_from_instance = lambda c: f"{c.reference} {c.title}"
        self.fields["procurements"].label_from_instance = lambda p: f"{p.reference} {p.title}"
        if not self.is_bound:
            self.fields["contracts"].initial = [c.pk for c in decision.contracts.all()]
            self.fields["procurements"].initial = [p.pk for p in decision.procurements.all()]
