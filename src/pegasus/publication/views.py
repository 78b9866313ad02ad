"""The public register of decisions: no sign-in, Part 1 only (and a Part 2 only once released); for staff, the
market view of what other public bodies bought; and the post-award notices, drafted, checked and published."""

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST

from pegasus.core import intake
from pegasus.core.access import check_object_perm, require_perm
from pegasus.core.clock import as_at_from, default_as_at
from pegasus.core.exceptions import PegasusError
from pegasus.core.query import bounded_query, query_int, query_page
from pegasus.estate.selectors import contract_detail, contracts_visible_to, regime_of, suppliers_visible_to
from pegasus.governance.selectors import public_decision, public_decision_pdf
from pegasus.publication import ocds, selectors, services
from pegasus.publication import rules as notice_rules
from pegasus.publication.charts import market_charts
from pegasus.publication.forms import (
    MarketFilterForm,
    MarketImportForm,
    NoticeCorrectForm,
    NoticeFilterForm,
    NoticeNoteForm,
    PerformanceNoticeForm,
)
from pegasus.publication.models import Notice
from pegasus.ui.forms import service_errors_to_form

PAGE_SIZE = 20
PUBLISHER = "Mayor's Office for Policing and Crime"


def register(request):
    search = request.GET.get("q", "").strip()[:200]
    decisions = selectors.published_decisions(timezone.localdate(), search=search)
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publication/register.html", {"page": page, "search": search})


def _published(pk: int):
    try:
        return public_decision(pk, timezone.localdate())
    except ObjectDoesNotExist:
        raise Http404("No such published decision") from None


def decision(request, pk: int):
    return render(
        request,
        "publication/decision.html",
        {"decision": _published(pk), "public_pdf_url": reverse("public-decision-pdf", args=[pk])},
    )


def decision_pdf(request, pk: int):
    """The published decision form: Part 1 only, whatever the reader's role."""
    pdf, filename = public_decision_pdf(_published(pk))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class DecisionsAtomFeed(Feed):
    feed_type = Atom1Feed
    title = "Decisions: Pegasus public register"
    subtitle = f"Decisions of the {PUBLISHER} on ICT contracts, Part 1 as published."
    author_name = PUBLISHER

    def link(self):
        return reverse("public-register")

    def items(self):
        return selectors.feed_entries(timezone.localdate())

    def item_title(self, item):
        return f"{item.decision.reference}: {item.decision.title}"

    def item_description(self, item):
        return item.decision.executive_summary

    def item_link(self, item):
        return reverse("public-decision", args=[item.decision.pk])

    def item_pubdate(self, item):
        return item.published

    def item_updateddate(self, item):
        return max(item.published, item.decision.part2_released_at or item.published)

    def item_guid(self, item):
        return f"urn:pegasus:decision:{item.decision.reference.replace(' ', '-')}:v{item.decision.version}"


def json_feed(request):
    """The register as a JSON Feed (version 1.1)."""
    items = [
        {
            "id": f"urn:pegasus:decision:{e.decision.reference.replace(' ', '-')}:v{e.decision.version}",
            "url": request.build_absolute_uri(reverse("public-decision", args=[e.decision.pk])),
            "title": f"{e.decision.reference}: {e.decision.title}",
            "content_text": e.decision.executive_summary,
            "date_published": e.published.isoformat(),
            "_pegasus": {
                "reference": e.decision.reference,
                "version": e.decision.version,
                "decision_type": e.decision.decision_type,
                "value": str(e.decision.value),
                "decided_by": e.decision.approver_office,
                "part2_released": e.decision.part2_released_at is not None,
            },
        }
        for e in selectors.feed_entries(timezone.localdate())
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": DecisionsAtomFeed.title,
        "description": DecisionsAtomFeed.subtitle,
        "home_page_url": request.build_absolute_uri(reverse("public-register")),
        "feed_url": request.build_absolute_uri(reverse("public-feed-json")),
        "authors": [{"name": PUBLISHER}],
        "language": "en-GB",
        "items": items,
    }
    return JsonResponse(feed, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False})


def ocds_releases(request):
    """Every publishable contract and procurement as an OCDS 1.1.5 release package (no sign-in)."""
    package = selectors.ocds_package(
        kind="releases",
        as_at=default_as_at(),
        published=timezone.now().replace(microsecond=0),
        uri=request.build_absolute_uri(),
    )
    return JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})


# --- The market view ---------------------------------------------------------------------------------------------

# Each of the page's three lists (the processes, the buyers and the suppliers) is paged on its own.
MARKET_PAGE_SIZE = 10


