"""Estate pages: thin views that parse input, call one selector or service, and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pegasus.core import clock
from pegasus.core.access import check_object_perm, require_perm
from pegasus.core.audit import audit_record
from pegasus.core.classification import highest, marking
from pegasus.core.exceptions import PegasusError
from pegasus.core.models import AuditEvent
from pegasus.core.query import bounded_query, query_date, query_page
from pegasus.estate import exports, selectors, services
from pegasus.estate.charts import spend_chart
from pegasus.estate.forms import ChangeForm, ContractFilterForm, ContractForm, RationaleForm, SupplierForm
from pegasus.estate.models import Contract, ContractChange, ExtensionOption, Supplier
from pegasus.governance import selectors as governance_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.procurement.law import Regime
from pegasus.procurement.modification import GROUNDS
from pegasus.ui.forms import service_errors_to_form

PER_PAGE = 50


def _as_at(request):
    """The as-at date of a page with no form to explain it in: out of bounds is a 400 (`bounded_query`)."""
    return query_date(request.GET, "as_at", label=clock.AS_AT_LABEL) or clock.default_as_at()


def _filters(request) -> tuple[ContractFilterForm, selectors.ContractFilters]:
    towers, suppliers = selectors.filter_choices(request.user)
    form = ContractFilterForm(request.GET or None, towers=towers, suppliers=suppliers)
    if not form.is_valid():
        return form, selectors.ContractFilters()
    data = form.cleaned_data
    return form, selectors.ContractFilters(
        q=data["q"].strip(),
        tower=data["tower"],
        supplier=int(data["supplier"]) if data["supplier"] else None,
        status=data["status"],
        tier=int(data["tier"]) if data["tier"] else None,
        expiring_within=int(data["expiring"]) if data["expiring"] else None,
        sort=data["sort"] or "reference",
        descending=data["dir"] == "desc",
    )


def _page_marking(contracts) -> str:
    return marking(*highest([(c.classification, c.classification_descriptor) for c in contracts]))


@require_perm("estate.view_estate")
@bounded_query
def contract_list(request):
    form, filters = _filters(request)
    # The filter form explains a bad as-at date beside its field; the list is read as at today meanwhile.
    as_at = clock.as_at_from(request.GET.get("as_at"))[0]
    page_number = query_page(request.GET)
    rows, total = selectors.contract_list(
        user=request.user, filters=filters, as_at=as_at, page=page_number, per_page=PER_PAGE
    )
    paginator = Paginator(range(total), PER_PAGE)
    page = paginator.get_page(page_number)
    return render(
        request,
        "estate/contract_list.html",
        {
            "form": form,
            "filters": filters,
            "rows": rows,
            "total": total,
            "page": page,
            "as_at": as_at,
            "page_marking": _page_marking([r.contract for r in rows]),
            "can_add": request.user.has_perm("estate.add_contract"),
            "columns": [
                ("reference", "Reference"),
                ("title", "Title"),
                ("supplier", "Supplier"),
                (None, "Towers"),
                ("tier", "Tier"),
                ("value", "Total value"),
                ("end", "Current end"),
                (None, "Decision due"),
            ],
        },
    )


@require_perm("estate.view_estate")
@bounded_query
def contract_export(request, fmt: str):
    _, filters = _filters(request)
    as_at = _as_at(request)
    rows = selectors.all_contract_rows(user=request.user, filters=filters, as_at=as_at)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    audit_record(
        action="contract.export",
        by=request.user,
        summary=f"Exported {len(rows)} contracts as {fmt.upper()}",
        data={"query": request.GET.urlencode(), "references": [r.contract.reference for r in rows][:1000]},
    )
    if fmt == "csv":
        return exports.contracts_csv(rows, as_at)
    return exports.contracts_xlsx(rows, as_at, marking=_page_marking([r.contract for r in rows]))


def _visible_contract(request, pk: int) -> Contract:
    try:
        contract = selectors.contract_detail(user=request.user, pk=pk)
    except Contract.DoesNotExist:
        # Another supplier's contract is answered exactly like a missing one: its existence is not disclosed.
        raise Http404("No such contract") from None
    check_object_perm(request.user, "estate.view_contract", contract)
    return contract


@require_perm("estate.view_estate")
@bounded_query
def contract_detail(request, pk: int):
    contract = _visible_contract(request, pk)
    as_at = _as_at(request)
    terms = contract.terms()
    row = selectors.contract_row(contract, as_at, terms)
    spend = selectors.contract_spend(contract)
    spent = sum((s.amount for s in spend), start=type(contract.total_value)(0))
    history = selectors.contract_history(contract, as_at)
    events = list(
        AuditEvent.objects.filter(
            object_type="estate.contract", object_id=str(contract.pk), at__lte=clock.as_at_end(as_at)
        ).select_related("actor")[:20]
    )
    return render(
        request,
        "estate/contract_detail.html",
        {
            "contract": contract,
            "row": row,
            "as_at": as_at,
            "spend": spend,
            "spent": spent,
            "spent_percent": (spent / contract.total_value * 100).quantize(type(spent)("0.1"))
            if contract.total_value
            else None,
            "chart": spend_chart("spend-chart", spend, contract.total_value) if spend else None,
            "history": history,
            "events": events,
            "page_marking": contract.marking,
            "can_change": request.user.has_perm("estate.change_contract", contract),
            **_changes_context(request, contract, as_at, terms),
            **_decisions_context(request, contract),
            **_replacement_risk_context(request, contract, as_at),
        },
    )


def _decisions_context(request, contract: Contract) -> dict:
    """The decisions concerning the contract or authorising its changes: staff only, never supplier users."""
    if not request.user.has_perm("governance.view_decision"):
        return {"can_view_decisions": False}
    return {"can_view_decisions": True, "decisions": list(governance_selectors.decisions_concerning_contract(contract))}


def _changes_context(request, contract: Contract, as_at, terms) -> dict:
    if not request.user.has_perm("estate.view_changes", contract):
        return {"can_view_changes": False}
    changes = list(selectors.contract_changes(contract, as_at).prefetch_related("notices"))
    return {
        "can_view_changes": True,
        "changes": [(change, selectors.change_verdict(change)) for change in changes],
        "current": selectors.contract_current(contract, as_at, terms),
        "can_approve_change": request.user.has_perm("estate.approve_change", contract),
        "can_record_rationale": request.user.has_perm("estate.record_change_rationale", contract),
        "can_draft_notice": request.user.has_perm("publication.draft_notice"),
        "rationale_form": RationaleForm(),
    }


def _contract_form_page(request, contract: Contract | None):
    towers = list(selectors.towers())
    form = ContractForm(request.POST or None, instance=contract, towers=towers)
    if request.method == "POST" and form.is_valid():
        try:
            if contract is None:
                saved = services.contract_create(
                    towers=form.tower_shares(), options=form.option_specs(), by=request.user, **form.contract_fields()
                )
                messages.success(request, f"Contract {saved.reference} created")
            else:
                saved = services.contract_update(
                    contract=contract,
                    towers=form.tower_shares(),
                    options=form.option_specs(),
                    by=request.user,
                    **form.contract_fields(),
                )
                messages.success(request, f"Contract {saved.reference} saved")
            return redirect("contract-detail", pk=saved.pk)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
    return render(request, "estate/contract_form.html", {"form": form, "contract": contract})


@require_perm("estate.add_contract")
def contract_create(request):
    return _contract_form_page(request, None)


@require_perm("estate.view_estate")
def contract_edit(request, pk: int):
    contract = _visible_contract(request, pk)
    check_object_perm(request.user, "estate.change_contract", contract)
    return _contract_form_page(request, contract)


@require_POST
@require_perm("estate.view_estate")
def option_decide(request, pk: int, option_pk: int, decision: str):
    contract = _visible_contract(request, pk)
    check_object_perm(request.user, "estate.change_contract", contract)
    option = get_object_or_404(ExtensionOption, pk=option_pk, contract=contract)
    kind = {"exercise": ContractChange.Kind.OPTION_EXERCISE, "lapse": ContractChange.Kind.OPTION_LAPSE}.get(decision)
    if kind is None:
        raise Http404
    # An option is exercised or lapses only as a contract change, approved as every change is.
    try:
        services.option_change_propose(option=option, kind=kind, by=request.user)
        messages.success(
            request,
            f"Option {option.sequence}: a change to {'exercise it' if decision == 'exercise' else 'let it lapse'} "
            "is proposed; it takes effect once approved and made effective under Changes",
        )
    except (PegasusError, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("contract-detail", pk=contract.pk)


def _change_form(request, contract: Contract, data=None) -> ChangeForm:
    return ChangeForm(
        data,
        options=contract.options.filter(state="available").order_by("sequence"),
        grounds=GROUNDS[Regime(selectors.regime_of(contract))],
        decisions=governance_selectors.decision_list(),
    )


@require_perm("estate.view_estate")
def change_create(request, pk: int):
    contract = _visible_contract(request, pk)
    check_object_perm(request.user, "estate.change_contract", contract)
    form = _change_form(request, contract, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        option = contract.options.filter(pk=data["option"]).first() if data["option"] else None
        chosen = governance_selectors.decision_list().filter(pk=data["decision"]).first() if data["decision"] else None
        value = data["value"] or type(contract.total_value)(0)
        try:
            services.change_propose(
                contract=contract,
                kind=data["kind"],
                option=option,
                reason=data["reason"],
                effective_on=data["effective_on"],
                value=value,
                value_change=value if data["kind"] == ContractChange.Kind.VARIATION else type(value)(0),
                term_change_months=data["term_change_months"] or 0,
                scope=data["scope"],
                ground=data["ground"],
                termination_date=data["termination_date"],
                termination_reason=data["termination_reason"],
                decision=chosen,
                by=request.user,
            )
            messages.success(request, "Change proposed")
            return redirect("contract-detail", pk=contract.pk)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
    return render(
        request,
        "estate/change_form.html",
        {"form": form, "contract": contract, "regime": selectors.regime_of(contract), "page_marking": contract.marking},
    )


CHANGE_ACTIONS = {
    "approve": ("estate.approve_change", services.change_approve, "approved"),
    "effective": ("estate.change_contract", services.change_make_effective, "made effective"),
    "withdraw": ("estate.change_contract", services.change_withdraw, "withdrawn"),
}


@require_POST
@require_perm("estate.view_estate")
def change_act(request, pk: int, change_pk: int, action: str):
    contract = _visible_contract(request, pk)
    if action not in CHANGE_ACTIONS and action != "rationale":
        raise Http404
    check_object_perm(request.user, "estate.view_changes", contract)
    try:
        change = selectors.change_get(contract=contract, pk=change_pk)
    except ContractChange.DoesNotExist:
        raise Http404 from None
    try:
        if action == "rationale":
            check_object_perm(request.user, "estate.record_change_rationale", contract)
            form = RationaleForm(request.POST)
            services.change_rationale_record(
                change=change, rationale=form.data.get("legal_rationale", ""), by=request.user
            )
            messages.success(request, "Legal's rationale recorded")
        else:
            perm, act, done = CHANGE_ACTIONS[action]
            check_object_perm(request.user, perm, contract)
            act(change=change, by=request.user)
            messages.success(request, f"Change {done}")
    except (PegasusError, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("contract-detail", pk=contract.pk)


@require_perm("estate.view_estate")
def supplier_list(request):
    suppliers = selectors.supplier_list(user=request.user)
    return render(
        request,
        "estate/supplier_list.html",
        {"suppliers": suppliers, "can_add": request.user.has_perm("estate.add_supplier")},
    )


@require_perm("estate.view_estate")
@bounded_query
def supplier_detail(request, pk: int):
    try:
        supplier = selectors.supplier_detail(user=request.user, pk=pk)
    except Supplier.DoesNotExist:
        raise Http404("No such supplier") from None
    check_object_perm(request.user, "estate.view_supplier", supplier)
    as_at = _as_at(request)
    rows, total = selectors.contract_list(
        user=request.user, filters=selectors.ContractFilters(supplier=supplier.pk), as_at=as_at, per_page=500
    )
    return render(
        request,
        "estate/supplier_detail.html",
        {
            "supplier": supplier,
            "rows": rows,
            "as_at": as_at,
            "total_value": sum(r.contract.total_value for r in rows),
            "can_change": request.user.has_perm("estate.change_supplier", supplier),
            "page_marking": _page_marking([r.contract for r in rows]),
        },
    )


def _supplier_form_page(request, supplier: Supplier | None):
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        if supplier is None:
            saved = services.supplier_create(by=request.user, **form.cleaned_data)
        else:
            saved = services.supplier_update(supplier=supplier, by=request.user, **form.cleaned_data)
        messages.success(request, f"Supplier {saved.name} saved")
        return redirect("supplier-detail", pk=saved.pk)
    return render(request, "estate/supplier_form.html", {"form": form, "supplier": supplier})


@require_perm("estate.add_supplier")
def supplier_create(request):
    return _supplier_form_page(request, None)


@require_perm("estate.change_supplier")
def supplier_edit(request, pk: int):
    return _supplier_form_page(request, get_object_or_404(Supplier, pk=pk))


@require_perm("estate.view_estate")
def tower_list(request):
    return render(
        request,
        "estate/tower_list.html",
        {"towers": selectors.towers(), "interfaces": selectors.interfaces(request.user)},
    )


def _replacement_risk_context(request, contract: Contract, as_at) -> dict:
    """The odds that the procurements replacing the contract are in place in time: for those who see procurements."""
    if not request.user.has_perm("procurement.view_procurement"):
        return {"replacement_risks": []}
    return {"replacement_risks": procurement_selectors.replacement_risks(contract, as_at=as_at)}
