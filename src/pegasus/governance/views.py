"""Decision pages for staff. Part 2 is rendered only for roles that may read it."""

from django.http import Http404
from django.shortcuts import render

from pegasus.core.access import require_perm
from pegasus.core.classification import marking
from pegasus.governance import selectors
from pegasus.governance.models import Decision

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
        },
    )
