"""The one clock while a story is told (the demo): what services record, history versions, `auto_now_add` instants
and audit events all take the story's instant, and the real clock returns after it."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pegasus.core import clock
from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.models import AuditEvent
from pegasus.estate import services
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db
PROPOSED = datetime(2019, 5, 13, 11, 0, tzinfo=LONDON_ZONE)


class TestStoryAt:
    def test_now_today_and_the_default_as_at_are_the_storys(self, settings):
        # given a deployment read as at a fixed day
        settings.PEGASUS_AS_AT = date(2019, 5, 23)

        # when a story is told at 13 May 2019
        with clock.story_at(PROPOSED):
            told = (clock.now(), clock.london_today(), clock.default_as_at())

        # then each is the story's, and afterwards the real clock and the fixed day return
        assert told == (PROPOSED, date(2019, 5, 13), date(2019, 5, 13))
        assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)
        assert clock.default_as_at() == date(2019, 5, 23)

    def test_a_naive_instant_is_refused(self):
        with pytest.raises(ValueError, match=clock.STORY_INSTANT_NOT_AWARE), clock.story_at(datetime(2019, 5, 13)):
            pass  # pragma: no cover

    def test_a_record_its_history_and_its_audit_event_take_the_storys_instant(self, make_user):
        # given a contract and its commercial officer
        contract = ContractFactory(initial_end_date=date(2020, 3, 31))
        officer = make_user("commercial-officer")

        # when a variation is proposed inside the story
        with clock.story_at(PROPOSED):
            change = services.change_propose(
                contract=contract,
                kind="variation",
                reason="More devices.",
                effective_on=date(2019, 7, 1),
                value_change=Decimal("1000.00"),
                scope="More devices.",
                ground="de-minimis",
                by=officer,
            )

        # then its auto_now_add instant, its saved row, its first history version and its audit event are the story's
        change.refresh_from_db()
        assert change.proposed_at == PROPOSED
        assert change.history.get().history_date == PROPOSED
        assert change.history.get().proposed_at == PROPOSED
        assert AuditEvent.objects.filter(object_id=str(change.pk)).get().at == PROPOSED

    def test_outside_a_story_records_take_the_real_instant(self, make_user):
        # when a variation is proposed with no story told
        change = services.change_propose(
            contract=ContractFactory(initial_end_date=date(2020, 3, 31)),
            kind="variation",
            reason="More devices.",
            effective_on=date(2019, 7, 1),
            value_change=Decimal("1000.00"),
            scope="More devices.",
            ground="de-minimis",
            by=make_user("commercial-officer"),
        )

        # then it is stamped now
        assert abs(change.proposed_at - timezone.now()) < timedelta(minutes=1)
        assert abs(change.history.get().history_date - timezone.now()) < timedelta(minutes=1)
