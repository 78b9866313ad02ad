"""Tender scoring: each price method by hand, pass marks before prices, ties, weights, warnings and sensitivity."""

from decimal import Decimal
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pegasus.evaluation import scoring


def tender(method="lowest-price-ratio", bids=(), *, tech=60, price=40, pass_mark=None, sv=None):
    criteria = [{"id": "tech", "weight": tech, "kind": "quality", "pass_mark": pass_mark}]
    if sv is not None:
        criteria.append({"id": "sv", "weight": sv, "kind": "social-value"})
    criteria.append({"id": "price", "weight": price, "kind": "price", "method": method})
    return {
        "criteria": criteria,
        "bids": [
            {"bidder": b, "price": p, "scores": {"tech": q, **({"sv": 50} if sv is not None else {})}}
            for b, p, q in bids
        ],
    }


def evaluate(data):
    return scoring.evaluation_to_json(scoring.tender_evaluate(scoring.tender_from_json(data)))


def price_scores(data):
    return {b["bidder"]: b["price_score"] for b in evaluate(data)["bids"]}


THREE = [("A", "100", 50), ("B", "125", 50), ("C", "200", 50)]


class TestPriceMethods:
    def test_lowest_price_ratio(self):
        """weight x lowest / price: 40 x 100/125 = 32."""
        assert price_scores(tender("lowest-price-ratio", THREE)) == {"A": "40.00", "B": "32.00", "C": "20.00"}

    def test_deviation_from_lowest(self):
        """weight x max(0, 1 - (price - lowest) / lowest): 25% dearer loses 25% of the weight."""
        assert price_scores(tender("deviation-from-lowest", THREE)) == {"A": "40.00", "B": "30.00", "C": "0.00"}

    def test_deviation_from_lowest_never_goes_below_zero(self):
        bids = [("A", "100", 50), ("B", "250", 50)]
        assert price_scores(tender("deviation-from-lowest", bids)) == {"A": "40.00", "B": "0.00"}

    def test_interpolation(self):
        """weight x (highest - price) / (highest - lowest): 125 is a quarter of the way from 100 to 200."""
        assert price_scores(tender("interpolation", THREE)) == {"A": "40.00", "B": "30.00", "C": "0.00"}

    def test_mean_relative(self):
        """Mean 425/3; A: 50 + 100 x 5/17 = 1350/17, x 40/100 = 31.76; B 420/17 = 24.71; C 60/17 = 3.53."""
        assert price_scores(tender("mean-relative", THREE)) == {"A": "31.76", "B": "24.71", "C": "3.53"}

    def test_mean_relative_clamps_to_0_and_100(self):
        """Mean 77.5: 10 would earn 137% (capped at full weight), 100 earns 21%."""
        bids = [("A", "10", 50), ("B", "100", 50), ("C", "100", 50), ("D", "100", 50)]
        scores = price_scores(tender("mean-relative", bids))
        # B: 50 - 100 x 22.5/77.5 = 50 - 29.03... = 20.967...% of 40 = 8.387
        assert scores == {"A": "40.00", "B": "8.39", "C": "8.39", "D": "8.39"}
        bids = [("A", "100", 50), ("B", "100", 50), ("C", "400", 50)]
        assert price_scores(tender("mean-relative", bids)) == {"A": "40.00", "B": "40.00", "C": "0.00"}

    @pytest.mark.parametrize(
        ("method", "expected"),
        [
            ("lowest-price-ratio", "40.00"),
            ("deviation-from-lowest", "40.00"),
            ("interpolation", "40.00"),  # full weight when all prices are equal, not 0/0
            ("mean-relative", "20.00"),  # every price is the mean: 50% of the weight
        ],
    )
    def test_all_prices_equal(self, method, expected):
        bids = [("A", "500000", 50), ("B", "500000.00", 75), ("C", "500000", 25)]
        assert set(price_scores(tender(method, bids)).values()) == {expected}

    def test_a_single_bid(self):
        assert price_scores(tender("interpolation", [("A", "9", 10)])) == {"A": "40.00"}


