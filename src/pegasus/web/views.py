"""Cross-cutting pages: home, the estate dashboard and the audit trail."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.templatetags.static import static

from pegasus.core.access import require_perm
from pegasus.core.models import AuditEvent
from pegasus.core.money import format_millions
from pegasus.estate.selectors import as_at_from, estate_summary
from pegasus.governance.selectors import decisions_due
from pegasus.procurement.selectors import procurement_list
from pegasus.web.charts import bar_chart, expiry_timeline


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


@require_perm("core.view_auditevent")
def audit_list(request):
    events = AuditEvent.objects.select_related("actor")
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit_list.html", {"page": page, "action": action})


def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (the API's documentation): Pegasus's own icon."""
    return redirect(static("images/favicon.svg"))
