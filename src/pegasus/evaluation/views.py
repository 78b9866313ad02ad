"""Evaluation pages. Thin: each reads through a selector or changes through a service, which enforce the rules."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from pegasus.core.access import require_perm
from pegasus.core.classification import marking
from pegasus.core.clock import as_at_from
from pegasus.core.exceptions import OutOfBounds, PegasusError, RuleViolation
from pegasus.core.reading import decimal_in_bounds
from pegasus.evaluation import reports, selectors, services
from pegasus.evaluation.forms import AssignForm, AwardForm, BidForm, CriteriaForm, TenderForm
from pegasus.evaluation.models import Bid, Criterion, Lot, Tender
from pegasus.ui.forms import service_errors_to_form

SENSITIVE = marking("OFFICIAL-SENSITIVE", "COMMERCIAL")


def _tender(pk: int) -> Tender:
    try:
        return selectors.tender_detail(pk)
    except Tender.DoesNotExist:
        raise Http404("No such tender") from None


def _lot(pk: int) -> Lot:
    try:
        return selectors.lot_detail(pk)
    except Lot.DoesNotExist:
        raise Http404("No such lot") from None


def _decimal(value: str) -> Decimal | None:
    """A score as posted, if it is a finite number of 0-100 (bounded before it is compared with the scale)."""
    try:
        return decimal_in_bounds(value, "score", lo=0, hi=100, places=6)
    except OutOfBounds:
        return None


@require_perm("evaluation.view_tender")
def tender_list(request):
    as_at, _ = as_at_from(request.GET.get("as_at"))
    return render(request, "evaluation/tender_list.html", {"tenders": selectors.tender_list(as_at), "as_at": as_at})


@require_perm("evaluation.manage_tender")
def tender_create(request):
    form = TenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tender = services.tender_create(
                reference=data["reference"],
                title=data["title"],
                lots=data["lots"].splitlines(),
                procurement=data["procurement"],
                by=request.user,
            )
            messages.success(request, f"{tender.reference} opened")
            return redirect("tender-detail", pk=tender.pk)
        except (PegasusError, ValidationError) as exc:
            service_errors_to_form(form, exc)
    return render(request, "evaluation/tender_form.html", {"form": form})


@require_perm("evaluation.view_tender")
def tender_detail(request, pk: int):
    tender = _tender(pk)
    manages = request.user.has_perm("evaluation.manage_tender")
    as_at, _ = as_at_from(request.GET.get("as_at"))
    return render(
        request,
        "evaluation/tender_detail.html",
        {
            "tender": tender,
            "as_at": as_at,
            "not_yet_opened": selectors.opened_after(tender, as_at),
            "manages": manages,
            "reads_results": request.user.has_perm("evaluation.view_results"),
            "scores": request.user.has_perm("evaluation.score"),
            "declaration": selectors.declaration_of(tender=tender, user=request.user),
            "page_marking": SENSITIVE if manages else "OFFICIAL",
        },
    )


@require_perm("evaluation.score")
def tender_declaration(request, pk: int):
    """The evaluator's declaration of interests in a tender, made once, before any bid is shown to them."""
    tender = _tender(pk)
    declaration = selectors.declaration_of(tender=tender, user=request.user)
    error = ""
    if request.method == "POST" and declaration is None:
        choice = request.POST.get("has_conflict", "")
        if choice not in {"no", "yes"}:
            error = "Select whether you have a conflict of interest"
        else:
            try:
                services.conflict_declare(
                    tender=tender,
                    has_conflict=choice == "yes",
                    details=request.POST.get("details", ""),
                    by=request.user,
                )
                messages.success(request, f"Declaration on {tender.reference} recorded")
                return redirect("tender-declaration", pk=tender.pk)
            except PegasusError as exc:
                error = str(exc)
    return render(
        request,
        "evaluation/declaration.html",
        {
            "tender": tender,
            "declaration": declaration,
            "error": error,
            "details": request.POST.get("details", ""),
            "choice": request.POST.get("has_conflict", ""),
        },
    )


@require_perm("evaluation.manage_tender")
def lot_setup(request, pk: int):
    """Criteria (as a whole), evaluator assignments and bids of a lot, each form posted on its own."""
    lot = _lot(pk)
    action = request.POST.get("action") if request.method == "POST" else None
    criteria_form = CriteriaForm(request.POST if action == "criteria" else None, criteria=lot.criteria.all())
    assign_form = AssignForm(request.POST if action == "assign" else None, lot=lot)
    bid_form = BidForm(request.POST if action == "bid" else None)
    if action == "criteria" and criteria_form.is_valid():
        try:
            warnings = services.lot_criteria_set(lot=lot, criteria=criteria_form.criteria(), by=request.user)
            messages.success(request, "Criteria saved" + "".join(f". Warning: {w}" for w in warnings))
            return redirect("lot-setup", pk=lot.pk)
        except (PegasusError, ValidationError) as exc:
            service_errors_to_form(criteria_form, exc)
    elif action == "assign" and assign_form.is_valid():
        try:
            services.evaluator_assign(by=request.user, **assign_form.cleaned_data)
            messages.success(request, "Evaluator assigned")
            return redirect("lot-setup", pk=lot.pk)
        except PegasusError as exc:
            service_errors_to_form(assign_form, exc)
    elif action == "bid" and bid_form.is_valid():
        try:
            services.bid_add(lot=lot, by=request.user, **bid_form.cleaned_data)
            messages.success(request, "Bid recorded")
            return redirect("lot-setup", pk=lot.pk)
        except (PegasusError, ValidationError) as exc:
            service_errors_to_form(bid_form, exc)
    return render(
        request,
        "evaluation/lot_setup.html",
        {
            "lot": lot,
            "criteria_form": criteria_form,
            "assign_form": assign_form,
            "bid_form": bid_form,
            "warnings": selectors.criteria_warnings(lot),
            "assignments": selectors.assignments_of(lot),
            "page_marking": SENSITIVE,
        },
    )


