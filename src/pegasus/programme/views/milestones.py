"""The milestones' pages: the table with RAG and slip as at a day, the slip chart, and the director's forms for a
milestone and the programme's tolerance. Thin: reads through the selectors, writes through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from pegasus.core.access import require_perm
from pegasus.core.clock import as_at_from
from pegasus.programme import permissions  # noqa: F401 (the rules are registered on import)
from pegasus.programme.forms.milestones import MilestoneForm, ToleranceForm, milestone_initial
from pegasus.programme.milestone_charts import milestone_slip_chart
from pegasus.programme.models import Milestone, Programme
from pegasus.programme.rules import RAG_LABELS, Rag
from pegasus.programme.selectors import milestones as selectors
from pegasus.programme.selectors.programmes import the_programme
from pegasus.programme.services import milestones as services
from pegasus.ui.forms import service_errors_to_form

VIEW, CHANGE = "programme.view_programme", "programme.change_programme"


# The business cases' page, where the programme holds one; a milestone names its case without a link otherwise.
def _programme() -> Programme:
    programme = the_programme()
    if programme is None:
        raise Http404("No programme is held yet")
    return programme


def case_url(case_pk: int) -> str:
    return reverse("case-detail", args=[case_pk])


@require_perm(VIEW)
def milestone_list(request):
    programme = _programme()
    as_at, as_at_error = as_at_from(request.GET.get("as_at"))
    rows = selectors.milestone_rows(as_at, programme)
    counts = selectors.rag_counts(rows)
    return render(
        request,
        "programme/milestones_list.html",
        {
            "programme": programme,
            "rows": [
                (row, case_url(row.milestone.business_case_id) if row.belongs_to == "case" else None) for row in rows
            ],
            "counts": [(RAG_LABELS[Rag(rag)], rag, n) for rag, n in counts.items()],
            "as_at": as_at,
            "as_at_error": as_at_error,
            "chart": milestone_slip_chart("milestone-slip", rows, as_at) if rows else None,
            "can_change": request.user.has_perm(CHANGE),
        },
    )


def _milestone_form_page(request, programme: Programme, milestone: Milestone | None):
    initial = milestone_initial(milestone) if milestone else {}
    form = MilestoneForm(request.POST if request.method == "POST" else None, initial=initial, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.milestone_save(
                programme=programme, milestone=milestone, by=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Milestone {saved.name} saved.")
            return redirect("milestone-list")
    return render(
        request, "programme/milestones_form.html", {"form": form, "milestone": milestone, "programme": programme}
    )


@require_perm(CHANGE)
def milestone_create(request):
    return _milestone_form_page(request, _programme(), None)


@require_perm(CHANGE)
def milestone_edit(request, pk: int):
    programme = _programme()
    try:
        milestone = selectors.milestone_get(programme=programme, pk=pk)
    except Milestone.DoesNotExist:
        raise Http404("No such milestone") from None
    return _milestone_form_page(request, programme, milestone)


@require_perm(CHANGE)
def milestone_tolerance(request):
    programme = _programme()
    form = ToleranceForm(
        request.POST if request.method == "POST" else None, initial={"tolerance_days": programme.tolerance_days}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_tolerance_set(
                programme=programme, tolerance_days=form.cleaned_data["tolerance_days"], by=request.user
            )
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Milestone tolerance is now {programme.tolerance_days} days.")
            return redirect("milestone-list")
    return render(request, "programme/milestones_tolerance.html", {"form": form, "programme": programme})


urlpatterns = [
    path("milestones/", milestone_list, name="milestone-list"),
    path("milestones/new/", milestone_create, name="milestone-create"),
    path("milestones/<int:pk>/", milestone_edit, name="milestone-edit"),
    path("milestones/tolerance/", milestone_tolerance, name="milestone-tolerance"),
]
