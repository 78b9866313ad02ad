"""Estate endpoints: suppliers, towers, contracts and spend.

Each endpoint checks the same django-rules permission as the page it mirrors, calls one selector or service and
shapes the answer. An object the user may not see is answered exactly like a missing one (404); an action the
user's role may not take is refused (403).
"""

from datetime import date
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pegasus.api.schemas import (
    BoundedDate,
    ContractDetailOut,
    ContractFiltersIn,
    ContractIn,
    ContractOut,
    ContractPage,
    ContractPatch,
    Errors,
    Id,
    Message,
    MoneyOut,
    OptionIn,
    PageQuery,
    SpendFilters,
    SpendIn,
    SpendOut,
    SpendPage,
    SupplierFilters,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    SupplierSummary,
    TowerOut,
    TowerShareIn,
)
from pegasus.core import clock
from pegasus.core.access import check_object_perm
from pegasus.estate import selectors, services

NO_SUCH_CONTRACT = "No contract with id {id}."
NO_SUCH_SUPPLIER = "No supplier with id {id}."
NO_SUCH_ORGANISATION = "No organisation with id {id}."
NO_SUCH_TOWER = "No tower with code {code!r}."

# Documented on every operation so the OpenAPI document describes the error bodies.
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}
WRITE_ERRORS = {**READ_ERRORS, 400: Errors}

router = Router()


def _allow(request, perm: str, obj=None) -> None:
    """The one permission check (django-rules); PermissionDenied becomes 403."""
    check_object_perm(request.user, perm, obj)


def _window(items, page: PageQuery) -> tuple[list, int]:
    """One page of a queryset or list, and how many there are in all."""
    count = len(items) if isinstance(items, list) else items.count()
    return list(items[page.offset : page.offset + page.limit]), count


# --- Suppliers ---------------------------------------------------------------------------------------------


def _visible_supplier(request, pk: int):
    try:
        supplier = selectors.supplier_detail(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_SUPPLIER.format(id=pk)) from None
    _allow(request, "estate.view_supplier", supplier)
    return supplier


@router.get("/suppliers", response={200: list[SupplierSummary], **READ_ERRORS}, tags=["suppliers"])
def supplier_list(request, filters: Query[SupplierFilters]):
    """Suppliers the user may see, with how many contracts each holds and their total value."""
    _allow(request, "estate.view_estate")
    suppliers = selectors.supplier_list(user=request.user)
    if filters.q.strip():
        suppliers = suppliers.filter(name__icontains=filters.q.strip())
    if filters.sme is not None:
        suppliers = suppliers.filter(is_sme=filters.sme)
    return suppliers


@router.get("/suppliers/{supplier_id}", response={200: SupplierOut, **READ_ERRORS}, tags=["suppliers"])
def supplier_get(request, supplier_id: Id):
    _allow(request, "estate.view_estate")
    return _visible_supplier(request, supplier_id)


@router.post("/suppliers", response={201: SupplierOut, **WRITE_ERRORS}, tags=["suppliers"])
def supplier_create(request, payload: SupplierIn):
    """Add a supplier (commercial officers)."""
    _allow(request, "estate.add_supplier")
    return Status(201, services.supplier_create(by=request.user, **payload.dict()))


@router.patch("/suppliers/{supplier_id}", response={200: SupplierOut, **WRITE_ERRORS}, tags=["suppliers"])
def supplier_update(request, supplier_id: Id, payload: SupplierPatch):
    """Change a supplier's name, Companies House number or SME flag (commercial officers)."""
    _allow(request, "estate.view_estate")
    supplier = _visible_supplier(request, supplier_id)
    _allow(request, "estate.change_supplier", supplier)
    return services.supplier_update(supplier=supplier, by=request.user, **payload.dict(exclude_unset=True))


# --- Towers ------------------------------------------------------------------------------------------------


@router.get("/towers", response={200: list[TowerOut], **READ_ERRORS}, tags=["towers"])
def tower_list(request):
    """The service towers and other categories, in the order the estate is shown."""
    _allow(request, "estate.view_tower")
    return selectors.towers()


@router.get("/towers/{code}", response={200: TowerOut, **READ_ERRORS}, tags=["towers"])
def tower_get(request, code: str):
    _allow(request, "estate.view_tower")
    tower = selectors.towers().filter(code=code).first()
    if tower is None:
        raise Http404(NO_SUCH_TOWER.format(code=code))
    return tower


# --- Contracts ---------------------------------------------------------------------------------------------


