"""Procurement pages: thin views that parse input, call one selector or service, and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from pegasus.core.access import check_object_perm, require_perm
from pegasus.core.clock import as_at_from
from pegasus.governance import selectors as governance_selectors
from pegasus.procurement import schedule, selectors, services
from pegasus.procurement.charts import (
    pipeline_gantt,
    pipeline_risk_curves,
    schedule_risk_curve,
    schedule_risk_tornado,
)
from pegasus.procurement.forms import ProcurementForm, StageActualsForm, StageDurationForm, StageEstimateForm
from pegasus.procurement.models import Procurement
from pegasus.ui.forms import service_errors_to_form


def _as_at(request):
    return as_at_from(request.GET.get("as_at"))


def _procurement(request, pk: int) -> Procurement:
    try:
        return selectors.procurement_get(user=request.user, pk=pk)
    except Procurement.DoesNotExist:
        raise Http404("No such procurement") from None


@require_perm("procurement.view_procurement")
def procurement_list(request):
    as_at, as_at_error = _as_at(request)
    rows = selectors.procurement_list(user=request.user, as_at=as_at)
    return render(
        request,
        "procurement/procurement_list.html",
        {
            "rows": rows,
            "as_at": as_at,
            "as_at_error": as_at_error,
            "near_days": selectors.NEAR_DAYS,
            "chart": pipeline_gantt("pipeline-gantt", rows, as_at) if any(r.schedule for r in rows) else None,
            "can_add": request.user.has_perm("procurement.add_procurement"),
            **_pipeline_risk_context(request.user, as_at),
        },
    )


@require_perm("procurement.view_procurement")
def procurement_detail(request, pk: int):
    procurement = _procurement(request, pk)
    as_at, as_at_error = _as_at(request)
    return render(
        request,
        "procurement/procurement_detail.html",
        {
            "procurement": procurement,
            "row": selectors.procurement_row(procurement, as_at),
            "as_at": as_at,
            "as_at_error": as_at_error,
            "can_change": request.user.has_perm("procurement.change_procurement", procurement),
            # Decisions are for the authority's staff; the pipeline is too, but the check is the decisions' own.
            "decisions": list(governance_selectors.decisions_concerning_procurement(procurement))
            if request.user.has_perm("governance.view_decision")
            else None,
            **_schedule_risk_context(procurement, as_at),
        },
    )


def _procurement_form_page(request, procurement: Procurement | None):
    form = ProcurementForm(request.POST if request.method == "POST" else None, instance=procurement)
    if request.method == "POST" and form.is_valid():
        common = {
            "contracts": list(form.cleaned_data["replaces"]),
            "replaces_end_option": form.cleaned_data["replaces_end_option"],
            "by": request.user,
            **form.procurement_fields(),
        }
        try:
            if procurement is None:
                saved = services.procurement_create(**common)
            else:
                saved = services.procurement_update(procurement=procurement, **common)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Procurement {saved.reference} saved.")
            return redirect("procurement-detail", saved.pk)
    return render(request, "procurement/procurement_form.html", {"form": form, "procurement": procurement})


@require_perm("procurement.add_procurement")
def procurement_create(request):
    return _procurement_form_page(request, None)


@require_perm("procurement.view_procurement")
def procurement_edit(request, pk: int):
    procurement = _procurement(request, pk)
    check_object_perm(request.user, "procurement.change_procurement", procurement)
    return _procurement_form_page(request, procurement)


@require_perm("procurement.view_procurement")
def stage_edit(request, pk: int, stage_pk: int):
    procurement = _procurement(request, pk)
    check_object_perm(request.user, "procurement.change_procurement", procurement)
    stage = next((st for st in procurement.stages.all() if st.pk == stage_pk), None)
    if stage is None:
        raise Http404("No such stage")
    template = next(
        t for t in schedule.route_stages(procurement.regime, schedule.Route(procurement.route)) if t.key == stage.kind
    )
    if template.counting is schedule.Counting.STANDSTILL:
        raise Http404("The standstill period is set by law")
    form = StageDurationForm(
        request.POST if request.method == "POST" else None,
        initial={"days": stage.days},
        stage_label=stage.get_kind_display(),
        counting=template.counting.value,
        minimum=template.minimum,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_duration_set(stage=stage, days=form.cleaned_data["days"], by=request.user)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"{stage.get_kind_display()} now takes {stage.days} days.")
            return redirect("procurement-detail", procurement.pk)
    return render(
        request,
        "procurement/stage_form.html",
        {"form": form, "procurement": procurement, "stage": stage, "template": template},
    )


@require_perm("procurement.view_procurement")
def stage_actuals(request, pk: int, stage_pk: int):
    """Record when a stage actually started and ended; the programme's milestones tied to it follow."""
    procurement = _procurement(request, pk)
    check_object_perm(request.user, "procurement.change_procurement", procurement)
    stage = next((st for st in procurement.stages.all() if st.pk == stage_pk), None)
    if stage is None:
        raise Http404("No such stage")
    form = StageActualsForm(
        request.POST if request.method == "POST" else None,
        initial={"actual_start": stage.actual_start, "actual_end": stage.actual_end},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_actuals_set(
                stage=stage,
                actual_start=form.cleaned_data["actual_start"],
                actual_end=form.cleaned_data["actual_end"],
                by=request.user,
            )
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Actual dates of the {stage.get_kind_display().lower()} saved.")
            return redirect("procurement-detail", procurement.pk)
    return render(
        request, "procurement/stage_actuals_form.html", {"form": form, "procurement": procurement, "stage": stage}
    )


# --- Schedule risk ---


def _schedule_risk_context(procurement: Procurement, as_at) -> dict:
    """A procurement page's schedule risk: the odds with their cumulative curve and tornado chart."""
    risk = selectors.schedule_risk_of(procurement, as_at)
    if risk is None:
        return {"risk": None}
    return {
        "risk": risk,
        "risk_curve": schedule_risk_curve("schedule-risk-curve", risk),
        "risk_tornado": schedule_risk_tornado("schedule-risk-tornado", risk),
    }


def _pipeline_risk_context(user, as_at) -> dict:
    """The pipeline's schedule risk: every procurement not yet awarded, and their curves on one chart."""
    risks = selectors.schedule_risks(user=user, as_at=as_at)
    return {"risks": risks, "pipeline_risk_chart": pipeline_risk_curves("pipeline-risk", risks) if risks else None}


@require_perm("procurement.view_procurement")
def stage_estimate_edit(request, pk: int, stage_pk: int):
    """Set or clear a stage's three-point estimate, then back to the procurement's schedule risk."""
    procurement = _procurement(request, pk)
    check_object_perm(request.user, "procurement.change_procurement", procurement)
    stage = next((st for st in procurement.stages.all() if st.pk == stage_pk), None)
    as_at, _ = _as_at(request)
    risk = selectors.schedule_risk_of(procurement, as_at)
    row = next((r for r in risk.stages if r.kind == stage.kind), None) if risk and stage else None
    if stage is None or row is None:
        raise Http404("No such stage in the procurement's schedule")
    form = StageEstimateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "optimistic_days": stage.optimistic_days,
            "most_likely_days": stage.most_likely_days,
            "pessimistic_days": stage.pessimistic_days,
            "distribution": stage.distribution,
        },
        planned_days=row.planned_days,
        minimum=row.estimate.minimum,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stage_estimate_set(
                stage=stage,
                optimistic=data["optimistic_days"],
                most_likely=data["most_likely_days"],
                pessimistic=data["pessimistic_days"],
                distribution=data["distribution"],
                by=request.user,
            )
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"{row.name} estimate saved.")
            return redirect(reverse("procurement-detail", args=[procurement.pk]) + "#schedule-risk")
    return render(
        request,
        "procurement/stage_estimate_form.html",
        {"form": form, "procurement": procurement, "stage": stage, "row": row},
    )