@require_perm("publication.view_market")
@bounded_query
def market(request):
    form = MarketFilterForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate()
    processes = selectors.market_processes(filters, today)
    summary = selectors.market_summary(processes)
    return render(
        request,
        "publication/market.html",
        {
            "form": form,
            "filters": filters,
            "page": Paginator(processes, MARKET_PAGE_SIZE).get_page(query_page(request.GET)),
            "buyers": Paginator(selectors.market_buyers(processes), MARKET_PAGE_SIZE).get_page(
                query_page(request.GET, "buyers")
            ),
            "suppliers": Paginator(selectors.market_suppliers(processes), MARKET_PAGE_SIZE).get_page(
                query_page(request.GET, "suppliers")
            ),
            "summary": summary,
            "charts": market_charts(summary),
            "top": selectors.MARKET_TOP,
            "last_import": selectors.market_last_import(),
            "today": today,
            "can_import": request.user.has_perm("publication.import_market"),
        },
    )


@require_perm("publication.import_market")
def market_import(request):
    form = MarketImportForm(request.POST, request.FILES) if request.method == "POST" else MarketImportForm()
    rejected: list[dict] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = services.market_import(
                form.documents,
                by=request.user,
                source=intake.shortened(upload.name, 200),
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        except services.MarketFilesRejected as exc:
            rejected = exc.rejected
            form.add_error("file", f"{exc}: the first fault is in {rejected[0]['file']}: {rejected[0]['reason']}")
        else:
            messages.success(
                request,
                f"Imported {intake.shortened(upload.name)}: {record.releases_new} new releases, "
                f"{record.releases_unchanged} already held, {record.processes} contracting processes updated, "
                f"{len(record.rejected)} files set aside.",
            )
            return redirect("market")
    return render(request, "publication/market_import.html", {"form": form, "rejected": rejected})


# --- Post-award notices ------------------------------------------------------------------------------------------

NOTICE_PAGE_SIZE = 50
DRAFTED_FOR_A_CONTRACT = ("UK7", "UK9")
DRAFTED_FROM_A_CHANGE = ("UK10", "UK11", "PCR-MOD")


@require_perm("publication.view_notices")
@bounded_query
def notice_list(request):
    form = NoticeFilterForm(request.GET or None, suppliers=suppliers_visible_to(request.user))
    as_at, _ = as_at_from(request.GET.get("as_at"))
    notices = selectors.notice_list(user=request.user, filters=form.filters(), as_at=as_at)
    page = Paginator(notices, NOTICE_PAGE_SIZE).get_page(query_page(request.GET))
    internal = request.user.has_perm("publication.view_market")
    return render(
        request,
        "publication/notice_list.html",
        {
            "form": form,
            "page": page,
            "due": selectors.notices_due(user=request.user, as_at=as_at) if internal else None,
            "as_at": as_at,
            "can_draft": request.user.has_perm("publication.draft_notice"),
        },
    )


def _visible_notice(request, pk: int):
    try:
        notice = selectors.notice_get(user=request.user, pk=pk)
    except Notice.DoesNotExist:
        # Another supplier's notice is answered exactly like a missing one.
        raise Http404("No such notice") from None
    check_object_perm(request.user, "publication.view_notice", notice)
    return notice


@require_perm("publication.view_notices")
def notice_detail(request, pk: int):
    notice = _visible_notice(request, pk)
    user = request.user
    return render(
        request,
        "publication/notice_detail.html",
        {
            "notice": notice,
            "body": notice.body,
            "chain": selectors.notice_chain(notice),
            "can_check": user.has_perm("publication.check_notice", notice) and notice.state == "draft",
            "can_publish": user.has_perm("publication.publish_notice", notice) and notice.state == "checked",
            "can_edit": user.has_perm("publication.draft_notice", notice) and notice.state != "published",
            "can_correct": user.has_perm("publication.draft_notice", notice) and notice.state == "published",
            "note_form": NoticeNoteForm(initial={"note": notice.body.get("note", "")}),
            "correct_form": NoticeCorrectForm(),
            "can_view_contract": user.has_perm("estate.view_contract", notice.contract),
            "page_marking": notice.contract.marking,
        },
    )


@require_perm("publication.view_notices")
def notice_release(request, pk: int):
    """The notice's OCDS release, as a release package (a draft's is a preview of what publishing it would say)."""
    notice = _visible_notice(request, pk)
    package = ocds.notice_package(notice, timezone.now().replace(microsecond=0), request.build_absolute_uri())
    return JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})


NOTICE_ACTIONS = {
    "check": ("publication.check_notice", "Notice checked"),
    "publish": ("publication.publish_notice", "Notice published"),
    "note": ("publication.draft_notice", "Note saved: the notice is to be checked again"),
    "correct": ("publication.draft_notice", "Correction drafted: check and publish it as any notice"),
}


