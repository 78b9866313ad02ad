"""Forms of the exit pages: an exit plan, a task, and a task's state. The rules stay in the services."""

from django import forms

from pegasus.programme.models import ExitTask
from pegasus.programme.selectors.exits import contract_choices, procurement_choices
from pegasus.ui.forms import NamedErrorsMixin


class DateInput(forms.DateInput):
    """A date picker; its value is always ISO 8601, the one format a date input accepts (not the locale's)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ExitPlanForm(NamedErrorsMixin, forms.Form):
    contract = forms.ModelChoiceField(label="Incumbent contract", queryset=None, empty_label="Choose a contract")
    procurement = forms.ModelChoiceField(
        label="Replacement procurement",
        queryset=None,
        required=False,
        empty_label="No procurement replaces it yet",
        help_text="The procurement that replaces the contract: its mobilisation and incumbent-exit stages are shown"
        " against the plan's readiness.",
    )
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        contract = self.fields["contract"]
        contract.queryset = contract_choices()
        contract.label_from_instance = lambda c: f"{c.reference} {c.title} ({c.supplier.name})"
        procurement = self.fields["procurement"]
        procurement.queryset = procurement_choices()
        procurement.label_from_instance = lambda p: f"{p.reference} {p.title}"


class ExitTaskForm(NamedErrorsMixin, forms.Form):
    area = forms.ChoiceField(label="Area", choices=[("", "Choose an area"), *ExitTask.Area.choices])
    title = forms.CharField(label="Task", max_length=300)
    owner = forms.CharField(label="Owner", max_length=200, help_text="Who answers for it: a name or a post.")
    due_on = forms.DateField(label="Due date", widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "owner"):
            self.fields[name].widget.attrs["class"] = "govuk-!-width-two-thirds"


class ExitTaskStateForm(NamedErrorsMixin, forms.Form):
    state = forms.ChoiceField(label="State", choices=ExitTask.State.choices)
    done_on = forms.DateField(
        label="Day it was done", widget=DateInput, required=False, help_text="Only for a task that is done."
    )
