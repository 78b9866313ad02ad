"""Cross-cutting pages: home, the estate dashboard and the audit trail."""

from datetime import UTC
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from pegasus.core import spreadsheets
from pegasus.core.access import require_perm
from pegasus.core.clock import as_at_from
from pegasus.core.money import format_millions
from pegasus.core.query import bounded_query, query_date, query_page
from pegasus.core.selectors import audit_events
from pegasus.estate.charts import expiry_timeline
from pegasus.estate.selectors import estate_summary
from pegasus.estate.terms import DECISION_URGENT_DAYS
from pegasus.governance.selectors import decisions_due
from pegasus.procurement.selectors import procurement_list
from pegasus.ui.charts import bar_chart


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.has_perm("estate.view_dashboard"):
        return redirect("dashboard")
    return redirect("contract-list")


@require_perm("estate.view_dashboard")
def dashboard(request):
    as_at, as_at_error = as_at_from(request.GET.get("as_at"))
    summary = estate_summary(as_at=as_at, user=request.user)
    return render(
        request,
        "web/dashboard.html",
        {
            "summary": summary,
            "as_at": as_at,
            "as_at_error": as_at_error,
            "tcv_millions": format_millions(summary.total_contract_value),
            "urgent_days": DECISION_URGENT_DAYS,
            "decision_windows": [
                ("6", "Within 6 months", summary.decisions_due.get("6", [])),
                ("12", "In 6 to 12 months", summary.decisions_due.get("12", [])),
                ("24", "In 12 to 24 months", summary.decisions_due.get("24", [])),
            ],
            "charts": [
                bar_chart("value-by-tower", "Contract value by service tower", summary.by_tower, "tower", "Tower"),
                bar_chart(
                    "value-by-supplier", "Contract value by supplier", summary.by_supplier, "supplier", "Supplier"
                ),
            ],
            "papers_due": list(decisions_due(as_at)) if request.user.has_perm("governance.view_decision") else None,
            "procurements": _procurements_flagged(request.user, as_at),
            "timeline": expiry_timeline("expiry-timeline", summary.rows, as_at),
            "page_marking": "OFFICIAL-SENSITIVE [COMMERCIAL]"
            if any(r.contract.classification == "OFFICIAL-SENSITIVE" for r in summary.rows)
            else "OFFICIAL",
        },
    )


def _procurements_flagged(user, as_at):
    """(flagged rows, all procurements) for a user who may see procurements; None for one who may not."""
    if not user.has_perm("procurement.view_procurement"):
        return None
    rows = procurement_list(user=user, as_at=as_at)
    flagged = [row for row in rows if row.flag or row.problems or (row.schedule and row.schedule.at_risk)]
    return {"flagged": flagged, "total": len(rows)}


AUDIT_FILTERS = ("action", "user", "object_type", "object_id", "object")
AUDIT_CSV_HEADERS = ["When (UTC)", "Who", "Action", "Object type", "Object id", "What"]


def _audit_events(params):
    """The events that the audit trail's filters ask for, newest first, and the filters as read."""
    filters = {name: str(params.get(name, "")).strip() for name in AUDIT_FILTERS}
    date_from = query_date(params, "from", label="From date")
    date_to = query_date(params, "to", label="To date")
    events = audit_events(
        action=filters["action"],
        user=filters["user"],
        object_type=filters["object_type"],
        object_id=filters["object_id"],
        mentions=filters["object"],
        date_from=date_from,
        date_to=date_to,
    )
    filters["from"] = date_from.isoformat() if date_from else ""
    filters["to"] = date_to.isoformat() if date_to else ""
    return events, filters


def _audit_csv(events) -> HttpResponse:
    rows = (
        [
            timezone.localtime(event.at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor.get_username() if event.actor else "System",
            event.action,
            event.object_type,
            event.object_id,
            event.summary,
        ]
        for event in events.iterator(chunk_size=2000)
    )
    response = HttpResponse(spreadsheets.csv_text([AUDIT_CSV_HEADERS, *rows]), content_type=spreadsheets.CSV_TYPE)
    response["Content-Disposition"] = 'attachment; filename="pegasus-audit-trail.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_perm("core.view_auditevent")
@bounded_query
def audit_list(request):
    """The audit trail, filtered by action, user, object and date; `?format=csv` downloads the filtered events."""
    events, filters = _audit_events(request.GET)
    if request.GET.get("format") == "csv":
        return _audit_csv(events)
    page = Paginator(events, 50).get_page(query_page(request.GET))
    query = urlencode({name: value for name, value in filters.items() if value})
    context = {"page": page, "filters": filters, "action": filters["action"], "query": query}
    return render(request, "web/audit_list.html", context)


def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (the API's documentation): Pegasus's own icon."""
    return redirect(static("images/favicon.svg"))
