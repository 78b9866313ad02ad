"""The exit and transition pages: every incumbent contract's exit plan with its readiness and red flag as at a day,
one plan's tasks by area, and the director's forms for a plan, a task and a task's state. Thin: reads through the
selectors, writes through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from pegasus.core.access import require_perm
from pegasus.core.clock import as_at_from
from pegasus.programme import permissions  # noqa: F401 (the rules are registered on import)
from pegasus.programme.forms.exits import ExitPlanForm, ExitTaskForm, ExitTaskStateForm
from pegasus.programme.models import ExitPlan, ExitTask, Programme
from pegasus.programme.selectors import exits as selectors
from pegasus.programme.selectors.programmes import the_programme
from pegasus.programme.services import exits as services
from pegasus.ui.forms import service_errors_to_form

VIEW, CHANGE = "programme.view_programme", "programme.change_programme"


def _programme() -> Programme:
    programme = the_programme()
    if programme is None:
        raise Http404("No programme is held yet")
    return programme


def _plan(programme: Programme, pk: int) -> ExitPlan:
    try:
        return selectors.exit_plan_get(programme=programme, pk=pk)
    except ExitPlan.DoesNotExist:
        raise Http404("No such exit plan") from None


def _task(plan: ExitPlan, pk: int) -> ExitTask:
    try:
        return selectors.exit_task_get(plan=plan, pk=pk)
    except ExitTask.DoesNotExist:
        raise Http404("No such task") from None


@require_perm(VIEW)
def exit_list(request):
    programme = _programme()
    as_at, as_at_error = as_at_from(request.GET.get("as_at"))
    rows = selectors.exit_rows(as_at, programme)
    return render(
        request,
        "programme/exits_list.html",
        {
            "programme": programme,
            "rows": rows,
            "flagged": [row for row in rows if row.outlook.red_flag],
            "as_at": as_at,
            "as_at_error": as_at_error,
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@require_perm(VIEW)
def exit_detail(request, pk: int):
    programme = _programme()
    plan = _plan(programme, pk)
    as_at, as_at_error = as_at_from(request.GET.get("as_at"))
    return render(
        request,
        "programme/exits_detail.html",
        {
            "programme": programme,
            "row": selectors.exit_row(plan, as_at),
            "as_at": as_at,
            "as_at_error": as_at_error,
            "can_change": request.user.has_perm(CHANGE),
        },
    )


def _plan_form_page(request, programme: Programme, plan: ExitPlan | None):
    initial = (
        {"contract": plan.contract_id, "procurement": plan.procurement_id, "summary": plan.summary} if plan else {}
    )
    form = ExitPlanForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.exit_plan_save(programme=programme, plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Exit plan of {saved.contract.reference} saved.")
            return redirect("exit-detail", saved.pk)
    return render(request, "programme/exits_plan_form.html", {"form": form, "plan": plan, "programme": programme})


@require_perm(CHANGE)
def exit_create(request):
    return _plan_form_page(request, _programme(), None)


@require_perm(CHANGE)
def exit_edit(request, pk: int):
    programme = _programme()
    return _plan_form_page(request, programme, _plan(programme, pk))


def _task_form_page(request, plan: ExitPlan, task: ExitTask | None):
    initial = {"area": task.area, "title": task.title, "owner": task.owner, "due_on": task.due_on} if task else {}
    form = ExitTaskForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.exit_task_save(plan=plan, task=task, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Task {form.cleaned_data['title']} saved.")
            return redirect("exit-detail", plan.pk)
    return render(request, "programme/exits_task_form.html", {"form": form, "plan": plan, "task": task})


@require_perm(CHANGE)
def exit_task_create(request, pk: int):
    return _task_form_page(request, _plan(_programme(), pk), None)


@require_perm(CHANGE)
def exit_task_edit(request, pk: int, task_pk: int):
    plan = _plan(_programme(), pk)
    return _task_form_page(request, plan, _task(plan, task_pk))


@require_perm(CHANGE)
def exit_task_state(request, pk: int, task_pk: int):
    plan = _plan(_programme(), pk)
    task = _task(plan, task_pk)
    form = ExitTaskStateForm(
        request.POST if request.method == "POST" else None, initial={"state": task.state, "done_on": task.done_on}
    )
    if request.method == "POST" and form.is_valid():
        state = form.cleaned_data["state"]
        # A day typed in and then another state chosen is not an error worth stopping for: only done keeps it.
        done_on = form.cleaned_data["done_on"] if state == ExitTask.State.DONE else None
        try:
            services.exit_task_state_set(task=task, state=state, done_on=done_on, by=request.user)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Task {task.title} is {task.get_state_display().lower()}.")
            return redirect("exit-detail", plan.pk)
    return render(request, "programme/exits_task_state_form.html", {"form": form, "plan": plan, "task": task})


urlpatterns = [
    path("exits/", exit_list, name="exit-list"),
    path("exits/new/", exit_create, name="exit-create"),
    path("exits/<int:pk>/", exit_detail, name="exit-detail"),
    path("exits/<int:pk>/edit/", exit_edit, name="exit-edit"),
    path("exits/<int:pk>/tasks/new/", exit_task_create, name="exit-task-create"),
    path("exits/<int:pk>/tasks/<int:task_pk>/", exit_task_edit, name="exit-task-edit"),
    path("exits/<int:pk>/tasks/<int:task_pk>/state/", exit_task_state, name="exit-task-state"),
]
