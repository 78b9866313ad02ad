"""The public register of decisions: no sign-in, Part 1 only (and a Part 2 only once released); and, for staff,
the market view of what other public bodies bought."""

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from pegasus.core import intake
from pegasus.core.access import require_perm
from pegasus.core.clock import default_as_at
from pegasus.governance.selectors import public_decision, public_decision_pdf
from pegasus.publication import ocds, selectors, services
from pegasus.publication.forms import MarketFilterForm, MarketImportForm

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
    package = ocds.release_package(default_as_at(), timezone.now().replace(microsecond=0), request.build_absolute_uri())
    return JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})


# --- The market view ---------------------------------------------------------------------------------------------

MARKET_PAGE_SIZE = 50


@require_perm("publication.view_market")
def market(request):
    form = MarketFilterForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate()
    processes = selectors.market_processes(filters, today)
    page = Paginator(processes, MARKET_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publication/market.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "summary": selectors.market_summary(processes),
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
