"""Every read of the estate that a page, the API or the CLI needs, scoped to what the user may see."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from pegasus.core.calendar import add_months
from pegasus.core.clock import as_at_end
from pegasus.core.db import GroupConcat
from pegasus.core.roles import INTERNAL_ROLES, has_role
from pegasus.estate import terms
from pegasus.estate.models import (
    TERM_FIELDS,
    Contract,
    ContractChange,
    ContractTower,
    ExtensionOption,
    Interface,
    Organisation,
    ServiceTower,
    Spend,
    Supplier,
    terms_from,
)
from pegasus.estate.permissions import supplier_ids_of
from pegasus.procurement.law import Authority, ContractType, Regime, RuleInputError
from pegasus.procurement.modification import Change, Notice, Verdict, modification_check

EXPIRY_WINDOWS = (6, 12, 24, 36)
SORTS = {
    "reference": "reference",
    "title": "title",
    "supplier": "supplier__name",
    "value": "total_value",
    "tier": "tier",
    "end": None,  # by current end, computed from the terms
}


def contracts_visible_to(user) -> QuerySet[Contract]:
    """Internal roles see every contract; a supplier user its own suppliers' only; anyone else none."""
    contracts = Contract.objects.all()
    if has_role(user, *INTERNAL_ROLES):
        return contracts
    return contracts.filter(supplier_id__in=supplier_ids_of(user)) if user.is_authenticated else contracts.none()


def known_by(contracts: QuerySet[Contract], as_at: date) -> QuerySet[Contract]:
    """The contracts known at the end of `as_at`: a planned contract (an award's new contract) entered after that day
    was not known then. A contract in service is read as at any day: the estate's imports enter contracts long after
    they began, so when one was entered says nothing of whether it existed."""
    entered_later = Contract.history.filter(id=OuterRef("pk"), history_type="+", history_date__gt=as_at_end(as_at))
    return contracts.exclude(Q(status=Contract.Status.PLANNED) & Exists(entered_later))


def suppliers_visible_to(user) -> QuerySet[Supplier]:
    if has_role(user, *INTERNAL_ROLES):
        return Supplier.objects.all()
    return Supplier.objects.filter(pk__in=supplier_ids_of(user)) if user.is_authenticated else Supplier.objects.none()


def _option_months(state: str) -> Coalesce:
    months = (
        ExtensionOption.objects.filter(contract=OuterRef("pk"), state=state)
        .values("contract")
        .annotate(total=Sum("length_months"))
        .values("total")
    )
    return Coalesce(Subquery(months, output_field=IntegerField()), 0)


