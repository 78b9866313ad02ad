"""The programme's milestones from PCD 579, as they stood when it went to the Investment Advisory & Monitoring
meeting on 23 May 2019. Loading twice changes nothing (a milestone is found by its name).

The seed's milestones: the decision "required by 7 June 2019" (signed on 10 June: as at 23 May it is forecast three
days late, amber within the 30-day tolerance); going to market in September 2019 (the contract notice that opens
PEG-2019-01's participation period); the Full Business Case for approval to award "in the first quarter of 2020" (the
end of PEG-2019-01's governance approval); the Full Business Case for applications management "in May 2021" (the
start of PEG-2020-02's governance approval); and the tier-1 contracts' expiry, each on its current end in the estate.
The procurement milestones are forecast on the schedule's planned dates; owners are illustrative posts.
"""

from dataclasses import dataclass
from datetime import date

from pegasus.core.clock import london_instant, story_at
from pegasus.estate import selectors as estate_selectors
from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme.models import Milestone, Programme
from pegasus.programme.services.milestones import milestone_save

# The day the demonstration reads the estate as at (the estate demo's DEMO_AS_AT; a domain's demo reaches another
# domain only through its selectors and services): the meeting that considered PCD 579.
DEMO_AS_AT = date(2019, 5, 23)
PCD_579_DECIDED = date(2019, 6, 10)
# The programme office baselines its milestones once PCD 579 is decided, with the decision's day as achieved.
MILESTONES_BASELINED = london_instant(PCD_579_DECIDED, 15)
DIRECTOR = "Programme Director"
COMMERCIAL_LEAD = "Head of Commercial (illustrative)"


@dataclass(frozen=True)
class StageMilestone:
    name: str
    owner: str
    baseline: date
    procurement: str
    stage: str  # a stage kind, or "market" for the stage whose notice opens the competition
    event: str  # "start" or "end"


STAGE_MILESTONES = (
    StageMilestone(
        "Go to market: contract notice for the service towers (September 2019)",
        COMMERCIAL_LEAD,
        date(2019, 9, 2),  # the seed's month; the first working day of it is illustrative
        "PEG-2019-01",
        "market",
        "start",
    ),
    StageMilestone(
        "Full Business Case: approval to award the service towers (first quarter of 2020)",
        DIRECTOR,
        date(2020, 3, 31),
        "PEG-2019-01",
        "governance-approval",
        "end",
    ),
    StageMilestone(
        "Full Business Case: applications management services (May 2021)",
        DIRECTOR,
        date(2021, 5, 31),
        "PEG-2020-02",
        "governance-approval",
        "start",
    ),
)


def _planned(spec: StageMilestone):
    """The procurement's stage the milestone marks and the schedule's planned date of it, or None when the
    procurement demo is not loaded or cannot be scheduled."""
    procurement = procurement_selectors.procurements().filter(reference=spec.procurement).first()
    if procurement is None:
        return None
    row = procurement_selectors.procurement_row(procurement, DEMO_AS_AT)
    if row.schedule is None:
        return None
    kind = (
        row.schedule.market_stage.template.key if spec.stage == "market" and row.schedule.market_stage else spec.stage
    )
    stage_row = row.stage(kind)
    if stage_row is None:
        return None
    planned = stage_row.scheduled.planned_start if spec.event == "start" else stage_row.scheduled.planned_end
    return stage_row.stage, planned


@story_at(MILESTONES_BASELINED)
def milestones_demo_load(programme: Programme) -> dict[str, int]:
    held = set(programme.milestones.values_list("name", flat=True))
    created = 0

    def add(name: str, **fields) -> None:
        nonlocal created
        if name in held:
            return
        milestone_save(programme=programme, name=name, by=None, **fields)
        held.add(name)
        created += 1

    add(
        "PCD 579 decision: OBC-stage spend approved (required by 7 June 2019)",
        owner=DIRECTOR,
        baseline_on=date(2019, 6, 7),
        forecast_on=PCD_579_DECIDED,
        actual_on=PCD_579_DECIDED,
    )
    for spec in STAGE_MILESTONES:
        planned = _planned(spec)
        if planned is None:
            add(spec.name, owner=spec.owner, baseline_on=spec.baseline, forecast_on=spec.baseline)
            continue
        stage, forecast = planned
        add(
            spec.name,
            owner=spec.owner,
            baseline_on=spec.baseline,
            forecast_on=forecast,
            stage=stage,
            stage_event=Milestone.Event.START if spec.event == "start" else Milestone.Event.END,
        )
    for contract in estate_selectors.contracts_of_tier(1).prefetch_related("options").order_by("reference"):
        end = estate_selectors.contract_current_end(contract, list(contract.options.all()), DEMO_AS_AT)
        add(
            f"{contract.reference} {contract.title} expires (current end)",
            owner=COMMERCIAL_LEAD,
            baseline_on=end,
            forecast_on=end,
        )
    return {"milestones": created}
