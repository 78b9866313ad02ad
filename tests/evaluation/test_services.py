"""The evaluation services: no peeking, weights, moderation that keeps originals, ranking and the award."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pegasus.core.exceptions import InvalidTransition, RuleViolation
from pegasus.core.models import AuditEvent
from pegasus.evaluation import scoring, selectors, services
from pegasus.evaluation.models import AwardRecommendation, Criterion, Moderation, Score
from pegasus.evaluation.services import CriterionSpec
from pegasus.governance.models import Decision
from tests.evaluation.conftest import ALPHA_PRICE, BETA_PRICE, CRITERIA, moderate, score

pytestmark = pytest.mark.django_db


class TestNoPeeking:
    """Acceptance: an evaluator reads no bid before declaring no conflict, and no other's score before moderation."""

    def test_an_evaluator_sees_no_bid_before_declaring_no_conflict(self, tender):
        # when / then
        with pytest.raises(RuleViolation, match="before you see any bid"):
            selectors.bids_for_evaluator(lot=tender.lot, user=tender.ev1)
        with pytest.raises(RuleViolation, match="before you see any bid"):
            selectors.scores_visible_to(lot=tender.lot, user=tender.ev1)
        with pytest.raises(RuleViolation, match="before you see any bid"):
            score(tender, tender.ev1, tender.alpha, tender.tech, 50)
        assert not Score.objects.exists()

    def test_declaring_no_conflict_shows_the_bids(self, tender):
        services.conflict_declare(tender=tender.tender, has_conflict=False, by=tender.ev1)
        assert selectors.bids_for_evaluator(lot=tender.lot, user=tender.ev1) == [tender.alpha, tender.beta]

    def test_an_evaluator_who_declares_a_conflict_never_sees_the_bids(self, tender):
        services.conflict_declare(tender=tender.tender, has_conflict=True, details="I worked for Beta", by=tender.ev1)
        with pytest.raises(RuleViolation, match="declared a conflict"):
            selectors.bids_for_evaluator(lot=tender.lot, user=tender.ev1)
        with pytest.raises(RuleViolation, match="declared a conflict"):
            score(tender, tender.ev1, tender.alpha, tender.tech, 50)

    def test_a_conflict_must_be_described_and_a_declaration_is_made_once(self, tender):
        with pytest.raises(RuleViolation, match="Describe the conflict"):
            services.conflict_declare(tender=tender.tender, has_conflict=True, details=" ", by=tender.ev1)
        services.conflict_declare(tender=tender.tender, has_conflict=False, by=tender.ev1)
        with pytest.raises(InvalidTransition, match="cannot be changed"):
            services.conflict_declare(tender=tender.tender, has_conflict=True, details="x", by=tender.ev1)

    def test_an_evaluator_reads_only_their_own_scores_before_moderation(self, scored):
        # given every score in, nothing moderated
        t = scored
        # when
        seen = list(selectors.scores_visible_to(lot=t.lot, user=t.ev1))
        # then
        assert {s.evaluator for s in seen} == {t.ev1}
        assert len(seen) == 4

    def test_another_evaluators_score_is_readable_once_that_bid_and_criterion_are_moderated(self, scored):
        t = scored
        moderate(t, t.alpha, t.tech, 75)
        seen = list(selectors.scores_visible_to(lot=t.lot, user=t.ev1))
        others = [(s.bid, s.criterion) for s in seen if s.evaluator == t.ev2]
        assert others == [(t.alpha, t.tech)]

    def test_an_evaluator_scores_only_the_criteria_assigned_to_them(self, declared):
        t = declared
        with pytest.raises(RuleViolation, match="not assigned"):
            score(t, t.ev2, t.alpha, t.sv, 50)
        with pytest.raises(RuleViolation, match="not assigned"):
            score(t, t.ev1, t.alpha, t.price, 50)

    def test_a_score_must_be_on_the_scale_and_have_a_rationale(self, declared):
        t = declared
        with pytest.raises(RuleViolation, match="not on the scale"):
            score(t, t.ev1, t.alpha, t.tech, 60)
        with pytest.raises(RuleViolation, match="rationale"):
            score(t, t.ev1, t.alpha, t.tech, 50, rationale="  ")

    def test_an_evaluator_may_revise_a_score_until_it_is_moderated(self, scored):
        t = scored
        score(t, t.ev1, t.alpha, t.tech, 75, "on reflection")
        assert Score.objects.get(evaluator=t.ev1, bid=t.alpha, criterion=t.tech).score == 75
        moderate(t, t.alpha, t.tech, 75)
        with pytest.raises(InvalidTransition, match="moderated"):
            score(t, t.ev1, t.alpha, t.tech, 100)


