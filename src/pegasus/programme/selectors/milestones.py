"""The programme's milestones as they stood on a day: each with its actual date as known then, RAG and slip."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme import rules
from pegasus.programme.models import BusinessCase, Milestone, Programme
from pegasus.programme.selectors.programmes import the_programme


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    actual: date | None  # as known on the as-at date: from the stage for a milestone tied to one
    rag: rules.Rag
    slip_days: int

    @property
    def name(self) -> str:
        return self.milestone.name

    @property
    def owner(self) -> str:
        return self.milestone.owner

    @property
    def baseline(self) -> date:
        return self.milestone.baseline_on

    @property
    def forecast(self) -> date:
        return self.milestone.forecast_on

    @property
    def rag_label(self) -> str:
        return rules.RAG_LABELS[self.rag]

    @property
    def belongs_to(self) -> str:
        """ "programme", "stage" or "case": what the milestone belongs to."""
        if self.milestone.stage_id is not None:
            return "stage"
        if self.milestone.business_case_id is not None:
            return "case"
        return "programme"

    @property
    def stage_label(self) -> str:
        """The stage and the event of it the milestone marks, for example "Tender period starts"."""
        stage = self.milestone.stage
        if stage is None:
            return ""
        return f"{stage.get_kind_display()} {self.milestone.get_stage_event_display().lower()}"


def milestones_of(programme: Programme) -> QuerySet[Milestone]:
    return programme.milestones.select_related("stage__procurement", "business_case").order_by("baseline_on", "name")


def milestone_actual(milestone: Milestone, as_at: date) -> date | None:
    """The milestone's actual date as known on `as_at`: read from its stage when tied to one, else its own."""
    stage = milestone.stage
    if stage is not None:
        actual = stage.actual_start if milestone.stage_event == Milestone.Event.START else stage.actual_end
    else:
        actual = milestone.actual_on
    return rules.actual_as_at(actual, as_at)


def milestone_row(milestone: Milestone, as_at: date, tolerance_days: int) -> MilestoneRow:
    actual = milestone_actual(milestone, as_at)
    rag = rules.milestone_rag(
        baseline=milestone.baseline_on,
        forecast=milestone.forecast_on,
        actual=actual,
        as_at=as_at,
        tolerance_days=tolerance_days,
    )
    slip = rules.slip_days(baseline=milestone.baseline_on, forecast=milestone.forecast_on, actual=actual)
    return MilestoneRow(milestone, actual, rag, slip)


def milestone_rows(as_at: date, programme: Programme | None = None) -> list[MilestoneRow]:
    """Every milestone of the programme (the current one by default) as it stood on `as_at`, by baseline date."""
    programme = programme or the_programme()
    if programme is None:
        return []
    return [milestone_row(m, as_at, programme.tolerance_days) for m in milestones_of(programme)]


def rag_counts(rows: list[MilestoneRow]) -> dict[str, int]:
    """How many milestones are at each RAG, in the order complete, green, amber, red."""
    return {rag.value: sum(1 for row in rows if row.rag is rag) for rag in rules.Rag}


def milestone_get(*, programme: Programme, pk: int) -> Milestone:
    return milestones_of(programme).get(pk=pk)


def business_case_choices(programme: Programme) -> QuerySet[BusinessCase]:
    return programme.business_cases.order_by("reference")


def stage_choices() -> QuerySet[Any]:
    """Every procurement stage, by procurement then position: what a milestone may be tied to."""
    return procurement_selectors.stages_by_procurement()
