"""Decisions in every state, for the public register's tests; every demo at once and the release schema with the UK
extension, for the open contracting tests."""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from pegasus.core.calendar import LONDON_ZONE
from pegasus.core.roles import Role
from pegasus.governance import services
from pegasus.governance.models import Appointment, Declaration
from pegasus.governance.services import ExemptionSpec, RecommendationSpec

DMPC = "Deputy Mayor for Policing and Crime"


@pytest.fixture
def people(make_user):
    officer = make_user(Role.PROGRAMME_DIRECTOR, username="author")
    approver = make_user(Role.APPROVER, username="dmpc")
    Appointment.objects.create(user=approver, office=DMPC)
    return officer, approver


@pytest.fixture
def make_decision(people):
    """A decision taken to the given state; its Part 2 (and optionally its Part 1) carries the text given."""
    officer, approver = people
    made = [0]

    def make(state: str, *, part2: str = "Withheld.", introduction: str = "Background.", attachment=None, **fields):
        made[0] += 1
        decision = services.decision_create(
            by=officer,
            reference=fields.pop("reference", f"PCD {700 + made[0]}"),
            title=fields.pop("title", f"Decision {made[0]} on the network tower"),
            decision_type="procurement-strategy",
            executive_summary=fields.pop("executive_summary", "Award the network contract."),
            value=Decimal("2500000"),
            introduction=introduction,
            part2=part2,
            recommendations=[RecommendationSpec("approve", "Award the network contract", Decimal("2500000"))],
            exemptions=[ExemptionSpec("s43", "Commercial interests", date(2030, 1, 1))],
            route=[(DMPC, None)],
            **fields,
        )
        if attachment is not None:
            services.part2_attachment_add(decision=decision, upload=attachment, by=officer)
        if state == "draft":
            return decision
        for kind in Declaration.Kind.values:
            services.declaration_confirm(decision=decision, kind=kind, statement="Confirmed.", by=officer)
        if state == "withdrawn":
            return services.decision_withdraw(decision=decision, by=officer)
        services.decision_submit(decision=decision, by=officer)
        if state == "submitted":
            return decision
        if state == "rejected":
            return services.decision_reject(decision=decision, by=approver)
        return services.decision_approve(
            decision=decision, by=approver, signed_at=datetime(2019, 7, made[0], 12, tzinfo=LONDON_ZONE)
        )

    return make


@pytest.fixture
def everything(demo):
    """Every demo the other apps load: decisions with Part 2, procurements, the tender with its bids, scenarios."""
    from pegasus.evaluation.demo import evaluation_demo_load
    from pegasus.governance.demo import decisions_demo_load
    from pegasus.procurement.demo import procurements_demo_load
    from pegasus.sourcing.demo import sourcing_demo_load

    decisions_demo_load()
    procurements_demo_load()
    evaluation_demo_load()
    sourcing_demo_load(optimise=False)


@pytest.fixture
def uk_release_schema(shared_data) -> dict:
    """The 1.1.5 release schema with the UK extension's patch merged in, and closed: a field neither defines is an
    error. Its $refs are all local (#/definitions/...)."""
    from tests.publication.test_ocds import _closed, merge_patch

    core = json.loads((shared_data / "ocds-schema-1.1.5" / "release-schema.json").read_text(encoding="utf-8"))
    patch = json.loads((shared_data / "ocds-uk-extension" / "release-schema.json").read_text(encoding="utf-8"))
    return _closed(merge_patch(core, patch))