class TestWeights:
    @pytest.mark.parametrize("tech_weight", [Decimal(49), Decimal("50.01"), Decimal(70)])
    def test_weights_must_add_up_to_100(self, tender, tech_weight):
        criteria = [CriterionSpec("tech", "Tech", "quality", tech_weight), *CRITERIA[1:]]
        fresh = services.tender_create(reference="T-2", title="Other", lots=["One"], by=tender.officer).lots.get()
        with pytest.raises(RuleViolation, match="not 100"):
            services.lot_criteria_set(lot=fresh, criteria=criteria, by=tender.officer)
        assert not fresh.criteria.exists()

    def test_social_value_under_10_percent_is_a_warning_not_an_error(self, tender):
        fresh = services.tender_create(reference="T-2", title="Other", lots=["One"], by=tender.officer).lots.get()
        criteria = [
            CriterionSpec("tech", "Tech", "quality", Decimal(55)),
            CriterionSpec("sv", "Social value", "social-value", Decimal(5)),
            CriterionSpec("price", "Price", "price", Decimal(40), price_method="interpolation"),
        ]
        warnings = services.lot_criteria_set(lot=fresh, criteria=criteria, by=tender.officer)
        assert warnings == [scoring.MSG_SOCIAL_VALUE_LOW.format(weight="5")]
        assert fresh.criteria.count() == 3

    def test_ten_percent_social_value_gives_no_warning(self, tender):
        assert selectors.criteria_warnings(tender.lot) == []

    def test_a_price_criterion_needs_a_method_and_no_pass_mark(self, tender):
        fresh = services.tender_create(reference="T-2", title="Other", lots=["One"], by=tender.officer).lots.get()
        with pytest.raises(RuleViolation, match="price method"):
            services.lot_criteria_set(
                lot=fresh,
                criteria=[
                    CriterionSpec("q", "Q", "quality", Decimal(60)),
                    CriterionSpec("p", "P", "price", Decimal(40)),
                ],
                by=tender.officer,
            )

    def test_criteria_are_fixed_once_scoring_has_started(self, scored):
        with pytest.raises(InvalidTransition, match="can no longer change"):
            services.lot_criteria_set(lot=scored.lot, criteria=CRITERIA, by=scored.officer)

    def test_setting_criteria_is_atomic(self, tender):
        # given a valid set whose last criterion has an id that is not a slug, found only when it is saved
        criteria = [
            *CRITERIA[:2],
            CriterionSpec("bad id!", "Price", "price", Decimal(40), price_method="interpolation"),
        ]
        before = list(tender.lot.criteria.values_list("code", flat=True))
        # when
        with pytest.raises(ValidationError):
            services.lot_criteria_set(lot=tender.lot, criteria=criteria, by=tender.officer)
        # then the old criteria are all still there
        assert list(tender.lot.criteria.values_list("code", flat=True)) == before

    def test_the_default_scale_has_the_five_descriptors(self, tender):
        assert tender.tech.scale == [
            [0, "Unacceptable"],
            [25, "Poor"],
            [50, "Acceptable"],
            [75, "Good"],
            [100, "Excellent"],
        ]


