"""The RAID log's pure rules: a risk's score, its current score, bands, escalation at 15 and the heat map."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegasus.programme import risk

ratings = st.integers(min_value=1, max_value=5)


class TestScore:
    @given(ratings, ratings)
    def test_is_probability_times_impact(self, probability, impact):
        """The score is the product, from 1 to 25."""
        assert risk.score(probability, impact) == probability * impact
        assert 1 <= risk.score(probability, impact) <= 25

    @pytest.mark.parametrize("value", [0, 6, -1, 2.5, "3", True, None])
    def test_a_rating_off_the_scale_is_refused(self, value):
        """Only whole numbers 1 to 5 are ratings."""
        with pytest.raises(ValueError, match="whole number from 1 to 5"):
            risk.score(value, 3)

    def test_current_is_residual_when_assessed(self):
        """The residual score once assessed, otherwise the inherent."""
        assert risk.current_score(4, 5, 2, 3) == 6
        assert risk.current_score(4, 5) == 20
        assert risk.current_score(4, 5, 2, None) == 20  # half a residual is not an assessment
        assert risk.current_score(None, None) is None


class TestBands:
    @pytest.mark.parametrize(
        ("value", "band"),
        [
            (1, "low"),
            (4, "low"),
            (5, "medium"),
            (9, "medium"),
            (10, "high"),
            (14, "high"),
            (15, "very-high"),
            (25, "very-high"),
        ],
    )
    def test_every_boundary(self, value, band):
        """1-4 low, 5-9 medium, 10-14 high, 15-25 very high."""
        assert risk.band(value) == band

    @given(ratings, ratings)
    def test_every_score_has_exactly_one_band(self, probability, impact):
        value = risk.score(probability, impact)
        assert sum(lo <= value <= hi for _, _, lo, hi in risk.BANDS) == 1

    @pytest.mark.parametrize("value", [0, 26])
    def test_a_score_off_the_matrix_has_no_band(self, value):
        with pytest.raises(ValueError):
            risk.band(value)


class TestEscalation:
    @pytest.mark.parametrize(("current", "escalated"), [(14, False), (15, True), (16, True), (25, True), (None, False)])
    def test_an_open_risk_escalates_from_15(self, current, escalated):
        """The boundary: 14 stays with the programme, 15 goes to the board."""
        assert risk.escalates(kind="risk", is_open=True, current=current) is escalated

    def test_a_closed_risk_never_escalates(self):
        assert risk.escalates(kind="risk", is_open=False, current=25) is False

    @pytest.mark.parametrize(("priority", "escalated"), [("critical", True), ("high", False), ("low", False)])
    def test_only_a_critical_issue_escalates(self, priority, escalated):
        assert risk.escalates(kind="issue", is_open=True, priority=priority) is escalated
        assert risk.escalates(kind="issue", is_open=False, priority=priority) is False

    @pytest.mark.parametrize("kind", ["assumption", "dependency"])
    def test_assumptions_and_dependencies_do_not_escalate(self, kind):
        assert risk.escalates(kind=kind, is_open=True, current=25, priority="critical") is False


class TestHeatMap:
    def test_twenty_five_cells_probability_down_impact_across(self):
        cells = risk.heat_map([(4, 5), (4, 5), (1, 1)])
        assert len(cells) == 25
        assert (cells[0].probability, cells[0].impact) == (5, 1)
        assert (cells[-1].probability, cells[-1].impact) == (1, 5)
        counts = {(c.probability, c.impact): c.count for c in cells}
        assert counts[(4, 5)] == 2
        assert counts[(1, 1)] == 1
        assert sum(counts.values()) == 3

    def test_each_cell_carries_its_score_and_band(self):
        cell = next(c for c in risk.heat_map([]) if (c.probability, c.impact) == (3, 5))
        assert (cell.score, cell.band, cell.band_label) == (15, "very-high", "Very high")


class TestOrdering:
    def test_top_risks_by_score_then_nearest_proximity(self):
        keys = {
            "R-1": risk.top_order_key(16, date(2020, 1, 1), "R-1"),
            "R-2": risk.top_order_key(16, date(2019, 9, 1), "R-2"),
            "R-3": risk.top_order_key(20, None, "R-3"),
            "R-4": risk.top_order_key(16, None, "R-4"),
        }
        assert sorted(keys, key=keys.get) == ["R-3", "R-2", "R-1", "R-4"]

    def test_issues_by_priority_then_longest_open(self):
        keys = {
            "I-1": risk.issue_order_key("high", date(2019, 5, 1), "I-1"),
            "I-2": risk.issue_order_key("critical", date(2019, 5, 20), "I-2"),
            "I-3": risk.issue_order_key("high", date(2019, 4, 1), "I-3"),
        }
        assert sorted(keys, key=keys.get) == ["I-2", "I-3", "I-1"]


class TestReferences:
    def test_next_after_the_highest_of_the_kind(self):
        assert risk.next_reference("R", []) == "R-001"
        assert risk.next_reference("R", ["R-001", "R-009", "I-020", "R-x"]) == "R-010"
        assert risk.next_reference("R", ["R-999"]) == "R-1000"
