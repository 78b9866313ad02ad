"""Background jobs: `pegasus db_worker` runs them (the immediate backend runs them in place under tests)."""

from django_tasks import task

from pegasus.core.exceptions import InvalidTransition
from pegasus.sourcing.services import optimisation_run_execute


@task()
def optimise_scenario(run_id: int) -> str:
    """Optimise a queued scenario, saving progress as the solver improves; returns the solver's status."""
    try:
        return optimisation_run_execute(run_id=run_id).solver_status or "FAILED"
    except InvalidTransition:  # already run, such as by the demo loader solving in place
        return "SKIPPED"