def _visible_contract(request, pk: int):
    try:
        contract = selectors.contract_detail(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        # Another supplier's contract is answered exactly like a missing one: its existence is not disclosed.
        raise Http404(NO_SUCH_CONTRACT.format(id=pk)) from None
    _allow(request, "estate.view_contract", contract)
    return contract


def _detail(contract, as_at: date | None = None) -> ContractDetailOut:
    row = selectors.contract_row(contract, as_at or clock.default_as_at(), contract.terms())
    return ContractDetailOut.of(row)


def _tower_shares(items: list[TowerShareIn]) -> list[services.TowerShare]:
    towers = {tower.code: tower for tower in selectors.towers().filter(code__in=[i.code for i in items])}
    for item in items:
        if item.code not in towers:
            raise ValidationError({"towers": NO_SUCH_TOWER.format(code=item.code)})
    return [services.TowerShare(towers[i.code], i.share_percent) for i in items]


def _option_specs(items: list[OptionIn]) -> list[services.OptionSpec]:
    return [services.OptionSpec(length_months=i.length_months, state=i.state.value) for i in items]


def _with_related(request, fields: dict) -> dict:
    """Swap the ids of the supplier, authority and operating body for the objects, naming the field if unknown."""
    lookups = {
        "supplier": (selectors.suppliers_visible_to(request.user), NO_SUCH_SUPPLIER),
        "authority": (selectors.organisations(), NO_SUCH_ORGANISATION),
        "operating_body": (selectors.organisations(), NO_SUCH_ORGANISATION),
    }
    for name, (queryset, message) in lookups.items():
        if fields.get(name) is None:
            continue
        obj = queryset.filter(pk=fields[name]).first()
        if obj is None:
            raise ValidationError({name: message.format(id=fields[name])})
        fields[name] = obj
    return fields


@router.get("/contracts", response={200: ContractPage, **READ_ERRORS}, tags=["contracts"])
def contract_list(request, filters: Query[ContractFiltersIn], page: Query[PageQuery]):
    """Contracts the user may see, with their derived dates as at `as_at`, by reference."""
    _allow(request, "estate.view_estate")
    as_at = filters.as_at or clock.default_as_at()
    wanted = selectors.ContractFilters(
        q=filters.q.strip(),
        tower=filters.tower,
        supplier=filters.supplier,
        status=filters.status or "",
        tier=filters.tier,
        expiring_within=filters.expiring_within,
    )
    contracts, by_derived = selectors.contract_rows(user=request.user, filters=wanted, as_at=as_at)
    contracts = selectors.with_tower_shares(contracts)
    if by_derived:
        rows = [selectors.contract_row(c, as_at) for c in contracts]
        rows, count = _window(selectors.derived_filter_and_sort(rows, wanted, as_at), page)
    else:
        window, count = _window(contracts, page)
        rows = [selectors.contract_row(c, as_at) for c in window]
    return ContractPage(
        count=count, limit=page.limit, offset=page.offset, as_at=as_at, items=[ContractOut.of(r) for r in rows]
    )


@router.get("/contracts/{contract_id}", response={200: ContractDetailOut, **READ_ERRORS}, tags=["contracts"])
def contract_get(request, contract_id: Id, as_at: BoundedDate | None = None):
    """One contract with its options, and its derived dates as at `as_at` (default today)."""
    _allow(request, "estate.view_estate")
    return _detail(_visible_contract(request, contract_id), as_at)


@router.post("/contracts", response={201: ContractDetailOut, **WRITE_ERRORS}, tags=["contracts"])
def contract_create(request, payload: ContractIn):
    """Add a contract with its tower shares and extension options (commercial officers)."""
    _allow(request, "estate.add_contract")
    fields = _with_related(request, payload.dict(exclude={"towers", "options"}))
    contract = services.contract_create(
        towers=_tower_shares(payload.towers), options=_option_specs(payload.options), by=request.user, **fields
    )
    return Status(201, _detail(selectors.contract_detail(user=request.user, pk=contract.pk)))


@router.patch("/contracts/{contract_id}", response={200: ContractDetailOut, **WRITE_ERRORS}, tags=["contracts"])
def contract_update(request, contract_id: Id, payload: ContractPatch):
    """Change a contract; towers and options, when sent, replace the contract's own (commercial officers)."""
    _allow(request, "estate.view_estate")
    contract = _visible_contract(request, contract_id)
    _allow(request, "estate.change_contract", contract)
    fields = payload.dict(exclude_unset=True, exclude={"towers", "options"})
    services.contract_update(
        contract=contract,
        by=request.user,
        towers=_tower_shares(payload.towers) if payload.towers is not None else None,
        options=_option_specs(payload.options) if payload.options is not None else None,
        **_with_related(request, fields),
    )
    return _detail(selectors.contract_detail(user=request.user, pk=contract.pk))


# An option is exercised or lapses only as a contract change, approved as every change is.
OPTION_DECISIONS = {"exercise": "option-exercise", "lapse": "option-lapse"}
NO_SUCH_OPTION = "Contract {id} has no option {sequence}."


@router.post(
    "/contracts/{contract_id}/options/{sequence}/{decision}",
    response={200: ContractDetailOut, **WRITE_ERRORS, 409: Errors},
    tags=["contracts"],
)
def contract_option_decide(request, contract_id: Id, sequence: Id, decision: Literal["exercise", "lapse"]):
    """Propose the exercise or lapse of an extension option as a contract change (commercial officers): it takes
    effect once the change is approved and made effective; 400 when the option is already decided."""
    _allow(request, "estate.view_estate")
    contract = _visible_contract(request, contract_id)
    _allow(request, "estate.change_contract", contract)
    option = next((o for o in contract.options.all() if o.sequence == sequence), None)
    if option is None:
        raise Http404(NO_SUCH_OPTION.format(id=contract_id, sequence=sequence))
    services.option_change_propose(option=option, kind=OPTION_DECISIONS[decision], by=request.user)
    return _detail(selectors.contract_detail(user=request.user, pk=contract.pk))


# --- Changes to a contract ---------------------------------------------------------------------------------


class ChangeOut(Schema):
    id: int
    kind: str
    option: int | None = Field(description="The option's place in sequence, for an option's exercise or lapse")
    reason: str
    effective_on: date
    value: MoneyOut = Field(description="Signed, in pounds excluding VAT")
    term_change_months: int
    ground: str
    state: str
    decision: str | None = Field(description="The reference of the decision that authorises it")
    approver_office: str

    @classmethod
    def of(cls, change) -> "ChangeOut":
        return cls(
            id=change.pk,
            kind=change.kind,
            option=change.option.sequence if change.option else None,
            reason=change.reason,
            effective_on=change.effective_on,
            value=change.value,
            term_change_months=change.term_change_months,
            ground=change.ground,
            state=change.state,
            decision=change.decision.reference if change.decision else None,
            approver_office=change.approver_office,
        )


NO_SUCH_CHANGE = "Contract {id} has no change {change}."


@router.get("/contracts/{contract_id}/changes", response={200: list[ChangeOut], **READ_ERRORS}, tags=["contracts"])
def contract_changes(request, contract_id: Id):
    """A contract's changes by effective date (staff of the authority)."""
    _allow(request, "estate.view_estate")
    contract = _visible_contract(request, contract_id)
    _allow(request, "estate.view_changes", contract)
    return [ChangeOut.of(c) for c in selectors.contract_changes(contract)]


@router.post(
    "/contracts/{contract_id}/changes/{change_id}/approve",
    response={200: ChangeOut, **WRITE_ERRORS, 409: Errors},
    tags=["contracts"],
)
def contract_change_approve(request, contract_id: Id, change_id: Id):
    """Approve a proposed change (approvers and commercial officers), through the same service as the page: 400
    when the modification rules do not permit it, it awaits legal's rationale, or the scheme asks for an approved
    decision not linked; 409 when it is not proposed."""
    _allow(request, "estate.view_estate")
    contract = _visible_contract(request, contract_id)
    _allow(request, "estate.approve_change", contract)
    try:
        change = selectors.change_get(contract=contract, pk=change_id)
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_CHANGE.format(id=contract_id, change=change_id)) from None
    return ChangeOut.of(services.change_approve(change=change, by=request.user))


