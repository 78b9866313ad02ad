"""A small tender for the evaluation tests: one lot, three criteria, two bids, two evaluators."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from pegasus.core.roles import Role
from pegasus.evaluation import services
from pegasus.evaluation.services import CriterionSpec

CRITERIA = [
    CriterionSpec("tech", "Technical approach", "quality", Decimal(50), pass_mark=Decimal(25)),
    CriterionSpec("sv", "Social value", "social-value", Decimal(10)),
    CriterionSpec("price", "Price", "price", Decimal(40), price_method="lowest-price-ratio"),
]
ALPHA_PRICE = Decimal("1000000.00")
BETA_PRICE = Decimal("1250000.00")


@pytest.fixture
def tender(make_user):
    """Criteria set, evaluators assigned (ev1 on both scored criteria, ev2 on tech), bids in, nobody declared."""
    officer = make_user(Role.COMMERCIAL_OFFICER, username="officer")
    ev1 = make_user(Role.EVALUATOR, username="ev1")
    ev2 = make_user(Role.EVALUATOR, username="ev2")
    tender = services.tender_create(reference="T-1", title="Service integration", lots=["SIAM"], by=officer)
    lot = tender.lots.get()
    services.lot_criteria_set(lot=lot, criteria=CRITERIA, by=officer)
    c = {x.code: x for x in lot.criteria.all()}
    services.evaluator_assign(criterion=c["tech"], evaluator=ev1, by=officer)
    services.evaluator_assign(criterion=c["sv"], evaluator=ev1, by=officer)
    services.evaluator_assign(criterion=c["tech"], evaluator=ev2, by=officer)
    alpha = services.bid_add(lot=lot, bidder_name="Alpha Ltd", price=ALPHA_PRICE, by=officer)
    beta = services.bid_add(lot=lot, bidder_name="Beta plc", price=BETA_PRICE, by=officer)
    return SimpleNamespace(tender=tender, lot=lot, officer=officer, ev1=ev1, ev2=ev2, alpha=alpha, beta=beta, **c)


def score(t, evaluator, bid, criterion, points, rationale="because"):
    return services.score_record(bid=bid, criterion=criterion, score=Decimal(points), rationale=rationale, by=evaluator)


def moderate(t, bid, criterion, points, rationale="agreed at moderation"):
    return services.moderation_record(
        bid=bid, criterion=criterion, score=Decimal(points), rationale=rationale, by=t.officer
    )


@pytest.fixture
def declared(tender):
    services.conflict_declare(tender=tender.tender, has_conflict=False, by=tender.ev1)
    services.conflict_declare(tender=tender.tender, has_conflict=False, by=tender.ev2)
    return tender


@pytest.fixture
def scored(declared):
    """Every assigned evaluator has scored every bid: on originals Beta leads on tech, moderation will decide."""
    t = declared
    score(t, t.ev1, t.alpha, t.tech, 50, "ev1 on alpha tech")
    score(t, t.ev2, t.alpha, t.tech, 75, "ev2 on alpha tech SECRET-EV2-A")
    score(t, t.ev1, t.beta, t.tech, 100, "ev1 on beta tech")
    score(t, t.ev2, t.beta, t.tech, 100, "ev2 on beta tech SECRET-EV2-B")
    score(t, t.ev1, t.alpha, t.sv, 50)
    score(t, t.ev1, t.beta, t.sv, 50)
    return t


@pytest.fixture
def moderated(scored):
    t = scored
    moderate(t, t.alpha, t.tech, 100)
    moderate(t, t.beta, t.tech, 50)
    moderate(t, t.alpha, t.sv, 50)
    moderate(t, t.beta, t.sv, 50)
    return t
