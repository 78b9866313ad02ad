"""The programme board's pages: where the programme stands as at a day, and its monthly highlight report."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from pegasus.core import clock
from pegasus.core.access import require_perm
from pegasus.core.audit import audit_record
from pegasus.programme import report_docx, report_pdf
from pegasus.programme.selectors import board as selectors

VIEW = "programme.view_programme"
# The pages of each area of programme control, linked from the overview.
AREAS = [
    ("Business cases and their options appraisals", "case-list"),
    ("Milestones: baseline, forecast and actual", "milestone-list"),
    ("RAID log: risks, assumptions, issues and dependencies", "raid-list"),
    ("Exit and transition plans of the incumbent contracts", "exit-list"),
]
DOCUMENTS = {
    "pdf": (report_pdf.highlight_pdf, "application/pdf"),
    "docx": (
        report_docx.highlight_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


@require_perm(VIEW)
def overview(request):
    """Where the programme stands as at a day (the app's as-at date by default), with the month's report."""
    as_at, error = clock.as_at_from(request.GET.get("as_at"))
    found = selectors.board(as_at)
    return render(
        request,
        "programme/overview.html",
        {
            "board": found,
            "as_at": as_at,
            "as_at_error": error,
            "month": f"{as_at:%Y-%m}",
            "areas": AREAS,
            "page_marking": report_pdf.MARKING,
        },
    )


@require_perm(VIEW)
def report(request, month: str, fmt: str):
    """The monthly highlight report, read as at the month's last day, as PDF or DOCX."""
    try:
        as_at = selectors.month_end(month)
    except selectors.MonthInputError:
        raise Http404("No such month") from None
    found = selectors.board(as_at)
    if found is None or fmt not in DOCUMENTS:
        raise Http404("No programme report")
    write, content_type = DOCUMENTS[fmt]
    audit_record(
        action="programme.report",
        by=request.user,
        summary=f"Downloaded the programme's highlight report for {as_at:%B %Y} as {fmt.upper()}",
        data={"month": month, "format": fmt},
    )
    response = HttpResponse(write(found), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="pegasus-highlight-report-{month}.{fmt}"'
    return response


urlpatterns = [
    path("", overview, name="programme-overview"),
    path("report/<str:month>.<str:fmt>", report, name="programme-report"),
]
