"""Decision pages for staff. Part 2 is rendered only for roles that may read it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pegasus.core.access import check_object_perm, require_perm
from pegasus.core.classification import marking
from pegasus.core.exceptions import PegasusError
from pegasus.governance import selectors, services
from pegasus.governance.models import Decision, Declaration

PART2_MARKING = marking("OFFICIAL-SENSITIVE", "COMMERCIAL")


@require_perm("governance.view_decision")
def decision_list(request):
    return render(request, "governance/decision_list.html", {"decisions": selectors.decision_list()})


@require_perm("governance.view_decision")
def decision_detail(request, pk: int):
    try:
        decision = selectors.decision_detail(pk)
    except Decision.DoesNotExist:
        raise Http404("No such decision") from None
    shows_part2 = request.user.has_perm("governance.view_part2")
    return render(
        request,
        "governance/decision_detail.html",
        {
            "decision": decision,
            "shows_part2": shows_part2,
            "page_marking": PART2_MARKING if shows_part2 and decision.part2 else "OFFICIAL",
            "part2_marking": PART2_MARKING,
            "can_change": decision.status == Decision.Status.DRAFT
            and request.user.has_perm("governance.change_decision", decision),
            "can_withdraw": decision.status in {Decision.Status.DRAFT, Decision.Status.SUBMITTED}
            and request.user.has_perm("governance.change_decision", decision),
            "can_decide": decision.status == Decision.Status.SUBMITTED
            and request.user.has_perm("governance.decide_decision"),
        },
    )


OFFICER_ACTIONS = {"declare", "submit", "withdraw"}
APPROVER_ACTIONS = {"approve", "reject"}


@require_POST
@require_perm("governance.view_decision")
def decision_act(request, pk: int, action: str):
    """One step of a decision's life, taken from its page; the services guard every precondition."""
    try:
        decision = selectors.decision_detail(pk)
    except Decision.DoesNotExist:
        raise Http404("No such decision") from None
    if action in OFFICER_ACTIONS:
        check_object_perm(request.user, "governance.change_decision", decision)
    elif action in APPROVER_ACTIONS:
        check_object_perm(request.user, "governance.decide_decision", decision)
    else:
        raise Http404
    try:
        if action == "declare":
            services.declaration_confirm(
                decision=decision,
                kind=request.POST.get("kind", ""),
                statement=request.POST.get("statement", "").strip(),
                by=request.user,
            )
        elif action == "submit":
            services.decision_submit(decision=decision, by=request.user)
        elif action == "withdraw":
            services.decision_withdraw(decision=decision, by=request.user)
        elif action == "approve":
            services.decision_approve(
                decision=decision, by=request.user, interests=request.POST.get("interests", "").strip()
            )
        else:
            services.decision_reject(
                decision=decision, by=request.user, interests=request.POST.get("interests", "").strip()
            )
        messages.success(request, f"{decision.reference}: {action} done")
    except (PegasusError, ValidationError) as exc:
        messages.error(request, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    except Declaration.DoesNotExist:
        messages.error(request, "Choose one of the declarations on this page")
    return redirect("decision-detail", pk=decision.pk)
