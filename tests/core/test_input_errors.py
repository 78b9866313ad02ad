"""Every input Pegasus cannot use raises an InputError, still a ValueError as each was before it had one base."""

import pytest

from pegasus.core.exceptions import ImportRejected, InputError, OutOfBounds, PegasusError
from pegasus.core.reading import DocumentError
from pegasus.evaluation.scoring import EvaluationInputError
from pegasus.governance.rules import SchemeInputError
from pegasus.performance.clock import ClockError
from pegasus.performance.importers import ImportFileError
from pegasus.performance.sla import SlaFileError
from pegasus.performance.ticket_loading import TicketFileError
from pegasus.procurement.law import RuleInputError
from pegasus.procurement.schedule import ScheduleInputError
from pegasus.publication.market import Rejected
from pegasus.publication.services import MarketFilesRejected
from pegasus.sourcing.optimiser import ProblemInputError

INPUT_ERRORS = [
    RuleInputError,
    SchemeInputError,
    TicketFileError,
    ProblemInputError,
    ScheduleInputError,
    EvaluationInputError,
    ClockError,
    ImportFileError,
    SlaFileError,
    Rejected,
    MarketFilesRejected,
    DocumentError,
    ImportRejected,
    OutOfBounds,
]


@pytest.mark.parametrize("error", INPUT_ERRORS, ids=lambda e: e.__name__)
def test_each_input_error_is_an_input_error_and_a_value_error(error):
    assert issubclass(error, InputError)
    assert issubclass(error, ValueError)


@pytest.mark.parametrize(
    # A lot problem the optimiser cannot read was a rule violation, shown on the scenario form, before it had one base.
    "error",
    [e for e in INPUT_ERRORS if e not in (ImportRejected, OutOfBounds, ProblemInputError)],
    ids=lambda e: e.__name__,
)
def test_an_input_error_is_not_taken_for_a_domain_error_by_the_pages(error):
    assert not issubclass(error, PegasusError)
