"""The business cases' pages: the list and a case as they stood on a day, with the economic case's options appraisal;
and, for the programme director, the forms that add a case, a version, an option and its years, bring a sourcing
scenario in, approve and withdraw. Thin: reads through `selectors.cases`, writes through `services.cases`."""

from decimal import Decimal

import altair as alt
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from pegasus.core import clock
from pegasus.core.access import require_perm
from pegasus.core.exceptions import PegasusError
from pegasus.core.money import format_millions, format_pounds
from pegasus.programme import permissions  # noqa: F401
from pegasus.programme.forms import cases as forms
from pegasus.programme.models import FIVE_CASES, BusinessCase
from pegasus.programme.selectors import cases as selectors
from pegasus.programme.selectors.programmes import the_programme
from pegasus.programme.services import cases as services
from pegasus.ui.charts import GOVUK_BLUE, Chart, chart_spec
from pegasus.ui.forms import service_errors_to_form

VIEW, CHANGE = "programme.view_programme", "programme.change_programme"
REFUSED = (ValidationError, PegasusError)


def _as_at(request):
    """The day the page reads the programme as at, and its GET form (showing any error in the date asked for)."""
    as_at, error = clock.as_at_from(request.GET.get("as_at"))
    form = forms.AsAtForm({"as_at": request.GET.get("as_at") or as_at.isoformat()})
    form.is_valid()
    if error and "as_at" not in form.errors:
        form.add_error("as_at", error)
    return as_at, form


def _case(pk: int) -> BusinessCase:
    try:
        return selectors.case_get(pk)
    except BusinessCase.DoesNotExist:
        raise Http404("No such business case") from None


def _millions(amount: Decimal) -> str:
    return ("-" if amount < 0 else "") + format_millions(abs(amount))


def npv_chart(found: selectors.CaseAppraisal) -> Chart | None:
    """The short list's net present values as bars, best first, with the present values in the table beside it."""
    if not found.short_list:
        return None
    data = [
        {
            "option": line.option.name + (" (preferred)" if line.option.name == found.preferred else ""),
            "millions": float(line.result.npv / Decimal(1_000_000)),
        }
        for line in found.short_list
    ]
    bars = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=GOVUK_BLUE)
        .encode(
            y=alt.Y("option:N", sort=None, title=None),
            x=alt.X("millions:Q", title="Net present value, £ millions (discounted, with optimism bias)"),
            tooltip=[alt.Tooltip("option:N", title="Option"), alt.Tooltip("millions:Q", title="£m", format=",.1f")],
        )
        .properties(width="container", height=max(120, 32 * len(data)))
    )
    rows = [
        [
            str(line.result.rank),
            line.option.name,
            format_pounds(line.result.present_costs),
            format_pounds(line.result.present_benefits),
            f"{format_pounds(line.result.npv)} ({_millions(line.result.npv)})",
        ]
        for line in found.short_list
    ]
    headers = ["Rank", "Option", "Present costs", "Present benefits", "Net present value"]
    return Chart("npv-chart", "Net present value of each short-listed option", chart_spec(bars), headers, rows)