# --- Spend -------------------------------------------------------------------------------------------------


@router.get("/contracts/{contract_id}/spend", response={200: list[SpendOut], **READ_ERRORS}, tags=["spend"])
def contract_spend(request, contract_id: Id):
    """A contract's spend, month by month."""
    _allow(request, "estate.view_estate")
    contract = selectors.contracts_visible_to(request.user).filter(pk=contract_id).first()
    if contract is None:
        raise Http404(NO_SUCH_CONTRACT.format(id=contract_id))
    _allow(request, "estate.view_spend", contract)
    return [SpendOut.of(spend, contract) for spend in selectors.contract_spend(contract)]


@router.get("/spend", response={200: SpendPage, **READ_ERRORS}, tags=["spend"])
def spend_list(request, filters: Query[SpendFilters], page: Query[PageQuery]):
    """Spend on the contracts the user may see, by contract reference then month."""
    _allow(request, "estate.view_estate")
    spend = selectors.spend_list(
        user=request.user, contract=filters.contract, month_from=filters.month_from, month_to=filters.month_to
    )
    window, count = _window(spend, page)
    return SpendPage(count=count, limit=page.limit, offset=page.offset, items=[SpendOut.of(s) for s in window])


@router.post("/spend", response={201: SpendOut, **WRITE_ERRORS}, tags=["spend"])
def spend_record(request, payload: SpendIn):
    """Record a month's spend on a contract, or correct the month already recorded (commercial, finance)."""
    _allow(request, "estate.add_spend")
    contract = selectors.contracts_visible_to(request.user).filter(pk=payload.contract).first()
    if contract is None:
        raise ValidationError({"contract": NO_SUCH_CONTRACT.format(id=payload.contract)})
    spend = services.spend_record(
        contract=contract,
        month=payload.month,
        amount=payload.amount,
        vat_basis=payload.vat_basis.value,
        by=request.user,
    )
    return Status(201, SpendOut.of(spend, contract))
