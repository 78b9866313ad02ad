"""The Open data page: the OCDS release and record packages as last exported, what they hold, when they were made
and whether the schema accepted them; the packages themselves, as stored and as built live; and, for commercial
officers and programme directors, a button that exports both again. No sign-in is needed to read any of it.

The packages are `publication.selectors.ocds_package`'s, built the same way wherever they are served: the page adds
nothing to them and widens nothing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_POST

from pegasus.core.access import require_perm
from pegasus.core.clock import default_as_at
from pegasus.core.exceptions import PegasusError
from pegasus.publication import ocds, selectors, services
from pegasus.publication.models import OcdsExport

LICENCE_NAMES = {ocds.LICENSE: "Open Government Licence v3.0"}
GENERATED = "Release and record packages generated as at {as_at:%-d %B %Y}: {verdict}."


def _verdict(exports: list[OcdsExport]) -> str:
    errors = sum(export.error_count for export in exports)
    return "both valid against OCDS 1.1.5" if errors == 0 else f"{errors} schema error{'s' if errors != 1 else ''}"


def open_data(request):
    as_at = default_as_at()
    latest = selectors.ocds_exports_latest(as_at)
    packages = [
        {
            "kind": kind,
            "label": label,
            "export": latest[kind],
            "download": reverse(f"open-data-{kind}"),
            "live": reverse(f"public-ocds-{kind}"),
            "licence": LICENCE_NAMES.get(latest[kind].license, latest[kind].license) if latest[kind] else "",
        }
        for kind, label in OcdsExport.Kind.choices
    ]
    return render(
        request,
        "publication/open_data.html",
        {
            "packages": packages,
            "any_export": any(latest.values()),
            "recent": selectors.ocds_exports_recent(as_at),
            "may_generate": request.user.has_perm("publication.export_ocds"),
            "as_at": as_at,
        },
    )


def package(request, kind: str):
    """The latest stored package of `kind`, exactly as it was exported."""
    export = selectors.ocds_export_latest(kind, default_as_at())
    if export is None:
        raise Http404("No package of this kind has been generated yet")
    try:
        stored = export.file.open("rb")
    except FileNotFoundError:
        raise Http404("The package's file is no longer in the storage") from None
    response = FileResponse(
        stored,
        content_type="application/json; charset=utf-8",
        filename=f"pegasus-ocds-{kind}-{export.as_at.isoformat()}.json",
    )
    response["Last-Modified"] = http_date(export.generated_at.timestamp())
    return response


def ocds_records(request):
    """Every publishable contract and procurement as an OCDS 1.1.5 record package, built now (no sign-in)."""
    package = selectors.ocds_package(
        kind="records",
        as_at=default_as_at(),
        published=timezone.now().replace(microsecond=0),
        uri=request.build_absolute_uri(),
    )
    return JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_POST
@require_perm("publication.export_ocds")
def open_data_generate(request):
    """Export both packages now, as at today, each checked against the schema and kept."""
    as_at = default_as_at()
    published = timezone.now().replace(microsecond=0)
    try:
        exports = [
            services.ocds_export_create(
                kind=kind,
                as_at=as_at,
                generated_at=published,
                package=selectors.ocds_package(kind=kind, as_at=as_at, published=published),
                via=OcdsExport.Via.PAGE,
                by=request.user,
            )
            for kind in OcdsExport.Kind.values
        ]
    except (PegasusError, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, GENERATED.format(as_at=as_at, verdict=_verdict(exports)))
    return redirect("open-data")
