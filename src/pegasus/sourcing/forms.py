"""Forms for scenarios: the policy every scenario carries, the hand-made lots, and the optimiser's time limit."""

from django import forms

from pegasus.sourcing.models import Scenario

PAIRS_HELP = (
    "Pairs of tower codes joined by a plus sign and separated by semicolons, such as siam+euc; networks+telephony."
)
NOT_PAIRS = "Enter pairs of tower codes such as siam+euc; networks+telephony"
UNKNOWN_CODE = "{code} is not a tower code: use one of {codes}"
SUPPLIER_NEEDED = "Choose the supplier for lot {lot}"
POLICY = [
    "lot_fixed_cost",
    "handoff_cost_per_ticket",
    "min_bidders_per_lot",
    "max_lots",
    "max_lots_per_supplier",
    "max_supplier_share",
]


class PolicyForm(forms.ModelForm):
    must_separate_text = forms.CharField(label="Towers to keep apart", required=False, help_text=PAIRS_HELP)
    must_bundle_text = forms.CharField(label="Towers to keep together", required=False, help_text=PAIRS_HELP)

    class Meta:
        model = Scenario
        fields = ["name", "description", *POLICY]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {
                "required": "Enter a name for the scenario",
                "unique": "A scenario with this name already exists: choose another name",
            }
        }

    def __init__(self, *args, codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = codes

    def _pairs(self, name: str) -> list[list[str]]:
        pairs = []
        for chunk in self.cleaned_data.get(name, "").split(";"):
            if not chunk.strip():
                continue
            parts = [p.strip() for p in chunk.split("+")]
            if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
                raise forms.ValidationError(NOT_PAIRS)
            for code in parts:
                if code not in self.codes:
                    raise forms.ValidationError(UNKNOWN_CODE.format(code=code, codes=", ".join(self.codes)))
            pairs.append(parts)
        return pairs

    def clean_must_separate_text(self):
        return self._pairs("must_separate_text")

    def clean_must_bundle_text(self):
        return self._pairs("must_bundle_text")

    def policy(self) -> dict:
        data = {key: self.cleaned_data[key] for key in POLICY}
        data["must_separate"] = self.cleaned_data["must_separate_text"]
        data["must_bundle"] = self.cleaned_data["must_bundle_text"]
        return data


class OptimiseForm(PolicyForm):
    time_limit = forms.IntegerField(
        label="Time limit in seconds",
        min_value=1,
        max_value=600,
        initial=30,
        help_text="The optimiser stops here and keeps the best structure found; it may prove it optimal sooner.",
    )


class ManualForm(PolicyForm):
    """The policy, then a lot number for each tower and a supplier for each lot used."""

    def __init__(self, *args, towers, suppliers, **kwargs):
        super().__init__(*args, codes=[t.code for t in towers], **kwargs)
        self.towers = towers
        numbers = [(str(n), f"Lot {n}") for n in range(1, len(towers) + 1)]
        for position, tower in enumerate(towers, start=1):
            self.fields[f"lot_{tower.code}"] = forms.ChoiceField(
                label=f"Lot for {tower.name}", choices=numbers, initial=str(position)
            )
        choices = [("", "Not used"), *[(str(s.pk), s.name) for s in suppliers]]
        for n in range(1, len(towers) + 1):
            self.fields[f"supplier_{n}"] = forms.ChoiceField(
                label=f"Supplier for lot {n}", choices=choices, required=False
            )

    def tower_rows(self):
        return [(t, self[f"lot_{t.code}"]) for t in self.towers]

    def supplier_fields(self):
        return [self[f"supplier_{n}"] for n in range(1, len(self.towers) + 1)]

    def lots(self) -> list[tuple[list[str], int]]:
        by_lot: dict[int, list[str]] = {}
        for tower in self.towers:
            by_lot.setdefault(int(self.cleaned_data[f"lot_{tower.code}"]), []).append(tower.code)
        return [(codes, int(self.cleaned_data[f"supplier_{n}"])) for n, codes in sorted(by_lot.items())]

    def clean(self):
        data = super().clean()
        used = {data.get(f"lot_{t.code}") for t in self.towers}
        for n in sorted(int(u) for u in used if u):
            if not data.get(f"supplier_{n}"):
                self.add_error(f"supplier_{n}", SUPPLIER_NEEDED.format(lot=n))
        return data
