"""The Green Book options appraisal (`programme.appraisal`) and `pegasus appraisal npv`: discounting at the 30/31 year
boundary, optimism bias, rounding once, ranks, switching values, a property against an exact reference, bad input."""

import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pegasus.core.exceptions import InputError
from pegasus.programme.appraisal import (
    AppraisalInputError,
    Option,
    Year,
    appraisal_to_json,
    appraise,
    discount_divisor,
    discount_factor,
    options_from_json,
)
from tests.commands import pegasus

D = Decimal


def option(name: str, *years: tuple[int, str, str], bias: str = "0") -> Option:
    return Option(name, tuple(Year(y, D(c), D(b)) for y, c, b in years), D(bias))


def result_of(appraisal, name):
    return next(o for o in appraisal.options if o.name == name)


# --- An independent reference: Fractions, the formula as the Green Book writes it --------------------------------


def reference_factor(year: int) -> Fraction:
    if year <= 30:
        return 1 / Fraction("1.035") ** year
    return 1 / (Fraction("1.035") ** 30 * Fraction("1.03") ** (year - 30))


def half_up(value: Fraction) -> Decimal:
    """Round a Fraction to pennies, half away from zero."""
    pennies = value * 100
    sign = -1 if pennies < 0 else 1
    whole, rest = divmod(abs(pennies), 1)
    whole += 1 if rest >= Fraction(1, 2) else 0
    return D(sign * int(whole)) / 100


def reference(opt: Option) -> tuple[Decimal, Decimal, Decimal]:
    uplift = 1 + Fraction(opt.optimism_bias_percent) / 100
    costs = sum((Fraction(y.costs) * uplift * reference_factor(y.year) for y in opt.years), Fraction(0))
    benefits = sum((Fraction(y.benefits) * reference_factor(y.year) for y in opt.years), Fraction(0))
    return half_up(costs), half_up(benefits), half_up(benefits - costs)


class TestDiscountFactor:
    """1/1.035^t to year 30, 1/(1.035^30 x 1.03^(t-30)) from year 31; year 0 is undiscounted."""

    def test_year_0_is_not_discounted(self):
        assert discount_factor(0) == 1
        assert discount_divisor(0) == 1

    def test_year_1_is_discounted_at_3_5_percent(self):
        assert discount_divisor(1) == D("1.035")
        assert abs(Fraction(discount_factor(1)) - Fraction(200, 207)) < Fraction(1, 10**50)

    def test_year_30_is_the_last_at_3_5_percent(self):
        assert Fraction(discount_divisor(30)) == Fraction("1.035") ** 30

    def test_year_31_is_the_first_at_3_0_percent(self):
        assert Fraction(discount_divisor(31)) == Fraction("1.035") ** 30 * Fraction("1.03")
        assert Fraction(discount_divisor(31)) / Fraction(discount_divisor(30)) == Fraction("1.03")
        assert Fraction(discount_divisor(32)) / Fraction(discount_divisor(31)) == Fraction("1.03")

    def test_factors_to_50_digits(self):
        # 1/1.035^30 = 0.35627841060230154047161590488103024578815947955369... (50 significant digits)
        assert discount_factor(30) == D("0.35627841060230154047161590488103024578815947955369")
        assert discount_factor(31) == D("0.34590136951679761210836495619517499591083444616863")
        for year in (29, 30, 31, 60, 200):
            assert abs(Fraction(discount_factor(year)) - reference_factor(year)) < Fraction(1, 10**50)

    def test_a_pound_at_the_boundary(self):
        appraisal = appraise([option("A", (30, "0", "1000000"), (31, "0", "1000000"))])
        # 1,000,000 x (0.356278410602... + 0.345901369516...) = 702,179.78012...
        assert result_of(appraisal, "A").present_benefits == D("702179.78")


