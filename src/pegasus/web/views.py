"""Cross-cutting pages: home, the estate dashboard and the audit trail."""

from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
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
from pegasus.estate.selectors import estate_summary
from pegasus.estate.terms import DECISION_URGENT_DAYS
from pegasus.finance import selectors as finance_selectors
from pegasus.governance.selectors import papers_due_on
from pegasus.procurement.selectors import procurement_list, schedule_risks
from pegasus.programme.selectors import raid_escalated
from pegasus.ui.charts import bar_chart
from pegasus.web.charts import expiry_timeline


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
            "papers_due": papers_due_on(as_at) if request.user.has_perm("governance.view_decision") else None,
            "procurements": _procurements_flagged(request.user, as_at),
            "replacement_risks": _replacement_risks(request.user, as_at),
            "programme_money": _programme_money(request.user, as_at),
            "programme_escalated": raid_escalated(as_at) if request.user.has_perm("programme.view_programme") else None,
            "timeline": expiry_timeline("expiry-timeline", summary.timeline, as_at),
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


@dataclass(frozen=True)
class ProgrammeMoney:
    """The programme's money for the year of the as-at date: its line rolled up and the headroom of its approvals."""

    line: object  # finance_selectors.LineRow
    year_label: str
    headroom: Decimal
    approved: Decimal
    approvals: int


def _programme_money(user, as_at) -> ProgrammeMoney | None:
    """For a reader of finance, the programme's budget, actual, outturn and approval headroom; None for anyone else
    or before any approval is held. The programme is the line that the largest approval is on (PCD 579's £6.7m on
    DP-PEG in the demo); its headroom is that of every approval on it or on a line below it."""
    if not user.has_perm("finance.view_finance"):
        return None
    position = finance_selectors.position(as_at=as_at)
    if not position.approvals:
        return None
    largest = max(position.approvals, key=lambda a: (a.figures.approved, a.reference))
    line = position.line(largest.line)
    under, inside = {line.code}, False
    for row in position.lines:  # parents come before their children, each subtree together
        if row.code == line.code:
            inside = True
        elif inside and row.depth > line.depth:
            under.add(row.code)
        elif inside:
            break
    approvals = [a for a in position.approvals if a.line in under]
    return ProgrammeMoney(
        line=line,
        year_label=position.year_label,
        headroom=sum((a.figures.headroom for a in approvals), Decimal(0)),
        approved=sum((a.figures.approved for a in approvals), Decimal(0)),
        approvals=len(approvals),
    )


AUDIT_FILTERS = ("action", "user", "object_type", "object_id", "object")
AUDIT_CSV_HEADERS = ["When (UTC)", "Who", "Action", "Object type", "Object id", "What"]


def _audit_events(params):
    """The events that the audit trail's filters ask for, newest first, and the filters as read."""
    filters = {name: str(params.get(name, "")).strip() for name in AUDIT_FILTERS}
    date_from = query_date(params, "from", label="From date")
    date_to = query_date(params, "to", label="To date")
    # Read as at a day only when asked: the trail is the record of real actions, sign-ins included.
    as_at = as_at_from(params.get("as_at"))[0] if params.get("as_at") else None
    events = audit_events(
        as_at=as_at,
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
    filters["as_at"] = as_at.isoformat() if as_at else ""
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


def _replacement_risks(user, as_at):
    """Each contract a procurement not yet awarded replaces, with the odds its replacement is in place in time (by
    current end); None for a user who may not see procurements."""
    if not user.has_perm("procurement.view_procurement"):
        return None
    pairs = [(risk, incumbent) for risk in schedule_risks(user=user, as_at=as_at) for incumbent in risk.incumbents]
    return sorted(pairs, key=lambda pair: (pair[1].current_end, pair[1].reference))
