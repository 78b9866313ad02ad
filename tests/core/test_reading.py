"""Bounded reading: JSON and YAML no deeper than MAX_DEPTH (checked without recursing), number literals no longer
than MAX_NUMBER_CHARS, no NaN or Infinity, and numbers bounded before any arithmetic."""

import json
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pegasus.core.exceptions import OutOfBounds
from pegasus.core.reading import (
    MAX_DEPTH,
    DocumentError,
    decimal_in_bounds,
    json_depth_check,
    load_json,
    load_yaml,
)


def depth(value) -> int:
    """The reference: levels of lists and objects, counted by recursion over what json.loads made."""
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


tricky_text = st.text(alphabet=st.sampled_from('[]{}"\\ab\n\u00e9'), max_size=8)
documents = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(tricky_text, children, max_size=3),
    max_leaves=120,
)


class TestJsonDepth:
    @settings(max_examples=300, deadline=None)
    @given(document=documents, limit=st.integers(0, 12))
    def test_the_bracket_count_agrees_with_the_depth_of_what_json_reads(self, document, limit):
        text = json.dumps(document, ensure_ascii=False)
        if depth(document) > limit:
            with pytest.raises(DocumentError, match=f"nested more than {limit} levels deep"):
                json_depth_check(text, limit)
        else:
            json_depth_check(text, limit)

    def test_200000_levels_are_refused_at_once_naming_the_line(self):
        started = time.monotonic()
        with pytest.raises(DocumentError, match="^line 3: nested more than 64 levels deep$"):
            load_json("\n\n" + "[" * 200_000 + "]" * 200_000)
        assert time.monotonic() - started < 2

    def test_the_limit_itself_is_allowed(self):
        assert depth(load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)) == MAX_DEPTH
        with pytest.raises(DocumentError):
            load_json('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1))

    def test_brackets_in_strings_and_escaped_quotes_do_not_count(self):
        text = json.dumps({"a": "[" * 1000, "b": '\\"' + "{" * 1000, "c": ["\\", ["]"]]})
        assert load_json(text)["c"] == ["\\", ["]"]]


class TestJsonNumbers:
    def test_numbers_with_a_point_are_decimals_as_written(self):
        assert load_json('{"a": 0.1, "b": 1e2, "c": 7}') == {"a": Decimal("0.1"), "b": Decimal("1E+2"), "c": 7}

    @pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
    def test_nan_and_infinity_are_refused(self, constant):
        with pytest.raises(DocumentError, match=f"^line 2: {constant} is not a number JSON allows$"):
            load_json(f'{{\n"a": {constant}}}')

    @pytest.mark.parametrize("literal", ["9" * 101, "1." + "0" * 100, "-" + "9" * 100_000])
    def test_number_literals_too_long_are_refused_before_conversion(self, literal):
        with pytest.raises(DocumentError, match=r"^line 1: a number of [\d,]+ characters \(at most 100\)$"):
            load_json(f"[{literal}]")

    def test_bad_json_names_line_and_column(self):
        with pytest.raises(DocumentError, match="^not JSON: line 2 column 1: Expecting value$"):
            load_json("[1,\n]")


class TestYaml:
    def test_block_nesting_deeper_than_the_limit_is_refused_naming_the_line(self):
        text = "".join("  " * n + "- \n" for n in range(100)) + "  " * 100 + "- x\n"
        with pytest.raises(DocumentError, match=f"nested more than {MAX_DEPTH} levels deep"):
            load_yaml(text)

    def test_flow_nesting_of_100000_levels_is_refused(self):
        with pytest.raises(DocumentError, match="^line 1: nested more than 64 levels deep$"):
            load_yaml("a: " + "[" * 100_000 + "]" * 100_000)

    def test_an_integer_of_thousands_of_digits_is_refused(self):
        with pytest.raises(DocumentError, match=r"^line 2: a number of 5,000 characters"):
            load_yaml("a: 1\nb: " + "9" * 5000)

    @pytest.mark.parametrize("text", ["\x00", "a: [1", "- a\n b: c"])
    def test_unreadable_yaml_is_one_document_error(self, text):
        with pytest.raises(DocumentError, match="^not valid YAML"):
            load_yaml(text)

    def test_an_ordinary_sla_file_reads_as_before(self):
        assert load_yaml("- supplier: A\n  charge: 1250000.50\n  targets: [{priority: 1}]\n") == [
            {"supplier": "A", "charge": 1250000.5, "targets": [{"priority": 1}]}
        ]


class TestDecimalInBounds:
    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (Decimal("1e999999999"), "x: 1E+999999999 is above 100"),
            ("1e999999999", "x: '1e999999999' is above 100"),
            (pytest.param(10**5000, "x: a whole number of 4,983 digits or so is above 100", id="10**5000")),
            (1e300, "x: 1e+300 is above 100"),
            ("1e-999999999", "x: '1e-999999999' has more than 2 decimal places"),
            ("12.345", "x: '12.345' has more than 2 decimal places"),
            ("NaN", "x: 'NaN' is not a number"),
            (float("inf"), "x: inf is not a number"),
            (True, "x: True is not a number"),
            ("9" * 101, "x: '99999999999999999999999999999... (101 characters) is not a number"),
            ("-1", "x: '-1' is below 0"),
        ],
    )
    def test_out_of_bounds_names_the_field(self, value, message):
        started = time.monotonic()
        with pytest.raises(OutOfBounds) as refused:
            decimal_in_bounds(value, "x", lo=0, hi=100, places=2)
        assert (str(refused.value), refused.value.field) == (message, "x")
        assert time.monotonic() - started < 1

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (7, Decimal(7)),
            (0.1, Decimal("0.1")),
            ("1,250.50", Decimal("1250.50")),
            (Decimal("12.3400"), Decimal("12.34")),
        ],
    )
    def test_numbers_within_bounds_are_read_exactly(self, value, expected):
        assert decimal_in_bounds(value, "x", lo=0, hi=10_000, places=2) == expected

    def test_whatever_the_bounds_a_number_has_fewer_than_28_digits_before_the_point(self):
        with pytest.raises(OutOfBounds, match="is above 10,000,000,000,000,000,000,000,000,000$"):
            decimal_in_bounds(Decimal("1e28"), "x")

    def test_text_can_be_refused(self):
        with pytest.raises(OutOfBounds, match="^x: '1' is not an amount$"):
            decimal_in_bounds("1", "x", text=False, what="an amount")


class TestYamlAliases:
    def test_aliases_that_expand_to_billions_of_values_are_refused_at_once(self):
        lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
        started = time.monotonic()
        with pytest.raises(DocumentError, match="^more than 1,000,000 values once its aliases are expanded$"):
            load_yaml("\n".join(lines))
        assert time.monotonic() - started < 5

    def test_an_alias_inside_its_own_anchor_is_refused(self):
        with pytest.raises(DocumentError, match="values once its aliases are expanded"):
            load_yaml("a: &a [1, *a]")

    def test_an_anchor_used_a_few_times_is_read(self):
        data = load_yaml("hours: &office {start: '09:00', end: '17:00'}\nagain: *office\n")
        assert data["again"] == {"start": "09:00", "end": "17:00"}


def test_zero_is_zero_whatever_its_places():
    assert decimal_in_bounds("0.000", "x", lo=0, hi=1, places=0) == 0
    assert decimal_in_bounds(Decimal("0E-999999999"), "x", places=2) == 0
