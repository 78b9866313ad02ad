"""The Pegasus Programme's control as PCD 579 (May 2019) sets it out, for the demonstration. Loading twice changes
nothing.

What the seed names is held: the Outline Business Case PCD 579 approves, the Full Business Cases "in the first quarter
of 2020" and "in May 2021 ... covering applications management services", going to market in September 2019, the IR35
risk of independent consultants, the legal risks to identify "in advance of the FBCs", the five backfilled staff,
transition planning. Owners, scores and dates the seed does not give are illustrative.
"""

from django.db import transaction

from pegasus.core.clock import story_at
from pegasus.estate.demo import ESTATE_ENTERED
from pegasus.programme.demo.cases import cases_demo_load
from pegasus.programme.demo.exits import exits_demo_load
from pegasus.programme.demo.milestones import milestones_demo_load
from pegasus.programme.demo.raid import raid_demo_load
from pegasus.programme.models import Programme

CODE = "PEGASUS"


def programme_get_or_create() -> tuple[Programme, bool]:
    return Programme.objects.get_or_create(
        code=CODE,
        defaults={
            "name": "Pegasus Programme",
            "budget_line": "DP-PEG",
            "description": (
                "Re-procure the six major ICT contracts with four suppliers (about £500m over five years) that end"
                " within two to three years, for better value and a better user experience (PCD 579)."
            ),
        },
    )


@transaction.atomic
def programme_demo_load() -> dict[str, int]:
    """The programme, its business cases, milestones, RAID log and exit plans; counts of what was created."""
    with story_at(ESTATE_ENTERED):
        programme, created = programme_get_or_create()
    counts = {"programmes": int(created)}
    counts |= cases_demo_load(programme)
    counts |= milestones_demo_load(programme)
    counts |= raid_demo_load(programme)
    counts |= exits_demo_load(programme)
    return counts
