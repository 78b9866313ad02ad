"""Forms of the milestones page: a milestone and the programme's tolerance. The rules stay in the services."""

from django import forms

from pegasus.programme.models import Milestone, Programme
from pegasus.programme.selectors.milestones import business_case_choices, stage_choices
from pegasus.programme.services.milestones import MAX_TOLERANCE_DAYS
from pegasus.ui.forms import NamedErrorsMixin


class DateInput(forms.DateInput):
    """A date picker; its value is always ISO 8601, the one format a date input accepts (not the locale's)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MilestoneForm(NamedErrorsMixin, forms.Form):
    name = forms.CharField(label="Milestone", max_length=200)
    owner = forms.CharField(label="Owner", max_length=200, help_text="Who answers for it: a name or a post.")
    baseline_on = forms.DateField(label="Baseline date", widget=DateInput, help_text="The date agreed in the plan.")
    forecast_on = forms.DateField(label="Forecast date", widget=DateInput, help_text="When it is now expected.")
    actual_on = forms.DateField(
        label="Actual date",
        widget=DateInput,
        required=False,
        help_text="When it happened. Leave empty for a milestone tied to a stage: it takes the stage's actual date.",
    )
    stage = forms.ModelChoiceField(
        label="Procurement stage",
        queryset=None,
        required=False,
        empty_label="Not tied to a procurement stage",
    )
    stage_event = forms.ChoiceField(
        label="Marks the stage's", choices=Milestone.Event.choices, initial=Milestone.Event.END
    )
    business_case = forms.ModelChoiceField(
        label="Business case", queryset=None, required=False, empty_label="Not a business case's milestone"
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        stage = self.fields["stage"]
        stage.queryset = stage_choices()
        stage.label_from_instance = lambda st: f"{st.procurement.reference}: {st.get_kind_display()}"
        case = self.fields["business_case"]
        case.queryset = business_case_choices(programme)
        case.label_from_instance = lambda c: f"{c.reference} {c.title}"
        for name in ("name", "owner"):
            self.fields[name].widget.attrs["class"] = "govuk-!-width-two-thirds"

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


def milestone_initial(milestone: Milestone) -> dict:
    return {
        "name": milestone.name,
        "owner": milestone.owner,
        "baseline_on": milestone.baseline_on,
        "forecast_on": milestone.forecast_on,
        "actual_on": milestone.actual_on,
        "stage": milestone.stage_id,
        "stage_event": milestone.stage_event,
        "business_case": milestone.business_case_id,
    }


class ToleranceForm(NamedErrorsMixin, forms.Form):
    tolerance_days = forms.IntegerField(
        label="Milestone tolerance (days)",
        min_value=0,
        max_value=MAX_TOLERANCE_DAYS,
        help_text="A forecast later than its baseline by no more than this is amber; beyond it, red.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tolerance_days"].widget.attrs["class"] = "govuk-input--width-4"
