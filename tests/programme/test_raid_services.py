"""Changing the RAID log: what each kind needs, references, closing and reopening, mitigations, history and audit."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.exceptions import InvalidTransition
from pegasus.core.models import AuditEvent
from pegasus.programme.models import Mitigation, RaidItem
from pegasus.programme.services import raid as services
from tests.programme.raid_helpers import RAISED, issue_make, issue_values, programme_make, risk_make, risk_values

pytestmark = pytest.mark.django_db


def save(**values):
    return services.raid_item_save(programme=programme_make(), by=None, **values)


def refused_fields(**values) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        save(**values)
    return set(caught.value.message_dict)


class TestKinds:
    @pytest.mark.parametrize("field", ["cause", "event", "effect"])
    def test_a_risk_states_cause_event_and_effect(self, field):
        assert refused_fields(**risk_values(**{field: ""})) == {field}
        assert not RaidItem.objects.exists()

    @pytest.mark.parametrize("field", ["inherent_probability", "inherent_impact"])
    def test_a_risk_is_scored_before_mitigation(self, field):
        assert refused_fields(**risk_values(**{field: None})) == {field}

    def test_a_residual_is_whole_or_absent(self):
        assert refused_fields(**risk_values(residual_probability=2)) == {"residual_impact"}

    @pytest.mark.parametrize("value", [0, 6])
    def test_a_rating_is_1_to_5(self, value):
        assert "inherent_impact" in refused_fields(**risk_values(inherent_impact=value))

    def test_an_issue_has_a_priority(self):
        assert refused_fields(**issue_values(priority="")) == {"priority"}

    def test_only_a_risk_is_scored_and_only_an_issue_has_a_priority(self):
        assert refused_fields(**issue_values(inherent_probability=3, inherent_impact=3)) == {
            "inherent_probability",
            "inherent_impact",
        }
        assert refused_fields(**risk_values(priority="high")) == {"priority"}

    def test_an_assumption_needs_only_title_owner_and_date(self):
        saved = save(kind="assumption", title="Funded from the DP budget", owner="CFO", raised_on=RAISED)
        assert (saved.outcome, saved.row.reference) == ("created", "A-001")

    def test_a_closed_issue_says_how_it_was_resolved(self):
        assert refused_fields(**issue_values(closed_on=date(2019, 5, 1))) == {"resolution"}
        item = save(**issue_values(closed_on=date(2019, 5, 1), resolution="Agreed")).row
        assert (item.status, item.closed_on) == ("closed", date(2019, 5, 1))

    def test_closed_before_raised_is_refused(self):
        assert refused_fields(**risk_values(closed_on=date(2019, 3, 1))) == {"closed_on"}

    def test_an_item_keeps_its_kind(self):
        risk_make(reference="R-001")
        assert refused_fields(**issue_values(reference="R-001")) == {"kind"}

    def test_a_reference_names_its_kind(self):
        assert refused_fields(**issue_values(reference="R-009")) == {"reference"}


class TestReferencesAndChanges:
    def test_references_are_assigned_per_kind(self):
        refs = [risk_make().reference, risk_make().reference, issue_make().reference]
        refs.append(
            save(kind="dependency", title="FBC approved by the DMPC", owner="PD", raised_on=RAISED).row.reference
        )
        assert refs == ["R-001", "R-002", "I-001", "D-001"]

    def test_saving_as_it_is_changes_nothing_and_records_nothing(self):
        risk_make(reference="R-001")
        events, versions = AuditEvent.objects.count(), RaidItem.history.count()
        assert save(**risk_values(reference="R-001")).outcome == "unchanged"
        assert (AuditEvent.objects.count(), RaidItem.history.count()) == (events, versions)

    def test_a_change_is_attributed_audited_and_kept_in_history(self, make_user):
        director = make_user("programme-director", username="dana")
        risk_make(reference="R-001", by=director)
        saved = services.raid_item_save(
            programme=programme_make(),
            **risk_values(reference="R-001", residual_probability=2, residual_impact=4),
            by=director,
        )
        assert saved.outcome == "updated"
        latest = saved.row.history.first()
        assert latest.history_user == director
        event = AuditEvent.objects.filter(action="programme.raid-updated").get()
        assert event.actor == director
        assert "residual_impact" in event.summary and "residual_probability" in event.summary


class TestCloseAndReopen:
    def test_close_then_reopen(self):
        item = issue_make()
        services.raid_item_close(item=item, closed_on=date(2019, 5, 20), resolution="Interim cover agreed", by=None)
        item.refresh_from_db()
        assert (item.status, item.closed_on, item.resolution) == ("closed", date(2019, 5, 20), "Interim cover agreed")
        services.raid_item_reopen(item=item, by=None)
        item.refresh_from_db()
        assert (item.status, item.closed_on, item.resolution) == ("open", None, "Interim cover agreed")
        assert [h.history_type for h in item.history.order_by("history_id")] == ["+", "~", "~"]

    def test_closing_needs_a_date_and_for_an_issue_a_resolution(self):
        item = issue_make()
        with pytest.raises(ValidationError) as caught:
            services.raid_item_close(item=item, closed_on=None, by=None)
        assert set(caught.value.message_dict) == {"closed_on"}
        with pytest.raises(ValidationError) as caught:
            services.raid_item_close(item=item, closed_on=date(2019, 5, 20), by=None)
        assert set(caught.value.message_dict) == {"resolution"}
        item.refresh_from_db()
        assert item.status == "open"

    def test_a_risk_closes_without_a_resolution(self):
        item = services.raid_item_close(item=risk_make(), closed_on=date(2019, 5, 20), by=None)
        assert item.status == "closed"

    def test_closing_twice_and_reopening_an_open_item_are_refused(self):
        item = services.raid_item_close(item=risk_make(), closed_on=date(2019, 5, 20), by=None)
        with pytest.raises(InvalidTransition, match="closed on 20 May 2019"):
            services.raid_item_close(item=item, closed_on=date(2019, 5, 21), by=None)
        services.raid_item_reopen(item=item, by=None)
        with pytest.raises(InvalidTransition, match="is open"):
            services.raid_item_reopen(item=item, by=None)

    def test_a_refused_close_writes_nothing(self):
        item = risk_make()
        events = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            services.raid_item_close(item=item, closed_on=date(2019, 1, 1), by=None)
        item.refresh_from_db()
        assert (item.status, item.closed_on, AuditEvent.objects.count()) == ("open", None, events)


class TestMitigations:
    def test_add_change_and_mark_done(self):
        item = risk_make()
        row = services.mitigation_save(
            item=item, action="Engage through Bloom", owner="Commercial", due_on=date(2019, 6, 28), by=None
        ).row
        again = services.mitigation_save(
            item=item,
            mitigation=row,
            action="Engage through Bloom",
            owner="Commercial",
            due_on=date(2019, 6, 28),
            by=None,
        )
        assert again.outcome == "unchanged"
        services.mitigation_done(mitigation=row, done_on=date(2019, 6, 20), by=None)
        row.refresh_from_db()
        assert row.done_on == date(2019, 6, 20)
        assert AuditEvent.objects.filter(action="programme.mitigation-done").count() == 1

    def test_done_before_the_item_was_raised_is_refused(self):
        item = risk_make()
        row = services.mitigation_save(item=item, action="A", owner="B", due_on=date(2019, 6, 28), by=None).row
        with pytest.raises(ValidationError) as caught:
            services.mitigation_done(mitigation=row, done_on=date(2019, 1, 1), by=None)
        assert set(caught.value.message_dict) == {"done_on"}

    def test_another_items_mitigation_is_refused(self):
        first, second = risk_make(), risk_make()
        row = services.mitigation_save(item=first, action="A", owner="B", due_on=date(2019, 6, 28), by=None).row
        with pytest.raises(ValidationError):
            services.mitigation_save(
                item=second, mitigation=row, action="A", owner="C", due_on=date(2019, 6, 28), by=None
            )
        assert Mitigation.objects.get().owner == "B"
