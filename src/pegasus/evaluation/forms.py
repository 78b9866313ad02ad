"""Evaluation forms: a tender and its lots, a lot's criteria as rows, assignments, bids, the award."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model

from pegasus.core.roles import Role
from pegasus.estate import selectors as estate_selectors
from pegasus.evaluation.models import KindChoice, PriceMethodChoice
from pegasus.evaluation.selectors import procurement_choices
from pegasus.evaluation.services import CriterionSpec
from pegasus.ui.forms import NamedErrorsMixin

MAX_CRITERIA = 8


class TenderForm(NamedErrorsMixin, forms.Form):
    reference = forms.CharField(max_length=40, help_text="For example PEG-2019-02.")
    title = forms.CharField(max_length=300)
    lots = forms.CharField(label="Lots", widget=forms.Textarea(attrs={"rows": 4}), help_text="One lot on each line.")
    procurement = forms.ModelChoiceField(
        label="Procurement",
        queryset=procurement_choices().none(),
        required=False,
        empty_label="None",
        help_text="Optional: the procurement of the pipeline it belongs to.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procurement"].queryset = procurement_choices()


class CriteriaForm(NamedErrorsMixin, forms.Form):
    """Up to eight criteria; a row with no title is ignored, a half-filled row is an error on its own field."""

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        criteria = list(criteria)
        for n in range(1, MAX_CRITERIA + 1):
            c = criteria[n - 1] if n <= len(criteria) else None
            self.fields[f"c{n}_title"] = forms.CharField(
                label=f"Criterion {n}", required=False, initial=c.title if c else ""
            )
            self.fields[f"c{n}_code"] = forms.SlugField(
                label=f"Criterion {n} id", required=False, initial=c.code if c else "", max_length=40
            )
            self.fields[f"c{n}_kind"] = forms.ChoiceField(
                label=f"Criterion {n} kind", choices=KindChoice.choices, initial=c.kind if c else "quality"
            )
            self.fields[f"c{n}_weight"] = forms.DecimalField(
                label=f"Criterion {n} weight (%)",
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=c.weight.normalize() if c else None,
            )
            self.fields[f"c{n}_method"] = forms.ChoiceField(
                label=f"Criterion {n} price method",
                choices=[("", "Not price")] + list(PriceMethodChoice.choices),
                required=False,
                initial=c.price_method if c else "",
            )
            self.fields[f"c{n}_pass_mark"] = forms.DecimalField(
                label=f"Criterion {n} pass mark",
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=c.pass_mark.normalize() if c and c.pass_mark is not None else None,
            )
            for name in ("weight", "pass_mark"):
                self.fields[f"c{n}_{name}"].widget.attrs["class"] = "govuk-input--width-5"
            self.fields[f"c{n}_code"].widget.attrs["class"] = "govuk-input--width-10"

    def rows(self):
        return [
            [self[f"c{n}_{name}"] for name in ("title", "code", "kind", "weight", "method", "pass_mark")]
            for n in range(1, MAX_CRITERIA + 1)
        ]

    def clean(self):
        data = super().clean()
        for n in range(1, MAX_CRITERIA + 1):
            if not data.get(f"c{n}_title"):
                continue
            if not data.get(f"c{n}_code"):
                self.add_error(f"c{n}_code", f"Enter the id of criterion {n}")
            if data.get(f"c{n}_weight") is None:
                self.add_error(f"c{n}_weight", f"Enter the weight of criterion {n}")
        return data

    def row_field(self, name: str, params: dict) -> str | None:
        """The form field of criterion `position` (counted among the rows with a title, as `criteria` is)."""
        position, part = params.get("position", 0), params.get("part")
        rows = [n for n in range(1, MAX_CRITERIA + 1) if self.cleaned_data.get(f"c{n}_title")]
        if name != "criteria" or part not in {"title", "code", "weight", "pass_mark"} or not 1 <= position <= len(rows):
            return None
        return f"c{rows[position - 1]}_{part}"

    def criteria(self) -> list[CriterionSpec]:
        data = self.cleaned_data
        return [
            CriterionSpec(
                code=data[f"c{n}_code"],
                title=data[f"c{n}_title"],
                kind=data[f"c{n}_kind"],
                weight=data[f"c{n}_weight"],
                price_method=data.get(f"c{n}_method") or "",
                pass_mark=data.get(f"c{n}_pass_mark"),
            )
            for n in range(1, MAX_CRITERIA + 1)
            if data.get(f"c{n}_title")
        ]


class AssignForm(NamedErrorsMixin, forms.Form):
    criterion = forms.ModelChoiceField(queryset=None, empty_label="Choose a criterion")
    evaluator = forms.ModelChoiceField(queryset=None, empty_label="Choose an evaluator")

    def __init__(self, *args, lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = lot.criteria.exclude(kind="price").order_by("position")
        self.fields["evaluator"].queryset = (
            get_user_model().objects.filter(groups__name=Role.EVALUATOR.value).order_by("username")
        )
        self.fields["evaluator"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class BidForm(NamedErrorsMixin, forms.Form):
    supplier = forms.ModelChoiceField(
        queryset=estate_selectors.suppliers().order_by("name"),
        required=False,
        empty_label="Not a supplier of the estate",
        help_text="Or enter the bidder's name below.",
    )
    bidder_name = forms.CharField(label="Bidder's name", max_length=200, required=False)
    price = forms.DecimalField(
        label="Price (£, excluding VAT)", min_value=Decimal("0.01"), decimal_places=2, max_digits=16
    )


class AwardForm(NamedErrorsMixin, forms.Form):
    reference = forms.CharField(label="Decision reference", max_length=40, help_text="For example PCD 640.")
    value = forms.DecimalField(
        label="Approval value (£, excluding VAT)",
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=16,
        help_text="Published with Part 1: a rounded envelope that covers the recommended price, never a bid's price.",
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="Kept in Part 2.")