class TestModeration:
    def test_moderation_waits_for_every_assigned_evaluator(self, declared):
        t = declared
        score(t, t.ev1, t.alpha, t.tech, 50)
        with pytest.raises(InvalidTransition, match="Not every assigned evaluator"):
            moderate(t, t.alpha, t.tech, 50)
        score(t, t.ev2, t.alpha, t.tech, 75)
        assert moderate(t, t.alpha, t.tech, 75).score == 75

    def test_an_evaluator_with_a_conflict_is_not_waited_for(self, tender):
        t = tender
        services.conflict_declare(tender=t.tender, has_conflict=False, by=t.ev1)
        services.conflict_declare(tender=t.tender, has_conflict=True, details="Shares in Alpha", by=t.ev2)
        score(t, t.ev1, t.alpha, t.tech, 50)
        assert moderate(t, t.alpha, t.tech, 50).score == 50

    def test_moderation_keeps_every_original_score(self, scored):
        # given
        t = scored
        originals = list(Score.objects.order_by("pk").values_list("pk", "evaluator", "score", "rationale"))
        # when the consensus differs from both originals, and is then changed again
        moderate(t, t.beta, t.tech, 50, "first consensus")
        moderate(t, t.beta, t.tech, 75, "second consensus")
        # then
        assert list(Score.objects.order_by("pk").values_list("pk", "evaluator", "score", "rationale")) == originals
        moderation = Moderation.objects.get(bid=t.beta, criterion=t.tech)
        assert (moderation.score, moderation.rationale) == (75, "second consensus")
        assert moderation.history.count() == 2

    def test_moderation_needs_a_rationale_and_a_score_on_the_scale(self, scored):
        t = scored
        with pytest.raises(RuleViolation, match="rationale"):
            moderate(t, t.alpha, t.tech, 50, rationale="")
        with pytest.raises(RuleViolation, match="not on the scale"):
            moderate(t, t.alpha, t.tech, 30)
        assert not Moderation.objects.exists()

    def test_every_change_is_audited(self, moderated):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"tender.create", "tender.criteria-set", "bid.add", "tender.declare", "score.record"} <= actions
        assert "score.moderate" in actions
        # The audit trail names bids, never their prices.
        assert not AuditEvent.objects.filter(summary__contains="1,000,000").exists()


class TestRanking:
    def test_results_wait_until_every_bid_is_moderated_on_every_criterion(self, scored):
        t = scored
        moderate(t, t.alpha, t.tech, 100)
        result = selectors.lot_result(t.lot)
        assert not result.complete and (result.moderated, result.needed) == (1, 4)
        assert result.rows == []

    def test_ranking_uses_the_moderated_scores(self, moderated):
        # given originals that favour Beta on tech (100, 100 v 50, 75) and a consensus that favours Alpha (100 v 50)
        t = moderated
        # when
        result = selectors.lot_result(t.lot)
        # then the ranking is the scoring engine's on the moderated scores
        expected = scoring.tender_evaluate(
            scoring.Tender(
                criteria=(
                    scoring.Criterion("tech", Decimal(50), scoring.CriterionKind.QUALITY, Decimal(25)),
                    scoring.Criterion("sv", Decimal(10), scoring.CriterionKind.SOCIAL_VALUE),
                    scoring.Criterion(
                        "price",
                        Decimal(40),
                        scoring.CriterionKind.PRICE,
                        None,
                        scoring.PriceMethod("lowest-price-ratio"),
                    ),
                ),
                bids=(
                    scoring.Bid("Alpha Ltd", ALPHA_PRICE, {"tech": Decimal(100), "sv": Decimal(50)}),
                    scoring.Bid("Beta plc", BETA_PRICE, {"tech": Decimal(50), "sv": Decimal(50)}),
                ),
            )
        )
        shown = scoring.evaluation_to_json(expected)["bids"]
        assert [(r.bidder, r.total, r.rank) for r in result.rows] == [
            (b["bidder"], b["total"], b["rank"]) for b in shown
        ]
        assert [(r.bidder, r.total) for r in result.rows] == [("Alpha Ltd", "95.00"), ("Beta plc", "62.00")]
        assert result.winner_bid == t.alpha

    def test_sensitivity_is_in_plain_words(self, moderated):
        words = selectors.lot_result(moderated.lot).sensitivity_words
        assert words[0] == "Alpha Ltd leads Beta plc by 33.00 points."
        assert words[1].startswith("No change of weights would put Beta plc ahead")

    def test_a_bid_under_a_pass_mark_fails(self, scored):
        t = scored
        moderate(t, t.alpha, t.tech, 0)
        moderate(t, t.beta, t.tech, 50)
        moderate(t, t.alpha, t.sv, 50)
        moderate(t, t.beta, t.sv, 50)
        rows = selectors.lot_result(t.lot).rows
        assert [(r.bidder, r.passed, r.failed_on) for r in rows] == [
            ("Beta plc", True, ""),
            ("Alpha Ltd", False, "Technical approach"),
        ]


