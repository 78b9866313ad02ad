"""Decision pages for staff. Part 2 is rendered only for roles that may read it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pegasus.core.access import check_object_perm, require_perm
from pegasus.core.classification import marking
from pegasus.core.clock import as_at_from
from pegasus.core.exceptions import PegasusError
from pegasus.core.query import bounded_query, query_date, query_page
from pegasus.estate import selectors as estate_selectors
from pegasus.governance import selectors, services
from pegasus.governance.forms import (
    MAX_ID,
    ConcernsForm,
    DecisionForm,
    EarlyReleaseForm,
    ExtendForm,
    ReleaseForm,
    ReviewStepForm,
)
from pegasus.governance.models import Decision, DecisionTypeChoice, Declaration, FoiExemption
from pegasus.ui.forms import service_errors_to_form

PART2_MARKING = marking("OFFICIAL-SENSITIVE", "COMMERCIAL")
DECISIONS_PER_PAGE = 25
DECISION_SEARCH_MAX = 200  # characters of a search: a reference or words of a title


@require_perm("governance.view_decision")
@bounded_query
def decision_list(request):
    """Decisions, searched by reference or title (Part 1) and filtered by status, type and date decided; paged."""
    params = request.GET
    text = str(params.get("q", "")).strip()[:DECISION_SEARCH_MAX]
    status = params.get("status", "") if params.get("status") in Decision.Status.values else ""
    decision_type = params.get("type", "") if params.get("type") in DecisionTypeChoice.values else ""
    decided_from = query_date(params, "from", label="Decided from")
    decided_to = query_date(params, "to", label="Decided to")
    as_at, _ = as_at_from(params.get("as_at"))
    decisions = selectors.decision_search(
        text=text,
        status=status,
        decision_type=decision_type,
        decided_from=decided_from,
        decided_to=decided_to,
        as_at=as_at,
    )
    page = Paginator(decisions, DECISIONS_PER_PAGE).get_page(query_page(params))
    filters = {
        "q": text,
        "status": status,
        "type": decision_type,
        "from": decided_from.isoformat() if decided_from else "",
        "to": decided_to.isoformat() if decided_to else "",
    }
    context = {
        "page": page,
        "decisions": [selectors.decision_then(decision, as_at) for decision in page.object_list],
        "as_at": as_at,
        "filters": filters,
        "filtered": any(filters.values()),
        "statuses": Decision.Status.choices,
        "types": DecisionTypeChoice.choices,
    }
    return render(request, "governance/decision_list.html", context)


def _decision(pk: int) -> Decision:
    try:
        return selectors.decision_detail(pk)
    except Decision.DoesNotExist:
        raise Http404("No such decision") from None


def _decision_form_page(request, decision: Decision | None):
    form = DecisionForm(request.POST or None, instance=decision)
    if request.method == "POST" and form.is_valid():
        lists = {"recommendations": form.recommendations(), "route": form.route(), "exemptions": form.exemptions()}
        try:
            if decision is None:
                saved = services.decision_create(by=request.user, **lists, **form.decision_fields())
                messages.success(request, f"{saved.reference} drafted")
            else:
                saved = services.decision_update(decision=decision, by=request.user, **lists, **form.decision_fields())
                messages.success(request, f"{saved.reference} saved")
            return redirect("decision-detail", pk=saved.pk)
        except (ValidationError, PegasusError) as exc:
            service_errors_to_form(form, exc)
    return render(request, "governance/decision_form.html", {"form": form, "decision": decision})


@require_perm("governance.add_decision")
def decision_create(request):
    return _decision_form_page(request, None)


@require_perm("governance.view_decision")
def decision_edit(request, pk: int):
    decision = _decision(pk)
    check_object_perm(request.user, "governance.change_decision", decision)
    if decision.status != Decision.Status.DRAFT:
        messages.error(request, f"{decision.reference} is {decision.status}: only a draft can be changed")
        return redirect("decision-detail", pk=decision.pk)
    return _decision_form_page(request, decision)


@require_perm("governance.release_part2")
def release_review(request):
    """Part 2s whose exemptions have ceased: release each, or keep it withheld to a later date with the reason.

    The page lists only what is due, but a POST may name any decision: the service, not the list, decides whether
    its Part 2 may be released. A malformed or refused step answers 400 with the reason at the top of the page.
    """
    today = timezone.localdate()
    release_forms: dict[int, ReleaseForm] = {}
    extend_forms: dict[int, ExtendForm] = {}
    problems: list[dict[str, str]] = []
    if request.method == "POST":
        step = ReviewStepForm(request.POST)
        if not step.is_valid():
            problems = [{"message": e} for errors in step.errors.values() for e in errors]
        else:
            decision = _decision(step.cleaned_data["decision"])
            try:
                if step.cleaned_data["action"] == "release":
                    form = ReleaseForm(request.POST)
                    release_forms[decision.pk] = form
                    if form.is_valid():
                        services.part2_release(decision=decision, by=request.user, note=form.cleaned_data["note"])
                        messages.success(request, f"Part 2 of {decision.reference} released to the public register")
                        return redirect("release-review")
                    problems = [{"message": e, "anchor": f"note-{decision.pk}"} for e in form.errors.get("note", [])]
                else:
                    extend = ExtendForm(request.POST)
                    extend_forms[decision.pk] = extend
                    if extend.is_valid():
                        exemption = decision.exemptions.get(pk=extend.cleaned_data["exemption"])
                        services.exemption_extend(
                            exemption=exemption,
                            ceases_on=extend.cleaned_data["ceases_on"],
                            reason=extend.cleaned_data["reason"],
                            by=request.user,
                        )
                        messages.success(request, f"{exemption.section} on {decision.reference} extended")
                        return redirect("release-review")
                    problems = [{"message": e} for errors in extend.errors.values() for e in errors]
            except FoiExemption.DoesNotExist:
                raise Http404("No such exemption") from None
            except PegasusError as exc:
                problems = [{"message": str(exc)}]
    due = [
        {
            "decision": d,
            "release_form": release_forms.get(d.pk) or ReleaseForm(),
            "extend_form": extend_forms.get(d.pk) or ExtendForm(),
        }
        for d in selectors.part2_due_for_release(today)
    ]
    return render(
        request,
        "governance/release_review.html",
        {
            "due": due,
            "today": today,
            "page_marking": PART2_MARKING if due else "OFFICIAL",
            "extra_errors": problems,
        },
        status=400 if problems else 200,
    )


@require_perm("governance.view_decision")
def decision_detail(request, pk: int):
    decision = _decision(pk)
    shows_part2 = request.user.has_perm("governance.view_part2")
    as_at, _ = as_at_from(request.GET.get("as_at"))
    return render(
        request,
        "governance/decision_detail.html",
        {
            "decision": decision,
            "then": selectors.decision_then(decision, as_at),
            "as_at": as_at,
            "shows_part2": shows_part2,
            "page_marking": PART2_MARKING if shows_part2 and decision.part2 else "OFFICIAL",
            "part2_marking": PART2_MARKING,
            "attachment_hint": services.ATTACHMENT_LIMIT.hint,
            "can_change": decision.status == Decision.Status.DRAFT
            and request.user.has_perm("governance.change_decision", decision),
            "can_withdraw": decision.status in {Decision.Status.DRAFT, Decision.Status.SUBMITTED}
            and request.user.has_perm("governance.change_decision", decision),
            "can_decide": decision.status == Decision.Status.SUBMITTED
            and request.user.has_perm("governance.decide_decision"),
            "can_release_early": decision.status == Decision.Status.APPROVED
            and bool(decision.part2)
            and decision.part2_released_at is None
            and request.user.has_perm("governance.release_part2_early", decision),
            "early_release_form": EarlyReleaseForm(),
            "changes": list(estate_selectors.changes_of_decision(decision)),
            "can_file_concerns": request.user.has_perm("governance.file_decision_concerns", decision),
        },
    )


@require_perm("governance.view_decision")
def decision_concerns(request, pk: int):
    """The contracts and procurements a decision concerns, set at any status by those who may file them."""
    decision = _decision(pk)
    check_object_perm(request.user, "governance.file_decision_concerns", decision)
    form = ConcernsForm(request.POST or None, decision=decision)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_concerns_set(
                decision=decision,
                contracts=form.cleaned_data["contracts"],
                procurements=form.cleaned_data["procurements"],
                by=request.user,
            )
        except PegasusError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"What {decision.reference} concerns is saved")
            return redirect("decision-detail", pk=decision.pk)
    return render(request, "governance/decision_concerns.html", {"form": form, "decision": decision})


OFFICER_ACTIONS = {"declare", "submit", "withdraw", "attach", "detach"}
APPROVER_ACTIONS = {"approve", "reject"}
LEGAL_ACTIONS = {"release-early"}


def _posted_id(request, name: str) -> int | None:
    """A positive id posted in `name`, or None when it is missing or not one (never a server error)."""
    text = request.POST.get(name, "").strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


@require_POST
@require_perm("governance.view_decision")
def decision_act(request, pk: int, action: str):
    """One step of a decision's life, taken from its page; the services guard every precondition."""
    decision = _decision(pk)
    if action in OFFICER_ACTIONS:
        check_object_perm(request.user, "governance.change_decision", decision)
    elif action in APPROVER_ACTIONS:
        check_object_perm(request.user, "governance.decide_decision", decision)
    elif action in LEGAL_ACTIONS:
        check_object_perm(request.user, "governance.release_part2_early", decision)
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
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, "Choose a file to attach to Part 2")
                return redirect("decision-detail", pk=decision.pk)
            services.part2_attachment_add(
                decision=decision, upload=upload, title=request.POST.get("title", ""), by=request.user
            )
        elif action == "detach":
            attachment_pk = _posted_id(request, "attachment")
            attachment = decision.attachments.filter(pk=attachment_pk).first() if attachment_pk else None
            if attachment is None:
                raise Http404("No such attachment")
            services.part2_attachment_remove(attachment=attachment, by=request.user)
        elif action == "submit":
            services.decision_submit(decision=decision, by=request.user)
        elif action == "withdraw":
            services.decision_withdraw(decision=decision, by=request.user)
        elif action == "release-early":
            form = EarlyReleaseForm(request.POST)
            if not form.is_valid():
                messages.error(request, "; ".join(form.errors["reason"]))
                return redirect("decision-detail", pk=decision.pk)
            services.part2_release_early(decision=decision, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"Part 2 of {decision.reference} released early to the public register")
            return redirect("decision-detail", pk=decision.pk)
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
