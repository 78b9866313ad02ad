"""Decision endpoints: draft, declare, submit, decide, withdraw, correct, and release Part 2.

Each endpoint checks the same django-rules permission as the page it mirrors and calls one selector or service; the
services guard every state (their exceptions are mapped once, in api.py: 400 for a broken rule, 409 for a step the
decision's state does not allow). Decisions are for the authority's staff: other roles are refused (403) before any
decision is looked up, so a refusal says nothing about whether a decision exists. Part 2 is in an answer only for
roles that may read it (governance.view_part2); for the others it is null and `part2_withheld` is true.
"""

from datetime import date

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from ninja import Query, Router, Status

from pegasus.api.governance_schemas import (
    ConcernsIn,
    DecideIn,
    DecisionFilters,
    DecisionIn,
    DecisionOut,
    DecisionPage,
    DecisionPatch,
    DecisionSummary,
    DeclarationIn,
    DeclarationKind,
    EarlyReleaseIn,
    ExemptionIn,
    MeetingStepIn,
    RecommendationIn,
    ReleaseIn,
)
from pegasus.api.schemas import Errors, Message, PageQuery
from pegasus.core.access import check_object_perm
from pegasus.core.classification import marking
from pegasus.estate import selectors as estate_selectors
from pegasus.governance import selectors, services
from pegasus.procurement import selectors as procurement_selectors

NO_SUCH_DECISION = "No decision with id {id}."
NO_SUCH_REFERENCES = "No {kind} with the reference {references}."
PART2_MARKING = marking("OFFICIAL-SENSITIVE", "COMMERCIAL")
LISTS = {"recommendations", "route", "exemptions"}

# Documented on every operation so the OpenAPI document describes the error bodies.
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}
WRITE_ERRORS = {**READ_ERRORS, 400: Errors}
STEP_ERRORS = {**WRITE_ERRORS, 409: Errors}

router = Router(tags=["decisions"])


def _allow(request, perm: str, obj=None) -> None:
    """The one permission check (django-rules); PermissionDenied becomes 403."""
    check_object_perm(request.user, perm, obj)


def _window(items: QuerySet, page: PageQuery) -> tuple[list, int]:
    return list(items[page.offset : page.offset + page.limit]), items.count()


def _decision(request, pk: int):
    """A decision the user may read, with its lists; staff may read every decision, others are refused first."""
    _allow(request, "governance.view_decision")
    try:
        return selectors.decision_detail(pk)
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_DECISION.format(id=pk)) from None


def _detail(request, pk: int) -> DecisionOut:
    """The decision as this user may see it, read afresh so that a step's answer shows its result."""
    decision = _decision(request, pk)
    shows_part2 = request.user.has_perm("governance.view_part2")
    return DecisionOut.of(
        decision,
        shows_part2=shows_part2,
        marking=PART2_MARKING if shows_part2 and decision.part2 else "OFFICIAL",
    )


def _recommendations(items: list[RecommendationIn]) -> list[services.RecommendationSpec]:
    return [services.RecommendationSpec(kind=i.kind, text=i.text, amount=i.amount) for i in items]


def _exemptions(items: list[ExemptionIn]) -> list[services.ExemptionSpec]:
    return [services.ExemptionSpec(section=i.section, name=i.name, ceases_on=i.ceases_on) for i in items]


def _route(items: list[MeetingStepIn]) -> list[tuple[str, date | None]]:
    return [(i.body, i.meets_on) for i in items]


# --- Reading -----------------------------------------------------------------------------------------------


@router.get("/decisions", response={200: DecisionPage, **READ_ERRORS})
def decision_list(request, filters: Query[DecisionFilters], page: Query[PageQuery]):
    """Decisions, newest first, for the authority's staff; supplier users are refused."""
    _allow(request, "governance.view_decision")
    decisions = selectors.decision_list()
    if filters.status:
        decisions = decisions.filter(status=filters.status)
    if filters.reference.strip():
        decisions = decisions.filter(reference__icontains=filters.reference.strip())
    window, count = _window(decisions, page)
    return DecisionPage(
        count=count, limit=page.limit, offset=page.offset, items=[DecisionSummary.of(d) for d in window]
    )


@router.get("/decisions/{decision_id}", response={200: DecisionOut, **READ_ERRORS})
def decision_get(request, decision_id: int):
    """One decision: Part 1, recommendations, route, declarations, exemptions and approval; Part 2 only for the
    roles that may read it (never evaluators)."""
    return _detail(request, decision_id)


# --- Drafting ----------------------------------------------------------------------------------------------


@router.post("/decisions", response={201: DecisionOut, **WRITE_ERRORS})
def decision_create(request, payload: DecisionIn):
    """Draft a decision; the caller is its originating officer (commercial, programme director, finance, legal)."""
    _allow(request, "governance.view_decision")
    _allow(request, "governance.add_decision")
    decision = services.decision_create(
        by=request.user,
        recommendations=_recommendations(payload.recommendations),
        exemptions=_exemptions(payload.exemptions),
        route=_route(payload.route),
        **payload.dict(exclude=LISTS),
    )
    return Status(201, _detail(request, decision.pk))