class TestOptimismBias:
    """Costs are multiplied by (1 + percent/100) before discounting; benefits are not."""

    def test_bias_is_added_to_costs_only(self):
        plain = appraise([option("A", (0, "1000", "500"), (1, "1035", "1035"))])
        biased = appraise([option("A", (0, "1000", "500"), (1, "1035", "1035"), bias="40")])
        assert result_of(plain, "A").present_costs == D("2000.00")
        assert result_of(biased, "A").present_costs == D("2800.00")  # (1000 + 1000) x 1.4
        assert result_of(biased, "A").present_benefits == result_of(plain, "A").present_benefits == D("1500.00")
        assert result_of(biased, "A").npv == D("-1300.00")

    def test_bias_applies_beyond_year_30(self):
        got = appraise([option("A", (31, "100", "0"), bias="20")])
        assert result_of(got, "A").present_costs == reference(option("A", (31, "100", "0"), bias="20"))[0]


class TestRounding:
    """Present values are computed exactly and rounded once, half up, to pennies."""

    def test_rounded_once_not_per_year(self):
        # A penny in years 21 and 22 is worth 0.004856.. and 0.004692..: rounded per year, nothing; once, 0.01.
        got = appraise([option("A", (21, "0.01", "0"), (22, "0.01", "0"))])
        assert result_of(got, "A").present_costs == D("0.01")

    def test_npv_is_rounded_from_the_exact_values_not_from_rounded_parts(self):
        # costs 0.015 (0.01 + 50%), benefits 0.02: from the rounded parts the NPV would be 0.00; exactly it is 0.005
        got = appraise([option("A", (0, "0.01", "0.02"), bias="50")])
        a = result_of(got, "A")
        assert (a.present_costs, a.present_benefits, a.npv) == (D("0.02"), D("0.02"), D("0.01"))

    def test_exact_half_penny_rounds_up(self):
        # 1.035 x 0.005 is not pennies, but 0.01 at year 1 with bias 3.5% is 0.01035/1.035 = 0.01: use year 0 halves
        got = appraise([option("A", (0, "0", "0.01"), bias="0"), option("B", (0, "0.01", "0.03"), bias="50")])
        assert result_of(got, "B").present_costs == D("0.02")  # 0.015 exactly: half up
        assert result_of(got, "B").npv == D("0.02")  # 0.015 exactly: half up

    def test_amounts_are_two_decimal_strings_in_json(self):
        out = appraisal_to_json(appraise([option("A", (0, "1", "0"))]))
        assert out["options"][0] == {
            "name": "A",
            "npv": "-1.00",
            "present_costs": "1.00",
            "present_benefits": "0.00",
            "rank": 1,
        }


class TestRanks:
    """Rank 1 is the highest NPV; equal NPVs keep the order given; the preferred option is rank 1."""

    def test_ranked_by_npv(self):
        got = appraise([option("Low", (0, "10", "0")), option("High", (0, "0", "5")), option("Mid", (0, "1", "1"))])
        assert {o.name: o.rank for o in got.options} == {"High": 1, "Mid": 2, "Low": 3}
        assert got.preferred == "High"
        assert [o.name for o in got.options] == ["Low", "High", "Mid"]  # in the order given

    def test_ties_keep_the_order_given(self):
        got = appraise(
            [option("First", (0, "1", "2")), option("Second", (0, "2", "3")), option("Third", (0, "9", "0"))]
        )
        assert [(o.name, o.rank) for o in got.options] == [("First", 1), ("Second", 2), ("Third", 3)]
        assert got.preferred == "First"

    def test_an_option_with_no_years_is_nil(self):
        got = appraise([option("Empty"), option("Costly", (0, "5", "0"))])
        assert result_of(got, "Empty").npv == 0
        assert got.preferred == "Empty"


