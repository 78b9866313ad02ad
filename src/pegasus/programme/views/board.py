"""The programme board's pages: where the programme stands, and its monthly highlight report."""

from django.shortcuts import render
from django.urls import path

from pegasus.core.access import require_perm
from pegasus.programme import permissions  # noqa: F401

VIEW = "programme.view_programme"


@require_perm(VIEW)
def overview(request):
    return render(request, "programme/overview.html", {})


urlpatterns = [path("", overview, name="programme-overview")]
