"""Finance endpoints: the programme's position, each ledger, and commitments and actuals written through the
finance services.

Reading needs `finance.view_finance` (finance, commercial officers, the programme director, approvers and auditors);
writing needs `finance.change_finance` too (finance and commercial officers). Other roles are refused (403) before
anything is looked up. Every write goes through `finance.services`, so the control that keeps a commitment from
taking an approval past its amount applies here as it does to pages, imports and commands: a refusal is a 400 that
names the field the client sent and says why (the approval, its headroom, the shortfall and who may approve more),
and nothing is written.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from ninja import Query, Router, Status

from pegasus.api.finance_schemas import (
    ActualFilters,
    ActualIn,
    ActualPage,
    ActualSaved,
    ApprovalPage,
    BudgetLineFilters,
    BudgetLinePage,
    CancelIn,
    CommitmentFilters,
    CommitmentIn,
    CommitmentPage,
    CommitmentSaved,
    ForecastPage,
    LineFilters,
    PositionOut,
    PositionQuery,
    Reference,
)
from pegasus.api.schemas import Errors, Message, PageQuery
from pegasus.core import clock
from pegasus.core.access import check_object_perm
from pegasus.finance import selectors, services
from pegasus.finance.services import FinanceRefused

NO_SUCH_COMMITMENT = "No commitment with id {id!r}."

# Documented on every operation so the OpenAPI document describes the error bodies.
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}
WRITE_ERRORS = {**READ_ERRORS, 400: Errors}

# The services name a model's fields; the API names them as the client sent them (the import files' columns).
API_FIELDS = {"reference": "id", "line": "budget_line"}

router = Router(tags=["finance"])


def _allow(request, perm: str) -> None:
    """The one permission check (django-rules); PermissionDenied becomes 403."""
    check_object_perm(request.user, perm, None)


def _window(items: QuerySet, page: PageQuery) -> tuple[list, int]:
    return list(items[page.offset : page.offset + page.limit]), items.count()


def _page(window: list, count: int, page: PageQuery) -> dict:
    """One page of rows, shaped by the operation's response schema."""
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": window}


@contextmanager
def _refusals_named(renamed: dict[str, str] | None = None) -> Iterator[None]:
    """A refusal from the services as a 400 naming the API's field: FinanceRefused carries the field at fault, and
    the bounds every way in applies arrive keyed by the model's field."""
    names = API_FIELDS | (renamed or {})
    try:
        yield
    except FinanceRefused as exc:
        raise ValidationError({names.get(exc.field, exc.field): [str(exc)]}) from None
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({names.get(f, f): messages for f, messages in exc.message_dict.items()}) from None


# --- The position ----------------------------------------------------------------------------------------------


@router.get("/finance/position", response={200: PositionOut, **READ_ERRORS})
def position(request, query: Query[PositionQuery]):
    """Every budget line's figures for the financial year as at a day, rolled up through the tree, and every
    approval's approved, committed, spent and headroom: what `pegasus finance position --json` prints."""
    _allow(request, "finance.view_finance")
    as_at = query.as_at or clock.default_as_at()
    return selectors.position(as_at=as_at, year=query.year).to_json()


# --- The ledgers -------------------------------------------------------------------------------------------------


@router.get("/finance/budget-lines", response={200: BudgetLinePage, **READ_ERRORS})
def budget_line_list(request, filters: Query[BudgetLineFilters], page: Query[PageQuery]):
    """Budget lines by code, each with its budget for every financial year."""
    _allow(request, "finance.view_finance")
    lines = selectors.budget_lines().prefetch_related(Prefetch("amounts", queryset=selectors.budget_amounts()))
    if filters.parent:
        lines = lines.filter(parent_id=filters.parent)
    window, count = _window(lines, page)
    return _page(window, count, page)


@router.get("/finance/approvals", response={200: ApprovalPage, **READ_ERRORS})
def approval_list(request, filters: Query[LineFilters], page: Query[PageQuery]):
    """Approvals to spend, by id, with the decision that gave each."""
    _allow(request, "finance.view_finance")
    approvals = selectors.approvals()
    if filters.budget_line:
        approvals = approvals.filter(line_id=filters.budget_line)
    window, count = _window(approvals, page)
    return _page(window, count, page)


