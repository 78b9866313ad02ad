"""Forms for scenarios: the policy every scenario carries, the hand-made lots, and the optimiser's time limit."""

from decimal import Decimal

from django import forms

from pegasus.sourcing.models import Scenario

SUPPLIER_NEEDED = "Choose the supplier for lot {lot}"
BOTH_TOWERS = "Choose both towers of the pair, or neither"
SAME_TOWER = "Choose two different towers"
PAIR_ROWS = 3  # pairs of towers the form offers for each rule; the demo's policy needs one
PAIR_RULES = ["separate", "bundle"]  # towers to keep apart, towers to keep together
POLICY = [
    "lot_fixed_cost",
    "handoff_cost_per_ticket",
    "min_bidders_per_lot",
    "max_lots",
    "max_lots_per_supplier",
    "max_supplier_share",
]


class PolicyForm(forms.ModelForm):
    # Asked as a percentage, as every page shows a share; kept as the fraction the optimiser reads.
    max_supplier_share = forms.DecimalField(
        label="Largest share one supplier may take (%)",
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
        decimal_places=1,
        help_text="A percentage of the total prices, such as 50.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
    )

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

    def __init__(self, *args, towers, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = [t.code for t in towers]
        choices = [("", "No tower"), *[(t.code, t.name) for t in towers]]
        for rule in PAIR_RULES:
            for n in range(1, PAIR_ROWS + 1):
                for side, which in (("a", "first"), ("b", "second")):
                    self.fields[f"must_{rule}_{n}_{side}"] = forms.ChoiceField(
                        label=f"Pair {n}, {which} tower", choices=choices, required=False
                    )

    def pair_rows(self, rule: str) -> list[tuple]:
        return [(self[f"must_{rule}_{n}_a"], self[f"must_{rule}_{n}_b"]) for n in range(1, PAIR_ROWS + 1)]

    def separate_rows(self):
        return self.pair_rows("separate")

    def bundle_rows(self):
        return self.pair_rows("bundle")

    def clean_max_supplier_share(self):
        percent = self.cleaned_data.get("max_supplier_share")
        return None if percent is None else percent / 100

    def clean(self):
        data = super().clean()
        for rule in PAIR_RULES:
            pairs: list[list[str]] = []
            for n in range(1, PAIR_ROWS + 1):
                first, second = data.get(f"must_{rule}_{n}_a"), data.get(f"must_{rule}_{n}_b")
                if not first and not second:
                    continue
                if not first or not second:
                    self.add_error(f"must_{rule}_{n}_{'b' if first else 'a'}", BOTH_TOWERS)
                elif first == second:
                    self.add_error(f"must_{rule}_{n}_b", SAME_TOWER)
                elif [first, second] not in pairs and [second, first] not in pairs:
                    pairs.append([first, second])
            data[f"must_{rule}"] = pairs
        return data

    def policy(self) -> dict:
        data = {key: self.cleaned_data[key] for key in POLICY}
        data["must_separate"] = self.cleaned_data["must_separate"]
        data["must_bundle"] = self.cleaned_data["must_bundle"]
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
        super().__init__(*args, towers=towers, **kwargs)
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
