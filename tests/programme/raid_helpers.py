"""What the RAID log's tests share: a programme and items of each kind, made through the services."""

from datetime import date

from pegasus.programme.models import Programme
from pegasus.programme.services.raid import raid_item_save

RAISED = date(2019, 4, 1)


def programme_make() -> Programme:
    return Programme.objects.get_or_create(code="PEGASUS", defaults={"name": "Pegasus Programme"})[0]


def risk_values(**changes) -> dict:
    values = {
        "kind": "risk",
        "title": "IR35: independent consultants",
        "owner": "Programme Director",
        "raised_on": RAISED,
        "cause": "Independent consultants are used.",
        "event": "An engagement is found inside IR35.",
        "effect": "Tax liabilities fall on the MPS.",
        "inherent_probability": 4,
        "inherent_impact": 4,
    }
    return values | changes


def issue_values(**changes) -> dict:
    values = {
        "kind": "issue",
        "title": "Backfill posts not recruited",
        "owner": "Programme Director",
        "raised_on": RAISED,
        "priority": "high",
    }
    return values | changes


def risk_make(programme=None, *, by=None, **changes):
    return raid_item_save(programme=programme or programme_make(), **risk_values(**changes), by=by).row


def issue_make(programme=None, *, by=None, **changes):
    return raid_item_save(programme=programme or programme_make(), **issue_values(**changes), by=by).row