@router.patch("/decisions/{decision_id}", response={200: DecisionOut, **STEP_ERRORS})
def decision_update(request, decision_id: int, payload: DecisionPatch):
    """Change a draft (its originating officer). Lists, when sent, replace the draft's own. 409 once submitted,
    withdrawn or rejected; 400 once approved (correct it with /revise instead)."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.change_decision", decision)
    services.decision_update(
        decision=decision,
        by=request.user,
        recommendations=_recommendations(payload.recommendations) if payload.recommendations is not None else None,
        exemptions=_exemptions(payload.exemptions) if payload.exemptions is not None else None,
        route=_route(payload.route) if payload.route is not None else None,
        **payload.dict(exclude_unset=True, exclude=LISTS),
    )
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/declarations/{kind}", response={200: DecisionOut, **STEP_ERRORS})
def declaration_confirm(request, decision_id: int, kind: DeclarationKind, payload: DeclarationIn):
    """Confirm one of the originating officer's declarations with its statement (a draft's officer only)."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.change_decision", decision)
    services.declaration_confirm(decision=decision, kind=kind, statement=payload.statement.strip(), by=request.user)
    return _detail(request, decision.pk)


# --- Steps -------------------------------------------------------------------------------------------------


@router.post("/decisions/{decision_id}/submit", response={200: DecisionOut, **STEP_ERRORS})
def decision_submit(request, decision_id: int):
    """Submit a draft to the office the scheme of delegation names (its originating officer). 400 until it has a
    recommendation and every declaration is confirmed; 409 unless it is a draft."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.change_decision", decision)
    services.decision_submit(decision=decision, by=request.user)
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/approve", response={200: DecisionOut, **STEP_ERRORS})
def decision_approve(request, decision_id: int, payload: DecideIn):
    """Approve a submitted decision with the approver's interest declaration. 403 without the approver role;
    400 for an approver who does not hold the office the scheme named; 409 unless submitted."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.decide_decision", decision)
    services.decision_approve(decision=decision, by=request.user, interests=payload.interests.strip())
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/reject", response={200: DecisionOut, **STEP_ERRORS})
def decision_reject(request, decision_id: int, payload: DecideIn):
    """Reject a submitted decision; the same rules as approval."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.decide_decision", decision)
    services.decision_reject(decision=decision, by=request.user, interests=payload.interests.strip())
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/withdraw", response={200: DecisionOut, **STEP_ERRORS})
def decision_withdraw(request, decision_id: int):
    """Withdraw a draft or submitted decision (its originating officer); 409 once it is decided."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.change_decision", decision)
    services.decision_withdraw(decision=decision, by=request.user)
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/revise", response={201: DecisionOut, **STEP_ERRORS})
def decision_revise(request, decision_id: int):
    """Correct an approved decision: a new draft version with the same reference and content, whose originating
    officer is the caller (roles that may draft decisions). The approved version stays; 409 unless approved."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.add_decision")
    revision = services.decision_revise(decision=decision, by=request.user)
    return Status(201, _detail(request, revision.pk))


@router.post("/decisions/{decision_id}/part2/release", response={200: DecisionOut, **STEP_ERRORS})
def part2_release(request, decision_id: int, payload: ReleaseIn):
    """Publish an approved decision's Part 2 after a release review (commercial officers). 400 without a note,
    without a Part 2, when already released or while an exemption still applies; 409 unless approved."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.release_part2", decision)
    services.part2_release(decision=decision, by=request.user, note=payload.note)
    return _detail(request, decision.pk)


@router.post("/decisions/{decision_id}/part2/release-early", response={200: DecisionOut, **STEP_ERRORS})
def part2_release_early(request, decision_id: int, payload: EarlyReleaseIn):
    """Publish an approved decision's Part 2 before its exemptions cease, on legal's public interest decision (legal
    only; the reason is recorded, audited and shown). 400 without a reason, without a Part 2 or when already
    released; 409 unless approved."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.release_part2_early", decision)
    services.part2_release_early(decision=decision, by=request.user, reason=payload.reason)
    return _detail(request, decision.pk)


# --- Filing --------------------------------------------------------------------------------------------------


def _by_reference(field: str, kind: str, found: list, asked: list[str]) -> list:
    """The records the references name; 400 naming the field and every reference not found."""
    missing = sorted(set(asked) - {item.reference for item in found})
    if missing:
        raise ValidationError({field: [NO_SUCH_REFERENCES.format(kind=kind, references=", ".join(missing))]})
    return found


@router.put("/decisions/{decision_id}/concerns", response={200: DecisionOut, **WRITE_ERRORS})
def decision_concerns_set(request, decision_id: int, payload: ConcernsIn):
    """Set the contracts and procurements a decision concerns, by reference, at any status (filing does not change
    the decision). Its originating officer, commercial officers and programme directors only; 400 for a reference
    Pegasus does not hold."""
    decision = _decision(request, decision_id)
    _allow(request, "governance.file_decision_concerns", decision)
    contracts = _by_reference(
        "contracts", "contract", list(estate_selectors.contracts_of(payload.contracts)), payload.contracts
    )
    procurements = _by_reference(
        "procurements",
        "procurement",
        list(procurement_selectors.procurements().filter(reference__in=payload.procurements)),
        payload.procurements,
    )
    services.decision_concerns_set(decision=decision, contracts=contracts, procurements=procurements, by=request.user)
    return _detail(request, decision.pk)