@router.get("/finance/commitments", response={200: CommitmentPage, **READ_ERRORS})
def commitment_list(request, filters: Query[CommitmentFilters], page: Query[PageQuery]):
    """Commitments in the order they were raised, cancelled ones included (with the day they were cancelled)."""
    _allow(request, "finance.view_finance")
    commitments = selectors.commitments()
    if filters.budget_line:
        commitments = commitments.filter(line_id=filters.budget_line)
    if filters.approval:
        commitments = commitments.filter(approval_id=filters.approval)
    window, count = _window(commitments, page)
    return _page(window, count, page)


@router.get("/finance/actuals", response={200: ActualPage, **READ_ERRORS})
def actual_list(request, filters: Query[ActualFilters], page: Query[PageQuery]):
    """Actuals in the order they were paid."""
    _allow(request, "finance.view_finance")
    actuals = selectors.actuals()
    if filters.budget_line:
        actuals = actuals.filter(line_id=filters.budget_line)
    if filters.commitment:
        actuals = actuals.filter(commitment_id=filters.commitment)
    window, count = _window(actuals, page)
    return _page(window, count, page)


@router.get("/finance/forecasts", response={200: ForecastPage, **READ_ERRORS})
def forecast_list(request, filters: Query[LineFilters], page: Query[PageQuery]):
    """Forecasts by budget line, then month."""
    _allow(request, "finance.view_finance")
    forecasts = selectors.forecasts()
    if filters.budget_line:
        forecasts = forecasts.filter(line_id=filters.budget_line)
    window, count = _window(forecasts, page)
    return _page(window, count, page)


# --- Writes ------------------------------------------------------------------------------------------------------


def _keeper(request) -> None:
    _allow(request, "finance.view_finance")
    _allow(request, "finance.change_finance")


def _saved(saved: services.Saved) -> Status:
    """The row as written, with what the write did: 201 when it created the row, else 200."""
    saved.row.outcome = saved.outcome  # type: ignore[attr-defined]  # read by the response schema
    return Status(201 if saved.outcome == "created" else 200, saved.row)


@router.post("/finance/commitments", response={200: CommitmentSaved, 201: CommitmentSaved, **WRITE_ERRORS})
def commitment_save(request, payload: CommitmentIn):
    """Raise a commitment (201), or change the one with this id (200), finance and commercial officers only. Refused
    (400, nothing written) when it would take its approval's committed past its amount on any day from the day it
    is raised: the message names the approval, its headroom, the shortfall and who may approve more."""
    _keeper(request)
    with _refusals_named():
        saved = services.commitment_save(
            reference=payload.id,
            line=payload.budget_line,
            approval=payload.approval or None,
            supplier=payload.supplier,
            description=payload.description,
            raised_on=payload.raised_on,
            amount=payload.amount,
            cancelled_on=payload.cancelled_on,
            contract=payload.contract or None,
            by=request.user,
        )
    return _saved(saved)


@router.post("/finance/commitments/{commitment_id}/cancel", response={200: CommitmentSaved, **WRITE_ERRORS})
def commitment_cancel(request, commitment_id: Reference, payload: CancelIn):
    """Cancel a commitment from a day: from then it no longer counts and its approval's headroom is freed (finance
    and commercial officers). 400 for a day before it was raised or before an actual paid against it."""
    _keeper(request)
    if not selectors.commitments().filter(reference=commitment_id).exists():
        raise Http404(NO_SUCH_COMMITMENT.format(id=commitment_id))
    with _refusals_named({"cancelled_on": "on"}):
        saved = services.commitment_cancel(reference=commitment_id, on=payload.on, by=request.user)
    return _saved(saved)


@router.post("/finance/actuals", response={200: ActualSaved, 201: ActualSaved, **WRITE_ERRORS})
def actual_save(request, payload: ActualIn):
    """Record an actual paid (201), or change the one with this id (200), finance and commercial officers only.
    An actual against a commitment is on the commitment's line and paid before any cancellation."""
    _keeper(request)
    with _refusals_named():
        saved = services.actual_save(
            reference=payload.id,
            line=payload.budget_line,
            commitment=payload.commitment or None,
            paid_on=payload.paid_on,
            amount=payload.amount,
            by=request.user,
        )
    return _saved(saved)
