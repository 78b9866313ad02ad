"""The exit plans of the tier-1 contracts PEG-2019-01 replaces, as they stood on 23 May 2019: the programme is only
mobilising, so most tasks have not started; the incumbents' exit obligations have been read for three contracts and
the SIAM asset register baselined. Loading twice changes nothing (a contract has one plan).

PCD 579 names transition planning; the tasks, owners and dates are illustrative, set against the replacement's
schedule (going to market in September 2019, mobilisation from April to July 2020).
"""

from dataclasses import dataclass
from datetime import date

from pegasus.core.clock import london_instant, story_at
from pegasus.procurement import selectors as procurement_selectors
from pegasus.programme.models import ExitTask, Programme
from pegasus.programme.services.exits import exit_plan_save, exit_task_save, exit_task_state_set

REPLACEMENT = "PEG-2019-01"
COMMERCIAL = "Head of Commercial (illustrative)"
TRANSITION = "Service Transition Manager (illustrative)"
HR = "HR Business Partner (illustrative)"
DATA = "Information Asset Owner (illustrative)"
A = ExitTask.Area


@dataclass(frozen=True)
class DemoTask:
    area: str
    title: str
    owner: str
    due: date
    done_on: date | None = None
    in_progress: bool = False


def _common(reference: str) -> list[DemoTask]:
    read = {"MPS-DP-T1-001": date(2019, 5, 10), "MPS-DP-T1-002": date(2019, 5, 16), "MPS-DP-T1-003": date(2019, 5, 21)}
    return [
        DemoTask(
            A.OBLIGATIONS,
            "Confirm the incumbent's exit obligations under the contract's exit management schedule",
            COMMERCIAL,
            date(2019, 5, 31),
            done_on=read.get(reference),
            in_progress=reference not in read,
        ),
        DemoTask(
            A.TUPE,
            "Request employee liability information (TUPE regulation 11) for the tender pack",
            HR,
            date(2019, 8, 16),
            in_progress=reference == "MPS-DP-T1-001",
        ),
        DemoTask(
            A.DATA,
            "Agree data extraction formats, the data return and the deletion certificate",
            DATA,
            date(2020, 4, 30),
        ),
        DemoTask(
            A.OBLIGATIONS,
            "Incumbent's exit plan updated for the new supplier and approved",
            COMMERCIAL,
            date(2020, 4, 30),
        ),
        DemoTask(A.TUPE, "TUPE measures letters and consultation with the transferring staff", HR, date(2020, 5, 29)),
        DemoTask(
            A.KNOWLEDGE,
            "Knowledge transfer: runbooks, known errors and configuration data handed over and walked through",
            TRANSITION,
            date(2020, 6, 30),
        ),
        DemoTask(
            A.DUAL_RUNNING, "Dual running and cut-over rehearsal with the new supplier", TRANSITION, date(2020, 7, 10)
        ),
    ]


OWN_TASKS = {
    "MPS-DP-T1-001": [
        DemoTask(
            A.ASSETS,
            "Baseline the asset register: what transfers, what is leased, what is retired",
            TRANSITION,
            date(2019, 5, 17),
            done_on=date(2019, 5, 3),
        ),
        DemoTask(A.ASSETS, "Transfer of the service management toolset and its licences", TRANSITION, date(2020, 6, 1)),
    ],
    "MPS-DP-T1-002": [
        DemoTask(A.ASSETS, "Telephony number porting and circuit novation plan", TRANSITION, date(2020, 3, 31)),
    ],
    "MPS-DP-T1-003": [
        DemoTask(
            A.ASSETS,
            "Baseline the data centre asset register and the racks that transfer",
            TRANSITION,
            date(2019, 10, 31),
        ),
        DemoTask(A.DUAL_RUNNING, "Migration waves out of the incumbent's data centres", TRANSITION, date(2020, 7, 17)),
    ],
    "MPS-DP-T1-004": [
        DemoTask(
            A.ASSETS,
            "Baseline the hosted estate: servers, storage and the licences that transfer",
            TRANSITION,
            date(2019, 10, 31),
        ),
    ],
    "MPS-DP-T1-005": [
        DemoTask(A.ASSETS, "End-user device estate: lease returns and re-imaging plan", TRANSITION, date(2020, 3, 31)),
        DemoTask(A.KNOWLEDGE, "Service desk knowledge base and scripts handed over", TRANSITION, date(2020, 6, 30)),
    ],
}


# The exit plans drawn up after the incumbents' contracts were read in May 2019 (illustrative day).
EXITS_PLANNED = london_instant(date(2019, 5, 21), 16)


@story_at(EXITS_PLANNED)
def exits_demo_load(programme: Programme) -> dict[str, int]:
    procurement = procurement_selectors.procurements().filter(reference=REPLACEMENT).first()
    if procurement is None:
        return {"exit_plans": 0, "exit_tasks": 0}
    plans = tasks = 0
    for contract in procurement.replaces.select_related("supplier").filter(tier=1).order_by("reference"):
        if hasattr(contract, "exit_plan"):
            continue
        plan = exit_plan_save(
            programme=programme,
            contract=contract,
            procurement=procurement,
            summary=(
                f"Exit of {contract.title} from {contract.supplier.name} into {REPLACEMENT}'s new contracts, planned to"
                " mobilise from April to July 2020. Tasks, owners and dates are illustrative."
            ),
            by=None,
        )
        plans += 1
        for spec in _common(contract.reference) + OWN_TASKS.get(contract.reference, []):
            task = exit_task_save(
                plan=plan, area=spec.area, title=spec.title, owner=spec.owner, due_on=spec.due, by=None
            )
            if spec.done_on is not None:
                exit_task_state_set(task=task, state=ExitTask.State.DONE, done_on=spec.done_on, by=None)
            elif spec.in_progress:
                exit_task_state_set(task=task, state=ExitTask.State.IN_PROGRESS, by=None)
            tasks += 1
    return {"exit_plans": plans, "exit_tasks": tasks}