@require_POST
@require_perm("publication.view_notices")
def notice_act(request, pk: int, action: str):
    notice = _visible_notice(request, pk)
    if action not in NOTICE_ACTIONS:
        raise Http404
    perm, done = NOTICE_ACTIONS[action]
    check_object_perm(request.user, perm, notice)
    target = notice
    try:
        if action == "check":
            services.notice_check(notice=notice, by=request.user)
        elif action == "publish":
            services.notice_publish(notice=notice, by=request.user)
        elif action == "note":
            services.notice_update(notice=notice, note=request.POST.get("note", "")[:5000], by=request.user)
        else:
            form = NoticeCorrectForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Say what the correction corrects.")
                return redirect("notice-detail", pk=notice.pk)
            target = services.notice_correct(notice=notice, reason=form.cleaned_data["reason"], by=request.user)
        messages.success(request, done)
    except (PegasusError, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("notice-detail", pk=target.pk)


@require_perm("publication.draft_notice")
@bounded_query
def notice_new(request):
    """Draft a notice: from a change (`?change=`), or a UK7 or UK9 for a contract (`?contract=&kind=`)."""
    change_pk = query_int(request.GET, "change", 1)
    contract_pk = query_int(request.GET, "contract", 1)
    kind = request.GET.get("kind", "")
    change = contract = None
    verdict = assessments = None
    if change_pk is not None:
        try:
            change = selectors.change_for_notice(user=request.user, pk=change_pk)
        except ObjectDoesNotExist:
            raise Http404("No such change to draft a notice from") from None
        contract = change.contract
        kind, verdict = selectors.notice_kind_for_change(change)
    elif contract_pk is not None and kind in DRAFTED_FOR_A_CONTRACT:
        try:
            contract = contract_detail(user=request.user, pk=contract_pk)
        except ObjectDoesNotExist:
            raise Http404("No such contract") from None
        if kind == "UK9":
            assessments = selectors.contract_assessments(contract)
    elif contract_pk is not None and kind in DRAFTED_FROM_A_CHANGE:
        # A contract's page may ask for its change's notice by kind: the latest change of the contract calling for it.
        latest = selectors.change_calling_for(user=request.user, contract_pk=contract_pk, kind=kind)
        if latest is not None:
            return redirect(f"{reverse('notice-new')}?change={latest.pk}")
        contracts = contracts_visible_to(request.user).order_by("reference").only("pk", "reference", "title")
        return render(
            request,
            "publication/notice_start.html",
            {
                "contracts": contracts,
                "none_for": f"The contract has no approved or effective change calling for a {kind}.",
            },
        )
    else:
        contracts = contracts_visible_to(request.user).order_by("reference").only("pk", "reference", "title")
        return render(request, "publication/notice_start.html", {"contracts": contracts})
    unrated = [item for item in assessments.items if not item.get("rating")] if assessments else []
    form = PerformanceNoticeForm(request.POST if request.method == "POST" else None, unrated=unrated)
    if request.method == "POST" and form.is_valid():
        try:
            if change is not None:
                notice = services.notice_draft_from_change(change=change, by=request.user)
            elif kind == "UK7":
                notice = services.notice_draft_details(contract=contract, by=request.user)
            else:
                notice = services.notice_draft_performance(
                    contract=contract,
                    period_start=assessments.period_start if assessments else default_as_at(),
                    period_end=assessments.period_end if assessments else default_as_at(),
                    assessments=assessments.items if assessments else [],
                    ratings=form.ratings(),
                    by=request.user,
                )
        except (PegasusError, ValidationError) as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"{notice.kind} drafted: someone else checks it before it is published")
            return redirect("notice-detail", pk=notice.pk)
    return render(
        request,
        "publication/notice_new.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": dict(Notice.Kind.choices).get(kind, ""),
            "change": change,
            "contract": contract,
            "verdict": verdict,
            "assessments": assessments,
            "requirement": _requirement_preview(kind, contract, change, verdict),
            "existing": Notice.objects.filter(change=change, corrects=None).first() if change is not None else None,
            "page_marking": contract.marking if contract else "",
        },
    )


def _requirement_preview(kind: str, contract, change, verdict):
    """What the law asks of the notice about to be drafted, as the notice will say it."""
    if not kind or contract is None:
        return None
    regime = regime_of(contract)
    if change is not None and kind == "UK11":
        return notice_rules.requirement(kind, regime, termination_date=change.termination_date)
    if change is not None:
        return notice_rules.requirement(
            kind,
            regime,
            effective_on=change.effective_on,
            publish_modified_contract=bool(verdict and verdict.publish_modified_contract),
        )
    return notice_rules.requirement(kind, regime, start_date=contract.start_date)