@require_perm("evaluation.score")
def lot_scoring(request, pk: int):
    """The evaluator's own scores on the criteria assigned to them; no bid is shown before their declaration."""
    lot = _lot(pk)
    declaration = selectors.declaration_of(tender=lot.tender, user=request.user)
    if declaration is None or declaration.has_conflict:
        return render(request, "evaluation/scoring.html", {"lot": lot, "declaration": declaration, "blocked": True})
    error, failed = "", None
    if request.method == "POST":
        try:
            bid = lot.bids.get(pk=request.POST.get("bid") or 0)
            criterion = lot.criteria.get(pk=request.POST.get("criterion") or 0)
        except (Bid.DoesNotExist, Criterion.DoesNotExist):
            raise Http404("No such bid or criterion") from None
        score = _decimal(request.POST.get("score", ""))
        try:
            if score is None:
                raise RuleViolation("Choose a score from the scale")
            services.score_record(
                bid=bid, criterion=criterion, score=score, rationale=request.POST.get("rationale", ""), by=request.user
            )
            messages.success(request, f"Score of {bid.bidder} on {criterion.title} saved")
            return redirect("lot-scoring", pk=lot.pk)
        except PegasusError as exc:
            error, failed = str(exc), (bid.pk, criterion.pk)
    bids = selectors.bids_for_evaluator(lot=lot, user=request.user)
    own, others = selectors.scores_own_and_others(lot=lot, user=request.user)
    moderated = {(m.bid_id, m.criterion_id): m for m in lot_moderations(lot)}
    sections = []
    for criterion in selectors.criteria_assigned_to(lot=lot, user=request.user):
        cells = []
        for bid in bids:
            key = (bid.pk, criterion.pk)
            cells.append(
                {
                    "bid": bid,
                    "own": own.get(key),
                    "others": others.get(key, []),
                    "moderation": moderated.get(key),
                    "error": error if failed == key else "",
                    "posted": request.POST if failed == key else {},
                }
            )
        sections.append({"criterion": criterion, "cells": cells})
    return render(
        request,
        "evaluation/scoring.html",
        {"lot": lot, "declaration": declaration, "sections": sections, "error": error, "page_marking": SENSITIVE},
    )


def lot_moderations(lot: Lot):
    from pegasus.evaluation.models import Moderation

    return Moderation.objects.filter(bid__lot=lot)


@require_perm("evaluation.manage_tender")
def lot_moderation(request, pk: int):
    """Every original score side by side; a consensus score with its rationale for each bid and criterion."""
    lot = _lot(pk)
    error, failed = "", None
    if request.method == "POST":
        try:
            bid = lot.bids.get(pk=request.POST.get("bid") or 0)
            criterion = lot.criteria.get(pk=request.POST.get("criterion") or 0)
        except (Bid.DoesNotExist, Criterion.DoesNotExist):
            raise Http404("No such bid or criterion") from None
        score = _decimal(request.POST.get("score", ""))
        try:
            if score is None:
                raise RuleViolation("Choose the consensus score from the scale")
            services.moderation_record(
                bid=bid, criterion=criterion, score=score, rationale=request.POST.get("rationale", ""), by=request.user
            )
            messages.success(request, f"Consensus on {bid.bidder}, {criterion.title} recorded")
            return redirect("lot-moderation", pk=lot.pk)
        except PegasusError as exc:
            error, failed = str(exc), (bid.pk, criterion.pk)
    return render(
        request,
        "evaluation/moderation.html",
        {
            "lot": lot,
            "board": selectors.moderation_board(lot),
            "error": error,
            "failed": failed,
            "posted": request.POST,
            "page_marking": SENSITIVE,
        },
    )


@require_perm("evaluation.view_results")
def lot_results(request, pk: int):
    lot = _lot(pk)
    result = selectors.lot_result(lot)
    return render(
        request,
        "evaluation/results.html",
        {
            "lot": lot,
            "result": result,
            "manages": request.user.has_perm("evaluation.manage_tender"),
            "award": getattr(lot, "award", None),
            "page_marking": SENSITIVE,
        },
    )


@require_perm("evaluation.manage_tender")
def lot_report_xlsx(request, pk: int):
    lot = _lot(pk)
    return reports.evaluation_xlsx(lot, marking=SENSITIVE)


@require_perm("evaluation.manage_tender")
def lot_report_pdf(request, pk: int):
    lot = _lot(pk)
    return reports.evaluation_pdf(lot, marking=SENSITIVE)


@require_perm("evaluation.manage_tender")
def lot_award(request, pk: int):
    """The award recommendation: drafts the contract-award decision whose Part 2 alone names bidders and prices."""
    lot = _lot(pk)
    result = selectors.lot_result(lot)
    winner = result.winner_bid
    initial = {"value": reports.approval_envelope(winner.price)} if winner else {}
    form = AwardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.award_recommend(lot=lot, by=request.user, **form.cleaned_data)
            messages.success(request, f"{recommendation.decision.reference} drafted for the approver")
            return redirect("decision-detail", pk=recommendation.decision_id)
        except (PegasusError, ValidationError) as exc:
            service_errors_to_form(form, exc)
    return render(
        request,
        "evaluation/award.html",
        {"lot": lot, "result": result, "form": form, "winner": winner, "page_marking": SENSITIVE},
    )