@require_perm(VIEW)
def case_list(request):
    as_at, as_at_form = _as_at(request)
    return render(
        request,
        "programme/case_list.html",
        {
            "rows": selectors.case_list(as_at=as_at),
            "as_at": as_at,
            "as_at_form": as_at_form,
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@require_perm(VIEW)
def case_detail(request, pk: int):
    as_at, as_at_form = _as_at(request)
    asked = request.GET.get("version", "")
    try:
        detail = selectors.case_detail(pk=pk, as_at=as_at, version=int(asked) if asked.isdigit() else None)
    except BusinessCase.DoesNotExist:
        raise Http404("No such business case") from None
    sections = []
    if detail.version is not None:
        sections = [
            (name, detail.version._meta.get_field(name).verbose_name, getattr(detail.version, name))
            for name in FIVE_CASES
        ]
    return render(
        request,
        "programme/case_detail.html",
        {
            "detail": detail,
            "case": detail.case,
            "sections": sections,
            "chart": npv_chart(detail.appraisal),
            "as_at": as_at,
            "as_at_form": as_at_form,
            "can_change": request.user.has_perm(CHANGE) and detail.case.status == BusinessCase.Status.DRAFT,
        },
    )


def _form_page(request, form, write, *, case=None, title: str, button: str, intro: str = "", done: str = ""):
    """A form of the director's: on a valid POST `write(cleaned_data)` writes through one service and returns the
    case to go back to; a refusal is shown on the field it names with nothing written; otherwise the form again."""
    if request.method == "POST" and form.is_valid():
        try:
            target = write(form.cleaned_data)
        except REFUSED as exc:
            service_errors_to_form(form, exc)
        else:
            if done:
                messages.success(request, done)
            # Shown as at today, the day of the change: a page read as at an earlier day would not show it yet.
            return redirect(f"{reverse('case-detail', args=[target.pk])}?as_at={clock.london_today().isoformat()}")
    return render(
        request,
        "programme/case_form.html",
        {
            "form": form,
            "case": case,
            "title": title,
            "button": button,
            "intro": intro,
            "closed": case is not None and case.status != BusinessCase.Status.DRAFT,
        },
    )


@require_perm(CHANGE)
def case_create(request):
    form = forms.CaseForm(request.POST or None, procurements=selectors.procurement_choices())

    def write(data):
        programme = the_programme()
        if programme is None:
            raise ValidationError({"reference": "There is no programme to add the case to: load the programme first"})
        return services.case_create(
            programme=programme,
            reference=data["reference"],
            title=data["title"],
            stage=data["stage"],
            value=data["value"],
            procurement=data["procurement"],
            sections={name: data[name] for name in FIVE_CASES},
            by=request.user,
        )

    return _form_page(
        request, form, write, title="Add a business case", button="Add the business case", done="Business case added."
    )


@require_perm(CHANGE)
def case_version_add(request, pk: int):
    case = _case(pk)
    latest = selectors.latest_version(case)
    initial = {name: getattr(latest, name) for name in FIVE_CASES} if latest else {}
    form = forms.VersionForm(request.POST or None, initial=initial)

    def write(data):
        version = services.case_version_add(
            case=case, sections={name: data[name] for name in FIVE_CASES}, note=data["note"], by=request.user
        )
        messages.success(request, f"Version {version.number} of {case.reference} saved.")
        return case

    return _form_page(
        request,
        form,
        write,
        case=case,
        title=f"Edit the five cases of {case.reference}",
        button="Save as a new version",
        intro="Saving keeps every earlier version as it was written: this becomes the next version.",
    )


@require_perm(CHANGE)
def case_option(request, pk: int, option_pk: int | None = None):
    case = _case(pk)
    option = None
    if option_pk is not None:
        try:
            option = selectors.option_get(case, option_pk)
        except case.options.model.DoesNotExist:
            raise Http404("No such option") from None
    initial = (
        {
            "name": option.name,
            "description": option.description,
            "business_as_usual": option.business_as_usual,
            "shortlisted": option.shortlisted,
            "dropped_reason": option.dropped_reason,
            "optimism_bias_percent": option.optimism_bias_percent,
        }
        if option
        else {"shortlisted": True, "optimism_bias_percent": 0}
    )
    form = forms.OptionForm(request.POST or None, initial=initial)

    def write(data):
        services.option_save(case=case, option=option, by=request.user, **data)
        return case

    return _form_page(
        request,
        form,
        write,
        case=case,
        title=f"Change option {option.name}" if option else f"Add an option to {case.reference}",
        button="Save the option",
        done="Option saved.",
    )


@require_perm(CHANGE)
def case_option_years(request, pk: int, option_pk: int):
    case = _case(pk)
    try:
        option = selectors.option_get(case, option_pk)
    except case.options.model.DoesNotExist:
        raise Http404("No such option") from None
    form = forms.YearsForm(request.POST or None, initial={"years": forms.years_text(option)})

    def write(data):
        services.option_years_set(option=option, years=data["years"], by=request.user)
        return case

    return _form_page(
        request,
        form,
        write,
        case=case,
        title=f"Costs and benefits of {option.name}",
        button="Save the years",
        intro=f"Optimism bias of {option.optimism_bias_percent.normalize():f}% is added to these costs when the "
        "option is appraised.",
        done=f"The years of {option.name} saved.",
    )


@require_perm(CHANGE)
def case_option_from_scenario(request, pk: int):
    case = _case(pk)
    form = forms.ScenarioOptionForm(request.POST or None, scenarios=selectors.scenario_choices())

    def write(data):
        services.options_from_scenario(
            case=case,
            scenario=data["scenario"],
            last_year=data["last_year"],
            optimism_bias_percent=data["optimism_bias_percent"],
            name=data["name"] or None,
            by=request.user,
        )
        return case

    return _form_page(
        request,
        form,
        write,
        case=case,
        title=f"Bring a sourcing scenario into {case.reference}",
        button="Add it as an option",
        intro="The scenario's modelled cost a year (its lots' running costs, the prices and the cost of hand-offs) "
        "becomes the option's cost in each year; state its benefits on the option's years afterwards.",
        done="Scenario brought in as an option.",
    )


@require_perm(CHANGE)
def case_approve(request, pk: int):
    case = _case(pk)
    form = forms.ApproveForm(request.POST or None, decisions=selectors.approving_decisions())

    def write(data):
        return services.case_approve(case=case, decision=data["decision"], by=request.user)

    return _form_page(
        request,
        form,
        write,
        case=case,
        title=f"Record the approval of {case.reference}",
        button="Record the approval",
        intro=f"{case.reference} asks for £{case.value:,.2f}. It is approved as of the day the decision was taken, "
        "at its latest version.",
        done="Approval recorded.",
    )


@require_perm(CHANGE)
def case_withdraw(request, pk: int):
    case = _case(pk)
    form = forms.WithdrawForm(request.POST or None)

    def write(data):
        return services.case_withdraw(case=case, reason=data["reason"], by=request.user)

    return _form_page(
        request,
        form,
        write,
        case=case,
        title=f"Withdraw {case.reference}",
        button="Withdraw the business case",
        intro="A withdrawn case does not go forward for a decision. It stays in the list, with its versions.",
        done="Business case withdrawn.",
    )


urlpatterns = [
    path("cases/", case_list, name="case-list"),
    path("cases/new/", case_create, name="case-create"),
    path("cases/<int:pk>/", case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", case_version_add, name="case-version-add"),
    path("cases/<int:pk>/options/new/", case_option, name="case-option-create"),
    path("cases/<int:pk>/options/from-scenario/", case_option_from_scenario, name="case-option-from-scenario"),
    path("cases/<int:pk>/options/<int:option_pk>/", case_option, name="case-option-edit"),
    path("cases/<int:pk>/options/<int:option_pk>/years/", case_option_years, name="case-option-years"),
    path("cases/<int:pk>/approve/", case_approve, name="case-approve"),
    path("cases/<int:pk>/withdraw/", case_withdraw, name="case-withdraw"),
]