class TestSwitchingValues:
    """The change that would make the next-best option (or the preferred one) draw level, in £ and %."""

    def options(self):
        return [
            option("Business as usual", (0, "1000", "0"), (1, "5000", "4000"), (31, "700", "900"), bias="10"),
            option("Single prime", (0, "3000", "0"), (1, "2000", "7000"), (40, "300", "800"), bias="40"),
            option("SIAM with towers", (0, "2500", "0"), (1, "3000", "7500"), bias="25"),
        ]

    def test_preferred_costs_rise_and_benefits_fall_to_the_next_best(self):
        got = appraise(self.options())
        ranked = got.ranked()
        best, runner = ranked[0], ranked[1]
        gap = best.npv - runner.npv
        rise, fall = got.switching[0], got.switching[1]
        assert (rise.option, rise.quantity, rise.direction, rise.other) == (best.name, "costs", "rise", runner.name)
        assert (fall.option, fall.quantity, fall.direction, fall.other) == (best.name, "benefits", "fall", runner.name)
        assert abs(rise.amount - gap) <= D("0.01") and rise.amount == fall.amount
        assert rise.percent == (rise.amount / best.present_costs * 100).quantize(D("0.1"), ROUND_HALF_UP)

    def test_at_the_switching_value_the_two_npvs_are_equal(self):
        # Year-0 amounts are undiscounted and unbiased here, so adding the switching value to them is exact.
        a = option("A", (0, "10000", "0"), (1, "0", "20700"))
        b = option("B", (0, "5000", "0"), (1, "0", "10350"))
        c = option("C", (0, "1", "0"), (1, "0", "1035"))
        got = appraise([a, b, c])
        assert got.preferred == "A"  # 10,000 against B's 5,000 and C's 999
        rise, fall, b_falls, c_falls = got.switching
        assert (rise.amount, rise.percent) == (D("5000.00"), D("50.0"))
        assert (fall.amount, fall.percent) == (D("5000.00"), D("25.0"))
        costlier = appraise([option("A", (0, str(10000 + rise.amount), "0"), (1, "0", "20700")), b])
        assert result_of(costlier, "A").npv == result_of(costlier, "B").npv
        poorer = appraise([option("A", (0, "10000", "0"), (1, "0", str(D(20700) - fall.amount * D("1.035")))), b])
        assert result_of(poorer, "A").npv == result_of(poorer, "B").npv
        assert (b_falls.option, b_falls.amount, b_falls.reachable) == ("B", D("5000.00"), True)
        cheaper_b = appraise([a, option("B", (0, str(5000 - b_falls.amount), "0"), (1, "0", "10350"))])
        assert result_of(cheaper_b, "A").npv == result_of(cheaper_b, "B").npv
        assert (c_falls.option, c_falls.amount, c_falls.percent, c_falls.reachable) == (
            "C",
            D("9001.00"),
            D("900100.0"),
            False,
        )
        assert c_falls.sentence() == (
            "C's costs would have to fall by £9,001.00 (900100.0%) for it to match A: more than all its costs, "
            "so no change in its costs alone would do it"
        )

    def test_a_fall_in_benefits_beyond_all_of_them_is_said_to_be_out_of_reach(self):
        got = appraise([option("Towers", (0, "0", "100")), option("Prime", (0, "150", "0"))])
        fall = got.switching[1]
        assert (fall.amount, fall.percent, fall.reachable) == (D("250.00"), D("250.0"), False)
        assert fall.sentence() == (
            "Towers' benefits would have to fall by £250.00 (250.0%) for Prime to match it: more than all its "
            "benefits, so no change in its benefits alone would do it"
        )

    def test_in_words(self):
        got = appraise([option("Option A", (0, "0", "2385185.19")), option("Option B", (0, "14814814.81", "16000000"))])
        words = [s.sentence() for s in got.switching]
        assert words[2] == "Option B's costs would have to fall by £1.2m (8.1%) for it to match Option A"
        assert words[0] == "Option A's costs would have to rise by £1.2m for Option B to match it"

    def test_one_option_has_no_switching_values(self):
        assert appraise([option("Only", (0, "1", "2"))]).switching == ()


amounts = st.decimals(min_value=0, max_value=D("10000000"), places=2, allow_nan=False, allow_infinity=False)
years = st.lists(
    st.tuples(st.integers(min_value=0, max_value=60), amounts, amounts), max_size=8, unique_by=lambda row: row[0]
)
biases = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