def with_terms(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate what the term rules need, so a list computes every end date without a query per row."""
    towers = (
        ContractTower.objects.filter(contract=OuterRef("pk"))
        .values("contract")
        .annotate(names=GroupConcat("tower__name"))
        .values("names")
    )
    available = ExtensionOption.objects.filter(contract=OuterRef("pk"), state=terms.OptionState.AVAILABLE.value)
    return contracts.annotate(
        exercised_months=_option_months(terms.OptionState.EXERCISED.value),
        available_months=_option_months(terms.OptionState.AVAILABLE.value),
        has_available_option=Exists(available),
        tower_names=Subquery(towers),
    )


def with_tower_shares(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """`contracts` with each one's tower shares and their towers: one more query for every row, however many."""
    return contracts.prefetch_related(Prefetch("tower_shares", queryset=ContractTower.objects.select_related("tower")))


def terms_of(contract: Any) -> terms.ContractTerms:
    """The terms of a contract annotated by `with_terms`: options are summed, which the rules allow."""
    options = []
    if contract.exercised_months:
        options.append(terms.Option(contract.exercised_months, terms.OptionState.EXERCISED))
    if contract.has_available_option:
        options.append(terms.Option(contract.available_months, terms.OptionState.AVAILABLE))
    return terms_from({name: getattr(contract, name) for name in TERM_FIELDS}, options)


@dataclass
class ContractRow:
    """A contract with its derived dates, as a list, the dashboard or an export shows it."""

    contract: Any  # a Contract annotated by `with_terms`
    current_end: date
    maximum_end: date | None
    decision: terms.Decision | None
    days_to_expiry: int
    days_to_decision: int | None = None
    decision_urgent: bool = False  # due within `terms.DECISION_URGENT_DAYS` on a contract still running

    @property
    def towers(self) -> str:
        return self.contract.tower_names or ""


def contract_row(contract: Contract, as_at: date, contract_terms: terms.ContractTerms | None = None) -> ContractRow:
    contract_terms = contract_terms or terms_of(contract)
    decision = terms.next_decision(contract_terms, as_at)
    days_to_expiry = terms.days_to_expiry(contract_terms, as_at)
    return ContractRow(
        contract=contract,
        current_end=terms.current_end(contract_terms, as_at),
        maximum_end=terms.maximum_end(contract_terms),
        decision=decision,
        days_to_expiry=days_to_expiry,
        days_to_decision=terms.days_to_decision(decision, as_at) if decision else None,
        decision_urgent=days_to_expiry >= 0 and terms.decision_urgent(decision, as_at),
    )


@dataclass(frozen=True)
class ContractFilters:
    q: str = ""
    tower: str = ""  # tower code
    supplier: int | None = None
    status: str = ""
    tier: int | None = None
    expiring_within: int | None = None  # months from as_at
    sort: str = "reference"
    descending: bool = False


def _filtered(user, filters: ContractFilters) -> QuerySet[Contract]:
    """The contracts the user may see that match the filters on stored facts, without annotations."""
    contracts = contracts_visible_to(user)
    if filters.q:
        contracts = contracts.filter(
            Q(reference__icontains=filters.q) | Q(title__icontains=filters.q) | Q(supplier__name__icontains=filters.q)
        )
    if filters.tower:
        contracts = contracts.filter(
            Exists(ContractTower.objects.filter(contract=OuterRef("pk"), tower__code=filters.tower))
        )
    if filters.supplier:
        contracts = contracts.filter(supplier_id=filters.supplier)
    if filters.status:
        contracts = contracts.filter(status=filters.status)
    if filters.tier:
        contracts = contracts.filter(tier=filters.tier)
    return contracts


def _by_derived(filters: ContractFilters) -> bool:
    return filters.sort == "end" or filters.expiring_within is not None


def _ordering(filters: ContractFilters) -> list[str]:
    field = SORTS.get(filters.sort) or "reference"
    return [f"-{field}" if filters.descending else field, "reference"]


def contract_rows(*, user, filters: ContractFilters, as_at: date) -> tuple[QuerySet[Contract], bool]:
    """The filtered contracts, and whether the caller must finish filtering and sorting by derived dates."""
    contracts = with_terms(known_by(_filtered(user, filters), as_at).select_related("supplier"))
    by_derived = _by_derived(filters)
    if not by_derived:
        contracts = contracts.order_by(*_ordering(filters))
    return contracts, by_derived


def _derived_order(contracts: QuerySet[Contract], filters: ContractFilters, as_at: date) -> list[int]:
    """The ids of the contracts, filtered and sorted by their derived dates, from the bare facts: one query for the
    contracts and one for their option totals, with no per-row subqueries."""
    sort_field = SORTS.get(filters.sort) or "reference"
    facts = list(contracts.values("pk", "reference", *TERM_FIELDS, *([sort_field] if filters.sort != "end" else [])))
    months: dict[int, dict[str, int]] = defaultdict(dict)
    option_totals = (
        ExtensionOption.objects.filter(contract__in=contracts.values("pk"))
        .values("contract_id", "state")
        .annotate(months=Sum("length_months"))
        .order_by()
    )
    for total in option_totals:
        months[total["contract_id"]][total["state"]] = total["months"]
    ends = {}
    for fact in facts:
        options = [terms.Option(m, terms.OptionState(state)) for state, m in months[fact["pk"]].items()]
        ends[fact["pk"]] = terms.current_end(terms_from(fact, options), as_at)
    if filters.expiring_within is not None:
        limit = add_months(as_at, filters.expiring_within)
        facts = [f for f in facts if as_at <= ends[f["pk"]] <= limit]
    if filters.sort == "end":
        facts.sort(key=lambda f: (ends[f["pk"]], f["reference"]), reverse=filters.descending)
    else:
        facts.sort(key=lambda f: (f[sort_field], f["reference"]), reverse=filters.descending)
    return [f["pk"] for f in facts]


def contract_list(
    *, user, filters: ContractFilters, as_at: date, page: int = 1, per_page: int = 50
) -> tuple[list[ContractRow], int]:
    """One page of contract rows and the total count.

    The page is chosen by primary key first, so the per-row subqueries of `with_terms` run for the rows shown
    only; the total rides along as a scalar subquery. Filtering or sorting by a derived date first orders the bare
    facts (see `_derived_order`).
    """
    filtered = known_by(_filtered(user, filters), as_at)
    start = (page - 1) * per_page
    if _by_derived(filters):
        ordered = _derived_order(filtered, filters, as_at)
        shown = ordered[start : start + per_page]
        position = {pk: n for n, pk in enumerate(shown)}
        page_rows = sorted(
            with_terms(Contract.objects.filter(pk__in=shown).select_related("supplier")),
            key=lambda c: position[c.pk],
        )
        return [contract_row(c, as_at) for c in page_rows], len(ordered)
    ordering = _ordering(filters)
    shown_pks = filtered.order_by(*ordering).values("pk")[start : start + per_page]
    total = filtered.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")
    annotated: list[Any] = list(
        with_terms(Contract.objects.filter(pk__in=shown_pks).select_related("supplier"))
        .annotate(full_count=Subquery(total, output_field=IntegerField()))
        .order_by(*ordering)
    )
    count = annotated[0].full_count if annotated else (filtered.count() if page > 1 else 0)
    return [contract_row(c, as_at) for c in annotated], count


def derived_filter_and_sort(rows: list[ContractRow], filters: ContractFilters, as_at: date) -> list[ContractRow]:
    if filters.expiring_within is not None:
        limit = add_months(as_at, filters.expiring_within)
        rows = [r for r in rows if as_at <= r.current_end <= limit]
    if filters.sort == "end":
        rows.sort(key=lambda r: (r.current_end, r.contract.reference), reverse=filters.descending)
    else:
        field = SORTS.get(filters.sort) or "reference"
        rows.sort(key=lambda r: _sort_key(r.contract, field), reverse=filters.descending)
    return rows


def _sort_key(contract: Contract, field: str):
    value = contract
    for part in field.split("__"):
        value = getattr(value, part)
    return value


def all_contract_rows(*, user, filters: ContractFilters, as_at: date) -> list[ContractRow]:
    """Every row that matches, for exports."""
    contracts, by_derived = contract_rows(user=user, filters=filters, as_at=as_at)
    rows = [contract_row(c, as_at) for c in contracts]
    return derived_filter_and_sort(rows, filters, as_at) if by_derived else rows


def contract_detail(*, user, pk: int) -> Contract:
    """One contract the user may see (Contract.DoesNotExist otherwise), with what its page shows."""
    return (
        contracts_visible_to(user)
        .select_related("supplier", "authority", "operating_body")
        .prefetch_related("options", "tower_shares__tower")
        .get(pk=pk)
    )


def contract_spend(contract: Contract) -> list[Spend]:
    return list(contract.spend.order_by("month"))


def spend_list(
    *, user, contract: int | None = None, month_from: date | None = None, month_to: date | None = None
) -> QuerySet[Spend]:
    """Spend on the contracts the user may see, by contract reference then month."""
    spend = Spend.objects.filter(contract__in=contracts_visible_to(user))
    if contract is not None:
        spend = spend.filter(contract_id=contract)
    if month_from is not None:
        spend = spend.filter(month__gte=month_from)
    if month_to is not None:
        spend = spend.filter(month__lte=month_to)
    return spend.select_related("contract").order_by("contract__reference", "month")


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.all()


def supplier_list(*, user) -> QuerySet[Supplier]:
    return (
        suppliers_visible_to(user)
        .annotate(
            contract_count=Count("contracts"),
            contract_value=Coalesce(Sum("contracts__total_value"), Decimal(0), output_field=DecimalField()),
        )
        .order_by("name")
    )


def supplier_detail(*, user, pk: int) -> Supplier:
    return suppliers_visible_to(user).get(pk=pk)


# What a lookup of a tower by its code or name says of a value that is neither (estate's and sourcing's imports).
UNKNOWN_TOWER = "{value} is not the code or name of a service tower."


def towers() -> QuerySet[ServiceTower]:
    return ServiceTower.objects.all()


def contracts_exist() -> bool:
    """Whether the estate holds any contract (the demo loads only into an empty one)."""
    return Contract.objects.exists()


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


def filter_choices(user) -> tuple[list[Choice], list[Choice]]:
    """The towers and the suppliers a user can filter by, in one query."""
    tower_rows = (
        ServiceTower.objects.order_by()
        .annotate(kind_=Value("tower"), key=F("code"), order=F("position"))
        .values_list("kind_", "key", "name", "order")
    )
    supplier_rows = (
        suppliers_visible_to(user)
        .order_by()
        .annotate(kind_=Value("supplier"), key=Cast("pk", CharField()), order=Value(0))
        .values_list("kind_", "key", "name", "order")
    )
    rows = sorted(tower_rows.union(supplier_rows, all=True), key=lambda r: (r[3], r[2]))
    return (
        [Choice(key, name) for kind, key, name, _ in rows if kind == "tower"],
        [Choice(key, name) for kind, key, name, _ in rows if kind == "supplier"],
    )


# --- For the other domains ----------------------------------------------------------------------------------


def contracting_authorities() -> QuerySet[Organisation]:
    """The organisations that let contracts (not the operating bodies), unordered."""
    return Organisation.objects.filter(kind=Organisation.Kind.CONTRACTING_AUTHORITY)


def contracts_of_tier(tier: int) -> QuerySet[Contract]:
    """Every contract of one tier, with its supplier."""
    return Contract.objects.select_related("supplier").filter(tier=tier)


def suppliers() -> QuerySet[Supplier]:
    """Every supplier held, unscoped: for reads that name suppliers rather than show them to a user."""
    return Supplier.objects.all()


LIVE_STATUSES = (Contract.Status.ACTIVE, Contract.Status.PLANNED)


def towers_of_live_contracts() -> QuerySet[ServiceTower]:
    """The towers that live contracts (active or planned) cover, each once, by position."""
    covered = ServiceTower.objects.filter(contract_shares__contract__status__in=LIVE_STATUSES)
    return covered.distinct().order_by("position")


def live_contract_shares() -> QuerySet[ContractTower]:
    """Each live contract's share of each tower it covers, with the contract's supplier and the tower."""
    shares = ContractTower.objects.filter(contract__status__in=LIVE_STATUSES)
    return shares.select_related("contract__supplier", "tower")


def interfaces_among(towers) -> QuerySet[Interface]:
    """The hand-offs from one of these towers to another (or to itself)."""
    return Interface.objects.filter(from_tower__in=towers, to_tower__in=towers)


def contracts_by_reference() -> QuerySet[Contract]:
    """Every contract by reference, with its supplier."""
    return Contract.objects.select_related("supplier").order_by("reference")


def contracts_of(references: Iterable[str]) -> QuerySet[Contract]:
    """The contracts with these references, by reference."""
    return Contract.objects.filter(reference__in=references).order_by("reference")


def contracts_with_options() -> QuerySet[Contract]:
    """Every contract by reference, each with its extension options in sequence: for a prefetch of contracts."""
    options = ExtensionOption.objects.order_by("sequence")
    return Contract.objects.order_by("reference").prefetch_related(Prefetch("options", queryset=options))


def contract_current_end(contract: Contract, options: list[ExtensionOption], as_at: date) -> date:
    """A contract's current end as at a date, counting the options given (already fetched)."""
    return terms.current_end(contract.terms(options), as_at)


def options_not_lapsed() -> QuerySet[ExtensionOption]:
    """Every extension option that has not lapsed, with its contract, by contract reference then sequence."""
    options = ExtensionOption.objects.select_related("contract").exclude(state="lapsed")
    return options.order_by("contract__reference", "sequence")


def option_get(*, contract: str, sequence: int) -> ExtensionOption:
    """One contract's extension option by its place in sequence (ExtensionOption.DoesNotExist otherwise)."""
    return ExtensionOption.objects.get(contract__reference=contract, sequence=sequence)


# --- Changes to a contract: the records, and the value and end that follow from them -----------------------

# The Procurement Act 2023 came into force on 24 February 2025; a contract that starts on or after it was awarded
# under the Act, an earlier one under the Public Contracts Regulations 2015.
PA2023_START = date(2025, 2, 24)


def regime_of(contract: Contract) -> str:
    """The regime whose modification rules a contract's changes meet, known from its start date."""
    return "PA2023" if contract.start_date >= PA2023_START else "PCR2015"


def contract_changes(contract: Contract, as_at: date | None = None) -> QuerySet[ContractChange]:
    """A contract's changes, by effective date, with their option and decision; as at a day, those proposed by its
    end only."""
    changes = contract.changes.select_related("option", "decision").order_by("effective_on", "pk")
    return changes if as_at is None else changes.filter(proposed_at__lte=as_at_end(as_at))


def contract_history(contract: Contract, as_at: date, *, limit: int = 20) -> list[Any]:
    """A contract's latest versions recorded by the end of `as_at`, newest first, with who made each."""
    versions = contract.history.filter(history_date__lte=as_at_end(as_at))  # type: ignore[attr-defined]
    return list(versions.select_related("history_user").order_by("-history_date")[:limit])


def changes_pending(as_at: date) -> QuerySet[ContractChange]:
    """Changes proposed by the end of `as_at` and not yet in effect: awaiting approval, or approved for a later
    effective date. A change proposed after `as_at` had not been proposed then."""
    return (
        ContractChange.objects.filter(
            Q(state=ContractChange.State.PROPOSED) | Q(state=ContractChange.State.APPROVED, effective_on__gt=as_at),
            proposed_at__lte=as_at_end(as_at),
        )
        .select_related("contract", "contract__supplier")
        .order_by("effective_on", "pk")
    )


def changes_of_decision(decision: Any) -> QuerySet[ContractChange]:
    """The contract changes a decision authorises, with their contract."""
    return ContractChange.objects.filter(decision=decision).select_related("contract").order_by("effective_on", "pk")


def change_get(*, contract: Contract, pk: int) -> ContractChange:
    """One change of a contract (ContractChange.DoesNotExist otherwise)."""
    return ContractChange.objects.select_related("contract", "option", "decision").get(contract=contract, pk=pk)


def prior_value_on_ground(change: ContractChange) -> Decimal:
    """The net value of the contract's other approved or effective changes on the same ground as this one."""
    others = ContractChange.objects.filter(
        contract_id=change.contract_id, ground=change.ground, state__in=["approved", "effective"]
    ).exclude(pk=change.pk)
    return others.aggregate(total=Sum("value"))["total"] or Decimal(0)


# Changes that modify the contract and meet the modification rules; a lapse or a termination modifies nothing.
MODIFYING_KINDS = frozenset({ContractChange.Kind.OPTION_EXERCISE, ContractChange.Kind.VARIATION})
# An estate contract is an ICT contract of a police authority: services, sub-central.
CHANGE_AUTHORITY = Authority.SUB_CENTRAL
CHANGE_CONTRACT_TYPE = ContractType.SERVICES


def change_verdict(change: ContractChange, prior: Decimal | None = None) -> Verdict | None:
    """The modification rules' verdict on a change that modifies the contract, on its ground, as recorded now
    (legal's rationale and the other approved or effective changes on its ground included; `prior` is their net
    value when already known); None for a lapse or a termination. A change the rules cannot read (a date before
    its regime, say) is not permitted, and says why."""
    if change.kind not in MODIFYING_KINDS:
        return None
    contract = change.contract
    try:
        return modification_check(
            Regime(regime_of(contract)),
            Change(
                authority=CHANGE_AUTHORITY,
                contract_type=CHANGE_CONTRACT_TYPE,
                day=change.effective_on,
                original_value=contract.total_value,
                change_value=change.value,
                prior_value=prior_value_on_ground(change) if prior is None else prior,
                legal_rationale=bool(change.legal_rationale.strip()),
            ),
            change.ground,
        )
    except RuleInputError as exc:
        return Verdict(False, change.ground, Notice.NONE, str(exc).split(": ", 1)[-1])


@dataclass(frozen=True)
class ContractCurrent:
    """What follows from a contract's effective changes; computed, never stored."""

    original_value: Decimal
    net_change: Decimal
    current_value: Decimal
    term_change_months: int
    current_end: date


def contract_current(
    contract: Contract, as_at: date, contract_terms: terms.ContractTerms | None = None
) -> ContractCurrent:
    """The original value plus the effective changes' values; the end from the terms plus the effective
    variations' term changes (an ended contract ends when it ended)."""
    effective = ContractChange.objects.filter(contract=contract, state="effective")
    net = effective.aggregate(total=Sum("value"))["total"] or Decimal(0)
    months = effective.filter(kind="variation").aggregate(total=Sum("term_change_months"))["total"] or 0
    end = terms.current_end(contract_terms or contract.terms(), as_at)
    if contract.ended_on is None and months:
        end = add_months(end, months)
    return ContractCurrent(contract.total_value, net, contract.total_value + net, months, end)


# --- The estate as a whole: the dashboard and `pegasus estate summary` --------------------------------------


def value_by_tower(contracts: QuerySet[Contract]) -> list[dict]:
    """Each tower's share of contract value (total value x the tower's share), largest first."""
    rows = (
        ContractTower.objects.filter(contract__in=contracts)
        .values("tower__name", "tower__code")
        .annotate(
            value=Sum(
                F("contract__total_value") * F("share_percent") / 100,
                output_field=DecimalField(max_digits=20, decimal_places=4),
            )
        )
        .order_by("-value")
    )
    return [
        {
            "tower": r["tower__name"],
            "code": r["tower__code"],
            "value": Decimal(r["value"]).quantize(Decimal("0.01")),
        }
        for r in rows
    ]


def value_by_supplier(contracts: QuerySet[Contract]) -> list[dict]:
    rows = (
        contracts.values("supplier__name", "supplier_id")
        .annotate(value=Sum("total_value"), contracts=Count("id"))
        .order_by("-value")
    )
    return [
        {
            "supplier": r["supplier__name"],
            "id": r["supplier_id"],
            "value": r["value"],
            "contracts": r["contracts"],
        }
        for r in rows
    ]


def herfindahl(values: list[Decimal]) -> Decimal:
    """Herfindahl-Hirschman index of shares in percent (0 to 10,000); above 2,500 is highly concentrated."""
    total = sum(values, Decimal(0))
    if not total:
        return Decimal(0)
    return sum(((v / total * 100) ** 2 for v in values), Decimal(0)).quantize(Decimal("1"))


@dataclass(frozen=True)
class ContractTimeline:
    """A contract as the dashboard's expiry chart draws it: its initial term, options and renewals as consecutive
    segments (`terms.timeline`), and its current and maximum ends."""

    reference: str
    title: str
    segments: list[terms.TermSegment]
    current_end: date
    maximum_end: date | None


def contract_timeline(row: ContractRow) -> ContractTimeline:
    """The expiry chart's data of a contract row whose options are fetched."""
    contract = row.contract
    return ContractTimeline(
        reference=contract.reference,
        title=contract.title,
        segments=terms.timeline(contract.terms()),
        current_end=row.current_end,
        maximum_end=row.maximum_end,
    )


@dataclass
class EstateSummary:
    as_at: date
    organisation: str
    towers: list[str]
    tier1_contracts: int
    tier1_suppliers: int
    total_contract_value: Decimal
    expiring: dict[str, int]
    decisions_due: dict[str, list[ContractRow]]
    by_tower: list[dict]
    by_supplier: list[dict]
    hhi: Decimal
    rows: list[ContractRow]  # by tier, then current end
    decisions_urgent: list[ContractRow]  # due within `terms.DECISION_URGENT_DAYS`, soonest first

    @property
    def timeline(self) -> list[ContractTimeline]:
        """The rows' terms, options and renewals, in the rows' order: what the dashboard's expiry chart draws."""
        return [contract_timeline(row) for row in self.rows]


def estate_summary(*, as_at: date, user=None) -> EstateSummary:
    """The estate as at a date: tier-1 totals, value by tower and supplier, concentration and what expires."""
    contracts = contracts_visible_to(user) if user is not None else Contract.objects.all()
    active = known_by(contracts, as_at).exclude(status__in=[Contract.Status.TERMINATED])
    rows = [contract_row(c, as_at) for c in with_terms(active.select_related("supplier").prefetch_related("options"))]
    tier1 = [r for r in rows if r.contract.tier == 1]
    expiring = {
        str(months): sum(1 for r in rows if as_at <= r.current_end <= add_months(as_at, months))
        for months in EXPIRY_WINDOWS
    }
    decisions_due: dict[str, list[ContractRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.decision.due if r.decision else date.max):
        if row.decision is None or row.current_end < as_at:
            continue
        for months in (6, 12, 24):
            if row.decision.due <= add_months(as_at, months):
                decisions_due[str(months)].append(row)
                break
    authority = Organisation.objects.filter(kind=Organisation.Kind.CONTRACTING_AUTHORITY).order_by("pk").first()
    by_supplier = value_by_supplier(active)
    return EstateSummary(
        as_at=as_at,
        organisation=authority.name if authority else "",
        towers=list(ServiceTower.objects.filter(kind=ServiceTower.Kind.TOWER).values_list("name", flat=True)),
        tier1_contracts=len(tier1),
        tier1_suppliers=len({r.contract.supplier_id for r in tier1}),
        total_contract_value=sum((r.contract.total_value for r in tier1), Decimal("0.00")),
        expiring=expiring,
        decisions_due=dict(decisions_due),
        decisions_urgent=sorted(
            (r for r in rows if r.decision_urgent), key=lambda r: (r.days_to_decision, r.contract.reference)
        ),
        by_tower=value_by_tower(active),
        by_supplier=by_supplier,
        hhi=herfindahl([r["value"] for r in by_supplier]),
        rows=sorted(rows, key=lambda r: (r.contract.tier, r.current_end)),
    )


def interfaces(user) -> list[Interface]:
    """The hand-offs between towers. A contract at either end is named only to a user who may see that contract: a
    supplier user sees the hand-off, and their own contract's reference, but never another supplier's."""
    rows = list(Interface.objects.select_related("from_tower", "to_tower", "from_contract", "to_contract"))
    if has_role(user, *INTERNAL_ROLES):
        return rows
    own = supplier_ids_of(user) if user.is_authenticated else frozenset()
    for row in rows:
        # Blanked on the loaded row only (never saved), so the template cannot show what the user may not see.
        if row.from_contract is not None and row.from_contract.supplier_id not in own:
            row.from_contract = None
        if row.to_contract is not None and row.to_contract.supplier_id not in own:
            row.to_contract = None
    return rows


# --- For publication ---


def contracts_with_spend() -> QuerySet[Contract]:
    """Every contract with its authority, supplier, options and spend, in reference order (three queries)."""
    return (
        Contract.objects.select_related("authority", "supplier")
        .prefetch_related("options", "spend")
        .order_by("reference")
    )


def contract_end(contract: Contract, as_at: date) -> date:
    """The day a contract ended, or else its current end as at `as_at` under its terms, its options read as
    fetched (prefetched by `contracts_with_spend`)."""
    return contract.ended_on or terms.current_end(contract.terms(list(contract.options.all())), as_at)


def contracting_authority() -> Organisation | None:
    """The first contracting authority, the buyer of a procurement that replaces no contract yet."""
    return Organisation.objects.filter(kind=Organisation.Kind.CONTRACTING_AUTHORITY).first()


# --- Changes a post-award notice may be drafted from (publication's notices) --------------------------------


def changes_for_notices() -> QuerySet[ContractChange]:
    """Approved or effective variations, option exercises and terminations, with their contract and supplier: the
    changes a contract change, modification or termination notice may be drafted from."""
    return (
        ContractChange.objects.filter(
            kind__in=["variation", "option-exercise", "termination"], state__in=["approved", "effective"]
        )
        .select_related("contract", "contract__supplier", "contract__authority")
        .order_by("effective_on", "pk")
    )


def contract_current_from(contract: Contract, changes: Iterable[ContractChange], as_at: date) -> ContractCurrent:
    """As `contract_current`, from the contract's changes already fetched (prefetched for many contracts at once)
    and its options as fetched: the effective ones among `changes` count."""
    effective = [c for c in changes if c.state == ContractChange.State.EFFECTIVE]
    net = sum((c.value for c in effective), Decimal(0))
    months = sum(c.term_change_months for c in effective if c.kind == ContractChange.Kind.VARIATION)
    end = terms.current_end(contract.terms(list(contract.options.all())), as_at)
    if contract.ended_on is None and months:
        end = add_months(end, months)
    return ContractCurrent(contract.total_value, net, contract.total_value + net, months, end)
