"""Open data endpoints: the Open Contracting Data Standard (OCDS 1.1.5) packages the authority publishes.

They are public data (the release package is published without sign-in at /public/ocds/releases.json), so any
authenticated caller may read them, under the API's token authentication like every other operation. They are
`publication.selectors.ocds_package`'s, the packages the public files and `pegasus ocds` serve: published decisions
and notices, the contracts and procurements they concern, and nothing confidential (no Part 2 before its release, no
bid but an award's winner).
"""

from datetime import date
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from pegasus.api.schemas import BoundedDate, Errors, Message
from pegasus.core import clock
from pegasus.publication import selectors

READ_ERRORS = {401: Message, 403: Message, 422: Errors}

router = Router(tags=["open data"])


class OcdsQuery(Schema):
    as_at: BoundedDate | None = Field(None, description="Build the releases as at this date; default today")


def _built(query: OcdsQuery) -> tuple[date, Any]:
    return query.as_at or clock.default_as_at(), timezone.now().replace(microsecond=0)


@router.get("/ocds/releases", response={200: dict[str, Any], **READ_ERRORS})
def ocds_releases(request, query: Query[OcdsQuery]):
    """Every publishable contracting process as an OCDS release package: what /public/ocds/releases.json serves."""
    as_at, published = _built(query)
    return selectors.ocds_package(kind="releases", as_at=as_at, published=published)


@router.get("/ocds/records", response={200: dict[str, Any], **READ_ERRORS})
def ocds_records(request, query: Query[OcdsQuery]):
    """The same as an OCDS record package: one record per contracting process, with its releases and its compiled
    release: what `pegasus ocds --records` writes."""
    as_at, published = _built(query)
    return selectors.ocds_package(kind="records", as_at=as_at, published=published)
