"""Two people raising commitments against the same approval at once: the approval row is locked while each is
checked, so the second sees the first and only what fits is raised. PostgreSQL only: SQLite takes one writer at a
time whatever the code does."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from pegasus.finance import services
from pegasus.finance.models import Commitment
from pegasus.finance.services import FinanceRefused

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every writer by itself")
def test_two_commitments_raised_at_once_cannot_both_take_the_last_of_the_headroom():
    services.budget_line_save(code="PEG", name="Pegasus", parent=None, by=None)
    services.approval_save(
        reference="AP", line="PEG", amount=Decimal("700000.00"), approved_on=date(2019, 6, 10), decision=None, by=None
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def raise_one(reference: str) -> None:
        try:
            start.wait()
            services.commitment_save(
                reference=reference,
                line="PEG",
                approval="AP",
                supplier="S",
                description="",
                raised_on=date(2019, 7, 1),
                amount=Decimal("400000.00"),
                cancelled_on=None,
                contract=None,
                by=None,
            )
            outcomes.append("raised")
        except FinanceRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=raise_one, args=(ref,)) for ref in ("C1", "C2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["raised", "refused"]
    assert Commitment.objects.count() == 1