class TestAward:
    def test_the_award_drafts_a_contract_award_decision_with_prices_only_in_part2(self, moderated):
        # given
        t = moderated
        # when
        award = services.award_recommend(
            lot=t.lot, reference="PCD 700", value=Decimal("1100000"), rationale="Best value", by=t.officer
        )
        # then
        decision = Decision.objects.get(pk=award.decision_id)
        assert (decision.status, decision.decision_type, decision.reference) == ("draft", "contract-award", "PCD 700")
        assert award.bid == t.alpha and decision.originating_officer == t.officer
        assert "1,000,000.00" in decision.part2 and "1,250,000.00" in decision.part2 and "Alpha Ltd" in decision.part2
        part1 = [getattr(decision, f.name) for f in Decision._meta.fields if f.name not in {"part2", "value"}]
        part1 += [r.text for r in decision.recommendations.all()] + [r.amount for r in decision.recommendations.all()]
        text = " ".join(str(v) for v in part1 if v is not None)
        for secret in ("1,000,000", "1000000", "1,250,000", "1250000", "Alpha", "Beta", "95.00", "62.00"):
            assert secret not in text, secret
        assert decision.value not in {ALPHA_PRICE, BETA_PRICE}
        assert list(decision.exemptions.values_list("section", flat=True)) == ["s43"]

    def test_no_award_before_moderation_is_complete(self, scored):
        with pytest.raises(InvalidTransition, match="moderated"):
            services.award_recommend(
                lot=scored.lot, reference="PCD 700", value=Decimal("1100000"), rationale="x", by=scored.officer
            )
        assert not Decision.objects.exists()

    @pytest.mark.parametrize(
        ("value", "message"), [(ALPHA_PRICE, "would publish it"), (Decimal("999999"), "must cover")]
    )
    def test_the_published_value_covers_the_price_and_is_no_bid_price(self, moderated, value, message):
        with pytest.raises(RuleViolation, match=message):
            services.award_recommend(
                lot=moderated.lot, reference="PCD 700", value=value, rationale="x", by=moderated.officer
            )

    def test_the_award_is_atomic(self, moderated):
        # given a decision reference already taken, found only when the decision is drafted
        from pegasus.governance.services import RecommendationSpec, decision_create

        decision_create(
            by=moderated.officer,
            reference="PCD 700",
            title="Taken",
            decision_type="business-case",
            executive_summary="Summary",
            value=Decimal(1),
            recommendations=[RecommendationSpec("note", "x")],
        )
        before = Decision.objects.count()
        with pytest.raises(ValidationError):
            services.award_recommend(
                lot=moderated.lot, reference="PCD 700", value=Decimal("1100000"), rationale="x", by=moderated.officer
            )
        assert Decision.objects.count() == before and not AwardRecommendation.objects.exists()

    def test_a_lot_is_recommended_once(self, moderated):
        services.award_recommend(
            lot=moderated.lot, reference="PCD 700", value=Decimal("1100000"), rationale="x", by=moderated.officer
        )
        with pytest.raises(InvalidTransition, match="already has"):
            services.award_recommend(
                lot=moderated.lot, reference="PCD 701", value=Decimal("1100000"), rationale="x", by=moderated.officer
            )


def test_the_demo_tender_loads_once_part_moderated(demo):
    from pegasus.evaluation.demo import evaluation_demo_load

    assert evaluation_demo_load() == {"tenders": 1}
    assert evaluation_demo_load() == {"tenders": 0}
    lot = Criterion.objects.first().lot
    result = selectors.lot_result(lot)
    assert not result.complete and 0 < result.moderated < result.needed
