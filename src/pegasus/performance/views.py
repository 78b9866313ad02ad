"""Performance pages: thin views that parse input, call one selector or service, and render."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from pegasus.core.access import require_perm
from pegasus.core.audit import audit_record
from pegasus.core.classification import highest, marking
from pegasus.core.exceptions import PegasusError
from pegasus.estate.selectors import contracting_authorities, contracts_visible_to
from pegasus.performance import charts, exports, selectors, services
from pegasus.performance.forms import (
    PRIORITIES,
    GroupMappingForm,
    KpiForm,
    RatingRulesForm,
    SlaForm,
    TicketUploadForm,
)
from pegasus.performance.models import ContractKpi, TicketUpload, UploadStatus
from pegasus.performance.rating import Rating
from pegasus.ui.forms import service_errors_to_form


def _marking(contracts) -> str:
    return marking(*highest([(c.classification, c.classification_descriptor) for c in contracts]))


def _dataset(request) -> TicketUpload | None:
    """The stored dataset the page is asked to read (`?dataset=`), else the current one; 404 for any other value."""
    try:
        return selectors.dataset_asked(request.GET.get("dataset"))
    except TicketUpload.DoesNotExist as exc:
        raise Http404(str(exc)) from None


def _reading(request, upload: TicketUpload | None) -> dict:
    """What a report page needs to say which dataset it reads and to offer the others; `dataset_query` carries a
    dataset other than the current one on to the pages it links to."""
    stored = list(selectors.stored_uploads()[: selectors.DATASETS_LISTED])
    current = stored[0] if stored else None
    asked = upload is not None and current is not None and upload.pk != current.pk
    return {
        "upload": upload,
        "stored_datasets": stored,
        "dataset_is_current": not asked,
        "dataset_query": f"?dataset={upload.pk}" if asked and upload else "",
    }


@require_perm("performance.view_performance")
def overview(request):
    upload, rows = selectors.performance_overview(user=request.user, upload=_dataset(request))
    return render(
        request,
        "performance/overview.html",
        {
            **_reading(request, upload),
            "nothing_matched": upload is not None and not any(c.results for r in rows for c in r.contracts),
            "rows": rows,
            "ratings": list(Rating),
            "page_marking": _marking([c.contract for r in rows for c in r.contracts]),
            "can_upload": request.user.has_perm("performance.upload_tickets"),
            "can_change_rules": request.user.has_perm("performance.change_rating_rules"),
            "authorities": selectors.authorities_with_rules(),
        },
    )


def _supplier(request, pk: int):
    try:
        return selectors.supplier_performance(user=request.user, pk=pk, upload=_dataset(request))
    except ObjectDoesNotExist:
        # Another supplier is answered exactly like a missing one: its existence is not disclosed.
        raise Http404("No such supplier") from None


@require_perm("performance.view_performance")
def supplier_page(request, pk: int):
    supplier, upload, performances = _supplier(request, pk)
    sections = [
        {
            "performance": p,
            "attainment": charts.attainment_chart(
                f"attainment-{p.contract.pk}", f"{p.contract.reference}: monthly attainment against target", p.results
            ),
            "credits": charts.credits_chart(
                f"credits-{p.contract.pk}", f"{p.contract.reference}: service credits due by month", p.credits
            ),
        }
        for p in performances
    ]
    return render(
        request,
        "performance/supplier.html",
        {
            **_reading(request, upload),
            "supplier": supplier,
            "sections": sections,
            "credits_total": sum((p.credits_total for p in performances), Decimal(0)),
            "page_marking": _marking([p.contract for p in performances]),
        },
    )


@require_perm("performance.view_performance")
def supplier_export(request, pk: int, fmt: str):
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    supplier, upload, performances = _supplier(request, pk)
    page_marking = _marking([p.contract for p in performances])
    audit_record(
        action="performance.export",
        by=request.user,
        obj=supplier,
        summary=f"Exported the performance of {supplier.name} as {fmt.upper()}",
        data={"dataset": upload.dataset if upload else None},
    )
    filename = f"pegasus-performance-{supplier.pk}"
    if fmt == "csv":
        return exports.performance_csv(performances, filename=filename, marking=page_marking)
    heading = f"Performance of {supplier.name}" + (f", dataset {upload.dataset}" if upload else "")
    return exports.performance_xlsx(performances, filename=filename, heading=heading, marking=page_marking)


@require_perm("performance.view_performance")
def scorecard(request, pk: int):
    try:
        contract, upload, performance = selectors.contract_scorecard(user=request.user, pk=pk, upload=_dataset(request))
    except ObjectDoesNotExist:
        raise Http404("No such contract") from None
    thresholds = selectors.thresholds_for(contract.authority_id)
    return render(
        request,
        "performance/scorecard.html",
        {
            **_reading(request, upload),
            "contract": contract,
            "performance": performance,
            "thresholds": thresholds,
            "page_marking": contract.marking,
            "can_change_sla": request.user.has_perm("performance.change_sla"),
            "kpis": selectors.kpi_report_of(contract, performance),
            "kpis_required": selectors.kpis_required(contract),
            "kpis_at_least": selectors.KPIS_AT_LEAST,
            "can_change_kpis": request.user.has_perm("performance.change_kpis"),
        },
    )


def _kpi_contract(request, pk: int):
    return get_object_or_404(contracts_visible_to(request.user).select_related("supplier"), pk=pk)


def _kpi_form_page(request, contract, kpi: ContractKpi | None):
    sla = selectors.sla_of(contract)
    targets = list(sla.targets.all()) if sla else []
    initial = {"name": kpi.name, "description": kpi.description, "sla_priority": kpi.sla_priority} if kpi else {}
    form = KpiForm(request.POST or None, initial=initial, targets=targets, current=kpi.sla_priority if kpi else None)
    if request.method == "POST" and form.is_valid():
        try:
            if kpi is None:
                saved = services.kpi_create(contract=contract, by=request.user, **form.cleaned_data)
            else:
                saved = services.kpi_update(kpi=kpi, by=request.user, **form.cleaned_data)
        except (ValidationError, PegasusError) as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"KPI {saved.name!r} saved")
            return redirect("performance-scorecard", pk=contract.pk)
    return render(
        request,
        "performance/kpi_form.html",
        {"contract": contract, "kpi": kpi, "form": form, "page_marking": contract.marking},
    )


@require_perm("performance.change_kpis")
def kpi_create(request, pk: int):
    return _kpi_form_page(request, _kpi_contract(request, pk), None)


@require_perm("performance.change_kpis")
def kpi_edit(request, pk: int, kpi_pk: int):
    contract = _kpi_contract(request, pk)
    return _kpi_form_page(request, contract, get_object_or_404(ContractKpi, contract=contract, pk=kpi_pk))


@require_perm("performance.change_kpis")
def kpi_delete(request, pk: int, kpi_pk: int):
    contract = _kpi_contract(request, pk)
    kpi = get_object_or_404(ContractKpi, contract=contract, pk=kpi_pk)
    if request.method == "POST":
        services.kpi_delete(kpi=kpi, by=request.user)
        messages.success(request, f"KPI {kpi.name!r} removed")
        return redirect("performance-scorecard", pk=contract.pk)
    return render(
        request, "performance/kpi_delete.html", {"contract": contract, "kpi": kpi, "page_marking": contract.marking}
    )


@require_perm("performance.change_kpis")
def kpis_from_sla(request, pk: int):
    """Set a KPI for each SLA target not yet one; the page first lists what it would set."""
    contract = _kpi_contract(request, pk)
    if request.method == "POST":
        created = services.kpis_from_sla(contract, request.user)
        messages.success(request, f"{len(created)} KPI(s) set from the SLA of {contract.reference}")
        return redirect("performance-scorecard", pk=contract.pk)
    return render(
        request,
        "performance/kpis_from_sla.html",
        {
            "contract": contract,
            "sla": selectors.sla_of(contract),
            "pending": [selectors.sla_kpi_name(t) for t in selectors.sla_kpis_pending(contract)],
            "page_marking": contract.marking,
        },
    )


def _initial(sla) -> dict:
    if sla is None:
        return {"service_days": ["mon", "tue", "wed", "thu", "fri"], "service_start": "08:00", "service_end": "18:00"}
    initial = {
        "monthly_charge": sla.monthly_charge,
        "credit_cap_percent": sla.credit_cap_percent,
        "ticket_service": sla.ticket_service,
        "service_days": sla.service_days.split(","),
        "service_start": sla.service_start.strftime("%H:%M"),
        "service_end": sla.service_end.strftime("%H:%M"),
        "exclude_bank_holidays": sla.exclude_bank_holidays,
    }
    for target in sla.targets.all():
        p = target.priority
        initial |= {
            f"p{p}_hours": target.resolve_within_hours,
            f"p{p}_clock": target.clock,
            f"p{p}_target": target.attainment_target,
            f"p{p}_credit": target.credit_percent,
        }
    return initial


# Where the SLA service's error on a priority's target is shown.


@require_perm("performance.change_sla")
def sla_edit(request, pk: int):
    contract = get_object_or_404(contracts_visible_to(request.user).select_related("supplier"), pk=pk)
    sla = selectors.sla_of(contract)
    form = SlaForm(request.POST or None, initial=_initial(sla))
    extra_errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        targets = [
            services.TargetSpec(
                priority=p,
                resolve_within_hours=data[f"p{p}_hours"],
                clock=data[f"p{p}_clock"] or "24x7",
                attainment_target=data[f"p{p}_target"],
                credit_percent=data[f"p{p}_credit"],
            )
            for p in PRIORITIES
            if data.get(f"p{p}_hours") is not None
        ]
        try:
            services.sla_save(
                contract=contract,
                monthly_charge=data["monthly_charge"],
                credit_cap_percent=data["credit_cap_percent"],
                ticket_service=data["ticket_service"],
                service_days=",".join(data["service_days"]),
                service_start=data["service_start"],
                service_end=data["service_end"],
                exclude_bank_holidays=data["exclude_bank_holidays"],
                targets=targets,
                by=request.user,
            )
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        except PegasusError as exc:
            extra_errors.append({"message": str(exc), "anchor": "id_p1_hours"})
        else:
            messages.success(request, f"SLA of {contract.reference} saved")
            return redirect("performance-scorecard", pk=contract.pk)
    return render(
        request,
        "performance/sla_form.html",
        {"contract": contract, "form": form, "sla": sla, "extra_errors": extra_errors},
    )


@require_perm("performance.view_performance")
def handoffs(request):
    upload, found = selectors.handoffs_view(user=request.user, upload=_dataset(request))
    return render(request, "performance/handoffs.html", {**_reading(request, upload), "handoffs": found})


@require_perm("performance.upload_tickets")
def upload_page(request):
    form = TicketUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.ticket_upload_create(
                file=form.cleaned_data["file"], second_file=form.cleaned_data["second_file"], by=request.user
            )
        except (ValidationError, PegasusError) as exc:
            service_errors_to_form(form, exc)
        else:
            return redirect("performance-upload-detail", pk=upload.pk)
    return render(
        request,
        "performance/upload.html",
        {"form": form, "uploads": selectors.upload_list(), "stored": list(selectors.stored_uploads())},
    )


def _upload(pk: int) -> TicketUpload:
    try:
        return selectors.upload_detail(pk=pk)
    except TicketUpload.DoesNotExist:
        raise Http404("No such upload") from None


@require_perm("performance.upload_tickets")
def upload_detail(request, pk: int):
    upload = _upload(pk)
    stored = upload.status == UploadStatus.SUCCEEDED and upload.dataset
    current = selectors.current_upload() if stored else None
    return render(
        request,
        "performance/upload_detail.html",
        {
            "upload": upload,
            "coverage": selectors.dataset_coverage(user=request.user, upload=upload) if stored else None,
            "is_current": current is not None and current.pk == upload.pk,
        },
    )


@require_perm("performance.upload_tickets")
def upload_progress(request, pk: int):
    """The progress fragment that htmx polls every second until the upload is finished or waits for the user; then
    the whole page is loaded again, to show what follows (the mapping, or what the reports read)."""
    upload = _upload(pk)
    response = render(request, "performance/includes/upload_progress.html", {"upload": upload})
    if upload.is_waiting and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_perm("performance.upload_tickets")
def upload_mapping(request, pk: int):
    """The export's assignment groups, each with a select of the supplier or contract its tickets belong to; once
    mapped, the mapping the upload was converted with."""
    upload = _upload(pk)
    if upload.status != UploadStatus.MAPPING:
        return render(request, "performance/upload_mapping.html", {"upload": upload, "form": None})
    form = GroupMappingForm(
        request.POST or None,
        groups=[(group, tickets) for group, tickets in upload.groups],
        targets=selectors.mapping_targets(user=request.user),
        saved=selectors.group_mappings(upload.source),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_upload_map(upload=upload, choices=form.choices(), by=request.user)
        except (ValidationError, PegasusError) as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, "Mapping saved: the export is being converted")
            return redirect("performance-upload-detail", pk=upload.pk)
    return render(request, "performance/upload_mapping.html", {"upload": upload, "form": form})


@require_perm("performance.upload_tickets")
def dataset_choose(request, pk: int):
    """Make a stored dataset the one the performance pages read (POST only)."""
    upload = _upload(pk)
    if request.method != "POST":
        return redirect("performance-upload-detail", pk=upload.pk)
    try:
        services.dataset_choose(upload=upload, by=request.user)
    except PegasusError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The performance pages now read {upload.original_name}")
    return redirect("performance-upload-detail", pk=upload.pk)


@require_perm("performance.change_rating_rules")
def rating_rules(request, pk: int):
    authority = get_object_or_404(contracting_authorities(), pk=pk)
    current = selectors.thresholds_for(authority.pk)
    form = RatingRulesForm(
        request.POST or None,
        initial={"approaching_points": current.approaching_points, "improvement_points": current.improvement_points},
    )
    extra_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_rules_save(authority=authority, by=request.user, **form.cleaned_data)
        except PegasusError as exc:
            extra_errors.append({"message": str(exc), "anchor": "id_improvement_points"})
        else:
            messages.success(request, f"Rating rules of {authority.short_name or authority.name} saved")
            return redirect("performance-overview")
    return render(
        request,
        "performance/rating_rules.html",
        {"authority": authority, "form": form, "extra_errors": extra_errors},
    )