class TestIssueExample:
    def test_scores_ranks_and_the_failed_bid(self):
        """The issue's criteria: C fails tech's pass mark of 25 and its low price is not the lowest scored."""
        data = {
            "criteria": [
                {"id": "tech", "weight": 50, "kind": "quality", "pass_mark": 25},
                {"id": "sv", "weight": 10, "kind": "quality"},
                {"id": "price", "weight": 40, "kind": "price", "method": "lowest-price-ratio"},
            ],
            "bids": [
                {"bidder": "A", "price": "1200000", "scores": {"tech": 75, "sv": 50}},
                {"bidder": "B", "price": "1000000", "scores": {"tech": 50, "sv": 75}},
                {"bidder": "C", "price": "800000", "scores": {"tech": 20, "sv": 100}},
            ],
        }
        out = evaluate(data)
        assert out["bids"] == [
            # A: 50 x 75% + 10 x 50% = 42.50; 40 x 1,000,000 / 1,200,000 = 33.33 (not 26.67 against C's price)
            {"bidder": "A", "passed": True, "quality": "42.50", "price_score": "33.33", "total": "75.83", "rank": 1},
            {"bidder": "B", "passed": True, "quality": "32.50", "price_score": "40.00", "total": "72.50", "rank": 2},
            {"bidder": "C", "passed": False, "quality": "20.00", "price_score": None, "total": None, "rank": None},
        ]
        assert out["failed"] == [
            {"bidder": "C", "criterion": "tech", "score": "20", "pass_mark": "25", "criteria": ["tech"]}
        ]
        assert out["warnings"] == []  # "sv" carries 10%

    def test_the_smallest_change_of_weights_by_hand(self):
        """B gains 0.25 a point on sv and loses 0.25 on tech: 3.333 / 0.5 = 6.67 points from tech to sv."""
        data = {
            "criteria": [
                {"id": "tech", "weight": 50, "kind": "quality"},
                {"id": "sv", "weight": 10, "kind": "quality"},
                {"id": "price", "weight": 40, "kind": "price", "method": "lowest-price-ratio"},
            ],
            "bids": [
                {"bidder": "A", "price": "1200000", "scores": {"tech": 75, "sv": 50}},
                {"bidder": "B", "price": "1000000", "scores": {"tech": 50, "sv": 75}},
            ],
        }
        evaluation = scoring.tender_evaluate(scoring.tender_from_json(data))
        assert evaluation.sensitivity.challengers[0].draw_level_at == Fraction(20, 3)
        out = scoring.evaluation_to_json(evaluation)["sensitivity"]
        assert out["winner"] == "A"
        assert out["margin"] == "3.33"
        assert out["smallest_change"] == {
            "challenger": "B",
            "weight_moved": "6.67",
            "weights": {"tech": "43.33", "sv": "16.67", "price": "40.00"},
        }


class TestPassMarks:
    def test_a_score_equal_to_the_pass_mark_passes(self):
        out = evaluate(tender(bids=[("A", "100", 25), ("B", "90", 24.99)], pass_mark=25))
        assert [(b["bidder"], b["passed"]) for b in out["bids"]] == [("A", True), ("B", False)]
        assert out["failed"][0] == {
            "bidder": "B",
            "criterion": "tech",
            "score": "24.99",
            "pass_mark": "25",
            "criteria": ["tech"],
        }

    def test_failed_bids_are_left_out_before_prices_are_scored(self):
        """Interpolation over A and B only: C's very low and D's very high price change nothing."""
        bids = [("A", "100", 50), ("B", "150", 50), ("C", "10", 10), ("D", "1000", 20)]
        scores = price_scores(tender("interpolation", bids, pass_mark=30))
        assert scores == {"A": "40.00", "B": "0.00", "C": None, "D": None}

    def test_every_failing_criterion_is_listed(self):
        data = tender(bids=[("A", "100", 10)], pass_mark=20, sv=10, tech=50)
        data["criteria"][1]["pass_mark"] = 60
        out = evaluate(data)
        assert out["failed"][0]["criteria"] == ["tech", "sv"]
        assert out["sensitivity"] is None
        assert scoring.MSG_NONE_PASSED in out["warnings"]


