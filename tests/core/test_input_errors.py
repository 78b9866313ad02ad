"""Every input Pegasus cannot use raises an InputError, still a ValueError as each was before it had one base."""

import pytest

from pegasus.core.exceptions import ImportRejected, InputError, OutOfBounds, PegasusError
from pegasus.core.reading import DocumentError
from pegasus.evaluation.scoring import EvaluationInputError
from pegasus.performance.clock import ClockError
from pegasus.performance.importers import ImportFileError
from pegasus.performance.sla import SlaFileError
from pegasus.procurement.law import RuleInputError
from pegasus.procurement.schedule import ScheduleInputError
from pegasus.publication.market import Rejected
from pegasus.publication.services import MarketFilesRejected

INPUT_ERRORS = [
    RuleInputError,
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
    "error", [e for e in INPUT_ERRORS if e not in (ImportRejected, OutOfBounds)], ids=lambda e: e.__name__
)
def test_an_input_error_is_not_taken_for_a_domain_error_by_the_pages(error):
    assert not issubclass(error, PegasusError)
