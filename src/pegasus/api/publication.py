"""Notice endpoints: the post-award notices, read as their pages read them.

Each endpoint checks the same django-rules permission as the page it mirrors and calls one selector: staff read every
notice, a supplier user the notices of its own contracts only (another's is answered as missing). What a notice says
(`body`) is given as it was drafted; money in it is text, as everywhere in the API.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import Field, Query, Router, Schema

from pegasus.api.schemas import Errors, Message, PageQuery
from pegasus.core.access import check_object_perm
from pegasus.publication import selectors

NO_SUCH_NOTICE = "No notice with id {id}."
READ_ERRORS = {401: Message, 403: Message, 404: Message, 422: Errors}

router = Router(tags=["notices"])

NoticeKind = Literal["UK7", "UK9", "UK10", "UK11", "PCR-MOD"]
NoticeState = Literal["draft", "checked", "published"]


class NoticeFiltersIn(Schema):
    kind: NoticeKind | None = None
    state: NoticeState | None = None
    contract: str = Field("", max_length=50, description="Part of the contract's reference")
    supplier: int | None = Field(None, ge=1, le=2_147_483_647, description="A supplier id")


class NoticeSummary(Schema):
    id: int
    kind: NoticeKind
    state: NoticeState
    contract_id: int
    contract_reference: str
    change_id: int | None
    corrects_id: int | None
    period_start: date | None
    period_end: date | None
    drafted_at: datetime
    checked_at: datetime | None
    published_at: datetime | None

    @staticmethod
    def of(notice) -> "NoticeSummary":
        return NoticeSummary(
            id=notice.pk,
            kind=notice.kind,
            state=notice.state,
            contract_id=notice.contract_id,
            contract_reference=notice.contract.reference,
            change_id=notice.change_id,
            corrects_id=notice.corrects_id,
            period_start=notice.period_start,
            period_end=notice.period_end,
            drafted_at=notice.drafted_at,
            checked_at=notice.checked_at,
            published_at=notice.published_at,
        )


class NoticeOut(NoticeSummary):
    body: dict[str, Any] = Field(description="What the notice says, as drafted from the records")


class NoticePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NoticeSummary]


@router.get("/notices", response={200: NoticePage, **READ_ERRORS})
def notice_list(request, filters: Query[NoticeFiltersIn], page: Query[PageQuery]):
    """Notices the caller may see, newest first: staff every notice, a supplier user its own contracts'."""
    check_object_perm(request.user, "publication.view_notices", None)
    notices = selectors.notice_list(
        user=request.user,
        filters=selectors.NoticeFilters(
            kind=filters.kind or "",
            state=filters.state or "",
            contract=filters.contract.strip(),
            supplier=filters.supplier,
        ),
    )
    window = list(notices[page.offset : page.offset + page.limit])
    return NoticePage(
        count=notices.count(), limit=page.limit, offset=page.offset, items=[NoticeSummary.of(n) for n in window]
    )


@router.get("/notices/{notice_id}", response={200: NoticeOut, **READ_ERRORS})
def notice_get(request, notice_id: int):
    """One notice with what it says; another supplier's notice is answered as missing."""
    check_object_perm(request.user, "publication.view_notices", None)
    try:
        notice = selectors.notice_get(user=request.user, pk=notice_id)
    except ObjectDoesNotExist:
        raise Http404(NO_SUCH_NOTICE.format(id=notice_id)) from None
    check_object_perm(request.user, "publication.view_notice", notice)
    summary = NoticeSummary.of(notice)
    return NoticeOut(**summary.dict(), body=notice.body)