class TestRanking:
    def test_equal_totals_share_a_rank_and_are_listed_by_bidder(self):
        bids = [("Zeta", "100", 50), ("Alpha", "100", 50), ("Mid", "200", 90), ("Low", "400", 10)]
        out = evaluate(tender("lowest-price-ratio", bids))
        # Alpha and Zeta: 30 + 40 = 70; Mid: 54 + 20 = 74; Low: 6 + 10 = 16
        assert [(b["bidder"], b["total"], b["rank"]) for b in out["bids"]] == [
            ("Mid", "74.00", 1),
            ("Alpha", "70.00", 2),
            ("Zeta", "70.00", 2),
            ("Low", "16.00", 4),
        ]

    def test_a_tie_for_first_place_needs_no_change_of_weights(self):
        out = evaluate(tender(bids=[("B", "100", 50), ("A", "100", 50)]))
        assert out["sensitivity"]["winner"] == "A"
        assert out["sensitivity"]["margin"] == "0.00"
        assert out["sensitivity"]["smallest_change"] is None  # identical bids: no weights put B strictly ahead

    def test_ranking_is_on_the_total_as_shown(self):
        """Totals 70.004 and 70.001 are both shown as 70.00 and share first place."""
        data = {
            "criteria": [{"id": "q", "weight": 100, "kind": "quality"}],
            "bids": [
                {"bidder": "B", "scores": {"q": "70.004"}},
                {"bidder": "A", "scores": {"q": "70.001"}},
            ],
        }
        out = evaluate(data)
        assert [(b["bidder"], b["total"], b["rank"]) for b in out["bids"]] == [("A", "70.00", 1), ("B", "70.00", 1)]

    def test_withdrawing_an_irrelevant_bid_can_change_the_winner(self):
        """Interpolation: with C at 200, B (0.9 of the price weight) beats A; without C, B's price scores 0."""
        bids = [("A", "100", 50), ("B", "110", 60), ("C", "200", 0)]
        out = evaluate(tender("interpolation", bids))
        assert out["sensitivity"]["winner"] == "B"
        assert out["sensitivity"]["if_withdrawn"] == [{"withdrawn": "C", "winner": "A"}]

    def test_rounding_is_half_up(self):
        assert scoring.round_2dp(Fraction(12345, 1000)) == Decimal("12.35")
        assert scoring.round_2dp(Fraction(12344999, 1000000)) == Decimal("12.34")


class TestWarnings:
    def test_social_value_under_10_percent(self):
        out = evaluate(tender(bids=[("A", "1", 50)], tech=55, sv=5))
        assert out["warnings"] == [scoring.MSG_SOCIAL_VALUE_LOW.format(weight=5)]

    def test_no_social_value_criterion_is_0_percent(self):
        assert evaluate(tender(bids=[("A", "1", 50)]))["warnings"] == [scoring.MSG_SOCIAL_VALUE_LOW.format(weight=0)]

    def test_10_percent_is_enough(self):
        assert evaluate(tender(bids=[("A", "1", 50)], tech=50, sv=10))["warnings"] == []


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: d["criteria"][0].update(weight=50), "criteria.weight: the weights add up to 90, not 100"),
            (lambda d: d["criteria"][0].update(weight=-60), "criteria[0].weight: cannot be negative"),
            (lambda d: d["criteria"][1].update(method="cheapest"), "criteria[1].method: 'cheapest' is not one of"),
            (lambda d: d["criteria"][1].pop("method"), "criteria[1].method: missing"),
            (lambda d: d["criteria"][1].update(pass_mark=10), "criteria[1].pass_mark: a price criterion has no"),
            (lambda d: d["criteria"][0].update(kind="cost"), "criteria[0].kind: 'cost' is not one of"),
            (lambda d: d["criteria"][0].update(id="price"), "criteria[1].id: duplicate 'price'"),
            (lambda d: d["criteria"][0].update(pass_mark=101), "criteria[0].pass_mark: 101 is outside 0-100"),
            (lambda d: d["bids"][1].update(price="-1"), "bids[1].price: must be above 0"),
            (lambda d: d["bids"][1].update(price="lots"), "bids[1].price: 'lots' is not a number"),
            (lambda d: d["bids"][1].pop("price"), "bids[1].price: missing"),
            (lambda d: d["bids"][1].update(bidder="A"), "bids[1].bidder: duplicate 'A'"),
            (lambda d: d["bids"][0]["scores"].update(tech=120), "bids[0].scores.tech: 120 is outside 0-100"),
            (lambda d: d["bids"][0]["scores"].pop("tech"), "bids[0].scores.tech: missing"),
            (lambda d: d["bids"][0]["scores"].update(price=50), "bids[0].scores.price: not a quality"),
            (lambda d: d["bids"][0]["scores"].update(tech=True), "bids[0].scores.tech: True is not a number"),
            (lambda d: d.pop("bids"), "bids: missing"),
            (lambda d: d.update(criteria=[]), "criteria: must be a non-empty list"),
        ],
    )
    def test_the_message_names_the_field(self, change, message):
        data = tender(bids=[("A", "100", 50), ("B", "120", 60)])
        change(data)
        with pytest.raises(scoring.EvaluationInputError) as error:
            scoring.tender_from_json(data)
        assert str(error.value).startswith(message)

    def test_two_price_criteria(self):
        data = tender(bids=[("A", "100", 50)], tech=20)
        data["criteria"].append({"id": "price2", "weight": 40, "kind": "price", "method": "interpolation"})
        with pytest.raises(scoring.EvaluationInputError, match=r"^criteria\[2\].kind: a tender has at most one price"):
            scoring.tender_from_json(data)

    def test_a_quality_only_tender_needs_no_prices(self):
        data = {
            "criteria": [{"id": "q", "weight": 100, "kind": "quality"}],
            "bids": [{"bidder": "A", "scores": {"q": 1}}],
        }
        assert evaluate(data)["bids"][0]["price_score"] == "0.00"