class TestAgainstReference:
    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.tuples(years, biases), min_size=1, max_size=4))
    def test_present_values_match_exact_fractions(self, drawn):
        opts = [
            Option(f"Option {i}", tuple(Year(y, c, b) for y, c, b in rows), bias)
            for i, (rows, bias) in enumerate(drawn)
        ]
        got = appraise(opts)
        for opt, result in zip(opts, got.options, strict=True):
            assert (result.present_costs, result.present_benefits, result.npv) == reference(opt)
        # Ranks follow the exact NPVs, ties in the order given.
        exact = [reference(o)[2] for o in opts]
        assert all(
            exact[i] >= exact[j]
            for i in range(len(opts))
            for j in range(len(opts))
            if got.options[i].rank < got.options[j].rank
        )


class TestInputChecks:
    """Bad input is an InputError naming the option and the year."""

    @pytest.mark.parametrize(
        ("document", "message"),
        [
            ({}, "options is missing"),
            ({"options": []}, "at least one option"),
            ({"options": [{"years": []}]}, "options[1]: name is missing"),
            ({"options": [{"name": "A"}]}, "options[1]: years is missing"),
            ({"options": [{"name": "A", "years": [{"year": 1, "costs": "1"}]}]}, "option 'A': years[1]: benefits"),
            (
                {"options": [{"name": "A", "years": [{"year": 2, "costs": "-5", "benefits": "0"}]}]},
                "option 'A': year 2: costs must be £0.00 or more",
            ),
            (
                {"options": [{"name": "A", "years": [{"year": 3, "costs": "0", "benefits": "-0.01"}]}]},
                "option 'A': year 3: benefits must be £0.00 or more",
            ),
            (
                {"options": [{"name": "A", "years": [{"year": 4, "costs": "1", "benefits": "0"}] * 2}]},
                "option 'A': year 4 is given twice",
            ),
            (
                {"options": [{"name": "A", "years": [{"year": -1, "costs": "1", "benefits": "0"}]}]},
                "year must be a whole number from 0 to 200",
            ),
            (
                {"options": [{"name": "A", "years": [{"year": 1.5, "costs": "1", "benefits": "0"}]}]},
                "year must be a whole number",
            ),
            (
                {"options": [{"name": "A", "years": [{"year": 1, "costs": "lots", "benefits": "0"}]}]},
                "option 'A': year 1: costs must be an amount",
            ),
            (
                {"options": [{"name": "A", "years": [{"year": 1, "costs": "0.001", "benefits": "0"}]}]},
                "pounds and pence",
            ),
            ({"options": [{"name": "A", "years": []}, {"name": "A", "years": []}]}, "named twice"),
            ({"options": [{"name": "A", "optimism_bias_percent": "-1", "years": []}]}, "optimism_bias_percent"),
        ],
    )
    def test_refused_naming_the_place(self, document, message):
        with pytest.raises(AppraisalInputError) as caught:
            options_from_json(document)
        assert message in str(caught.value)
        assert isinstance(caught.value, InputError)

    def test_appraise_checks_too(self):
        with pytest.raises(AppraisalInputError, match="option 'A': year 1 is given twice"):
            appraise([option("A", (1, "1", "1"), (1, "2", "2"))])


DOCUMENT = {
    "options": [
        {
            "name": "Business as usual",
            "optimism_bias_percent": "10",
            "years": [{"year": 0, "costs": "1000.00", "benefits": "0"}, {"year": 1, "costs": "1035", "benefits": 2070}],
        },
        {"name": "Single prime", "years": [{"year": 0, "costs": "500", "benefits": "0"}]},
    ]
}


