"""Downloads of the decision form: Part 1 for staff who read decisions, Part 2 only for those who may read it.

Part 2 is answered with 404 to every signed-in user who may not read it, so its existence is not disclosed; each
download is audited with what was taken, by whom.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse

from pegasus.core.access import require_perm
from pegasus.core.audit import audit_record
from pegasus.governance import decision_content, decision_docx, decision_pdf, selectors
from pegasus.governance.models import Decision, Part2Attachment

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
RENDERERS: dict[tuple[int, str], Callable[[Decision], bytes]] = {
    (1, "pdf"): decision_pdf.decision_part1_pdf,
    (1, "docx"): decision_docx.decision_part1_docx,
    (2, "pdf"): decision_pdf.decision_part2_pdf,
    (2, "docx"): decision_docx.decision_part2_docx,
}
MARKINGS = {1: decision_content.PART1_MARKING, 2: decision_content.PART2_MARKING}


def require_part2_reader(view):
    """Sign-in first; then anyone who may not read Part 2 (evaluators, supplier users) is told it is not found."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.has_perm("governance.view_decision") and request.user.has_perm("governance.view_part2")):
            raise Http404("No such document")
        return view(request, *args, **kwargs)

    return wrapped


def _download(request, pk: int, part: int, extension: str) -> HttpResponse:
    try:
        decision = selectors.decision_detail(pk)
    except Decision.DoesNotExist:
        raise Http404("No such decision") from None
    body = RENDERERS[(part, extension)](decision)
    filename = decision_content.document_filename(decision, part, extension)
    audit_record(
        action="decision.export",
        by=request.user,
        obj=decision,
        summary=f"Downloaded {decision.reference} v{decision.version} Part {part} as {extension.upper()}",
        data={"part": part, "format": extension, "filename": filename, "marking": MARKINGS[part]},
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Marked documents stay out of shared caches and browser history.
    response["Cache-Control"] = "private, no-store"
    return response


@require_perm("governance.view_decision")
def decision_part1_pdf(request, pk: int):
    return _download(request, pk, 1, "pdf")


@require_perm("governance.view_decision")
def decision_part1_docx(request, pk: int):
    return _download(request, pk, 1, "docx")


@require_part2_reader
def decision_part2_pdf(request, pk: int):
    return _download(request, pk, 2, "pdf")


@require_part2_reader
def decision_part2_docx(request, pk: int):
    return _download(request, pk, 2, "docx")


@require_part2_reader
def part2_attachment(request, pk: int, attachment_pk: int):
    """One Part 2 attachment, for those who may read Part 2; audited like the documents."""
    try:
        attachment = Part2Attachment.objects.select_related("decision").get(pk=attachment_pk, decision_id=pk)
    except Part2Attachment.DoesNotExist:
        raise Http404("No such attachment") from None
    filename = attachment.file.name.rsplit("/", 1)[-1]
    audit_record(
        action="decision.export",
        by=request.user,
        obj=attachment.decision,
        summary=f"Downloaded {attachment.title} from Part 2 of {attachment.decision.reference}",
        data={"part": 2, "attachment": attachment.pk, "filename": filename, "marking": MARKINGS[2]},
    )
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=filename, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
