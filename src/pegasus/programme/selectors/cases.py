"""Reads of the programme's business cases as they stood on a day, and the appraisal of a case's short list.

As at a day: a case is shown once its first version had been written; its versions are those written by then; it is
approved only if its decision had approved it by then (a case approved later shows as awaiting its decision), and
withdrawn only from the day it was withdrawn. The options appraisal carries no dates of its own: it is shown as the
case now holds it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone

from pegasus.core.calendar import LONDON_ZONE
from pegasus.governance import selectors as governance_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme import appraisal
from pegasus.programme.models import AppraisalOption, BusinessCase, CaseVersion, OptionYear
from pegasus.sourcing import selectors as sourcing_selectors

STAGE_ORDER = {stage: i for i, stage in enumerate(BusinessCase.Stage.values)}


@dataclass(frozen=True)
class CaseStatus:
    """A case's standing on a day: `code` draft, awaiting (its decision is named but had not approved it), approved
    or withdrawn, with the words a page shows."""

    code: str
    label: str


DRAFT = CaseStatus("draft", "Draft")
AWAITING = CaseStatus("awaiting", "Awaiting decision")
APPROVED = CaseStatus("approved", "Approved")
WITHDRAWN = CaseStatus("withdrawn", "Withdrawn")


def end_of(day: date) -> datetime:
    """The last instant of `day` in London: what was written that day counts as at it."""
    return datetime.combine(day, time.max, tzinfo=LONDON_ZONE)


def london_day(instant: datetime) -> date:
    return timezone.localtime(instant, LONDON_ZONE).date()


def status_as_at(
    case: BusinessCase, as_at: date, withdrawn_on: date | None, written: tuple["CaseVersion", ...] = ()
) -> CaseStatus:
    """Approved from the day its decision approved it; before that, awaiting its decision once the version that
    decision approved had been written (`written`: the versions written by `as_at`), a draft until then."""
    if case.status == BusinessCase.Status.APPROVED and case.approved_on and case.approved_on <= as_at:
        return APPROVED
    if case.status == BusinessCase.Status.WITHDRAWN and withdrawn_on is not None and withdrawn_on <= as_at:
        return WITHDRAWN
    if case.decision_id is not None and case.approved_version in {v.number for v in written}:
        return AWAITING
    return DRAFT


def _withdrawn_on(case_ids) -> dict[int, date]:
    """The day each withdrawn case was withdrawn, from its history (the model keeps no date for it)."""
    rows = (
        BusinessCase.history.filter(id__in=case_ids, status=BusinessCase.Status.WITHDRAWN)
        .values("id")
        .annotate(first=Min("history_date"))
    )
    return {row["id"]: london_day(row["first"]) for row in rows}


@dataclass(frozen=True)
class CaseRow:
    case: BusinessCase
    status: CaseStatus
    versions: tuple[CaseVersion, ...]  # written by the as-at day, oldest first

    @property
    def latest(self) -> CaseVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def approved_version(self) -> int | None:
        return self.case.approved_version if self.status is APPROVED else None


def _cases() -> QuerySet[BusinessCase]:
    return BusinessCase.objects.select_related("programme", "procurement", "decision").prefetch_related(
        Prefetch("versions", queryset=CaseVersion.objects.select_related("created_by").order_by("number"))
    )


def _row(case: BusinessCase, as_at: date, withdrawn: dict[int, date]) -> CaseRow:
    cutoff = end_of(as_at)
    versions = tuple(v for v in case.versions.all() if v.created_at <= cutoff)
    return CaseRow(case, status_as_at(case, as_at, withdrawn.get(case.pk), versions), versions)


def case_list(*, as_at: date) -> list[CaseRow]:
    """The business cases written by `as_at`, by stage (SOC, OBC, FBC) and reference, as they stood that day."""
    cases = list(_cases())
    withdrawn = _withdrawn_on([c.pk for c in cases if c.status == BusinessCase.Status.WITHDRAWN])
    rows = [_row(case, as_at, withdrawn) for case in cases]
    rows = [row for row in rows if row.versions]
    return sorted(rows, key=lambda r: (STAGE_ORDER.get(r.case.stage, 9), r.case.reference))


# --- The options appraisal -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionLine:
    """A short-listed option with its appraisal figures and the years they come from."""

    option: AppraisalOption
    result: appraisal.OptionResult
    years: tuple[OptionYear, ...]

    @property
    def total_costs(self) -> Decimal:
        return sum((y.costs for y in self.years), Decimal(0))

    @property
    def total_benefits(self) -> Decimal:
        return sum((y.benefits for y in self.years), Decimal(0))


@dataclass(frozen=True)
class CaseAppraisal:
    long_list: tuple[AppraisalOption, ...]  # every option, in position order
    short_list: tuple[OptionLine, ...]  # ranked, 1 first
    preferred: str | None
    switching: tuple[appraisal.SwitchingValue, ...]
    error: str = ""
    unappraised: frozenset[int] = frozenset()  # short-listed options with no years entered yet

    @property
    def dropped(self) -> tuple[AppraisalOption, ...]:
        return tuple(o for o in self.long_list if not o.shortlisted)


def case_options(case: BusinessCase) -> list[AppraisalOption]:
    return list(
        case.options.select_related("scenario").prefetch_related(
            Prefetch("years", queryset=OptionYear.objects.order_by("year"))
        )
    )


def case_appraisal(case: BusinessCase) -> CaseAppraisal:
    """The economic case's options: the long list, and the short list appraised at the Green Book's rates (those of
    its options that have years entered)."""
    options = case_options(case)
    # An option with no years entered has nothing to appraise yet: it would show as a nil NPV and could rank first.
    unappraised = frozenset(o.pk for o in options if o.shortlisted and not o.years.all())
    short = [o for o in options if o.shortlisted and o.pk not in unappraised]
    if not short:
        return CaseAppraisal(tuple(options), (), None, (), unappraised=unappraised)
    inputs = [
        appraisal.Option(
            o.name,
            tuple(appraisal.Year(y.year, y.costs, y.benefits) for y in o.years.all()),
            Decimal(o.optimism_bias_percent),
        )
        for o in short
    ]
    try:
        result = appraisal.appraise(inputs)
    except appraisal.AppraisalInputError as exc:
        return CaseAppraisal(tuple(options), (), None, (), error=str(exc), unappraised=unappraised)
    lines = [OptionLine(o, r, tuple(o.years.all())) for o, r in zip(short, result.options, strict=True)]
    lines.sort(key=lambda line: line.result.rank)
    return CaseAppraisal(tuple(options), tuple(lines), result.preferred, result.switching, unappraised=unappraised)


@dataclass(frozen=True)
class CaseDetail:
    row: CaseRow
    version: CaseVersion | None  # the one asked for, or the latest by the as-at day
    appraisal: CaseAppraisal
    as_at: date

    @property
    def case(self) -> BusinessCase:
        return self.row.case

    @property
    def written(self) -> bool:
        return bool(self.row.versions)


def case_detail(*, pk: int, as_at: date, version: int | None = None) -> CaseDetail:
    """A case as it stood on `as_at` with version `version` of its five cases (the latest by then when not given or
    not written by then); BusinessCase.DoesNotExist when there is no such case."""
    case = _cases().get(pk=pk)
    withdrawn = _withdrawn_on([case.pk]) if case.status == BusinessCase.Status.WITHDRAWN else {}
    row = _row(case, as_at, withdrawn)
    chosen = next((v for v in row.versions if v.number == version), row.latest)
    return CaseDetail(row, chosen, case_appraisal(case), as_at)


def case_get(pk: int) -> BusinessCase:
    return BusinessCase.objects.select_related("programme", "procurement", "decision").get(pk=pk)


def option_get(case: BusinessCase, pk: int) -> AppraisalOption:
    return case.options.prefetch_related(Prefetch("years", queryset=OptionYear.objects.order_by("year"))).get(pk=pk)


def latest_version(case: BusinessCase) -> CaseVersion | None:
    return case.versions.order_by("-number").first()


# --- Choices for the forms ---------------------------------------------------------------------------------------


def approving_decisions():
    """Approved business-case decisions, newest first: those that may approve a case."""
    return governance_selectors.decision_list().filter(status="approved", decision_type="business-case")


def procurement_choices():
    return procurement_selectors.procurements().order_by("reference")


def scenario_choices():
    return sourcing_selectors.scenario_list().order_by("name")