# --- Properties ---------------------------------------------------------------------------------------------

METHODS = [m.value for m in scoring.PriceMethod]
scores = st.integers(min_value=0, max_value=100)
prices = st.integers(min_value=1, max_value=10_000_000)


@st.composite
def tenders(draw, max_bids=5):
    w_tech = draw(st.integers(min_value=0, max_value=100))
    w_sv = draw(st.integers(min_value=0, max_value=100 - w_tech))
    method = draw(st.sampled_from(METHODS))
    n = draw(st.integers(min_value=1, max_value=max_bids))
    return {
        "criteria": [
            {"id": "tech", "weight": w_tech, "kind": "quality", "pass_mark": draw(st.sampled_from([None, 25]))},
            {"id": "sv", "weight": w_sv, "kind": "social-value"},
            {"id": "price", "weight": 100 - w_tech - w_sv, "kind": "price", "method": method},
        ],
        "bids": [
            {"bidder": f"b{i}", "price": draw(prices), "scores": {"tech": draw(scores), "sv": draw(scores)}}
            for i in range(n)
        ],
    }


def exact_totals(evaluation, weights):
    return {b.bidder: sum(weights[k] * f for k, f in b.factors.items()) for b in evaluation.ranked}


class TestProperties:
    @given(tenders())
    def test_totals_are_within_0_and_100_and_add_up(self, data):
        out = evaluate(data)
        for bid in out["bids"]:
            assert Decimal(0) <= Decimal(bid["quality"]) <= Decimal(100)
            if bid["passed"]:
                total = Decimal(bid["total"])
                assert Decimal(0) <= total <= Decimal(100)
                assert abs(total - Decimal(bid["quality"]) - Decimal(bid["price_score"])) <= Decimal("0.01")

    @given(tenders(), st.integers(min_value=2, max_value=1000))
    def test_scaling_every_price_changes_no_score(self, data, factor):
        """All four methods compare prices relatively: multiplying every price by a constant changes nothing."""
        scaled = {**data, "bids": [{**b, "price": b["price"] * factor} for b in data["bids"]]}
        assert evaluate(scaled)["bids"] == evaluate(data)["bids"]

    @given(tenders())
    def test_ranks_follow_totals(self, data):
        ranked = [b for b in evaluate(data)["bids"] if b["passed"]]
        for earlier, later in zip(ranked, ranked[1:], strict=False):
            assert Decimal(earlier["total"]) >= Decimal(later["total"])
            assert (earlier["rank"] == later["rank"]) == (earlier["total"] == later["total"])
            if earlier["total"] == later["total"]:
                assert earlier["bidder"] < later["bidder"]

    @settings(max_examples=20, deadline=None)
    @given(tenders(max_bids=4))
    def test_the_sensitivity_change_flips_the_winner_and_nothing_smaller_does(self, data):
        """Brute force over every whole-point weighting of the three criteria."""
        tender_ = scoring.tender_from_json(data)
        evaluation = scoring.tender_evaluate(tender_)
        if evaluation.sensitivity is None or len(evaluation.ranked) < 2:
            return
        winner = evaluation.sensitivity.winner
        original = {c.id: Fraction(c.weight) for c in tender_.criteria}
        levels = [c.draw_level_at for c in evaluation.sensitivity.challengers if c.draw_level_at is not None]
        # The reported weights put the challenger strictly ahead of the winner, having moved what they say.
        for change in evaluation.sensitivity.challengers:
            if change.weights is None:
                continue
            weights = {k: Fraction(v) for k, v in change.weights.items()}
            assert sum(weights.values()) == 100 and min(weights.values()) >= 0
            assert sum(abs(weights[k] - original[k]) for k in weights) / 2 == Fraction(change.weight_moved)
            totals = exact_totals(evaluation, weights)
            assert totals[change.bidder] > totals[winner]
            assert (
                Fraction(change.weight_moved) > change.draw_level_at >= Fraction(change.weight_moved) - Fraction(1, 100)
            )
        # No weighting that moves less than the least level puts any other bid ahead of the winner.
        least = min(levels) if levels else None
        for tech, sv in product(range(101), repeat=2):
            if tech + sv > 100:
                continue
            weights = {"tech": Fraction(tech), "sv": Fraction(sv), "price": Fraction(100 - tech - sv)}
            moved = sum(abs(weights[k] - original[k]) for k in weights) / 2
            if least is not None and moved >= least:
                continue
            totals = exact_totals(evaluation, weights)
            assert all(totals[winner] >= t for t in totals.values())