class TestCommand:
    """`pegasus appraisal npv FILE --json`, a table without it, exit 2 with one line on bad input."""

    def write(self, tmp_path, document) -> str:
        path = tmp_path / "options.json"
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        return str(path)

    def test_json(self, tmp_path):
        result = pegasus("appraisal", "npv", self.write(tmp_path, DOCUMENT), "--json")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert list(out) == ["options", "preferred", "switching_values"]
        assert out["options"] == [
            {
                "name": "Business as usual",
                "npv": "-200.00",
                "present_costs": "2200.00",
                "present_benefits": "2000.00",
                "rank": 1,
            },
            {
                "name": "Single prime",
                "npv": "-500.00",
                "present_costs": "500.00",
                "present_benefits": "0.00",
                "rank": 2,
            },
        ]
        assert out["preferred"] == "Business as usual"
        assert out["switching_values"][0] == {
            "option": "Business as usual",
            "quantity": "costs",
            "direction": "rise",
            "amount": "300.00",
            "percent": "13.6",
            "to_match": "Single prime",
            "reachable": True,
            "in_words": "Business as usual's costs would have to rise by £300.00 (13.6%) for Single prime to match it",
        }

    def test_table(self, tmp_path):
        result = pegasus("appraisal", "npv", self.write(tmp_path, DOCUMENT))
        assert result.returncode == 0, result.stderr
        assert "Preferred: Business as usual" in result.stdout
        assert "£2,200.00" in result.stdout and "-£500.00" in result.stdout

    def test_standard_input(self):
        result = pegasus("appraisal", "npv", "-", "--json", stdin=json.dumps(DOCUMENT))
        assert json.loads(result.stdout)["preferred"] == "Business as usual"

    @pytest.mark.parametrize(
        ("document", "message"),
        [
            ({"options": [{"name": "A"}]}, "options[1]: years is missing"),
            (
                {"options": [{"name": "A", "years": [{"year": 1, "costs": "-1", "benefits": "0"}]}]},
                "option 'A': year 1: costs must be £0.00 or more",
            ),
            (
                {"options": [{"name": "A", "years": [{"year": 1, "costs": "1", "benefits": "0"}] * 2}]},
                "option 'A': year 1 is given twice",
            ),
            ("{not json", "not JSON"),
            ("[]", "must be an object"),
        ],
    )
    def test_bad_input_exits_2_with_one_line(self, tmp_path, document, message):
        result = pegasus("appraisal", "npv", self.write(tmp_path, document), "--json")
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and message in result.stderr

    def test_a_missing_file(self, tmp_path):
        result = pegasus("appraisal", "npv", str(tmp_path / "absent.json"))
        assert result.returncode == 2 and "absent.json" in result.stderr

    def test_runs_as_its_own_process_without_django_setup(self, tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "pegasus.cli", "appraisal", "npv", self.write(tmp_path, DOCUMENT), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["preferred"] == "Business as usual"


HOSTILE = [
    '{"options": [{"name": "A", "years": [{"year": 1, "costs": 1e999999999, "benefits": 0}]}]}',
    '{"options": [{"name": "A", "years": [{"year": 1, "costs": "1e999999999", "benefits": 0}]}]}',
    '{"options": [{"name": "A", "years": [{"year": 1e400, "costs": "1", "benefits": 0}]}]}',
    '{"options": [{"name": "A", "years": [{"year": true, "costs": "1", "benefits": 0}]}]}',
    '{"options": [{"name": "A", "years": [{"year": 201, "costs": "1", "benefits": 0}]}]}',
    '{"options": [{"name": "A", "years": [{"year": 1, "costs": "1E-30", "benefits": 0}]}]}',
    '{"options": [{"name": "A", "years": [{"year": 1, "costs": "1000000000000", "benefits": 0}]}]}',
    '{"options": [{"name": "A", "optimism_bias_percent": "NaN", "years": []}]}',
    '{"options": [{"name": "A", "optimism_bias_percent": 1001, "years": []}]}',
    '{"options": [{"name": "A\\u0000", "years": []}]}',
    '{"options": [{"name": "", "years": []}]}',
    '{"options": [{"name": "A", "years": [], "colour": "red"}]}',
    '{"options": [{"name": "A", "years": [[0, 1, 2]]}]}',
    '{"options": {"name": "A"}}',
    "[" * 10000,
    "",
]


@pytest.mark.parametrize("document", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_one_line_and_exit_2(tmp_path, document):
    path = tmp_path / "hostile.json"
    path.write_text(document)
    result = pegasus("appraisal", "npv", str(path), "--json")
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert len(result.stderr) < 300
