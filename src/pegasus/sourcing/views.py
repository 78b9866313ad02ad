"""Scenario pages: thin views that parse input, call one selector or service, and render.

Every page carries OFFICIAL-SENSITIVE [COMMERCIAL]: scenarios set suppliers' market prices side by side.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from pegasus.core import intake, spreadsheets
from pegasus.core.access import require_perm
from pegasus.core.exceptions import ImportRejected, PegasusError
from pegasus.sourcing import exports, selectors, services
from pegasus.sourcing.charts import tradeoff_chart
from pegasus.sourcing.comparison import plain_summary
from pegasus.sourcing.forms import ManualForm, OptimiseForm, PolicyForm
from pegasus.sourcing.imports import MARKET_PRICES, PRICE_COLUMNS, market_prices_import, template_xlsx
from pegasus.sourcing.models import SCENARIO_MARKING, Scenario
from pegasus.ui.forms import service_errors_to_form
from pegasus.ui.imports import ImportForm, rejected_errors

MAX_COMPARED = 4


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"page_marking": SCENARIO_MARKING, **context}, status=status)


@require_perm("sourcing.view_scenario")
def scenario_list(request):
    views = selectors.scenario_views(selectors.scenario_list())
    return _render(request, "sourcing/scenario_list.html", {"views": views})


@require_perm("sourcing.view_scenario")
def scenario_detail(request, pk: int):
    scenario = get_object_or_404(selectors.scenario_list(), pk=pk)
    return _render(
        request,
        "sourcing/scenario_detail.html",
        {"view": selectors.scenario_view(scenario), "run": selectors.latest_run(scenario)},
    )


@require_perm("sourcing.view_scenario")
def scenario_progress(request, pk: int):
    scenario = get_object_or_404(Scenario, pk=pk)
    response = _render(request, "sourcing/progress.html", {"scenario": scenario, "run": selectors.latest_run(scenario)})
    if scenario.is_settled and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the lots and figures are there now: show the whole page
    return response


@require_perm("sourcing.add_scenario")
def scenario_create(request):
    towers = selectors.towers_in_scope()
    suppliers = selectors.suppliers_with_market_prices()
    form = ManualForm(request.POST or None, towers=towers, suppliers=suppliers)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                lots=form.lots(),
                by=request.user,
                **form.policy(),
            )
        except (PegasusError, ValidationError) as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Scenario {scenario.name} saved.")
            return redirect("scenario-detail", pk=scenario.pk)
    return _render(request, "sourcing/scenario_form.html", {"form": form, "manual": True})


@require_perm("sourcing.add_scenario")
def scenario_optimise(request):
    form = OptimiseForm(request.POST or None, towers=selectors.towers_in_scope())
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_optimise(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                time_limit=form.cleaned_data["time_limit"],
                by=request.user,
                **form.policy(),
            )
        except (PegasusError, ValidationError) as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Scenario {scenario.name} is queued for optimisation.")
            return redirect("scenario-detail", pk=scenario.pk)
    return _render(request, "sourcing/scenario_form.html", {"form": form, "manual": False})


@require_perm("sourcing.add_scenario")
def scenario_baseline(request):
    form = PolicyForm(
        request.POST or None,
        towers=selectors.towers_in_scope(),
        initial={"name": f"Baseline {Scenario.objects.count() + 1}"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_baseline_create(
                name=form.cleaned_data["name"], by=request.user, **form.policy()
            )
        except (PegasusError, ValidationError) as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"Scenario {scenario.name} saved from today's contracts.")
            return redirect("scenario-detail", pk=scenario.pk)
    return _render(request, "sourcing/scenario_baseline.html", {"form": form})


@require_perm("sourcing.choose_scenario")
def scenario_choose(request, pk: int):
    scenario = get_object_or_404(Scenario, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.scenario_choose(scenario=scenario, by=request.user)
        except PegasusError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{scenario.name} is now the lot structure procurement starts from.")
            return redirect("scenario-detail", pk=scenario.pk)
    chosen = Scenario.objects.filter(chosen=True).exclude(pk=scenario.pk).first()
    return _render(
        request,
        "sourcing/scenario_choose.html",
        {"scenario": scenario, "chosen": chosen, "error": error},
        status=409 if error else 200,
    )


@require_perm("sourcing.view_scenario")
def scenario_compare(request):
    scenarios = selectors.scenario_list()
    wanted = [int(pk) for pk in request.GET.getlist("s") if pk.isdigit()]
    everything = list(scenarios)
    picked = [s for s in everything if s.pk in wanted] if wanted else everything
    views = [v for v in selectors.scenario_views(picked[:MAX_COMPARED]) if v.figures is not None]
    summary = plain_summary([(v.scenario.name, v.figures) for v in views if v.figures is not None])
    cheapest = min((v.figures.total for v in views), default=None)
    # The trade-off is drawn around the cheapest scenario that has one (optimised scenarios do).
    swept = [v for v in views if v.scenario.tradeoff and v.figures is not None]
    sweep = min(swept, key=lambda v: v.figures.total).scenario if swept else None
    chart = (
        tradeoff_chart(
            "tradeoff",
            sweep.tradeoff,
            lot_fixed_cost=sweep.lot_fixed_cost,
            scenarios=[(v.scenario.name, v.figures) for v in views if v.figures is not None],
        )
        if sweep
        else None
    )
    return _render(
        request,
        "sourcing/scenario_compare.html",
        {
            "views": views,
            "summary": summary,
            "all": everything,
            "wanted": wanted or [v.scenario.pk for v in views],
            "cheapest": cheapest,
            "chart": chart,
            "sweep": sweep,
        },
    )


@require_perm("sourcing.view_scenario")
def scenario_export(request, pk: int, fmt: str):
    scenario = get_object_or_404(selectors.scenario_list(), pk=pk)
    view = selectors.scenario_view(scenario)
    slug = f"pegasus-scenario-{scenario.pk}"
    if fmt == "json":
        response = HttpResponse(exports.scenario_json(view), content_type="application/json")
    elif fmt == "xlsx":
        response = HttpResponse(exports.scenario_xlsx(view), content_type=spreadsheets.XLSX_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{slug}.{fmt}"'
    return response


@require_perm("sourcing.view_scenario")
def market_prices(request):
    can_import = request.user.has_perm("sourcing.import_market_prices")
    form = ImportForm(kind=MARKET_PRICES) if can_import else None
    extra_errors: list[dict] = []
    if request.method == "POST":
        if not can_import:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES, kind=MARKET_PRICES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = market_prices_import(filename=upload.name, data=upload.read(), by=request.user)
            except ImportRejected as exc:
                extra_errors = rejected_errors(form, upload.name, exc)
            else:
                messages.success(request, f"Market prices imported from {intake.shortened(upload.name)}: {result}.")
                return redirect("market-prices")
    return _render(
        request,
        "sourcing/market_prices.html",
        {
            "prices": selectors.market_prices(),
            "form": form,
            "columns": PRICE_COLUMNS,
            "extra_errors": extra_errors,
        },
    )


@require_perm("sourcing.import_market_prices")
def market_price_template(request):
    response = HttpResponse(template_xlsx(), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="pegasus-market-prices-template.xlsx"'
    return response
